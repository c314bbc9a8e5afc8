"""Fill short gaps (lost packets) so the filters downstream see a uniform sample rate.

A gap of ``k`` missing periods between two received samples gets ``k`` linearly interpolated
samples, as long as it is at most ``max_fill_s`` long; longer gaps (a reconnect) are left as they
are. Chunk-invariant: the last sample of the previous block is carried over.
"""
from __future__ import annotations

import numpy as np

from sensorkit.samples import Samples


class GapFiller:
    """Inserts interpolated samples into gaps of up to ``max_fill_s`` at nominal ``fs_hz``."""

    def __init__(self, fs_hz: float, max_fill_s: float) -> None:
        self.period_s = 1.0 / fs_hz
        self.max_missing = int(max_fill_s * fs_hz)
        self._last: np.ndarray | None = None  # last row (t, acc, gyr) seen
        self.filled_samples = 0

    def __call__(self, samples: Samples) -> Samples:
        if len(samples) == 0:
            return samples
        t = samples.t if self._last is None else np.concatenate([self._last[:1], samples.t])
        last = self._last
        self._last = np.concatenate([samples.t[-1:], samples.acc[-1], samples.gyr[-1]])
        missing = np.rint(np.diff(t) / self.period_s).astype(np.int64) - 1
        gaps = np.flatnonzero((missing >= 1) & (missing <= self.max_missing))
        if len(gaps) == 0:
            return samples
        carried = 0 if last is None else 1  # the last row of the previous block leads
        full = np.empty((len(samples) + carried, 7))  # as vstack([last, samples.to_array()]), one copy
        if carried:
            full[0] = last
        full[carried:, 0], full[carried:, 1:4], full[carried:, 4:7] = samples.t, samples.acc, samples.gyr
        k = missing[gaps]
        total = len(full) + int(k.sum())
        # each received row moves down by the number of rows inserted before it
        shift = np.zeros(len(full), dtype=np.int64)
        shift[gaps + 1] = k
        dest = np.arange(len(full)) + np.cumsum(shift)
        out = np.empty((total, full.shape[1]))
        out[dest] = full
        # inserted rows: gap g gets k[g] rows at fractions 1/(k+1) .. k/(k+1) between its ends
        owner = np.repeat(np.arange(len(gaps)), k)
        inserted_before = np.cumsum(k) - k  # rows inserted before gap g's first row
        step = np.arange(len(owner)) - np.repeat(inserted_before, k) + 1
        frac = (step / (k[owner] + 1))[:, None]
        lo, hi = full[gaps[owner]], full[gaps[owner] + 1]
        # gap g's row lands at gaps[g] + inserted_before[g]; its new rows follow it
        out[np.repeat(gaps + inserted_before, k) + step] = lo + frac * (hi - lo)
        self.filled_samples += int(k.sum())
        if carried:
            out = out[1:]  # drop the carried-over row
        return Samples.from_array(out)

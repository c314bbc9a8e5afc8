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
        rows = samples.to_array()
        full = rows if self._last is None else np.vstack([self._last, rows])
        self._last = rows[-1].copy()
        missing = np.rint(np.diff(full[:, 0]) / self.period_s).astype(np.int64) - 1
        gaps = np.flatnonzero((missing >= 1) & (missing <= self.max_missing))
        if len(gaps) == 0:
            return samples
        pieces, prev = [], 0
        for g in gaps:  # one iteration per gap: gaps are rare
            k = int(missing[g])
            frac = (np.arange(1, k + 1) / (k + 1))[:, None]
            pieces += [full[prev:g + 1], full[g] + frac * (full[g + 1] - full[g])]
            prev = g + 1
            self.filled_samples += k
        pieces.append(full[prev:])
        out = np.vstack(pieces)
        if len(full) > len(rows):
            out = out[1:]  # drop the carried-over row
        return Samples.from_array(out)

"""Fill short gaps (lost packets) so the orientation filter sees a uniform sample rate.

A gap of ``k`` missing periods between two received samples gets ``k`` linearly interpolated
samples, as long as it is at most ``max_fill_s`` long; longer gaps (a reconnect) are left as they
are, and :meth:`GapFiller.split` tells where they are (the pipeline starts afresh after one).
``GapFiller.inserted`` marks the rows of the last output that were made up (the measurement
puts back the turn a straight line misses: :mod:`sensorkit.pipeline.gravity_fit`).
Chunk-invariant: the last sample of the previous block is carried over.
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
        self.inserted = np.zeros(0, dtype=bool)  # per row of the last output: made up here

    def split(self, samples: Samples) -> list[tuple[Samples, bool]]:
        """``samples`` cut at every gap too long to fill: pieces, each with whether a long gap
        comes before it (also at the start of a block, against the block before)."""
        if len(samples) == 0:
            return []
        t_before = np.concatenate([[np.nan if self._last is None else self._last[0]], samples.t])
        missing = np.rint(np.diff(t_before) / self.period_s) - 1
        cuts = np.flatnonzero(missing > self.max_missing)  # NaN (no sample before) compares False
        if not len(cuts):
            return [(samples, False)]
        bounds = [0, *cuts.tolist(), len(samples)]
        return [(samples[a:b], a in cuts) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]

    def __call__(self, samples: Samples) -> Samples:
        """``samples`` with their short gaps filled (the very object when there is none)."""
        self.inserted = np.zeros(len(samples), dtype=bool)
        if len(samples) == 0:
            return samples
        last, self._last = self._last, np.concatenate([samples.t[-1:], samples.acc[-1], samples.gyr[-1]])
        t_with_last = samples.t if last is None else np.concatenate([last[:1], samples.t])
        missing = np.rint(np.diff(t_with_last) / self.period_s).astype(np.int64) - 1
        fill = (missing > 0) & (missing <= self.max_missing)
        if not fill.any():  # (the times alone tell: the rows are only put together to fill)
            return samples
        rows = np.column_stack([samples.t, samples.acc, samples.gyr])
        with_last = rows if last is None else np.vstack([last, rows])
        extra = np.where(fill, missing, 0)
        self.filled_samples += int(extra.sum())
        # every gap at once: gap i (between with_last[i] and with_last[i + 1]) gets extra[i] rows
        # a + (b - a) * (j / (extra[i] + 1)), j = 1..extra[i], inserted before with_last[i + 1]
        gaps = np.flatnonzero(fill)
        k = extra[gaps]
        a = np.repeat(with_last[gaps], k, axis=0)
        step = np.repeat(with_last[gaps + 1] - with_last[gaps], k, axis=0)
        j = np.arange(1, len(a) + 1) - np.repeat(np.cumsum(k) - k, k)  # 1..k within each gap
        inserted = a + step * (j / np.repeat(k + 1, k))[:, None]
        kept = with_last[1:]
        head = 0 if last is not None else 1  # the very first row has no gap before it
        out = np.empty((head + len(kept) + len(inserted), rows.shape[1]))
        out[:head] = rows[:head]
        kept_at = head + np.arange(len(kept)) + np.cumsum(extra)  # row r + 1 of with_last goes after its gaps
        out[kept_at] = kept
        inserted_at = np.repeat(kept_at[gaps] - k, k) + (j - 1)
        out[inserted_at] = inserted
        self.inserted = np.zeros(len(out), dtype=bool)
        self.inserted[inserted_at] = True
        return Samples.from_array(out)

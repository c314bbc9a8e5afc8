"""Fill short gaps (lost packets) so the filters downstream see a uniform sample rate.

A gap of ``k`` missing periods between two received samples gets ``k`` linearly interpolated
samples, as long as it is at most ``max_fill_s`` long; longer gaps (a reconnect) are left as they
are. Chunk-invariant: the last sample of the previous block is carried over. The loops are compiled
(:func:`~sensorkit.pipeline.motion_kernels.fill_gaps`).
"""
from __future__ import annotations

import numpy as np

from sensorkit.pipeline.motion_kernels import count_gap_fill, fill_gaps
from sensorkit.samples import Samples


class GapFiller:
    """Inserts interpolated samples into gaps of up to ``max_fill_s`` at nominal ``fs_hz``."""

    def __init__(self, fs_hz: float, max_fill_s: float) -> None:
        self.period_s = 1.0 / fs_hz
        self.max_missing = int(max_fill_s * fs_hz)
        self._last = np.zeros(7)  # last row (t, acc, gyr) seen
        self._started = False
        self.filled_samples = 0

    def __call__(self, samples: Samples) -> Samples:
        """``samples`` with their short gaps filled (the very object when there is none)."""
        if len(samples) == 0:
            return samples
        last, started = self._last, self._started
        inserted = count_gap_fill(samples.t, last[0], started, self.period_s, self.max_missing)
        out = None
        if inserted:
            out = np.empty((len(samples) + inserted, 7))
            fill_gaps(samples.t, samples.acc, samples.gyr, last, started, self.period_s, self.max_missing, out)
            self.filled_samples += inserted
        last[0], last[1:4], last[4:7] = samples.t[-1], samples.acc[-1], samples.gyr[-1]
        self._started = True
        return samples if out is None else Samples.from_array(out)

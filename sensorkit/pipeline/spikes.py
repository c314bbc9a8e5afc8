"""Mend single-sample gyro glitches before anything integrates them.

A sample whose angular rate lies more than ``max_jump_dps`` from both its neighbours' rates and
from their mean, while its specific force stays within what such a change of the rate would need
at the sensor (:data:`MIN_RADIUS_M`), is a glitch of the gyro (a bad read, a corrupted value): a
leg that really turns that way and back within one sample jolts the accelerometer too, as the
foot striking the floor does (kept: real motion). Integrated, one 300-deg/s glitch turns the
orientation by 12° at 25 Hz, which gravity pulls back only over seconds, and the reps around it
are misread. Its rate and specific force are replaced by the mean of its neighbours'.

Causal, with one sample of delay: the last sample of each block is held back until the next one
arrives (:meth:`SpikeFilter.flush` gives it at the end of the stream). Two samples further apart
than ``max_gap_s`` are not neighbours (a lost packet between them, or a reconnect). Chunk-invariant:
the rows it compares are the samples as received.
"""
from __future__ import annotations

import numpy as np

from sensorkit.pipeline.smallarray import row_norms
from sensorkit.samples import Samples


#: m: the ankle lies further than this from any axis the leg turns about in these exercises (the
#: knee is about 0.4 m above it); so a real change of the angular rate by Δω within one sample
#: period T moves the specific force at the sensor by about Δω / T × this or more
MIN_RADIUS_M = 0.1


class SpikeFilter:
    """Replaces a one-sample excursion of the angular rate over ``max_jump_dps`` (deg/s) that the
    accelerometer did not feel by the mean of its neighbours (both within 2.5 sample periods,
    ``period_s``, of it); holds back one sample."""

    def __init__(self, max_jump_dps: float, period_s: float) -> None:
        self.max_jump_dps = max_jump_dps
        self.period_s = period_s
        self.max_gap_s = 2.5 * period_s  # (up to one lost sample on either side)
        self._last: tuple[np.ndarray, np.ndarray, bool] | None = None  # the last row given out: as received, as given, mended
        self._held: np.ndarray | None = None  # the row held back, as received
        self.replaced = 0  # samples mended so far

    def __call__(self, samples: Samples) -> Samples:
        """The samples before the last of ``samples`` that were not given out yet (the one held back
        before them first), each glitch mended; the last is held back."""
        if len(samples) == 0:
            return samples
        rows = np.column_stack([samples.t, samples.acc, samples.gyr])
        known = [r for r in (None if self._last is None else self._last[0], self._held) if r is not None]
        ext = np.vstack([*known, rows]) if known else rows  # as received
        first_out = 1 if self._last is not None else 0
        out = ext[first_out:-1].copy()
        mended = np.zeros(len(out), dtype=bool)
        if self.max_jump_dps > 0 and len(ext) >= 3:
            # a row is judged against the row before it as given out (mended, maybe): the rows the
            # whole block's test finds, and each row after a mended one (the same in any chunking)
            todo = self._spikes(ext).tolist()
            if self._last is not None and self._last[2]:
                todo.insert(0, 1)
            while todo:
                row = todo.pop(0)
                before = out[row - 1 - first_out] if row - 1 >= first_out else self._last[1]
                if self._spikes(np.vstack([before, ext[row], ext[row + 1]])).size:
                    out[row - first_out, 1:] = 0.5 * (before[1:] + ext[row + 1, 1:])
                    mended[row - first_out] = True
                    self.replaced += 1
                    if row + 1 < len(ext) - 1 and (not todo or todo[0] != row + 1):
                        todo.insert(0, row + 1)
        if len(out):
            self._last = (ext[-2], out[-1], bool(mended[-1]))
        self._held = ext[-1]
        return Samples.from_array(out)

    def _spikes(self, ext: np.ndarray) -> np.ndarray:
        """Rows of ``ext`` (t, acc, gyr) that are spikes between the rows beside them, as given."""
        mid, before, after = ext[1:-1], ext[:-2], ext[2:]
        rate, rate_before, rate_after = mid[:, 4:], before[:, 4:], after[:, 4:]
        jump = np.minimum(row_norms(rate - rate_before), row_norms(rate - rate_after))
        off = row_norms(rate - 0.5 * (rate_before + rate_after))
        felt = row_norms(mid[:, 1:4] - 0.5 * (before[:, 1:4] + after[:, 1:4]))  # m/s²
        spike = ((jump > self.max_jump_dps) & (off > self.max_jump_dps)
                 & (felt < np.radians(off) / self.period_s * MIN_RADIUS_M)
                 & (mid[:, 0] - before[:, 0] <= self.max_gap_s) & (after[:, 0] - mid[:, 0] <= self.max_gap_s))
        return np.flatnonzero(spike) + 1

    def flush(self) -> Samples:
        """The sample held back, as received (the stream ended: it has no neighbour after it)."""
        held, self._held = self._held, None
        if held is None:
            return Samples.empty()
        self._last = (held, held, False)
        return Samples.from_array(held[None, :])

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
        # the last sample given out: as received, as given (mended, maybe), and whether it was mended
        self._last: tuple[Samples, Samples, bool] | None = None
        self._held: Samples | None = None  # the sample held back, as received
        self.replaced = 0  # samples mended so far

    def __call__(self, samples: Samples) -> Samples:
        """The samples before the last of ``samples`` that were not given out yet (the one held back
        before them first), each glitch mended; the last is held back."""
        if len(samples) == 0:
            return samples
        known = [s for s in (None if self._last is None else self._last[0], self._held) if s is not None]
        ext = Samples.concat([*known, samples]) if known else samples  # as received
        first_out = 1 if self._last is not None else 0
        out = ext[first_out:-1]
        mended_last = False
        if self.max_jump_dps > 0 and len(ext) >= 3:
            # a row is judged against the row before it as given out (mended, maybe): the rows the
            # whole block's test finds, and each row after a mended one (the same in any chunking)
            todo = self._spikes(ext).tolist()
            if self._last is not None and self._last[2]:
                todo.insert(0, 1)
            if todo:
                out = Samples(out.t, out.acc.copy(), out.gyr.copy())  # (never the caller's arrays)
            while todo:
                row = todo.pop(0)
                before = out[row - 1 - first_out: row - first_out] if row - 1 >= first_out else self._last[1]
                if self._spikes(Samples.concat([before, ext[row: row + 2]])).size:
                    at = row - first_out
                    out.acc[at] = 0.5 * (before.acc[0] + ext.acc[row + 1])
                    out.gyr[at] = 0.5 * (before.gyr[0] + ext.gyr[row + 1])
                    self.replaced += 1
                    mended_last = at == len(out) - 1
                    if row + 1 < len(ext) - 1 and (not todo or todo[0] != row + 1):
                        todo.insert(0, row + 1)
        if len(out):
            self._last = (_one(ext, len(ext) - 2), _one(out, len(out) - 1), mended_last)
        self._held = _one(ext, len(ext) - 1)
        return out

    def _spikes(self, ext: Samples) -> np.ndarray:
        """Indices of the samples of ``ext`` that are glitches between the samples beside them, as given."""
        steps = row_norms(np.diff(ext.gyr, axis=0))
        rows = np.flatnonzero(np.minimum(steps[:-1], steps[1:]) > self.max_jump_dps) + 1  # (few)
        if not len(rows):
            return rows
        rate, rate_before, rate_after = ext.gyr[rows], ext.gyr[rows - 1], ext.gyr[rows + 1]
        off = row_norms(rate - 0.5 * (rate_before + rate_after))
        felt = row_norms(ext.acc[rows] - 0.5 * (ext.acc[rows - 1] + ext.acc[rows + 1]))  # m/s²
        t = ext.t
        spike = ((off > self.max_jump_dps) & (felt < np.radians(off) / self.period_s * MIN_RADIUS_M)
                 & (t[rows] - t[rows - 1] <= self.max_gap_s) & (t[rows + 1] - t[rows] <= self.max_gap_s))
        return rows[spike]

    def flush(self) -> Samples:
        """The sample held back, as received (the stream ended: it has no neighbour after it)."""
        held, self._held = self._held, None
        if held is None:
            return Samples.empty()
        self._last = (held, held, False)
        return held


def _one(samples: Samples, i: int) -> Samples:
    """Sample ``i`` of ``samples``, copied (kept as state: the caller may reuse its arrays)."""
    return Samples(samples.t[i:i + 1].copy(), samples.acc[i:i + 1].copy(), samples.gyr[i:i + 1].copy())

"""Mend single-sample gyro glitches before anything integrates them.

A sample whose angular rate lies more than ``max_jump_dps`` from both its neighbours' rates and
from their mean, while its specific force stays within what such a change of the rate would need
at the sensor (:data:`MIN_RADIUS_M`), is a glitch of the gyro (a bad read, a corrupted value): a
leg that really turns that way and back within one sample jolts the accelerometer too, as the
foot striking the floor does (kept: real motion). Integrated, one 300-deg/s glitch turns the
orientation by 12° at 25 Hz, which gravity pulls back only over seconds, and the reps around it
are misread. Its rate and specific force are replaced by the mean of its neighbours'.

Causal; a sample is given out at once unless it may be a glitch: one a step over
``max_jump_dps`` from the sample before waits for the sample after it (for the next block, or
:meth:`SpikeFilter.flush` at the end of the stream), so live the view waits only at such steps
(glitches, a foot striking the floor). Two samples further apart than 2.5 sample periods are not
neighbours (a lost packet between them, or a reconnect). Chunk-invariant: the samples given out
do not depend on how the stream is cut, only when.
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
    ``period_s``, of it)."""

    def __init__(self, max_jump_dps: float, period_s: float) -> None:
        self.max_jump_dps = max_jump_dps
        self.period_s = period_s
        self.max_gap_s = 2.5 * period_s  # (up to one lost sample on either side)
        # the last sample given out: as received, as given (mended, maybe), and whether it was mended
        self._last: tuple[Samples, Samples, bool] | None = None
        self._held: Samples | None = None  # a sample waiting for the one after it, as received
        self.replaced = 0  # samples mended so far

    def __call__(self, samples: Samples) -> Samples:
        """The samples not given out yet (one held back before ``samples`` first), each glitch
        mended, but for a last one that may be a glitch: it waits for the next."""
        if len(samples) == 0:
            return samples
        known = [s for s in (None if self._last is None else self._last[0], self._held) if s is not None]
        ext = Samples.concat([*known, samples]) if known else samples  # as received
        first_out = 1 if self._last is not None else 0
        out = ext[first_out:]
        mended = np.zeros(len(out), dtype=bool)
        if self.max_jump_dps > 0 and len(ext) >= 3:
            # a sample is judged against the one before it as given out (mended, maybe): the samples
            # the whole block's test finds, and each one after a mended one (the same in any cutting)
            todo = self._spikes(ext).tolist()  # (ascending)
            if self._last is not None and self._last[2] and todo[:1] != [1]:  # (judged once)
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
                    mended[at] = True
                    self.replaced += 1
                    if row + 1 < len(ext) - 1 and (not todo or todo[0] != row + 1):
                        todo.insert(0, row + 1)
        previous = out[len(out) - 2: len(out) - 1] if len(out) >= 2 else (self._last[1] if self._last else None)
        self._held = None
        if previous is not None and self._may_be_glitch(previous, ext[len(ext) - 1:]):
            self._held, out = _one(ext, len(ext) - 1), out[:len(out) - 1]
        if len(out):
            self._last = (_one(ext, first_out + len(out) - 1), _one(out, len(out) - 1), bool(mended[len(out) - 1]))
        return out

    def _may_be_glitch(self, previous: Samples, last: Samples) -> bool:
        """Whether ``last`` is a step over the threshold from ``previous`` (one sample each)."""
        step = row_norms(last.gyr - previous.gyr)[0]
        return self.max_jump_dps > 0 and step > self.max_jump_dps and last.t[0] - previous.t[0] <= self.max_gap_s

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
        """The sample waiting for the one after it, as received (the stream ended), if any."""
        held, self._held = self._held, None
        if held is None:
            return Samples.empty()
        self._last = (held, held, False)
        return held


def _one(samples: Samples, i: int) -> Samples:
    """Sample ``i`` of ``samples``, copied (kept as state: the caller may reuse its arrays)."""
    return Samples(samples.t[i:i + 1].copy(), samples.acc[i:i + 1].copy(), samples.gyr[i:i + 1].copy())

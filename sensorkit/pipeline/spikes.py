"""Mend glitched samples (a bad read of the gyro, the accelerometer or both) before anything
integrates them.

A real change of a leg's angular rate by Δω within one sample period T moves the specific force at
an ankle 0.1–2 m from the axis it turns about (:data:`MIN_RADIUS_M`, :data:`MAX_RADIUS_M`) by
Δω / T times that distance, and across Δω (a rigid body's tangential and centripetal parts both
lie at right angles to its change of rate). So, judged against the samples beside it:

- a sample whose rate lies more than ``max_jump_dps`` from both its neighbours' and from their
  mean, while its specific force moved less than that across the change, or more along it than
  across it, is a glitch of the gyro or of the whole sample: its rate and specific force take
  their neighbours' mean. A foot striking the floor jolts the accelerometer across the change of
  the rate by 0.17–0.58 m × Δω / T in the real recordings: kept (real motion). Integrated, one
  300-deg/s glitch turns the orientation by 12° at 25 Hz, which gravity pulls back over seconds;
- two samples in a row that both lie so far from the line between the samples beside them, each
  likewise unfelt, are a glitch of both: they take that line (no real rate leaves and comes back
  over 150 deg/s within two samples: the real recordings' largest such excursion is 115 deg/s);
- a sample whose specific force lies more than :data:`MIN_JOLT_MS2` from both its neighbours' and
  from their mean, more than the rate's own one-sample excursion could give 2 m from the axis, is
  a glitch of the accelerometer: its specific force takes its neighbours' mean (its rate is kept).

Causal; a sample is given out at once unless it may be a glitch: one a step over ``max_jump_dps``
or :data:`MIN_JOLT_MS2` from the sample before waits for the sample after it, and, when that one
too lies over ``max_jump_dps`` from the sample before, for the one after that (for the next block,
or :meth:`SpikeFilter.flush` at the end of the stream). Live, the view waits only at such steps
(glitches, a foot striking the floor). Each sample is judged against the one before it as given
out (mended, maybe) and the ones after it as received. Two samples further apart than 2.5 sample
periods are not neighbours (a lost packet between them, or a reconnect). Chunk-invariant: the
samples given out do not depend on how the stream is cut, only when.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np

from sensorkit.pipeline.smallarray import row_norms
from sensorkit.samples import Samples


#: m: the ankle lies further than this from any axis the leg turns about in these exercises (the
#: knee is about 0.4 m above it); so a real change of the angular rate by Δω within one sample
#: period T moves the specific force at the sensor by about Δω / T × this or more
MIN_RADIUS_M = 0.1
#: m: ... and by no more than Δω / T × this: twice a seated leg's reach from the knee. In the real
#: recordings, one-sample jolts over 8 m/s² came with rate excursions giving at most 0.79 m (UCI
#: subject 2, 9.2 m/s² with 27 deg/s at 25 Hz; smaller jolts 1.33 m at most, 5.9 m/s² with 10 deg/s)
MAX_RADIUS_M = 2.0
#: m/s²: a one-sample excursion of the specific force smaller than this is never taken for a glitch
#: of the accelerometer: a heel strike (walking between sets) jolts the shank by 2–4 g along it with
#: the rate calm (the simulator draws 10–30 m/s²); the real recordings' largest is 45 m/s², where
#: UCI subject 2's foot strikes the floor (with a rate excursion of 380 deg/s)
MIN_JOLT_MS2 = 50.0

#: verdicts of :meth:`SpikeFilter._judge`: as received; wait for samples not here yet; the
#: specific force of one sample mended (else: that many samples mended whole, 1 or 2)
_PASS, _WAIT, _ACC_ONLY = 0, -9, -1


class SpikeFilter:
    """Mends one sample, or two in a row, whose angular rate lies over ``max_jump_dps`` (deg/s)
    from the samples beside them in a way no turn of the leg gives, and one sample whose specific
    force jumps over :data:`MIN_JOLT_MS2` that way (see the module doc); neighbours lie within
    2.5 sample periods (``period_s``) of each other. ``max_jump_dps`` 0: off."""

    def __init__(self, max_jump_dps: float, period_s: float) -> None:
        self.max_jump_dps = max_jump_dps
        self.period_s = period_s
        self.max_gap_s = 2.5 * period_s  # (up to one lost sample on either side)
        self._last: tuple[float, np.ndarray, np.ndarray] | None = None  # the last sample given out: t, acc, gyr
        self._held: Samples | None = None  # samples waiting for the ones after them, as received (at most 2)
        self.replaced = 0  # samples mended so far

    def __call__(self, samples: Samples) -> Samples:
        """The samples not given out yet (those held back before ``samples`` first), each glitch
        mended, but for the last one or two that may be a glitch: they wait for the next."""
        if len(samples) == 0:
            return samples
        ext = Samples.concat([self._held, samples]) if self._held is not None else samples  # as received
        self._held = None
        if self.max_jump_dps <= 0:
            return ext
        t, acc, gyr = ext.t, ext.acc, ext.gyr
        # the samples that may be glitches: a step over a threshold from the one before (as
        # received; the first from the last given out), and each one after a mended one
        maybe = np.zeros(len(t), dtype=bool)
        if len(t) > 1:
            dt = np.diff(t) <= self.max_gap_s
            maybe[1:] = dt & ((row_norms(np.diff(gyr, axis=0)) > self.max_jump_dps)
                              | (row_norms(np.diff(acc, axis=0)) > MIN_JOLT_MS2))
        if self._last is not None:
            maybe[0] = self._may_be_glitch(self._last, t[0], acc[0], gyr[0])
        todo = deque(np.flatnonzero(maybe).tolist())
        copied, given = False, len(t)
        while todo:
            i = todo.popleft()
            if i == 0:
                before = self._last
                if before is None:
                    continue
            else:
                before = (t[i - 1], acc[i - 1], gyr[i - 1])  # (as given: mended, maybe)
            verdict = self._judge(before, t, acc, gyr, i)
            if verdict == _WAIT:
                given = i
                break
            if verdict == _PASS:
                continue
            if not copied:  # (never the caller's arrays)
                acc, gyr, copied = acc.copy(), gyr.copy(), True
            self._mend(before, t, acc, gyr, i, verdict)
            self.replaced += abs(verdict)
            after = i + abs(verdict)
            while todo and todo[0] < after:  # (decided with this one)
                todo.popleft()
            if after < len(t) and (not todo or todo[0] != after):
                todo.appendleft(after)
        if given < len(t):
            self._held = Samples(ext.t[given:].copy(), ext.acc[given:].copy(), ext.gyr[given:].copy())
        out = Samples(t[:given], acc[:given], gyr[:given]) if (copied or given < len(t)) else ext
        if given:
            self._last = (float(t[given - 1]), acc[given - 1].copy(), gyr[given - 1].copy())
        return out

    def _may_be_glitch(self, before: tuple[float, np.ndarray, np.ndarray], t: float, acc: np.ndarray,
                       gyr: np.ndarray) -> bool:
        """Whether a sample is a step over a threshold from the one ``before`` it (t, acc, gyr)."""
        return (t - before[0] <= self.max_gap_s
                and (_norm(gyr - before[2]) > self.max_jump_dps or _norm(acc - before[1]) > MIN_JOLT_MS2))

    def _judge(self, before: tuple[float, np.ndarray, np.ndarray], t: np.ndarray, acc: np.ndarray,
               gyr: np.ndarray, i: int) -> int:
        """The verdict on sample ``i``, the one ``before`` it (t, acc, gyr) as given out: _PASS,
        _WAIT, _ACC_ONLY, or 1 or 2 (that many samples from ``i`` are glitched whole, or in the gyro)."""
        t0, acc0, gyr0 = before
        if not self._may_be_glitch(before, t[i], acc[i], gyr[i]):
            return _PASS
        if i + 1 >= len(t):
            return _WAIT
        if t[i + 1] - t[i] > self.max_gap_s:
            return _PASS
        jump = self.max_jump_dps
        if _norm(gyr[i] - gyr0) > jump and _norm(gyr[i + 1] - gyr0) > jump:
            # away for two samples: both a glitch or neither (the one after is no neighbour to mend
            # the first with: mended with it, a glitched pair kept half the second one's error)
            if i + 2 >= len(t):
                return _WAIT
            if t[i + 2] - t[i + 1] > self.max_gap_s or _norm(gyr[i + 2] - gyr[i + 1]) <= jump:
                return _PASS
            w = ((t[i:i + 2] - t0) / (t[i + 2] - t0))[:, None]
            rate_off = float(row_norms(gyr[i:i + 2] - (gyr0 + w * (gyr[i + 2] - gyr0))).min())
            # (a turn's jolt comes with the steps of its rate, at either end: the specific force
            # must have stepped that much somewhere from the sample before to the one after)
            felt = max(_norm(acc[i] - acc0), float(row_norms(np.diff(acc[i:i + 3], axis=0)).max()))
            return 2 if rate_off > jump and felt < math.radians(rate_off) / self.period_s * MIN_RADIUS_M else _PASS
        off_gyr = gyr[i] - 0.5 * (gyr0 + gyr[i + 1])
        off_acc = acc[i] - 0.5 * (acc0 + acc[i + 1])
        rate_off = _norm(off_gyr)
        if (min(_norm(gyr[i] - gyr0), _norm(gyr[i + 1] - gyr[i]), rate_off) > jump
                and self._unfelt(off_acc, off_gyr)):
            return 1
        jolt = min(_norm(acc[i] - acc0), _norm(acc[i + 1] - acc[i]), _norm(off_acc))
        if jolt > MIN_JOLT_MS2 and jolt > math.radians(rate_off) / self.period_s * MAX_RADIUS_M:
            return _ACC_ONLY
        return _PASS

    def _unfelt(self, off_acc: np.ndarray, off_gyr: np.ndarray) -> bool:
        """Whether an excursion of the specific force (m/s²) is not what an excursion of the rate
        (deg/s) that large would give: less than it across the change 0.1 m from the axis, or more
        along the change than across it."""
        rate_off = _norm(off_gyr)
        along = abs(float(off_acc @ off_gyr)) / rate_off
        across = math.sqrt(max(float(off_acc @ off_acc) - along * along, 0.0))
        return across < math.radians(rate_off) / self.period_s * MIN_RADIUS_M or along > across

    @staticmethod
    def _mend(before: tuple[float, np.ndarray, np.ndarray], t: np.ndarray, acc: np.ndarray, gyr: np.ndarray,
              i: int, verdict: int) -> None:
        """Mends sample ``i`` (and ``i + 1`` when ``verdict`` is 2) in place."""
        t0, acc0, gyr0 = before
        if verdict == 1:
            acc[i] = 0.5 * (acc0 + acc[i + 1])
            gyr[i] = 0.5 * (gyr0 + gyr[i + 1])
        elif verdict == 2:
            w = ((t[i:i + 2] - t0) / (t[i + 2] - t0))[:, None]
            acc[i:i + 2] = acc0 + w * (acc[i + 2] - acc0)
            gyr[i:i + 2] = gyr0 + w * (gyr[i + 2] - gyr0)
        else:  # (the accelerometer alone)
            acc[i] = 0.5 * (acc0 + acc[i + 1])

    def flush(self) -> Samples:
        """The samples waiting for the ones after them, as received (the stream ended), if any."""
        held, self._held = self._held, None
        if held is None:
            return Samples.empty()
        self._last = (float(held.t[-1]), held.acc[-1].copy(), held.gyr[-1].copy())
        return held


def _norm(v: np.ndarray) -> float:
    """The length of a 3-vector."""
    return math.sqrt(float(v @ v))

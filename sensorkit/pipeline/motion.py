"""Stage 1 (per sample, causal): orientation, gyro bias and smoothed motion, for any chunking.

VQF (Laidig & Seel 2023, the ``vqf`` package) fuses gyro and accelerometer into an inclination
that cannot drift (gravity anchors it; the gyro carries it through movements) and estimates the
gyro bias at rest and in motion. From it this stage gives, per sample:

- ``up``: the unit vertical (the direction of the specific force at rest) in the sensor frame;
- ``omega_dps``: the angular rate minus VQF's bias estimate, deg/s;
- ``smooth_omega_dps`` and ``lin_acc_ms2``: the rate and the linear acceleration (specific force
  minus gravity) through the same causal 2nd-order Butterworth at ``lowpass_hz`` (same delay);
- ``alpha_dps2``: the angular acceleration, a first difference of the smoothed rate;
- ``speed_dps``: the norm of the smoothed rate.

A short gap is bridged by a straight line (:mod:`sensorkit.pipeline.gaps`); across fast motion (a
leg shake at 3–6 Hz) the line may miss part of the turn, and VQF, whose accelerometer low-pass
(``tau_acc_s``) is kept in the gyro-integrated frame, then reads the vertical off by that much for
seconds. So after a gap bridged while the leg moved (the gyro above ``FILL_MOVING_DPS`` next to
it) that could hide more than ``MIN_TURN_DEG`` (at ``MAX_ALPHA_DPS2``), once the leg is quiet
``GRAVITY_QUIET_S`` (the accelerometer then reads gravity alone), if the vertical lies more than
``MIN_TURN_DEG`` from that gravity (less, the accelerometer's bias could explain: a fill across an
ordinary rep misses little), the inclination is re-anchored:
the low-pass is set to the steady state of the quiet spell's mean specific force, so the next
sample's correction aligns the vertical with it (heading and gyro bias are kept).

Every filter carries its state (``zi``) between blocks, VQF is a sample-by-sample state machine:
fed a recording whole or a packet at a time, the output is the same to the bit. A tracker pickles
mid-stream (VQF, a compiled object, as its own state: see :meth:`MotionTracker.__getstate__`), and
the copy goes on to the same bits.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt
from vqf import VQF

from sensorkit.pipeline.limits import (MAX_ALPHA_DPS2, MIN_TURN_DEG, QUIET_DPS, QUIET_DPS2, gravity_mean,
                                       gravity_quiet_samples)
from sensorkit.pipeline.smallarray import butter_lowpass_sos, butter_lowpass_zi, row_norms, true_runs
from sensorkit.samples import GRAVITY_MS2


#: VQF's rest detection: the gyro (bias included) below this, deg/s, for 1.5 s. VQF's default (2)
#: misses every rest of a gyro whose bias exceeds it; a resting real leg reads under 3 deg/s
#: (UCI other-ankle recordings) and MEMS gyro biases reach a few deg/s.
REST_GYR_DPS = 5.0
#: VQF's bound on the bias estimate, deg/s (default 2): consumer MEMS gyros are specified to ±5.
BIAS_CLIP_DPS = 5.0
#: a gap was bridged while the leg moved when the gyro read above this (deg/s) next to it: more
#: than a resting leg reads (REST_GYR_DPS) with the largest bias (BIAS_CLIP_DPS)
FILL_MOVING_DPS = REST_GYR_DPS + BIAS_CLIP_DPS
#: while a re-anchoring may fall in them (one is due, or a gap bridged in motion lies ahead), the
#: samples are run at most this many seconds at a time: a re-anchoring that turns the vertical costs a
#: second run of the rest of its piece (from the state saved before it); any length gives the same bits
ANCHOR_PIECE_S = 30.0


@dataclass(frozen=True)
class MotionBlock:
    """Stage-1 output for a block of ``n`` samples (see the module doc for each array)."""

    t: np.ndarray  # (n,) s
    up: np.ndarray  # (n, 3) unit
    omega_dps: np.ndarray  # (n, 3)
    smooth_omega_dps: np.ndarray  # (n, 3)
    alpha_dps2: np.ndarray  # (n, 3)
    lin_acc_ms2: np.ndarray  # (n, 3)
    speed_dps: np.ndarray  # (n,)

    def __len__(self) -> int:
        return len(self.t)


def orientation_filter(fs_hz: float, tau_acc_s: float) -> VQF:
    """VQF at ``fs_hz`` with the accelerometer time constant ``tau_acc_s`` (s), rest detection at
    REST_GYR_DPS and the bias estimate bounded by BIAS_CLIP_DPS."""
    return VQF(1.0 / fs_hz, tauAcc=tau_acc_s, restThGyr=REST_GYR_DPS, biasClip=BIAS_CLIP_DPS)


def _rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``v`` (3,) turned by the unit quaternion ``q`` (w, x, y, z)."""
    w, u = q[0], q[1:]
    return v + 2.0 * np.cross(u, np.cross(u, v) + w * v)


def _quiet(speed_dps: np.ndarray, alpha_dps2: np.ndarray, due_at: np.ndarray) -> np.ndarray:
    """Quiet samples by their smoothed speed (deg/s, (n,)) and angular acceleration (deg/s², (n, 3)),
    but for the rows ``due_at`` (after gaps bridged in motion: a quiet run counts from after them)."""
    quiet = (speed_dps < QUIET_DPS) & (row_norms(alpha_dps2) < QUIET_DPS2)
    quiet[due_at] = False
    return quiet


def up_from_quaternion(q: np.ndarray) -> np.ndarray:
    """The earth's vertical in the sensor frame from sensor-to-earth quaternions (w, x, y, z), (n, 4)."""
    w, x, y, z = q.T
    return np.column_stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)])


class MotionTracker:
    """Causal Stage 1 for one recording at ``fs_hz`` (see the module doc)."""

    def __init__(self, fs_hz: float, lowpass_hz: float, tau_acc_s: float) -> None:
        self.fs_hz = fs_hz
        self._tau_acc_s = tau_acc_s
        self._vqf = orientation_filter(fs_hz, tau_acc_s)
        self._sos = butter_lowpass_sos(lowpass_hz, fs_hz)
        self._zi_unit = butter_lowpass_zi(lowpass_hz, fs_hz)  # (sections, 2) for a unit input
        self._zi: np.ndarray | None = None  # filter state of the 6 smoothed channels (sections, 6, 2)
        self._last_omega: np.ndarray | None = None  # last smoothed rate (for the difference)
        # the re-anchoring of the inclination after a gap bridged in motion (module doc), carried
        # over blocks: whether one is due, the quiet run so far (samples), the last raw accelerometer rows
        self._quiet_samples = gravity_quiet_samples(fs_hz)
        self._anchor_due = False
        self._quiet_run = 0
        self._acc_tail = np.empty((0, 3))
        self.reanchored = 0  # how many times the inclination was re-anchored

    def __getstate__(self) -> dict:
        """For pickling (a live detector checkpointed, or sent to another process): VQF, a Cython
        object without pickle support, travels as its ``state`` dict (every internal quantity:
        quaternions, bias and its covariance, rest detection and filter states); its parameters and
        coefficients are remade from ``fs_hz`` and the time constant."""
        state = dict(vars(self))
        state["_vqf"] = self._vqf.state
        return state

    def __setstate__(self, state: dict) -> None:
        vqf_state = state.pop("_vqf")
        vars(self).update(state)
        self._vqf = orientation_filter(self.fs_hz, self._tau_acc_s)
        self._vqf.state = vqf_state

    def restart(self) -> None:
        """After a gap in the data: the inclination is taken afresh from the next sample's
        gravity (VQF aligns to its first sample), the smoothing starts anew from it; the gyro
        bias estimate is kept (the sensor is the same)."""
        bias, sigma = self._vqf.getBiasEstimate()
        self._vqf.resetState()
        self._vqf.setBiasEstimate(bias, sigma)
        self._zi, self._last_omega = None, None
        self._anchor_due, self._quiet_run, self._acc_tail = False, 0, np.empty((0, 3))

    def update(self, t: np.ndarray, acc: np.ndarray, gyr_dps: np.ndarray,
               filled: np.ndarray | None = None) -> MotionBlock:
        """Stage 1 for a block: ``t`` (n,) s, ``acc`` (n, 3) m/s², ``gyr_dps`` (n, 3); ``filled``
        (n,) marks the rows made up in a gap (:attr:`GapFiller.inserted`).

        A piece is run whole, and its re-anchorings found in it (:meth:`_turning_anchor`); most turn
        nothing (the vertical already within MIN_TURN_DEG of gravity) and leave its bits as they are.
        At the first that turns the vertical, the piece is run again from the state saved before it,
        up to that sample, and the samples after it are run from the re-anchored state."""
        due_at = self._gaps_in_motion(gyr_dps, filled)
        pieces, pos, n = [], 0, len(t)
        horizon = max(1, int(ANCHOR_PIECE_S * self.fs_hz))
        while pos < n:
            hi = n if not self._anchor_due and not np.any(due_at >= pos) else min(n, pos + horizon)
            here = due_at[(due_at >= pos) & (due_at < hi)] - pos
            saved = (self._vqf.state, None if self._zi is None else self._zi.copy(),
                     None if self._last_omega is None else self._last_omega.copy())
            block = self._update(t[pos:hi], acc[pos:hi], gyr_dps[pos:hi])
            quiet = self._quiet_flags(block, here)
            at, last = self._turning_anchor(block, acc[pos:hi], quiet, here)
            if at is None:  # (no re-anchoring in it turns the vertical: its bits stand)
                # (one still due: one was due and none came, or a gap in motion came after the last anchor)
                last_gap = int(here[-1]) if len(here) else -1
                self._anchor_due = last_gap > last if last is not None else (self._anchor_due or last_gap >= 0)
                self._carry_quiet(block, acc[pos:hi], quiet)
                pieces.append(block)
                pos = hi
                continue
            if at < hi - pos - 1:  # (run again up to it: the same bits up to it)
                self._vqf.state, self._zi, self._last_omega = saved
                block = self._update(t[pos:pos + at + 1], acc[pos:pos + at + 1], gyr_dps[pos:pos + at + 1])
            self._carry_quiet(block, acc[pos:pos + at + 1], quiet[:at + 1])
            self._reanchor(gravity_mean(self._acc_tail[-self._quiet_samples:])[0], block.up[-1])  # (a glitch left out)
            pieces.append(block)
            pos += at + 1
        if len(pieces) == 1:
            return pieces[0]
        return MotionBlock(*(np.concatenate([getattr(p, f) for p in pieces]) for f in MotionBlock.__dataclass_fields__))

    def _gaps_in_motion(self, gyr_dps: np.ndarray, filled: np.ndarray | None) -> np.ndarray:
        """The rows (indices) just after each gap bridged in motion that could hide more than
        MIN_TURN_DEG (the gap's made-up rows lie between the rows either side, so the leg moved
        next to it when one of them reads above FILL_MOVING_DPS)."""
        if filled is None or not filled.any():
            return np.zeros(0, dtype=np.int64)
        period_s = 1.0 / self.fs_hz
        runs = np.asarray(true_runs(filled, 1), dtype=np.int64)
        first, last = runs[:, 0], runs[:, 1]
        hides = 0.5 * MAX_ALPHA_DPS2 * ((last - first + 2) * period_s) ** 2 > MIN_TURN_DEG
        # (the largest rate over each gap's rows, the rows either side included: one reduction for all)
        norms = np.append(row_norms(gyr_dps), 0.0)  # (a last bound at len(gyr_dps) is then a valid index)
        moving = np.maximum.reduceat(norms, np.column_stack([first, last + 1]).ravel())[::2]
        return last[hides & (moving > FILL_MOVING_DPS)] + 1

    def _quiet_flags(self, block: MotionBlock, due_at: np.ndarray) -> np.ndarray:
        """Quiet samples (the accelerometer reads gravity alone, as for the pipeline's rest
        gravity), the rows after gaps bridged in motion (``due_at``) not: a quiet run counts from after them."""
        return _quiet(block.speed_dps, block.alpha_dps2, due_at)

    def _anchors(self, quiet: np.ndarray, due_at: np.ndarray) -> Iterator[int]:
        """The samples of a block at which the inclination is re-anchored, in order, if none of
        them turns it (each the first at which the leg has been quiet ``GRAVITY_QUIET_S`` since a gap
        bridged in motion, or since the block's start while one is due): ``quiet``, the block's
        :meth:`_quiet_flags`; ``due_at``, the rows after such gaps in it. The quiet run is counted
        across the block, carried in from the one before."""
        index = np.arange(len(quiet))
        last_loud = np.maximum.accumulate(np.where(quiet, -1 - self._quiet_run, index))
        ready = np.flatnonzero(index - last_loud >= self._quiet_samples)  # quiet long enough
        due, at = self._anchor_due, -1
        while True:
            if not due:  # (the next gap bridged in motion after the last anchor makes one due)
                later = due_at[due_at > at]
                if not len(later):
                    return
                at = int(later[0])
            k = int(np.searchsorted(ready, at, side="right" if not due else "left"))
            if k == len(ready):
                return
            at, due = int(ready[k]), False
            yield at

    def _turning_anchor(self, block: MotionBlock, acc: np.ndarray, quiet: np.ndarray,
                        due_at: np.ndarray) -> tuple[int | None, int | None]:
        """(the first of the block's anchors (:meth:`_anchors`) at which :meth:`_reanchor` would turn
        the vertical (the vertical there lies more than MIN_TURN_DEG from the quiet spell's gravity), or
        None; the last anchor before it, or of the block when none turns, or None)."""
        last = None
        for at in self._anchors(quiet, due_at):
            tail = np.concatenate([self._acc_tail, acc[:at + 1]])[-self._quiet_samples:]
            if self._turns(gravity_mean(tail)[0], block.up[at]):
                return at, last
            last = at
        return None, last

    def _carry_quiet(self, block: MotionBlock, acc: np.ndarray, quiet: np.ndarray) -> None:
        """Carry the quiet run (``quiet``: the block's :meth:`_quiet_flags`) and the last raw
        accelerometer rows over to the next block."""
        loud = np.flatnonzero(~quiet)
        self._quiet_run = len(block) - 1 - int(loud[-1]) if len(loud) else self._quiet_run + len(block)
        self._acc_tail = np.concatenate([self._acc_tail, acc[-self._quiet_samples:]])[-self._quiet_samples:]

    @staticmethod
    def _turns(acc_ms2: np.ndarray, up: np.ndarray) -> bool:
        """Whether the vertical ``up`` (3,) lies more than MIN_TURN_DEG from the specific force of a
        quiet spell ``acc_ms2`` (3,) (less, the accelerometer's own bias could explain)."""
        return not float(up @ acc_ms2) > math.cos(math.radians(MIN_TURN_DEG)) * math.sqrt(float(acc_ms2 @ acc_ms2))

    def _reanchor(self, acc_ms2: np.ndarray, up: np.ndarray) -> None:
        """Re-anchor the inclination to ``acc_ms2`` (3,), the specific force of a quiet spell, when
        the vertical ``up`` (3,) lies more than MIN_TURN_DEG from it (less, the accelerometer's own
        bias could explain: left to VQF): VQF's accelerometer low-pass (in the gyro-integrated
        frame) set to its steady state for it, so that the next sample's correction aligns the
        vertical with it; heading and bias are kept."""
        self._anchor_due = False
        if not self._turns(acc_ms2, up):
            return
        state, coeffs = self._vqf.state, self._vqf.coeffs
        b, a = coeffs["accLpB"], coeffs["accLpA"]
        g = _rotate(np.asarray(state["gyrQuat"]), acc_ms2)
        state["lastAccLp"] = g.tolist()
        state["accLpState"] = [v for x in g for v in (x * (1.0 - b[0]), x * (b[2] - a[1]))]
        self._vqf.state = state
        self.reanchored += 1

    def _update(self, t: np.ndarray, acc: np.ndarray, gyr_dps: np.ndarray) -> MotionBlock:
        """Stage 1 for a block, VQF left to itself."""
        out = self._vqf.updateBatch(np.ascontiguousarray(np.radians(gyr_dps)), np.ascontiguousarray(acc))
        up = up_from_quaternion(out["quat6D"])
        raw = np.empty((6, len(t)))  # rate, then linear acceleration, channel by channel (sosfilt runs
        # along contiguous rows several times faster than down the columns of (n, 6), with the same bits)
        np.subtract(gyr_dps.T, np.degrees(out["bias"]).T, out=raw[:3])
        np.subtract(acc.T, GRAVITY_MS2 * up.T, out=raw[3:])
        omega = raw[:3].T
        if self._zi is None:  # start from the first sample as if it had always been so
            self._zi = self._zi_unit[:, None, :] * raw[:, 0][None, :, None]
        smooth, self._zi = sosfilt(self._sos, raw, axis=-1, zi=self._zi)
        smooth = smooth.T
        smooth_omega = smooth[:, :3]
        previous = smooth_omega[:1] if self._last_omega is None else self._last_omega[None, :]
        alpha = np.diff(smooth_omega, axis=0, prepend=previous) * self.fs_hz
        self._last_omega = smooth_omega[-1].copy()
        return MotionBlock(t, up, omega, smooth_omega, alpha, smooth[:, 3:], np.linalg.norm(smooth_omega, axis=1))

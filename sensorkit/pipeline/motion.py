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

Every filter carries its state (``zi``) between blocks, VQF is a sample-by-sample state machine:
fed a recording whole or a packet at a time, the output is the same to the bit. A tracker pickles
mid-stream (VQF, a compiled object, as its own state: see :meth:`MotionTracker.__getstate__`), and
the copy goes on to the same bits.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt
from vqf import VQF

from sensorkit.pipeline.smallarray import butter_lowpass_sos, butter_lowpass_zi
from sensorkit.samples import GRAVITY_MS2


#: VQF's rest detection: the gyro (bias included) below this, deg/s, for 1.5 s. VQF's default (2)
#: misses every rest of a gyro whose bias exceeds it; a resting real leg reads under 3 deg/s
#: (UCI other-ankle recordings) and MEMS gyro biases reach a few deg/s.
REST_GYR_DPS = 5.0
#: VQF's bound on the bias estimate, deg/s (default 2): consumer MEMS gyros are specified to ±5.
BIAS_CLIP_DPS = 5.0


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
        self._zi: np.ndarray | None = None  # filter state of the 6 smoothed channels
        self._last_omega: np.ndarray | None = None  # last smoothed rate (for the difference)

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

    def update(self, t: np.ndarray, acc: np.ndarray, gyr_dps: np.ndarray) -> MotionBlock:
        out = self._vqf.updateBatch(np.ascontiguousarray(np.radians(gyr_dps)), np.ascontiguousarray(acc))
        up = up_from_quaternion(out["quat6D"])
        raw = np.empty((len(t), 6))  # rate, then linear acceleration
        omega = np.subtract(gyr_dps, np.degrees(out["bias"]), out=raw[:, :3])
        np.subtract(acc, GRAVITY_MS2 * up, out=raw[:, 3:])
        if self._zi is None:  # start from the first sample as if it had always been so
            self._zi = self._zi_unit[:, :, None] * raw[0][None, None, :]
        smooth, self._zi = sosfilt(self._sos, raw, axis=0, zi=self._zi)
        smooth_omega = smooth[:, :3]
        previous = smooth_omega[:1] if self._last_omega is None else self._last_omega[None, :]
        alpha = np.diff(smooth_omega, axis=0, prepend=previous) * self.fs_hz
        self._last_omega = smooth_omega[-1].copy()
        return MotionBlock(t, up, omega, smooth_omega, alpha, smooth[:, 3:], np.linalg.norm(smooth_omega, axis=1))

"""Per-sample motion signals: low-pass, stillness, gyro bias and the integrated rotation vector.

Stage 1 of the pipeline (calibrate + filter). Causal and chunk-invariant: ``update`` on a whole
recording or packet by packet gives identical arrays. Nothing here knows the rotation axis. The
per-sample work is one compiled pass (:func:`~sensorkit.pipeline.motion_kernels.motion_block`)
over the state of the building blocks of :mod:`sensorkit.pipeline.filters`.

Outputs (:class:`MotionBlock`), per sample, in the sensor frame:
    ``acc_lp`` (m/s²) and ``omega_lp`` (deg/s, bias removed): low-passed, for features;
    ``still``: quiet over the trailing window (small spread of the low-passed gyro and
    accelerometer) and slow (low-passed rate against a slow running mean of the gyro: a
    movement comes back, so that mean is the bias; it needs no stillness to be known);
    ``rot_deg``: running integral of the bias-corrected rate, a rotation vector in degrees. For a
    rotation about a fixed axis, ``rot_deg(t1) - rot_deg(t0)`` is that rotation exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.filters import Integrator, LowPass, MaskedAverage, TrailingRange
from sensorkit.pipeline.motion_kernels import motion_block
from sensorkit.samples import Samples


@dataclass
class MotionBlock:
    """Per-sample signals for one block (arrays share their first axis).

    ``acc`` (m/s²) and ``omega`` (deg/s, bias removed) are the unfiltered readings.
    """

    t: np.ndarray
    acc: np.ndarray
    omega: np.ndarray
    acc_lp: np.ndarray
    omega_lp: np.ndarray
    rot_deg: np.ndarray
    still: np.ndarray

    FIELDS = ("t", "acc", "omega", "acc_lp", "omega_lp", "rot_deg", "still")

    def __len__(self) -> int:
        return len(self.t)

    @classmethod
    def concat(cls, blocks: list["MotionBlock"]) -> "MotionBlock":
        return cls(*(np.concatenate([getattr(b, f) for b in blocks]) for f in cls.FIELDS))

    def __getitem__(self, index: slice) -> "MotionBlock":
        return MotionBlock(*(getattr(self, f)[index] for f in self.FIELDS))


class MotionTracker:
    """Stage 1: turns raw samples into :class:`MotionBlock` signals (see module doc).

    The gyro bias at sample j is learnt from samples quiet on both sides: sample i joins the
    average once sample i + lag is still as well (the two trailing windows cover i from both
    sides), which keeps the slow first and last moments of a movement out of the bias. The bias
    used at sample j is the average after sample j − lag (zero for the first lag samples).
    """

    def __init__(self, config: PipelineConfig, fs_hz: float) -> None:
        self.config = config
        self.fs_hz = float(fs_hz)
        self.dt_nominal_s = 1.0 / self.fs_hz
        self._lowpass = LowPass(config.lowpass_hz, self.fs_hz)  # channels: acc x y z, gyro x y z
        self._gyr_slow = LowPass(1.0 / (2 * np.pi * config.bias_prior_time_constant_s), self.fs_hz, order=1)
        assert self._lowpass.sos.shape == self._gyr_slow.sos.shape == (1, 6)  # what motion_block filters
        window = max(3, int(round(config.still_window_s * self.fs_hz)))
        self._ranges = TrailingRange(window)  # of the low-passed channels, as ``_lowpass``
        self._ranges.start(6)
        self._still_gyr_dps = float(config.still_gyr_dps)
        self._range_limits = np.repeat([config.still_acc_range_ms2, config.still_gyr_range_dps], 3).astype(float)
        weight = 1.0 - np.exp(-self.dt_nominal_s / config.bias_time_constant_s)
        self._bias = MaskedAverage(weight, np.zeros(3))
        self._delayed_gyr = np.zeros((window, 3))  # the last ``window`` (= lag) raw rates, a ring
        self._delayed_still = np.zeros(window, dtype=bool)
        self._rot = Integrator(3)
        self._last_t = np.full(1, np.nan)  # s, time of the last sample seen

    @property
    def bias_dps(self) -> np.ndarray:
        """Current gyro bias estimate, deg/s."""
        return self._bias.value.copy()

    def update(self, samples: Samples) -> MotionBlock:
        """The signals of the next block of samples (any length; state carries over)."""
        t, acc, gyr = samples.t, samples.acc, samples.gyr
        n = len(t)
        acc_lp, omega, omega_lp, rot = np.empty((n, 3)), np.empty((n, 3)), np.empty((n, 3)), np.empty((n, 3))
        still = np.empty(n, dtype=bool)
        if n:
            lowpass, slow, ranges, bias = self._lowpass, self._gyr_slow, self._ranges, self._bias
            if lowpass.zi is None:
                lowpass.start(np.r_[acc[0], gyr[0]])
                slow.start(gyr[0])
            motion_block(t, acc, gyr, lowpass.sos, lowpass.zi, slow.sos, slow.zi,
                         ranges.blocks, ranges.suffix, ranges.prefix, ranges.count, self._range_limits,
                         self._still_gyr_dps, self._delayed_gyr, self._delayed_still,
                         bias.weight, bias.value, bias.delay, bias.started,
                         self.dt_nominal_s, self._last_t, self._rot.total, acc_lp, omega, omega_lp, rot, still)
        return MotionBlock(t, acc, omega, acc_lp, omega_lp, rot, still)

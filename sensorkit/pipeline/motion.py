"""Per-sample motion signals: low-pass, stillness, gyro bias and the integrated rotation vector.

Stage 1 of the pipeline (calibrate + filter). Causal and chunk-invariant: ``update`` on a whole
recording or packet by packet gives identical arrays. Nothing here knows the rotation axis.

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
from sensorkit.pipeline.filters import Integrator, LowPass, MaskedAverage, TrailingRange, row_norms
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
    """Stage 1: turns raw samples into :class:`MotionBlock` signals (see module doc)."""

    def __init__(self, config: PipelineConfig, fs_hz: float) -> None:
        self.config = config
        self.fs_hz = float(fs_hz)
        self.dt_nominal_s = 1.0 / self.fs_hz
        self._acc_lp = LowPass(config.lowpass_hz, self.fs_hz)
        self._gyr_lp = LowPass(config.lowpass_hz, self.fs_hz)
        self._gyr_slow = LowPass(1.0 / (2 * np.pi * config.bias_prior_time_constant_s), self.fs_hz, order=1)
        window = max(3, int(round(config.still_window_s * self.fs_hz)))
        self._gyr_range = TrailingRange(window)
        self._acc_range = TrailingRange(window)
        weight = 1.0 - np.exp(-self.dt_nominal_s / config.bias_time_constant_s)
        self._bias = MaskedAverage(weight, np.zeros(3))
        self._lag = window
        self._tail_gyr = np.empty((0, 3))
        self._tail_still = np.empty(0, dtype=bool)
        self._rot = Integrator(3)
        self._last_t: float | None = None

    def _bias_from_quiet(self, gyr: np.ndarray, still: np.ndarray) -> np.ndarray:
        """Gyro bias per sample, learnt from samples quiet on both sides.

        Sample i joins the average once sample i + lag is still as well (the two trailing windows
        cover i from both sides), which keeps the slow first and last moments of a movement out of
        the bias. The bias used at sample j is the average after sample j − lag.
        """
        lag, n_tail = self._lag, len(self._tail_gyr)
        g = np.concatenate([self._tail_gyr, gyr])
        st = np.concatenate([self._tail_still, still])
        done = max(0, len(g) - lag)
        avg = self._bias(g[:done], st[:done] & st[lag:lag + done])
        self._tail_gyr, self._tail_still = g[done:], st[done:]
        idx = np.arange(n_tail, len(g)) - lag
        if len(avg) == 0:
            return np.zeros((len(gyr), 3))
        out = avg[np.maximum(idx, 0)]
        out[idx < 0] = 0.0  # the first ``lag`` samples of the stream: no bias known yet
        return out

    @property
    def bias_dps(self) -> np.ndarray:
        """Current gyro bias estimate, deg/s."""
        return self._bias.value.copy()

    def update(self, samples: Samples) -> MotionBlock:
        t, acc, gyr = samples.t, samples.acc, samples.gyr
        acc_lp = self._acc_lp(acc)
        gyr_lp = self._gyr_lp(gyr)
        cfg = self.config
        still = row_norms(gyr_lp - self._gyr_slow(gyr)) < cfg.still_gyr_dps
        still &= self._gyr_range.below(gyr_lp, cfg.still_gyr_range_dps)
        still &= self._acc_range.below(acc_lp, cfg.still_acc_range_ms2)
        bias = self._bias_from_quiet(gyr, still)
        omega = gyr - bias
        prev = t[0] - self.dt_nominal_s if self._last_t is None else self._last_t
        dt = np.diff(t, prepend=prev) if len(t) else t
        # a gap too long to fill (a reconnect) is not integrated: what turned then is unknown
        dt = np.where(dt > 2.0 * self.dt_nominal_s, self.dt_nominal_s, dt)
        if len(t):
            self._last_t = float(t[-1])
        rot = self._rot(omega * dt[:, None])
        return MotionBlock(t, acc, omega, acc_lp, gyr_lp - bias, rot, still)

"""From exact kinematics to what a real IMU reports: band-limit, sample, add its imperfections.

1. The ideal specific force and angular rate are evaluated on a fine grid (``fine_rate_hz``,
   ≥ 1 kHz) and low-passed like a sensor's digital filter: Butterworth order 2 at 0.4 × output rate,
   applied forwards and backwards (zero phase, so truth times need no delay correction).
2. They are interpolated at the output times: k / rate plus timestamp jitter (uniform ± a few % of
   the period; t strictly increasing, t[0] = 0); runs of 1–8 samples are then dropped (lost packets).
3. Per-axis errors: ``measured = quantise(clip((1 + scale) · M · ideal + bias + noise))``, M a
   cross-axis misalignment (off-diagonals < 1° in total per axis), gyro bias plus a random-walk drift.

Ranges drawn per session (:meth:`SensorErrors.draw`): accelerometer bias ±0.05–0.3 m/s² per axis,
scale ±2 %, noise 0.02–0.05 m/s² rms at 100 Hz (white: rms scales with √(rate/100)), 16 bit over
±8 g; gyro bias ±0.3–3 deg/s per axis, drift 0.01–0.05 deg/s/√s, scale ±2 %, noise 0.05–0.2 deg/s
rms at 100 Hz, 16 bit over ±2000 deg/s; jitter 0.5–4 % of the period; drop probability 0–2 % per sample.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from sensorkit.samples import GRAVITY_MS2

SAMPLE_RATES_HZ = (25, 26, 50, 52, 100, 104, 200)
ACC_FULL_SCALE_MS2 = 8 * GRAVITY_MS2
GYR_FULL_SCALE_DPS = 2000.0
QUANT_LEVELS = 2**16
LOWPASS_FRACTION = 0.4
MAX_DROP_RUN = 8


def _signed(rng: np.random.Generator, low: float, high: float, size: int = 3) -> np.ndarray:
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def _misalignment(rng: np.random.Generator, max_deg: float = 0.7) -> np.ndarray:
    off = np.radians(rng.uniform(-max_deg, max_deg, (3, 3)))
    np.fill_diagonal(off, 0.0)
    return np.eye(3) + off


@dataclass(frozen=True)
class SensorErrors:
    """One session's sensor imperfections (all zero for a perfect sensor)."""

    acc_bias_ms2: np.ndarray
    acc_scale_error: np.ndarray
    acc_misalignment: np.ndarray
    acc_noise_ms2_at_100hz: float
    gyr_bias_dps: np.ndarray
    gyr_scale_error: np.ndarray
    gyr_misalignment: np.ndarray
    gyr_noise_dps_at_100hz: float
    gyr_drift_dps_per_sqrt_s: float
    jitter_fraction: float
    drop_probability: float
    quantised: bool

    @classmethod
    def perfect(cls) -> "SensorErrors":
        """No errors at all: no bias, scale or misalignment, noise, drift, quantisation, jitter or loss."""
        z = np.zeros(3)
        return cls(z, z, np.eye(3), 0.0, z, z, np.eye(3), 0.0, 0.0, 0.0, 0.0, False)

    @classmethod
    def draw(cls, rng: np.random.Generator) -> "SensorErrors":
        """A random realistic sensor's errors, drawn from ``rng`` (units in the field names)."""
        return cls(
            acc_bias_ms2=_signed(rng, 0.05, 0.3),
            acc_scale_error=rng.uniform(-0.02, 0.02, 3),
            acc_misalignment=_misalignment(rng),
            acc_noise_ms2_at_100hz=float(rng.uniform(0.02, 0.05)),
            gyr_bias_dps=_signed(rng, 0.3, 3.0),
            gyr_scale_error=rng.uniform(-0.02, 0.02, 3),
            gyr_misalignment=_misalignment(rng),
            gyr_noise_dps_at_100hz=float(rng.uniform(0.05, 0.2)),
            gyr_drift_dps_per_sqrt_s=float(rng.uniform(0.01, 0.05)),
            jitter_fraction=float(rng.uniform(0.005, 0.04)),
            drop_probability=float(rng.uniform(0.0, 0.02)),
            quantised=True,
        )

    def to_json(self) -> dict:
        """These errors as the truth file stores them (arrays as lists, in the fields' units)."""
        return {k: (np.round(v, 8).tolist() if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}


def output_times(duration_s: float, rate_hz: float, errors: SensorErrors, rng: np.random.Generator) -> np.ndarray:
    """Sample times in [0, duration_s]: k / rate with jitter, minus dropped runs (first/last kept)."""
    n = int(np.floor(duration_s * rate_hz)) + 1
    jitter = rng.uniform(-errors.jitter_fraction, errors.jitter_fraction, n)
    jitter[0] = 0.0
    t = (np.arange(n) + jitter) / rate_hz
    t[-1] = min(t[-1], duration_s)
    keep = np.ones(n, dtype=bool)
    starts = np.nonzero(rng.random(n) < errors.drop_probability)[0]
    lengths = rng.integers(1, MAX_DROP_RUN + 1, len(starts))
    kept_after = -1  # runs never merge: the sample after a run is always kept
    for start, length in zip(starts, lengths):
        if start > kept_after:
            keep[start : start + length] = False
            kept_after = start + length
    keep[[0, -1]] = True
    return t[keep]


def band_limit(fine_t: np.ndarray, channels: np.ndarray, rate_hz: float, out_t: np.ndarray) -> np.ndarray:
    """Low-pass ``channels`` (n_fine, k), sampled at ``fine_t`` (uniform), and interpolate at ``out_t``."""
    fine_rate_hz = 1.0 / (fine_t[1] - fine_t[0])
    sos = signal.butter(2, LOWPASS_FRACTION * rate_hz, fs=fine_rate_hz, output="sos")
    smooth = signal.sosfiltfilt(sos, channels, axis=0)
    return np.column_stack([np.interp(out_t, fine_t, smooth[:, j]) for j in range(channels.shape[1])])


def _quantise(values: np.ndarray, full_scale: float) -> np.ndarray:
    lsb = 2 * full_scale / QUANT_LEVELS
    return np.clip(np.round(values / lsb), -QUANT_LEVELS // 2, QUANT_LEVELS // 2 - 1) * lsb


def apply_errors(
    t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, rate_hz: float, errors: SensorErrors, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Ideal (acc m/s², gyr deg/s) in the sensor frame -> what the sensor reports."""
    noise_gain = np.sqrt(rate_hz / 100.0)
    acc = acc @ errors.acc_misalignment.T * (1 + errors.acc_scale_error) + errors.acc_bias_ms2
    acc = acc + rng.normal(0.0, errors.acc_noise_ms2_at_100hz * noise_gain, acc.shape)
    dt = np.diff(t, prepend=t[0])[:, None]
    drift = np.cumsum(rng.normal(0.0, 1.0, gyr.shape) * np.sqrt(dt), axis=0) * errors.gyr_drift_dps_per_sqrt_s
    gyr = gyr @ errors.gyr_misalignment.T * (1 + errors.gyr_scale_error) + errors.gyr_bias_dps + drift
    gyr = gyr + rng.normal(0.0, errors.gyr_noise_dps_at_100hz * noise_gain, gyr.shape)
    if errors.quantised:
        acc = _quantise(acc, ACC_FULL_SCALE_MS2)
        gyr = _quantise(gyr, GYR_FULL_SCALE_DPS)
    return acc, gyr

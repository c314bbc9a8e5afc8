"""Scalar motion profiles with analytic first and second derivatives.

A profile maps times ``t`` (s) to ``(value, d/dt, d²/dt²)``. Angle profiles hold radians, translation
profiles metres. Profiles add and multiply (the product rule is applied exactly), so a rep is built as
"min-jerk out + windowed tremor + min-jerk return" without numerical differentiation anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Derivs = tuple[np.ndarray, np.ndarray, np.ndarray]


class Profile:
    """Base class: ``profile(t) -> (value, rate, acceleration)``."""

    def __call__(self, t: np.ndarray) -> Derivs:  # pragma: no cover - abstract
        raise NotImplementedError

    def value(self, t: np.ndarray | float) -> np.ndarray:
        return self(np.atleast_1d(np.asarray(t, dtype=np.float64)))[0]

    def __add__(self, other: "Profile") -> "Profile":
        return Sum((self, other))

    def __mul__(self, other: "Profile") -> "Profile":
        return Product(self, other)


@dataclass(frozen=True)
class Zero(Profile):
    def __call__(self, t: np.ndarray) -> Derivs:
        z = np.zeros_like(t, dtype=np.float64)
        return z, z.copy(), z.copy()


@dataclass(frozen=True)
class MinJerk(Profile):
    """0 before ``t0_s``, then a minimum-jerk transition to ``delta`` over ``duration_s``, then ``delta``.

    Velocity and acceleration are zero at both ends, so chained min-jerks join smoothly.
    A zero duration is a step (only used for zero-length holds, where delta is 0).
    """

    t0_s: float
    duration_s: float
    delta: float

    def __call__(self, t: np.ndarray) -> Derivs:
        if self.duration_s <= 0:
            step = np.where(t >= self.t0_s, self.delta, 0.0)
            return step, np.zeros_like(step), np.zeros_like(step)
        s = np.clip((t - self.t0_s) / self.duration_s, 0.0, 1.0)
        d = self.duration_s
        pos = self.delta * s**3 * (10 - 15 * s + 6 * s**2)
        vel = self.delta / d * 30 * s**2 * (1 - s) ** 2
        acc = self.delta / d**2 * 60 * s * (1 - s) * (1 - 2 * s)
        return pos, vel, acc


def window(t0_s: float, t1_s: float, ramp_s: float) -> Profile:
    """1 on [t0+ramp, t1-ramp], 0 outside [t0, t1], min-jerk ramps in between (smooth to 2nd order)."""
    ramp_s = min(ramp_s, max(t1_s - t0_s, 0.0) / 2)
    return MinJerk(t0_s, ramp_s, 1.0) + MinJerk(t1_s - ramp_s, ramp_s, -1.0)


@dataclass(frozen=True)
class Sine(Profile):
    """``amplitude * sin(2π f (t - t0) + phase)``."""

    amplitude: float
    freq_hz: float
    phase_rad: float = 0.0
    t0_s: float = 0.0

    def __call__(self, t: np.ndarray) -> Derivs:
        w = 2 * np.pi * self.freq_hz
        arg = w * (t - self.t0_s) + self.phase_rad
        s, c = np.sin(arg), np.cos(arg)
        return self.amplitude * s, self.amplitude * w * c, -self.amplitude * w * w * s


@dataclass(frozen=True)
class Impact(Profile):
    """A heel-strike ringing from ``t0_s``: ``A (s/τ) e^(1-s/τ) sin(2π f s)``, s = t - t0 ≥ 0.

    Position and velocity are continuous (zero at s = 0); the acceleration jumps at impact, as it
    does physically. :meth:`with_peak_acc` picks A for a given peak acceleration.
    """

    t0_s: float
    amplitude: float
    freq_hz: float
    tau_s: float

    def __call__(self, t: np.ndarray) -> Derivs:
        s = np.maximum(t - self.t0_s, 0.0)
        on = t >= self.t0_s
        w = 2 * np.pi * self.freq_hz
        e = np.exp(1 - s / self.tau_s) / self.tau_s  # envelope g = s e, g' = e (1 - s/τ), g'' = e (s/τ - 2)/τ
        g, g1, g2 = s * e, e * (1 - s / self.tau_s), e * (s / self.tau_s - 2) / self.tau_s
        sn, cs = np.sin(w * s), np.cos(w * s)
        a = self.amplitude
        pos = a * g * sn
        vel = a * (g1 * sn + g * w * cs)
        acc = a * (g2 * sn + 2 * g1 * w * cs - g * w * w * sn)
        return pos * on, vel * on, acc * on

    @classmethod
    def with_peak_acc(cls, t0_s: float, peak_acc: float, freq_hz: float, tau_s: float) -> "Impact":
        """The impact whose largest |acceleration| is ``peak_acc`` (m/s² for a translation in m)."""
        unit_impact = cls(0.0, 1.0, freq_hz, tau_s)
        shape_peak = np.abs(unit_impact(np.linspace(0.0, 8 * tau_s, 4001))[2]).max()
        return cls(t0_s, peak_acc / shape_peak, freq_hz, tau_s)


@dataclass(frozen=True)
class Sum(Profile):
    terms: tuple[Profile, ...]

    def __call__(self, t: np.ndarray) -> Derivs:
        out = [np.zeros_like(t, dtype=np.float64) for _ in range(3)]
        for term in self.terms:
            for total, part in zip(out, term(t)):
                total += part
        return out[0], out[1], out[2]

    def __add__(self, other: Profile) -> Profile:
        return Sum((*self.terms, other))


@dataclass(frozen=True)
class Product(Profile):
    left: Profile
    right: Profile

    def __call__(self, t: np.ndarray) -> Derivs:
        f, f1, f2 = self.left(t)
        g, g1, g2 = self.right(t)
        return f * g, f1 * g + f * g1, f2 * g + 2 * f1 * g1 + f * g2


def total(profiles: list[Profile]) -> Profile:
    """The sum of ``profiles`` (Zero for none)."""
    return Sum(tuple(profiles)) if profiles else Zero()

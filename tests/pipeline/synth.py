"""Analytic single-axis test signals with known answers (no simulator needed).

A rigid sensor turns about a fixed axis ``axis`` (sensor frame) through a pivot at ``pivot_m``
from the sensor: above it (the knee or hip; the shank hangs, so the sensor lies straight below the
axis at rest) or, for a foot pivot, below it. At rest gravity reads ``g_rest`` (m/s², sensor frame). The readings are exact:
gyro = dθ/dt · axis; acc = Rot(axis, −θ)·g_rest + α (axis × ρ) − ω² ρ, with ρ ⊥ axis.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from sensorkit.samples import GRAVITY_MS2, Samples


def min_jerk(tau: np.ndarray) -> np.ndarray:
    tau = np.clip(tau, 0.0, 1.0)
    return 10 * tau**3 - 15 * tau**4 + 6 * tau**5


@dataclass
class Move:
    rom_deg: float
    hold_s: float = 2.0
    out_s: float = 1.2
    return_s: float = 1.2
    rest_after_s: float = 2.0
    axis: np.ndarray | None = None  # None: the session's axis
    pivot_m: float | None = None  # None: the session's radius


@dataclass
class Synth:
    axis: np.ndarray
    g_rest: np.ndarray
    radius_m: float = 0.35
    fs_hz: float = 100.0
    lead_s: float = 3.0
    moves: list[Move] = field(default_factory=list)
    #: the sensor at rest lies this far (deg) about the axis from straight below the pivot, on the
    #: side the reps turn toward (the foot tucked back: a rep first brings it toward straight below)
    rest_behind_deg: float = 0.0

    def truth(self) -> list[dict]:
        out, t0 = [], self.lead_s
        for m in self.moves:
            out.append(dict(start_s=t0, out_end_s=t0 + m.out_s, return_start_s=t0 + m.out_s + m.hold_s,
                            end_s=t0 + m.out_s + m.hold_s + m.return_s, rom_deg=m.rom_deg, hold_s=m.hold_s))
            t0 += m.out_s + m.hold_s + m.return_s + m.rest_after_s
        return out

    def samples(self, gyro_bias_dps=(0.0, 0.0, 0.0), noise=0.0, seed=0) -> Samples:
        rng = np.random.default_rng(seed)
        total = self.lead_s + sum(m.out_s + m.hold_s + m.return_s + m.rest_after_s for m in self.moves)
        t = np.arange(0.0, total, 1.0 / self.fs_hz)
        acc = np.tile(self.g_rest, (len(t), 1)).astype(float)
        gyr = np.zeros((len(t), 3))
        for m, tr in zip(self.moves, self.truth()):
            axis = self.axis if m.axis is None else m.axis / np.linalg.norm(m.axis)
            radius = self.radius_m if m.pivot_m is None else m.pivot_m
            theta, omega, alpha = _profile(t, tr, m)
            sel = (t >= tr["start_s"]) & (t <= tr["end_s"])
            rho = _radial(axis, self.g_rest, foot_pivot=m.pivot_m is not None) * radius
            rho = Rotation.from_rotvec(-np.radians(self.rest_behind_deg) * axis).apply(rho)
            rot = Rotation.from_rotvec(-np.outer(np.radians(theta[sel]), axis))
            w, a = np.radians(omega[sel]), np.radians(alpha[sel])
            acc[sel] = rot.apply(self.g_rest) + np.outer(a, np.cross(axis, rho)) - np.outer(w**2, rho)
            gyr[sel] = np.outer(omega[sel], axis)
        acc += noise * 0.05 * rng.standard_normal(acc.shape)
        gyr += noise * 0.2 * rng.standard_normal(gyr.shape) + np.asarray(gyro_bias_dps)
        return Samples(t, acc, gyr)


def samples_of_angle(theta: np.ndarray, t: np.ndarray, axis: np.ndarray, g_rest: np.ndarray, radius_m: float = 0.35,
                     seed: int = 0) -> Samples:
    """Exact readings (plus a little noise) of any angle trace ``theta`` (deg at times ``t``, s)
    about ``axis`` through a knee pivot ``radius_m`` above the sensor."""
    omega = np.gradient(theta, t)
    w, a = np.radians(omega), np.radians(np.gradient(omega, t))
    rho = _radial(axis, g_rest, foot_pivot=False) * radius_m
    acc = (Rotation.from_rotvec(-np.outer(np.radians(theta), axis)).apply(g_rest)
           + np.outer(a, np.cross(axis, rho)) - np.outer(w**2, rho))
    rng = np.random.default_rng(seed)
    return Samples(t, acc + 0.02 * rng.standard_normal(acc.shape), np.outer(omega, axis) + 0.1 * rng.standard_normal(acc.shape))


def samples_of_two_turns(theta: np.ndarray, across: np.ndarray, t: np.ndarray, axis: np.ndarray, g_rest: np.ndarray,
                         seed: int = 0) -> Samples:
    """Readings (plus a little noise) of a sensor turned in place by ``theta`` (deg at times
    ``t``, s) about ``axis`` and by ``across`` about the horizontal axis across it (the knee's,
    when ``axis`` is the hip's), ``across`` applied last; no radius, and the rate the sum of the
    two (near enough while both turn)."""
    other = np.cross(axis, g_rest)
    other /= np.linalg.norm(other)
    turn = (Rotation.from_rotvec(np.outer(np.radians(across), other))
            * Rotation.from_rotvec(np.outer(np.radians(theta), axis)))
    gyr = np.outer(np.gradient(across, t), other) + np.outer(np.gradient(theta, t), axis)
    rng = np.random.default_rng(seed)
    return Samples(t, turn.inv().apply(g_rest) + 0.02 * rng.standard_normal((len(t), 3)),
                   gyr + 0.1 * rng.standard_normal((len(t), 3)))


def _radial(axis: np.ndarray, g_rest: np.ndarray, foot_pivot: bool) -> np.ndarray:
    """Unit vector from the rotation axis to the sensor, perpendicular to the axis: down along the
    hanging shank for a knee or hip pivot (the sensor hangs below it), up for a foot pivot."""
    down = -g_rest / np.linalg.norm(g_rest)
    v = down - (down @ axis) * axis
    if np.linalg.norm(v) < 1e-6:  # a turn about the shank itself: any perpendicular
        return _perpendicular(axis)
    v /= np.linalg.norm(v)
    return -v if foot_pivot else v


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    v = np.cross(axis, [0.3, 0.5, 0.8])
    return v / np.linalg.norm(v)


def _profile(t, tr, m):
    """θ (deg), ω (deg/s), α (deg/s²) of one rep: min-jerk out, hold, min-jerk return."""
    A = m.rom_deg
    tau_o = (t - tr["start_s"]) / m.out_s
    tau_r = (t - tr["return_start_s"]) / m.return_s
    theta = A * min_jerk(tau_o) - A * min_jerk(tau_r)
    def vel(tau, T):
        tau = np.clip(tau, 0, 1)
        return A / T * (30 * tau**2 - 60 * tau**3 + 30 * tau**4)
    def acc(tau, T):
        inside = (tau > 0) & (tau < 1)
        return np.where(inside, A / T**2 * (60 * tau - 180 * tau**2 + 120 * tau**3), 0.0)
    omega = vel(tau_o, m.out_s) - vel(tau_r, m.return_s)
    alpha = acc(tau_o, m.out_s) - acc(tau_r, m.return_s)
    return theta, omega, alpha


def random_setup(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random strap rotation: (hip-ER axis, gravity at rest) in the sensor frame, axis ⊥ gravity."""
    rot = Rotation.random(random_state=seed)
    axis = rot.apply([1.0, 0.0, 0.0])
    g_rest = rot.apply([0.0, 0.0, GRAVITY_MS2])
    return axis, g_rest


def reps_then(moves, t_end_s, fs_hz=50.0):
    """An angle (deg) at ``t`` from ``moves``: (start s, rom deg, hold s) reps of 1.2-s phases from
    the level before them, and (start s, shift deg) steps of the resting pose (1 s each)."""
    t = np.arange(0.0, t_end_s, 1.0 / fs_hz)
    theta = np.zeros_like(t)
    for move in moves:
        if len(move) == 3:
            t0, rom, hold = move
            theta += rom * min_jerk((t - t0) / 1.2) - rom * min_jerk((t - t0 - 1.2 - hold) / 1.2)
        else:
            t0, shift = move
            theta += shift * min_jerk(t - t0)
    return t, theta

"""The leg's motion as a chain of rigid-body motions, evaluated exactly at any times.

Each :class:`Motion` turns the whole shank (with the sensor) about one world axis through one world
point by an angle profile q(t), plus an optional translation d(t). Within a motion, for a point whose
position at the motion's start is p0, with u = p0 - c and R(q) the rotation about the unit axis a:

    position      x(t) = R(q) u + c + d(t)
    velocity      v(t) = q' a × R(q)u + d'(t)
    acceleration  x''  = q'' a × R(q)u + q'² a × (a × R(q)u) + d''(t)
    angular rate  ω    = q' a

The orientation at the end of a motion is the start of the next one, so any chain of motions is
exact; the accelerometer reads the specific force x'' - g (g = (0, 0, -9.80665) m/s²) in the sensor frame.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation

from sensorkit.samples import GRAVITY_MS2
from sensorkit.sim.geometry import LegGeometry, axis_angle_matrix, rotate_about, unit
from sensorkit.sim.profiles import Profile, Zero

GRAVITY_WORLD_MS2 = np.array([0.0, 0.0, -GRAVITY_MS2])
#: a tracked motion may turn about an axis this far from the exercise axis (a rep's own axis: real
#: reps spread 1–5° about their session's axis); its whole angle enters ``angle_deg``
MAX_TRACKED_TILT_DEG = 10.0


@dataclass(frozen=True)
class Motion:
    """A rotation of the shank by ``angle`` (rad, 0 at ``t0_s``) about ``axis`` through ``center_m``,
    plus translations ``sum(direction * profile)`` (m), over [t0_s, t1_s]. Profiles must be constant
    outside that interval. ``tracked`` marks rotations about the exercise axis direction, or within
    ``MAX_TRACKED_TILT_DEG`` of it (they enter the angle coordinate ``angle_deg``)."""

    t0_s: float
    t1_s: float
    axis: np.ndarray
    center_m: np.ndarray
    angle: Profile = field(default_factory=Zero)
    translations: tuple[tuple[np.ndarray, Profile], ...] = ()
    tracked: bool = False


@dataclass
class Kinematics:
    """Exact kinematics at times ``t`` (s). World vectors in the world frame, the rest in the sensor frame."""

    t: np.ndarray
    position_m: np.ndarray  # sensor position, world
    linear_acc_ms2: np.ndarray  # sensor acceleration, world
    specific_force_ms2: np.ndarray  # what an ideal accelerometer reads, sensor frame
    rate_dps: np.ndarray  # what an ideal gyroscope reads, sensor frame
    angle_deg: np.ndarray  # exercise angle coordinate (tracked rotations), degrees
    sensor_to_world: np.ndarray | None = None  # (n, 3, 3) orientation, when asked for


@dataclass
class _Placed:
    motion: Motion
    rotation: np.ndarray  # leg rotation at the motion's start, relative to the rest geometry
    offset_m: np.ndarray  # leg translation at the motion's start
    angle_rad: float  # exercise angle coordinate at the motion's start


class Timeline:
    """A contiguous chain of motions starting at t = 0 from the rest geometry turned by
    ``initial_angle_deg`` about the exercise axis (world unit vector, default the ER axis) through
    ``center_m`` (default the hip). Tracked motions turn about that axis and add to ``angle_deg``."""

    def __init__(self, geometry: LegGeometry, initial_angle_deg: float = 0.0, axis: np.ndarray | None = None,
                 center_m: np.ndarray | None = None) -> None:
        self.geometry = geometry
        self.exercise_axis = unit(geometry.er_axis if axis is None else axis)
        self.exercise_center_m = np.asarray(geometry.hip_m if center_m is None else center_m, dtype=np.float64)
        theta = np.radians(initial_angle_deg)
        self._rotation = axis_angle_matrix(self.exercise_axis, theta)
        self._offset = self.exercise_center_m - self._rotation @ self.exercise_center_m
        self._angle = theta
        self._placed: list[_Placed] = []
        self.end_s = 0.0

    # --- state at the end of the chain -------------------------------------------------------
    @property
    def angle_deg(self) -> float:
        return float(np.degrees(self._angle))

    def point(self, rest_point_m: np.ndarray) -> np.ndarray:
        """Where a leg point given in the rest geometry is now (end of the chain), world m."""
        return self._rotation @ rest_point_m + self._offset

    def direction(self, rest_dir: np.ndarray) -> np.ndarray:
        return self._rotation @ rest_dir

    # --- building ---------------------------------------------------------------------------
    def append(self, motion: Motion) -> None:
        if abs(motion.t0_s - self.end_s) > 1e-9 or motion.t1_s < motion.t0_s:
            raise ValueError(f"motion [{motion.t0_s}, {motion.t1_s}] does not continue the chain at {self.end_s}")
        axis = unit(motion.axis)
        if motion.tracked and axis @ self.exercise_axis < np.cos(np.radians(MAX_TRACKED_TILT_DEG)):
            raise ValueError(f"a tracked motion must turn within {MAX_TRACKED_TILT_DEG:g} deg of the exercise axis")
        self._placed.append(_Placed(motion, self._rotation.copy(), self._offset.copy(), self._angle))
        q_end = float(motion.angle.value(motion.t1_s)[0])
        turn = axis_angle_matrix(axis, q_end)
        shift = sum((d * float(p.value(motion.t1_s)[0]) for d, p in motion.translations), np.zeros(3))
        self._rotation = turn @ self._rotation
        self._offset = turn @ (self._offset - motion.center_m) + motion.center_m + shift
        if motion.tracked:
            self._angle += q_end
        self.end_s = motion.t1_s

    def still(self, until_s: float) -> None:
        """Keep the leg still until ``until_s``."""
        if until_s > self.end_s:
            self.append(Motion(self.end_s, until_s, self.exercise_axis, self.exercise_center_m))

    # --- evaluation -------------------------------------------------------------------------
    def evaluate(self, t: np.ndarray, with_orientation: bool = False) -> Kinematics:
        """Exact kinematics at the times ``t`` (s, any order; clamped to the chain's span)."""
        t = np.asarray(t, dtype=np.float64).reshape(-1)
        n = len(t)
        out = Kinematics(t, np.empty((n, 3)), np.empty((n, 3)), np.empty((n, 3)), np.empty((n, 3)), np.empty(n))
        if with_orientation:
            out.sensor_to_world = np.empty((n, 3, 3))
        order = np.argsort(t, kind="stable")
        starts = np.array([p.motion.t0_s for p in self._placed[1:]])
        bounds = np.concatenate([[0], np.searchsorted(t[order], starts, side="left"), [n]])
        sensor_rest = self.geometry.sensor_m
        sensor_to_world_rest = self.geometry.sensor_to_world
        for placed, lo, hi in zip(self._placed, bounds[:-1], bounds[1:]):
            if hi <= lo:
                continue
            idx = order[lo:hi]
            m = placed.motion
            tt = np.clip(t[idx], m.t0_s, m.t1_s)
            a = unit(m.axis)
            q, dq, ddq = m.angle(tt)
            start_orientation = placed.rotation @ sensor_to_world_rest  # sensor -> world at t0
            u = placed.rotation @ sensor_rest + placed.offset_m - m.center_m
            ru = rotate_about(a, q, np.broadcast_to(u, (len(tt), 3)))
            a_x_ru = np.cross(a, ru)
            pos = ru + m.center_m
            acc = ddq[:, None] * a_x_ru + (dq**2)[:, None] * np.cross(a, a_x_ru)
            for direction, profile in m.translations:
                d, _, dd = profile(tt)
                pos += np.outer(d, direction)
                acc += np.outer(dd, direction)
            force_world = acc - GRAVITY_WORLD_MS2
            out.position_m[idx] = pos
            out.linear_acc_ms2[idx] = acc
            out.specific_force_ms2[idx] = rotate_about(a, -q, force_world) @ start_orientation
            out.rate_dps[idx] = np.degrees(np.outer(dq, start_orientation.T @ a))
            out.angle_deg[idx] = np.degrees(placed.angle_rad + (q if m.tracked else 0.0))
            if with_orientation:
                out.sensor_to_world[idx] = Rotation.from_rotvec(np.outer(q, a)).as_matrix() @ start_orientation
        return out

    @property
    def motions(self) -> list[Motion]:
        return [p.motion for p in self._placed]

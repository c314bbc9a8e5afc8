"""The seated leg at rest (hip ER angle 0): thigh, knee, shank, ankle, and where the sensor sits.

Frames (see ``sensorkit.sim`` for the full picture): world x forward, y to the patient's left, z up.
The shank frame has z along the shank pointing up (ankle -> knee), y along the knee's flexion axis
(the medio-lateral axis, pointing to the patient's left on both sides) and x = y × z (forward).
``sensor_to_shank`` maps sensor-frame vectors into the shank frame (uniformly random by default).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation

Z_UP = np.array([0.0, 0.0, 1.0])


def unit(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=np.float64) / np.linalg.norm(v)


def axis_angle_matrix(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """3x3 rotation by ``angle_rad`` (right-hand rule) about the unit ``axis``."""
    return Rotation.from_rotvec(unit(axis) * angle_rad).as_matrix()


def rotate_about(axis: np.ndarray, angle_rad: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Rodrigues: rotate each row of ``vectors`` (n,3) by ``angle_rad`` (n,) about the unit ``axis``."""
    c, s = np.cos(angle_rad)[:, None], np.sin(angle_rad)[:, None]
    cross = np.cross(axis, vectors)
    dot = vectors @ axis
    return vectors * c + cross * s + np.outer(dot, axis) * (1 - c)


def signed_angle_rad(v_from: np.ndarray, v_to: np.ndarray, axis: np.ndarray) -> float:
    """Angle turning ``v_from`` onto ``v_to`` about ``axis`` (both projected on the plane ⟂ axis)."""
    axis = unit(axis)
    a = v_from - axis * (v_from @ axis)
    b = v_to - axis * (v_to @ axis)
    return float(np.arctan2(axis @ np.cross(a, b), a @ b))


@dataclass(frozen=True)
class LegGeometry:
    """One leg at rest, hip ER angle 0. Points in m (world), directions unit vectors (world)."""

    side: str  # "left" | "right"
    hip_m: np.ndarray
    thigh_dir: np.ndarray  # hip -> knee
    thigh_length_m: float
    knee_flexion_deg: float
    shank_dir: np.ndarray  # knee -> ankle
    shank_length_m: float
    flexion_axis: np.ndarray  # the knee's medio-lateral axis, pointing to the patient's left
    sensor_above_ankle_m: float
    sensor_skin_offset_m: float
    sensor_around_deg: float  # where around the shank the sensor sits (0 = front, 90 = left side)
    sensor_to_shank: Rotation

    @property
    def knee_m(self) -> np.ndarray:
        return self.hip_m + self.thigh_length_m * self.thigh_dir

    @property
    def ankle_m(self) -> np.ndarray:
        return self.knee_m + self.shank_length_m * self.shank_dir

    @property
    def er_axis(self) -> np.ndarray:
        """Unit axis (world) about which positive angles are external rotation on this side.

        Along the thigh (+thigh_dir) for the right leg, against it for the left, so that a positive
        angle always moves the foot medially (right: towards +y, left: towards -y).
        """
        return self.thigh_dir if self.side == "right" else -self.thigh_dir

    @property
    def shank_frame(self) -> np.ndarray:
        """3x3 matrix whose columns are the shank axes x (forward), y (left), z (up the shank), world."""
        z = -self.shank_dir
        y = self.flexion_axis
        return np.column_stack([np.cross(y, z), y, z])

    @property
    def sensor_m(self) -> np.ndarray:
        """Sensor position (world, m): above the ankle on the shank axis, then out to the skin."""
        frame = self.shank_frame
        around = np.radians(self.sensor_around_deg)
        radial = np.cos(around) * frame[:, 0] + np.sin(around) * frame[:, 1]
        return self.ankle_m - self.sensor_above_ankle_m * self.shank_dir + self.sensor_skin_offset_m * radial

    @property
    def sensor_to_world(self) -> np.ndarray:
        """3x3 matrix mapping sensor-frame vectors to world vectors at rest (ER angle 0)."""
        return self.shank_frame @ self.sensor_to_shank.as_matrix()

    def to_json(self) -> dict:
        def vec(v: np.ndarray) -> list[float]:
            return [round(float(x), 6) for x in v]

        return {
            "side": self.side,
            "hip_m": vec(self.hip_m),
            "thigh_dir": vec(self.thigh_dir),
            "thigh_length_m": round(self.thigh_length_m, 6),
            "knee_m": vec(self.knee_m),
            "knee_flexion_deg": round(self.knee_flexion_deg, 4),
            "shank_dir": vec(self.shank_dir),
            "shank_length_m": round(self.shank_length_m, 6),
            "ankle_m": vec(self.ankle_m),
            "flexion_axis": vec(self.flexion_axis),
            "sensor_m": vec(self.sensor_m),
            "sensor_above_ankle_m": round(self.sensor_above_ankle_m, 6),
            "sensor_skin_offset_m": round(self.sensor_skin_offset_m, 6),
            "sensor_around_deg": round(self.sensor_around_deg, 4),
        }


def draw_geometry(rng: np.random.Generator, side: str, sensor_to_shank: Rotation | None) -> LegGeometry:
    """A random seated leg. Ranges: thigh pitch/yaw ±10°, thigh 0.40–0.50 m, knee flexion 75°–105°,
    shank 0.38–0.46 m, sensor 0.05–0.15 m above the ankle, 0.035–0.05 m off the shank axis.

    The same draws give mirror-image legs for the two sides (every point's y negated), except the
    strap rotation, which is drawn as is (the mirror image of a rotation is not a rotation)."""
    mirror = 1.0 if side == "right" else -1.0  # the left leg mirrors the right one (y -> -y)
    pitch, yaw = np.radians(rng.uniform(-10, 10, size=2)) * [1.0, mirror]
    thigh_dir = unit([np.cos(pitch) * np.cos(yaw), np.cos(pitch) * np.sin(yaw), np.sin(pitch)])
    flexion_axis = unit(np.cross(Z_UP, thigh_dir))
    flexion_deg = rng.uniform(75, 105)
    shank_dir = axis_angle_matrix(flexion_axis, np.radians(flexion_deg)) @ thigh_dir
    strap = Rotation.random(random_state=rng)  # always drawn, so an override changes nothing else
    return LegGeometry(
        side=side,
        hip_m=np.array([0.0, -0.2 if side == "right" else 0.2, 0.0]),
        thigh_dir=thigh_dir,
        thigh_length_m=float(rng.uniform(0.40, 0.50)),
        knee_flexion_deg=float(flexion_deg),
        shank_dir=unit(shank_dir),
        shank_length_m=float(rng.uniform(0.38, 0.46)),
        flexion_axis=flexion_axis,
        sensor_above_ankle_m=float(rng.uniform(0.05, 0.15)),
        sensor_skin_offset_m=float(rng.uniform(0.035, 0.05)),
        sensor_around_deg=float(rng.uniform(0, 360) * mirror),
        sensor_to_shank=strap if sensor_to_shank is None else sensor_to_shank,
    )

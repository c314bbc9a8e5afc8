"""Tiny synthetic recordings for the io tests: a sensor held still, then swung about a horizontal axis."""
from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from sensorkit.samples import GRAVITY_MS2, Samples


def swinging_sensor(
    rate_hz: float = 100.0,
    still_s: float = 2.0,
    reps: int = 3,
    rom_deg: float = 40.0,
    rep_s: float = 3.0,
    pivot_radius_m: float = 0.35,
    noise: float = 0.02,
    seed: int = 0,
) -> Samples:
    """Still for ``still_s``, then ``reps`` swings out by ``rom_deg`` and back about a horizontal axis
    through a pivot ``pivot_radius_m`` above the sensor (like a shank about the knee). The case is
    strapped on in an arbitrary (seeded) rotation. acc in m/s² with centripetal/tangential terms,
    gyr in deg/s, plus Gaussian noise of ``noise`` (m/s² and deg/s alike).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, still_s + reps * rep_s + still_s, 1.0 / rate_hz)
    phase = np.clip((t - still_s) / rep_s, 0.0, reps)  # rep k runs over phase k..k+1
    angle_deg = rom_deg * 0.5 * (1.0 - np.cos(2.0 * np.pi * phase))
    angle_deg[(t < still_s) | (phase >= reps)] = 0.0
    mount = Rotation.random(random_state=seed)
    swing = Rotation.from_rotvec(np.radians(angle_deg)[:, None] * np.array([1.0, 0.0, 0.0]))
    world_from_sensor = swing * mount
    position_m = swing.apply(np.array([0.0, 0.0, -pivot_radius_m]))
    step_s = 1.0 / rate_hz
    linear_ms2 = np.gradient(np.gradient(position_m, step_s, axis=0), step_s, axis=0)
    specific_force = linear_ms2 + np.array([0.0, 0.0, GRAVITY_MS2])
    rate_world_dps = np.gradient(angle_deg, step_s)[:, None] * np.array([1.0, 0.0, 0.0])
    acc = world_from_sensor.inv().apply(specific_force) + rng.normal(0.0, noise, (len(t), 3))
    gyr = world_from_sensor.inv().apply(rate_world_dps) + rng.normal(0.0, noise, (len(t), 3))
    return Samples(t, acc, gyr)


def csv_text(samples: Samples, header: str = "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z") -> str:
    """The canonical CSV text for ``samples`` (fixed decimals, '\\n' endings)."""
    rows = "".join("%.6f,%.5f,%.5f,%.5f,%.4f,%.4f,%.4f\n" % tuple(r) for r in samples.to_array().tolist())
    return header + "\n" + rows


def write_csv(folder, lines: list[str], name: str = "rec", newline: str = "\n", final_newline: bool = True):
    """Write ``lines`` as ``folder/NAME.csv``; returns its path."""
    path = folder / f"{name}.csv"
    text = newline.join(lines) + (newline if final_newline else "")
    path.write_bytes(text.encode("utf-8"))
    return path


def good_lines(**kwargs) -> list[str]:
    """The lines (header first, no line endings) of a valid recording from :func:`swinging_sensor`."""
    return csv_text(swinging_sensor(**kwargs)).splitlines()


def set_cell(lines: list[str], line_number: int, column: int, value: str) -> list[str]:
    """A copy of ``lines`` with one cell replaced (``line_number`` 1-based as in messages)."""
    out = list(lines)
    fields = out[line_number - 1].split(",")
    fields[column] = value
    out[line_number - 1] = ",".join(fields)
    return out

"""The real knee-extension session in recordings/real with its sensor turned on the leg between its
second and third sets (sets at 2-80 s, 104-134 s and 163-236 s), as a patient would turn it (taken
off and put back, or twisted in its strap): over 6 s, the gyro reading the turn and gravity
following it. Shared by the moved-sensor tests of analyze, convert and report."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial.transform import Rotation, Slerp

from sensorkit.io import read_recording

REAL = Path(__file__).resolve().parents[1] / "recordings" / "real" / "uci_s1_test.csv"


def restrapped(turn: Rotation, from_s: float = 145.0, over_s: float = 6.0) -> pd.DataFrame:
    """The real session with the sensor turned by ``turn`` from ``from_s`` over ``over_s`` seconds
    (its readings turned into the new frame; the gyro also reads the turn itself)."""
    frame = read_recording(REAL).samples.to_frame()
    t = frame.t.to_numpy()
    path = Slerp([from_s, from_s + over_s], Rotation.concatenate([Rotation.identity(), turn]))
    now = path(np.clip(t, from_s, from_s + over_s))
    step_s = 1e-3
    spin_dps = np.degrees((path(np.clip(t + step_s, from_s, from_s + over_s)) * now.inv()).as_rotvec() / step_s)
    acc, gyr = ["acc_x", "acc_y", "acc_z"], ["gyr_x", "gyr_y", "gyr_z"]
    frame[acc] = now.inv().apply(frame[acc].to_numpy())
    frame[gyr] = now.inv().apply(frame[gyr].to_numpy() - spin_dps)
    return frame


def about_the_shin(deg: float) -> Rotation:
    """A turn of the sensor about the shin (the vertical at rest, the foot down): the strap slid round
    the ankle, or the sensor put back facing the other way."""
    acc = read_recording(REAL).samples.acc[:25].mean(axis=0)  # (the first second: the leg at rest)
    return Rotation.from_rotvec(np.radians(deg) * acc / np.linalg.norm(acc))

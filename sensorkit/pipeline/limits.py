"""Physical bounds shared by the stages (stage 1 and the later ones read them; none is tuned).

Each constant says where its figure comes from: the physics of a shank turning about the knee, a
consumer MEMS sensor's specification, or a figure measured on the real recordings.
"""
from __future__ import annotations

import math

import numpy as np

from sensorkit.pipeline.smallarray import median, row_norms
from sensorkit.samples import GRAVITY_MS2

#: a turn below this is left (deg): twice the tilt a 0.3 m/s² accelerometer bias (the
#: model leaves it out; consumer MEMS accelerometers' after calibration) puts on gravity, 1.75°
MIN_TURN_DEG = 2.0 * math.degrees(math.atan(0.3 / GRAVITY_MS2))
#: the largest angular acceleration of a leg (deg/s²): above the real recordings' largest, 4,600
#: (PHYTMO, a quick knee flexion-extension; UCI's quick set: 3,100). A rate that changes no faster
#: strays from the straight fill across a gap of ``T`` s by at most ``MAX_ALPHA_DPS2 · T / 2`` in
#: its middle, so the turn it misses is at most ``MAX_ALPHA_DPS2 · T² / 2`` (``T`` from the sample
#: before the gap to the one after it): 4° for 7 samples lost at 200 Hz, 36° for 2 at 25 Hz
MAX_ALPHA_DPS2 = 5000.0
#: the accelerometer reads gravity to within about 0.5° when the shank turns slower than this
#: (deg/s) and accelerates its turn less than this (deg/s²): ω²r and αr under 0.15 m/s² at
#: r = 0.45 m, and the smoothed reading's 0.1-s delay worth under 0.5°
QUIET_DPS, QUIET_DPS2 = 5.0, 20.0
#: the accelerometer's gravity is read over at least this long a quiet spell (s), at a rest or a top:
#: three times the smoothed signals' delay, which flags the first 0.1 s of a movement still quiet
#: (its lever-arm acceleration tilts a reading of a few samples by degrees), and the noise averaged
GRAVITY_QUIET_S = 0.3


def gravity_quiet_samples(fs_hz: float) -> int:
    """The fewest quiet samples the accelerometer's gravity is read over, at a rest or a top:
    ``GRAVITY_QUIET_S`` of them, and at least 3."""
    return max(3, int(GRAVITY_QUIET_S * fs_hz))


#: a quiet sample's accelerometer reads gravity's magnitude to within this (m/s²) of the other quiet
#: samples' median, or it is a glitch (a bad packet, a jolt), no gravity, whose direction may be
#: anything: half of g. At a quiet moment the lever arm adds under 0.3 (above); the real recordings'
#: quiet samples stay within 1.45 of their second's median (UCI subject 2, whose foot knocks); a
#: hold's tremor, which the smoothed rate does not see, moves simulated ones by up to 3.7 and
#: averages out (left in). One 40 m/s² sample among a quiet top's turned a 15° knee-out rep's range
#: to -3.6° (simulated seed 82039); one in the rest before a real rep lost it (UCI subject 1)
GRAVITY_SPREAD_MS2 = 5.0


def gravity_mean(acc_ms2: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The mean of the accelerometer rows (n, 3) read at quiet samples, those whose norm lies further
    than ``GRAVITY_SPREAD_MS2`` from their median norm left out; and which rows it kept (None: all).
    With every row kept, the sum over the rows in order divided by their count (as before the rule)."""
    norms = row_norms(acc_ms2)
    kept = np.abs(norms - median(norms)) <= GRAVITY_SPREAD_MS2  # (np.median's, without its overhead)
    if kept.all():
        return np.add.reduce(acc_ms2, axis=0) / len(acc_ms2), None
    return np.add.reduce(acc_ms2[kept], axis=0) / max(1, int(np.count_nonzero(kept))), kept

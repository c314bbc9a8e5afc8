"""A rep held for a moment turns no faster at its top than a leg can: its hold's wobble and sag,
which fade in and out over 0.3 s, are scaled down in a hold shorter than ``WOBBLE_FADE_S``.
Unscaled, 2-8 ms holds turned the shank at 60,000-400,000 deg/s² for a millisecond (a 40 m/s²
accelerometer sample at a quiet top: seed 82039's knee-out rep)."""
from __future__ import annotations

import numpy as np
import pytest

from sensorkit.sim import simulate_session

#: twice the largest angular acceleration in the real recordings (deg/s²; PHYTMO's quick swings: 4,600)
MAX_LEG_ALPHA_DPS2 = 10_000.0


@pytest.mark.parametrize("exercise, seed", [("hip_external_rotation", 82039), ("hip_external_rotation", 2),
                                            ("knee_extension", 6)])
def test_no_counted_rep_turns_faster_than_a_leg_can(exercise, seed):
    session = simulate_session(seed, exercise=exercise)
    reps = [tr for tr in session.truth if tr.kind != "rejected"]
    assert any(tr.hold_s < 0.05 for tr in reps)  # (each of these sessions has reps held a moment)
    for tr in reps:
        t = np.arange(tr.start_s, tr.end_s, 0.001)
        rate_dps = session.timeline.evaluate(t).rate_dps
        alpha_dps2 = np.linalg.norm(np.diff(rate_dps, axis=0), axis=1) / 0.001
        assert alpha_dps2.max() < MAX_LEG_ALPHA_DPS2, (tr.start_s, tr.hold_s)

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


@pytest.mark.parametrize("hold_s", [0.002, 0.1, 0.3, 0.59, 0.6, 2.0])
def test_a_rep_ends_at_its_rest_change_whatever_its_hold(hold_s):
    # The return drops by the range less the sag the hold carried, to the rep's rest_change_deg.
    # A hold shorter than WOBBLE_FADE_S carries its sag scaled down, but the return still took the
    # whole sag off: a 2-ms hold with a 2-deg sag ended 2 deg off the rest the rep was drawn to end at
    from sensorkit.sim.reps import RepShape, RepSpec, rep_angle_profile

    shape = RepShape(waves=((0.5, 2.0, 0.0),), sag_deg=2.0)
    spec = RepSpec(kind="full", rom_deg=40.0, out_s=1.2, hold_s=hold_s, return_s=1.5, rest_change_deg=0.7,
                   shape=shape)
    end_deg = float(np.degrees(rep_angle_profile(spec, 0.0).value(np.array([spec.duration_s + 1.0])))[0])
    assert end_deg == pytest.approx(spec.rest_change_deg, abs=1e-6)

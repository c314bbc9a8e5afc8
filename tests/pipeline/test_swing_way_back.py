"""The way back to rest after a swing past it is part of the movement before, not a row of its own;
a small movement from a rest keeps its row (tests/pipeline/synth.py signals, real PHYTMO series)."""
from pathlib import Path

import numpy as np
import pytest

from sensorkit import read_recording
from sensorkit.pipeline import Pipeline
from synth import min_jerk, random_setup, samples_of_angle

PHYTMO = Path(__file__).resolve().parents[3] / "shared" / "data" / "phytmo-knee-flexion-extension"
KNEE = {"exercise": "knee_extension"}


def knee_reps_with_backswings(stop_s: float, small_deg: float = 0.0, fs_hz: float = 50.0):
    """Four knee extensions of 60 deg held 1 s; each return swings 15 deg past the rest pose, stops
    there ``stop_s`` (0: turns straight back) and comes back to rest; a turn of ``small_deg`` (and
    back, from rest) after the second rep."""
    t = np.arange(0.0, 34.0, 1.0 / fs_hz)
    theta = np.zeros_like(t)
    for t0 in (3.0, 10.0, 17.0, 24.0):
        theta += 60 * min_jerk((t - t0) / 1.0) - 75 * min_jerk((t - t0 - 2.0) / 1.0)
        theta += 15 * min_jerk((t - t0 - 3.0 - stop_s) / 0.6)
    if small_deg:
        theta += small_deg * min_jerk((t - 14.5) / 0.5) - small_deg * min_jerk((t - 15.0) / 0.5)
    axis, g = random_setup(7)
    return Pipeline(meta=KNEE).run(samples_of_angle(theta, t, axis, g))


@pytest.mark.parametrize("stop_s", [0.0, 0.15, 0.4])
def test_a_return_that_swings_past_rest_and_comes_back_leaves_no_rejected_row(stop_s):
    reps = knee_reps_with_backswings(stop_s)
    assert [r.kind for r in reps] == ["full"] * 4, [(r.kind, r.reason, round(r.start_s, 2)) for r in reps]


def test_a_small_turn_from_rest_keeps_its_row():
    # 8 deg out and back from a rest, under knee extension's min_rom_deg (12): no rep, but a movement
    reps = knee_reps_with_backswings(0.15, small_deg=8.0)
    assert [r.kind for r in reps] == ["full", "full", "rejected", "full", "full"]
    assert reps[2].reason.startswith("too small")


@pytest.mark.skipif(not PHYTMO.exists(), reason=f"no real recordings at {PHYTMO}")
def test_a_real_series_of_swings_past_rest_gives_ten_reps_and_no_rejected_rows():
    # PHYTMO b05kfel0_2: ten continuous knee flexion-extensions, each return swinging up to 18 deg
    # past the rest pose into the next; the way back from six of those swings was a row of its
    # own, "too small (-1.7 deg)" and the like: six rejected movements in a correctly done series
    rec = read_recording(PHYTMO / "phytmo_b05kfel0_2.csv")
    reps = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
    assert [r.kind for r in reps] == ["full"] * 10, [(r.kind, r.reason) for r in reps if r.kind == "rejected"]


def test_a_small_piece_right_after_a_movement_that_was_no_rep_keeps_its_row():
    # simulated hip ER seed 9 (continuous series): a rep run into the one before is read as
    # "shaking", and what is left of it after that movement's end (1.7 deg) is no way back from a
    # rep: its row is the only trace of the rep, and stays
    from sensorkit.sim import simulate_session

    s = simulate_session(9, exercise="hip_external_rotation", continuous=True)
    reps = Pipeline(meta=s.meta).run(s.samples)
    shaking = next(i for i, r in enumerate(reps) if r.reason.startswith("shaking") and 39 < r.start_s < 40)
    after = reps[shaking + 1]
    assert after.kind == "rejected" and after.reason.startswith("too small") and 41.9 < after.start_s < 42.1

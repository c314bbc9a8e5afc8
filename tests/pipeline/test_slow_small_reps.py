"""A small rep turned slower than ``still_gyr_dps`` is a rep, not the rest pose moving.

The segmenter takes a pose the leg has been still at for ``rest_still_s`` (under half the last
counted rep's peak) for the rest pose shifted between sets. A low-amplitude hip rotation of 11°
turned out in 2.2 s peaks at 9.4 deg/s: "still" by the smoothed speed throughout, so the rest's
stillness ran on through the rep's way out into its hold, and the hold was taken for the new rest
within a second of reaching it: the rep "did not return to rest", its way back "swung the other
way" (seen in sessions of benchmarks/other_motion.py). The stillness that makes a pose a rest is
now the stillness inside the movement.
"""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from synth import min_jerk, random_setup, samples_of_angle

HIP = {"exercise": "hip_external_rotation"}


def session(rest_shift_deg: float, low_deg: float, out_s: float, still_s: float = 18.0, fs_hz: float = 25.0,
            shift_s: float = 1.5):
    """Five 30-deg reps (1.2-s phases, 3-s holds), the rest pose moved ``rest_shift_deg`` out at 60 s
    (in ``shift_s``) and still ``still_s`` there, then six reps of ``low_deg`` turned out in ``out_s``,
    held 3 s, back in ``out_s``."""
    t = np.arange(0.0, 200.0, 1.0 / fs_hz)
    theta = np.zeros_like(t)
    for start in (5, 13, 21, 29, 37):
        theta += 30 * min_jerk((t - start) / 1.2) - 30 * min_jerk((t - start - 4.2) / 1.2)
    theta += rest_shift_deg * min_jerk((t - 60.0) / shift_s)
    first = 60.0 + shift_s + still_s
    starts = [first + 12.0 * k for k in range(6)]
    for start in starts:
        theta += low_deg * min_jerk((t - start) / out_s) - low_deg * min_jerk((t - start - out_s - 3.0) / out_s)
    return samples_of_angle(theta, t, *random_setup(4)), starts


@pytest.mark.parametrize("rest_shift_deg", [0.0, 8.0])
def test_slow_small_reps_after_a_long_rest_are_counted_with_their_holds(rest_shift_deg):
    samples, starts = session(rest_shift_deg, low_deg=11.0, out_s=2.2)
    reps = Pipeline(meta=HIP).run(samples)
    low = [r for r in reps if r.start_s > starts[0] - 1.0]
    assert [r.kind for r in low] == ["partial"] * 6, [(r.kind, r.reason) for r in low]
    assert all(r.rom_deg == pytest.approx(11.0, abs=1.0) for r in low)
    assert all(r.hold_s == pytest.approx(3.0, abs=0.6) for r in low)


def test_a_pose_still_for_rest_still_s_after_a_slow_shift_is_still_the_rest():
    # the rule the change keeps: the leg moved 8 deg out slowly (6 s, under still_gyr_dps) and stays
    # there 30 s: that is the rest pose moved (no rep), and the reps from there count from there
    samples, starts = session(8.0, low_deg=20.0, out_s=1.2, shift_s=6.0, still_s=30.0)
    reps = Pipeline(meta=HIP).run(samples)
    assert not any(r.counted for r in reps if 45.0 < r.start_s < starts[0] - 1.0)
    low = [r for r in reps if r.start_s > starts[0] - 1.0]
    assert [r.kind for r in low] == ["partial"] * 6
    assert all(r.rom_deg == pytest.approx(20.0, abs=1.0) for r in low)


def test_a_fast_slice_of_the_other_motion_model_counts_every_session_exactly():
    # benchmarks/other_motion.py: a motion model apart from the project's simulator (profiles it
    # never draws, wobble, sag, two-stage returns, rest shifts between sets). Seeds 500021 and
    # 500033 were the hip sessions whose slow low-amplitude reps the rest's stillness swallowed
    # (counted 19 of 23 and 17 of 23); 700050 the hip session whose slow low-amplitude reps began
    # quiet (under 5 deg/s): the rest pose crept out with their first 2 deg, their sagging holds read
    # as back at rest, and their returns "swung the other way" (24 of 28); knee 700066 and 500038
    # continuous series whose last swing past rest stopped an instant at its bottom: the way back up
    # to the rest the series left, the rest there and a shift of the resting leg were a partial rep
    # (22 of 21, 28 of 27); 500000-500003 a plain slice of each exercise
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from other_motion import score

    for exercise, seeds in (("hip_external_rotation", (500021, 500033, 700050, 500000, 500001, 500002, 500003)),
                            ("knee_extension", (700066, 500038, 500000, 500001, 500002, 500003))):
        for seed in seeds:
            result = score(seed, exercise)
            assert result["counted"] == result["truth"], (exercise, seed, result)


def test_a_slow_way_out_under_min_rom_deg_is_not_cut_into_settled_pieces():
    # knee extension (min_rom_deg 12): reps of 16 deg turned out in 3.5 s (8.6 deg/s at most, "still"
    # by speed) after five 45-deg reps. While under 12 deg from rest the way out was a movement "too
    # small to be a rep" that settled as soon as it had been still a second by speed, turning all the
    # while: the rep came out as rejected 5-deg pieces, "did not return to rest", and a rejected way back
    fs_hz = 25.0
    t = np.arange(0.0, 160.0, 1.0 / fs_hz)
    theta = np.zeros_like(t)
    for start in (5, 13, 21, 29, 37):
        theta += 45 * min_jerk((t - start) / 1.2) - 45 * min_jerk((t - start - 4.2) / 1.2)
    starts = [60.0 + 14.0 * k for k in range(5)]
    for start in starts:
        theta += 16 * min_jerk((t - start) / 3.5) - 16 * min_jerk((t - start - 6.5) / 2.0)
    reps = Pipeline(meta={"exercise": "knee_extension"}).run(samples_of_angle(theta, t, *random_setup(7)))
    slow = [r for r in reps if r.start_s > starts[0] - 1.0]
    assert [r.kind for r in slow] == ["partial"] * 5, [(round(r.start_s, 1), r.kind, r.reason) for r in slow]
    assert all(r.rom_deg == pytest.approx(16.0, abs=1.0) for r in slow)

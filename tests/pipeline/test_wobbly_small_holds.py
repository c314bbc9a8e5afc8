"""A small rep's hold may wobble by as many degrees as a large one's: that is no shaking
(``PipelineConfig.reversal_floor_deg``: a reversal is large only when it swings back by more than
30 % of the range and more than 6.5°, the largest swing inside a real hold being 6.4°)."""
import numpy as np

from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session
from synth import min_jerk, random_setup, samples_of_angle


def _reps_with_a_wobbly_hold(rom_deg: float, wobble_deg: float, fs_hz: float = 100.0):
    """Four hip external rotations of ``rom_deg`` (out in 0.8 s, held 4 s, back in 1.2 s, 2 s of
    rest between); the second's hold wobbles ± ``wobble_deg`` / 2 at 1.5 Hz, tapered at its ends."""
    t = np.arange(0.0, 36.0, 1.0 / fs_hz)
    theta, t0 = np.zeros_like(t), 3.0
    for i in range(4):
        theta += rom_deg * min_jerk((t - t0) / 0.8) - rom_deg * min_jerk((t - t0 - 4.8) / 1.2)
        if i == 1:
            inside = (t > t0 + 0.8) & (t < t0 + 4.8)
            taper = np.sin(np.pi * (t - t0 - 0.8) / 4.0) ** 2
            theta += np.where(inside, 0.5 * wobble_deg * taper * np.sin(2 * np.pi * 1.5 * (t - t0 - 0.8)), 0.0)
        t0 += 8.0
    return Pipeline(meta={"exercise": "hip_external_rotation"}).run(samples_of_angle(theta, t, *random_setup(5)))


def test_a_small_rep_whose_hold_wobbles_6_deg_is_counted():
    # 12 deg out, wobbling 6 deg up and down in its hold (half its range, as a real 80-deg
    # rep's hold wobbles 2-6 deg): it was rejected, "shaking (3 swings back and forth)"
    reps = _reps_with_a_wobbly_hold(12.0, 6.0)
    assert [r.counted for r in reps] == [True] * 4, [r.reason for r in reps]


def test_a_hold_shaken_far_more_than_a_real_hold_wobbles_is_still_shaking():
    reps = _reps_with_a_wobbly_hold(12.0, 12.0)
    assert [r.counted for r in reps] == [True, False, True, True]
    assert "shaking" in reps[1].reason


def test_knee_out_reps_with_dipping_holds_are_counted():
    # held-out knee-out test bed, seed 522: three knee-outs whose holds dip and lift again by a
    # few degrees were rejected as "shaking" once their returns were read to the rest
    s = simulate_session(522, set_kinds=("knee_out", "knee_out"))
    found = Pipeline(meta=s.meta).run(s.samples)
    assert not [r.start_s for r in found if "shaking" in r.reason]

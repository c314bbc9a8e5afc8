"""A pause held out a long time before any rep: there is no rep yet to tell a hold from a rest by,
and the segmenter cuts a movement still out after ``max_movement_s`` (40 s: no rep) and takes the
pose for the rest. The live view timed it as a hold up to the cut (a 38-s "hold" timer, then
"not counted"). A still spell longer than the segmenter's ``rest_still_s`` (15 s, raised by a
prescribed hold to 1.5 times it) is the rest the leg came to: "rest", from that pose, no timer.
After a counted rep a hold is timed as long as it lasts.

Knee extension on exact signals (tests/pipeline/synth.py), 50 Hz, fed 2 samples a packet.
"""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from synth import min_jerk, random_setup, samples_of_angle


def shown(theta: np.ndarray, t: np.ndarray, meta: dict):
    """The reps, and after every packet: (time s, phase, angle deg, hold time shown s)."""
    samples = samples_of_angle(theta, t, *random_setup(4))
    pipeline, reps, status = Pipeline(meta={"exercise": "knee_extension", **meta}), [], []
    for packet in samples.chunks(2):
        reps += pipeline.update(packet)
        status.append((pipeline.time_s_, pipeline.phase_, pipeline.angle_deg_, pipeline.hold_elapsed_s_))
    return reps + pipeline.finish(), status


def held_out(hold_s: float, first_rep: bool = False):
    """40 deg out at 3 s (1.2 s), held ``hold_s``, back in 1.2 s; with ``first_rep``, a 45-deg rep
    (2-s hold) before it, the pause going out at 10 s instead."""
    t0 = 10.0 if first_rep else 3.0
    t = np.arange(0.0, t0 + 2.4 + hold_s + 4.0, 0.02)
    theta = 40 * min_jerk((t - t0) / 1.2) - 40 * min_jerk((t - t0 - 1.2 - hold_s) / 1.2)
    if first_rep:
        theta += 45 * min_jerk((t - 2.0) / 1.2) - 45 * min_jerk((t - 5.2) / 1.2)
    return theta, t


@pytest.mark.parametrize("meta, longest_s", [({}, 15.0), ({"target_hold_s": 12.0}, 18.0)])
def test_a_pause_held_out_long_before_any_rep_becomes_the_rest(meta, longest_s):
    reps, status = shown(*held_out(50.0), meta)
    assert reps[0].kind == "rejected" and reps[0].end_s - reps[0].start_s >= 40.0  # (the segmenter's cut)

    timer = max(hold for *_, hold in status)
    assert longest_s - 1.0 < timer <= longest_s + 0.5  # it ran to 38 s
    resting = [(t, angle) for t, phase, angle, _ in status if 25.0 <= t <= 50.0]  # (before the leg comes down)
    assert all(phase == "rest" for t, phase, *_ in status if 25.0 <= t <= 50.0)
    assert max(abs(angle) for _, angle in resting) < 2.0  # (from the pose it rests in; 40 deg from the first)


def test_after_a_counted_rep_a_long_hold_is_timed_to_its_end():
    reps, status = shown(*held_out(25.0, first_rep=True), {})
    assert [r.kind for r in reps] == ["full", "full"] and reps[1].hold_s > 24.0
    assert max(hold for *_, hold in status) > 24.0

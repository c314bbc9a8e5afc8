"""A movement the data's end cut (the recording stopped mid-rep) is rejected saying the data ended,
not blamed on the leg ("did not return to rest"): the gap's CUT_BY_GAP, at the end of the data."""
import numpy as np

from sensorkit.pipeline.pipeline import Pipeline
from sensorkit.pipeline.segment import CUT_BY_END

from synth import random_setup, reps_then, samples_of_angle


def two_reps_cut_at(end_s: float):
    """Two 30° reps held 2 s (at 2 s and 9 s), the data ending at ``end_s``."""
    t, theta = reps_then([(2.0, 30.0, 2.0), (9.0, 30.0, 2.0)], end_s)
    axis, g_rest = random_setup(5)
    return Pipeline().run(samples_of_angle(theta, t, axis, g_rest))


def test_a_rep_cut_in_its_hold_by_the_end_of_the_data_says_the_data_ended():
    reps = two_reps_cut_at(11.0)  # (the second rep out at 10.2 s, held: the data end in the hold)
    assert [r.kind for r in reps] == ["full", "rejected"]
    assert reps[-1].reason == CUT_BY_END == "cut short: the data ended before it returned to rest (the recording stopped)"
    assert reps[-1].start_s > 8.5 and np.isclose(reps[-1].end_s, 11.0 - 0.02)  # (ended at the last sample)


def test_the_same_reps_recorded_to_the_end_are_both_counted():
    assert [r.kind for r in two_reps_cut_at(16.0)] == ["full", "full"]

"""Tempo: a rushed rep (a third to a half of the patient's controlled movement time) is ``fast``."""
import pytest

from sensorkit.pipeline import Pipeline, PipelineConfig
from sensorkit.pipeline.tempo import TempoJudge
from synth import Move, Synth, random_setup


def controlled(n, hold_s=2.0):
    return [Move(35, hold_s=hold_s, out_s=1.6, return_s=1.8)] * n


def rushed(n, hold_s=2.0):
    return [Move(35, hold_s=hold_s, out_s=0.6, return_s=0.7)] * n


@pytest.mark.parametrize("strap", [0, 1])
def test_rushed_reps_after_controlled_ones_are_fast(strap):
    axis, g = random_setup(strap)
    synth = Synth(axis, g, moves=controlled(5) + rushed(3) + controlled(2))
    reps = Pipeline().run(synth.samples(noise=1.0))
    assert [r.tempo for r in reps] == ["normal"] * 5 + ["fast"] * 3 + ["normal"] * 2


def test_a_whole_rushed_set_does_not_become_the_norm():
    axis, g = random_setup(2)
    synth = Synth(axis, g, moves=controlled(3) + rushed(8))
    assert [r.tempo for r in Pipeline().run(synth.samples())] == ["normal"] * 3 + ["fast"] * 8


def test_the_hold_is_not_part_of_the_tempo():
    axis, g = random_setup(3)
    synth = Synth(axis, g, moves=controlled(4, hold_s=5) + controlled(3, hold_s=0.5))
    assert {r.tempo for r in Pipeline().run(synth.samples())} == {"normal"}


def test_the_prescribed_movement_time_is_the_reference():
    axis, g = random_setup(4)
    samples = Synth(axis, g, moves=controlled(4)).samples()
    assert {r.tempo for r in Pipeline(meta={"target_movement_s": 8}).run(samples)} == {"fast"}
    assert {r.tempo for r in Pipeline(meta={"target_movement_s": 4}).run(samples)} == {"normal"}


def test_rejected_movements_have_no_tempo():
    axis, g = random_setup(5)
    reps = Pipeline().run(Synth(axis, g, moves=controlled(3) + [Move(80)] + controlled(1)).samples())
    assert [(r.kind, r.tempo) for r in reps][3] == ("rejected", "")


def test_rushing_right_after_two_controlled_reps_is_caught_and_stays_caught():
    axis, g = random_setup(6)
    hurried = [Move(35, hold_s=2.0, out_s=0.45, return_s=0.5)] * 8  # 0.95 s: below 0.6 x the 2-s prior
    synth = Synth(axis, g, moves=controlled(2) + hurried)
    assert [r.tempo for r in Pipeline().run(synth.samples())] == ["normal"] * 2 + ["fast"] * 8


def test_judge_starts_from_the_exercise_prior_then_learns_the_patient():
    judge = TempoJudge(PipelineConfig(controlled_movement_s=2.0, tempo_min_reps=3))
    # the first reps: against the prior (fast below 0.6 x 2.0 s)
    assert [judge.judge(s) for s in (1.1, 1.0, 1.1)] == ["fast", "fast", "fast"]
    # every rep so far quicker than the prior: this patient is simply quick
    assert judge.reference_s == pytest.approx(1.1)
    assert [judge.judge(s) for s in (1.0, 1.2, 1.1, 0.5)] == ["normal", "normal", "normal", "fast"]
    assert judge.reference_s == pytest.approx(1.1)  # now the median of the normal reps


def test_a_patient_who_rushes_from_the_first_rep_is_caught_once_controlled_reps_come():
    judge = TempoJudge(PipelineConfig(controlled_movement_s=2.0, tempo_min_reps=3, tempo_history=20))
    rushed_then = [judge.judge(s) for s in (1.3, 1.3, 1.3, 1.3)]  # quick, but not below 0.6 x the prior
    controlled_then = [judge.judge(s) for s in (3.4, 3.3, 3.5, 3.4, 3.4)]
    assert rushed_then == ["normal"] * 4 and controlled_then == ["normal"] * 5
    assert judge.judge(1.3) == "fast"  # the same pace, now that the patient's own tempo is known

"""Tempo: a rep much shorter than the patient's controlled rep (hold included) is ``fast``.

What the real recordings show (UCI, 3 subjects): a "fast" rep skips most of the hold and moves
only somewhat quicker, so it lasts 30-50 % of a correct one; a low-amplitude rep, slow and held,
lasts about as long as a correct one. The whole rep is timed, and ``fast`` is below 0.6 × the
reference.
"""
import pytest

from sensorkit.pipeline import Pipeline, PipelineConfig
from sensorkit.pipeline.tempo import TempoJudge
from synth import Move, Synth, random_setup


def controlled(n, rom_deg=35, hold_s=3.0):
    return [Move(rom_deg, hold_s=hold_s, out_s=1.6, return_s=1.8)] * n  # 6.4 s a rep


def rushed(n):
    return [Move(35, hold_s=0.3, out_s=1.2, return_s=1.3)] * n  # 2.8 s: the hold skipped


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


def test_slow_held_low_amplitude_reps_are_normal():
    axis, g = random_setup(3)
    synth = Synth(axis, g, moves=controlled(4) + controlled(3, rom_deg=18))
    reps = Pipeline().run(synth.samples())
    assert [r.kind for r in reps] == ["full"] * 4 + ["partial"] * 3
    assert {r.tempo for r in reps} == {"normal"}


def test_the_prescribed_rep_is_the_reference():
    axis, g = random_setup(4)
    samples = Synth(axis, g, moves=controlled(4)).samples()
    # 3.4 s of movement + 5 s of hold prescribed: 6.4-s reps are normal; with a 10-s hold, rushed
    assert {r.tempo for r in Pipeline(meta={"target_movement_s": 3.4, "target_hold_s": 5}).run(samples)} == {"normal"}
    assert {r.tempo for r in Pipeline(meta={"target_movement_s": 3.4, "target_hold_s": 10}).run(samples)} == {"fast"}


def test_a_rep_that_skips_a_prescribed_hold_is_fast_from_the_first():
    # only the hold prescribed (8 s, as simulated sessions and prescriptions give it): two reps held
    # 8 s, one held 0.1 s (its whole rep 3.2 s), one held 8 s. The one that skipped the hold was
    # "normal": with no movement target there was no prescribed reference, and the exercise's
    # prior (hip ER: a 5-s rep with a 2-s hold) leaves 3.2 s above 0.6 x 5 s. Now the reference is
    # that prior with the prescribed hold in place of its 2 s: 11 s
    axis, g = random_setup(6)
    moves = [Move(35, hold_s=8.0, out_s=1.5, return_s=1.5)] * 2 + [Move(35, hold_s=0.1, out_s=1.5, return_s=1.6),
                                                                   Move(35, hold_s=8.0, out_s=1.5, return_s=1.5)]
    reps = Pipeline(meta={"target_hold_s": 8}).run(Synth(axis, g, moves=moves).samples(noise=1.0))
    assert [r.tempo for r in reps] == ["normal", "normal", "fast", "normal"]
    # a rep held as prescribed is normal however quick its movement: 0.8 s out and back, 8-s hold
    quick = Synth(axis, g, moves=[Move(35, hold_s=8.0, out_s=0.8, return_s=0.8)] * 3).samples(noise=1.0)
    assert {r.tempo for r in Pipeline(meta={"target_hold_s": 8}).run(quick)} == {"normal"}


def test_rejected_movements_have_no_tempo():
    axis, g = random_setup(5)
    reps = Pipeline().run(Synth(axis, g, moves=controlled(3) + [Move(80)] + controlled(1)).samples())
    assert [(r.kind, r.tempo) for r in reps][3] == ("rejected", "")


def test_judge_starts_from_the_exercise_prior_then_learns_the_patient():
    judge = TempoJudge(PipelineConfig(controlled_rep_s=6.0, tempo_min_reps=3))
    # the first reps: against the prior (fast below 0.6 x 6 s)
    assert [judge.judge(s, hold_s=1.5) for s in (3.0, 3.2, 3.1)] == ["fast", "fast", "fast"]
    # every rep so far quicker than the prior, yet held on purpose: this patient is simply quick
    assert judge.reference_s == pytest.approx(3.1)
    assert [judge.judge(s, hold_s=1.5) for s in (3.0, 3.3, 3.1)] == ["normal", "normal", "normal"]
    assert judge.judge(1.5, hold_s=0.0) == "fast"
    assert judge.reference_s == pytest.approx(3.1)  # now the median of the normal reps


def test_a_patient_who_rushes_from_the_first_rep_is_caught_once_controlled_reps_come():
    judge = TempoJudge(PipelineConfig(controlled_rep_s=6.0, tempo_min_reps=3, tempo_history=20))
    rushed_then = [judge.judge(s, hold_s=0.5) for s in (3.9, 3.9, 3.9, 3.9)]  # short, but not below 0.6 x the prior
    controlled_then = [judge.judge(s, hold_s=3.0) for s in (7.4, 7.3, 7.5, 7.4, 7.4)]
    assert rushed_then == ["normal"] * 4 and controlled_then == ["normal"] * 5
    assert judge.judge(3.9, hold_s=0.5) == "fast"  # the same pace, now that the patient's own tempo is known


def test_swings_without_a_hold_stay_fast_however_many_come():
    # a continuous series (PHYTMO: 1.4-s swings, no pause, no hold) is "too fast" from its first rep
    # to its last: quick reps that skip the hold never become the patient's norm
    judge = TempoJudge(PipelineConfig(controlled_rep_s=6.0, tempo_min_reps=3))
    assert [judge.judge(1.4, hold_s=0.0) for _ in range(10)] == ["fast"] * 10
    assert judge.reference_s == pytest.approx(6.0)


def test_one_unheld_rep_among_the_first_keeps_the_prior():
    judge = TempoJudge(PipelineConfig(controlled_rep_s=6.0, tempo_min_reps=3))
    assert [judge.judge(3.0, hold_s=h) for h in (1.5, 0.2, 1.5)] == ["fast"] * 3
    assert judge.judge(3.0, hold_s=1.5) == "fast"  # not "simply quick": one of them skipped the hold


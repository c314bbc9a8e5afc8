"""A fidget of the exercise's own turn, quick or held briefly, is no rep; a small rep held at the
top as reps are held on purpose, or a partial rep half the patient's range, still is
(``min_rep_fraction``; tests/pipeline/synth.py signals)."""
import pytest

from sensorkit.pipeline import Pipeline, PipelineConfig
from synth import Move, Synth, random_setup


def reps_of(*moves: Move, strap: int = 4, **params):
    axis, g = random_setup(strap)
    return Pipeline(PipelineConfig(**params)).run(Synth(axis, g, moves=list(moves)).samples(noise=1.0))


FULL = Move(35, hold_s=2)


@pytest.mark.parametrize("strap", [0, 4])
def test_a_quick_small_turn_between_held_reps_is_a_fidget_not_a_partial_rep(strap):
    # hip ER: reps of 35 deg held 2 s; between them the thigh turns 7 deg about the same axis and
    # straight back in 0.7 s (as a simulated fidget does, development seeds 24, 48, 127, 173).
    # It passed every test of shape and axis, and 7 deg is under 0.8 x 35: it counted as partial
    reps = reps_of(FULL, FULL, Move(7, hold_s=0, out_s=0.35, return_s=0.35), FULL, strap=strap)
    assert [r.kind for r in reps] == ["full", "full", "rejected", "full"]
    assert reps[2].reason.startswith("too small for a rep, not held") and reps[2].rom_deg == pytest.approx(7.0, abs=0.5)
    assert [r.rep for r in reps if r.counted] == [1, 2, 3]


def test_a_small_rep_held_at_the_top_is_still_a_partial_rep():
    # the same 7 deg, held 2 s as the patient's reps are: done on purpose, a (very) partial rep
    reps = reps_of(FULL, FULL, Move(7, hold_s=2, out_s=0.8, return_s=0.8), FULL)
    assert [r.kind for r in reps] == ["full", "full", "partial", "full"]


def test_a_small_turn_held_briefly_is_still_a_fidget():
    # the same 7 deg held 0.8 s: as the real small movement between UCI subject 1's template reps
    # (5.8 deg, held 0.56 s), not as a rep held on purpose (real ones: 1.78 s and more). It counted
    # as partial (any hold of 0.5 s or more was taken as meant)
    reps = reps_of(FULL, FULL, Move(7, hold_s=0.8, out_s=0.8, return_s=0.8), FULL)
    assert [r.kind for r in reps] == ["full", "full", "rejected", "full"]
    assert reps[2].reason.startswith("too small for a rep, not held (") and "; held 0." in reps[2].reason


def test_a_quick_partial_rep_of_half_the_range_is_still_counted():
    # no hold, but half the typical range: the smallest real low-amplitude rep reaches 0.53 of it
    reps = reps_of(FULL, FULL, Move(17.5, hold_s=0, out_s=0.8, return_s=0.8), FULL)
    assert [r.kind for r in reps] == ["full", "full", "partial", "full"]


def test_min_rep_fraction_zero_counts_the_fidget_as_before():
    reps = reps_of(FULL, FULL, Move(7, hold_s=0, out_s=0.35, return_s=0.35), FULL, min_rep_fraction=0.0)
    assert [r.kind for r in reps] == ["full", "full", "partial", "full"]


@pytest.mark.parametrize("seed, exercise", [(1, "hip_external_rotation"), (10, "knee_extension"), (17, "hip_external_rotation")])
def test_a_leg_shakes_half_swings_are_not_read_tens_of_degrees_behind_rest(seed, exercise):
    # a simulated leg shake at 104 Hz is cut into half-swings of 0.1-0.2 s with no quiet rest before
    # them: the start was fitted, with the lever arm, from the accelerometer over 12-19 smoothed
    # samples, and the shake's own acceleration put it 20-40 deg off: rows "too small (-37.6 deg)"
    # (29 such rows in 120 development sessions). Shorter than a period of the smoothing's cut-off,
    # a movement keeps the filter's angle at its start
    from sensorkit.sim import simulate_session

    s = simulate_session(seed, exercise=exercise, sample_rate_hz=104.0)
    reps = Pipeline(meta=s.meta).run(s.samples)
    assert min(r.rom_deg for r in reps) > -5.0
    assert sum(r.counted for r in reps) == sum(m.counted for m in s.truth)

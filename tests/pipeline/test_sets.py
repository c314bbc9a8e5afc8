"""Reps are numbered into sets: a pause of ``set_break_s`` (10 s) or more since the last counted
rep starts a new set (tests/pipeline/synth.py signals; the real UCI sessions, whose labels give
the sets)."""
import json
from pathlib import Path

import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline, PipelineConfig
from synth import Move, Synth, random_setup

UCI = Path(__file__).resolve().parents[3] / "shared" / "data" / "uci-pt-knee-extension"


def reps_of(moves, **params):
    axis, g = random_setup(3)
    return Pipeline(PipelineConfig(**params)).run(Synth(axis, g, moves=moves).samples(noise=1.0))


def test_a_long_pause_between_reps_starts_a_new_set():
    # three reps 2 s apart, a 25-s pause, two more; a fidget in the pause is no rep and has no set
    moves = [Move(35, rest_after_s=2.0)] * 2 + [Move(35, rest_after_s=12.0), Move(6, hold_s=0, out_s=0.4, return_s=0.4,
                                                                             rest_after_s=12.0)] + [Move(35)] * 2
    reps = reps_of(moves)
    assert [(r.kind, r.set) for r in reps] == [("full", 1)] * 3 + [("rejected", None)] + [("full", 2)] * 2


def test_rests_shorter_than_the_set_break_keep_one_set():
    reps = reps_of([Move(35, rest_after_s=8.0)] * 4)
    assert [r.set for r in reps] == [1, 1, 1, 1]
    assert [r.set for r in reps_of([Move(35, rest_after_s=8.0)] * 4, set_break_s=5.0)] == [1, 2, 3, 4]


@pytest.mark.skipif(not UCI.exists(), reason=f"no real recordings at {UCI}")
@pytest.mark.parametrize("subject", [1, 2, 3])
def test_the_real_test_sessions_have_their_three_labelled_sets(subject):
    # each test session: 10 correct reps, a 24-41 s pause, 10 fast, a pause, 10 low-amplitude
    name = f"uci_s{subject}_test"
    rec = read_recording(UCI / f"{name}.csv")
    sets = json.loads((UCI / "labels.json").read_text())[name]["sets"]
    counted = [r for r in Pipeline(meta=rec.meta.to_dict()).run(rec.samples) if r.counted]
    for r in counted:
        labelled = next(i + 1 for i, s in enumerate(sets) if s["start_s"] - 1 <= r.start_s <= s["end_s"] + 1)
        assert r.set == labelled, (r.rep, r.start_s, r.set, labelled)


@pytest.mark.skipif(not UCI.exists(), reason=f"no real recordings at {UCI}")
@pytest.mark.parametrize("subject", [1, 2, 3])
def test_the_real_template_sessions_are_one_set(subject):
    # 3 correct, 3 fast and 3 low-amplitude reps done in one go (1.4-8.2 s between the groups)
    rec = read_recording(UCI / f"uci_s{subject}_template.csv")
    assert {r.set for r in Pipeline(meta=rec.meta.to_dict()).run(rec.samples) if r.counted} == {1}


@pytest.mark.skipif(not UCI.exists(), reason=f"no real recordings at {UCI}")
def test_a_gap_in_the_data_is_no_pause_between_sets():
    # 8.5 s of subject 1's first set lost (a reconnect): the rep it cut and the movement the data
    # resumed in are no reps, and the 18 s from the last counted rep to the next are no pause of the
    # patient's. Counted as one, they split the set in two
    rec = read_recording(UCI / "uci_s1_test.csv")
    s = rec.samples
    keep = (s.t < 40.0) | (s.t >= 48.5)
    reps = Pipeline(meta=rec.meta.to_dict()).run(type(s)(s.t[keep], s.acc[keep], s.gyr[keep]))
    assert [r.set for r in reps if r.counted and r.start_s < 90] == [1] * 8

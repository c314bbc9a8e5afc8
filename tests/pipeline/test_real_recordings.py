"""Real recordings are the judge: every labelled real session counted exactly (issue 12 targets).

The recordings live in ``../shared/data`` beside the repository (UCI "Physical Therapy Exercises"
knee extension, 3 subjects, and PHYTMO continuous knee flexion-extension; each folder's README gives
source, licence and labels). Users of the package do not have them: the tests skip without them.
Targets: every session counted exactly (UCI: 30 per test session, 9 per template, 0 on the other
ankle; PHYTMO: 10 per series, 10 or 11 for the incorrect one, whose small 11th swing may count);
kind and tempo right on at least 95 % of the labelled UCI reps.
"""
from pathlib import Path

import pytest

from sensorkit.accuracy import score_real_folder

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
UCI, PHYTMO = DATA / "uci-pt-knee-extension", DATA / "phytmo-knee-flexion-extension"
pytestmark = pytest.mark.skipif(not (UCI / "labels.json").exists(), reason=f"no real recordings at {DATA}")


@pytest.fixture(scope="module")
def uci():
    return score_real_folder(UCI)


def test_every_uci_session_is_counted_exactly(uci):
    sessions, _ = uci
    assert len(sessions) == 9
    assert [(s["recording"], s["counted"]) for s in sessions] == [(s["recording"], s["truth"]) for s in sessions]


def test_every_uci_set_is_counted_and_its_kind_and_tempo_are_right(uci):
    _, sets = uci
    assert [s["counted"] for s in sets] == [s["truth"] for s in sets]
    labelled = sum(s["labelled"] for s in sets)
    assert labelled == 3 * 30 + 3 * 9
    assert sum(s["kind_ok"] for s in sets) >= 0.95 * labelled
    assert sum(s["tempo_ok"] for s in sets) >= 0.95 * labelled


def test_fast_reps_are_the_short_ones_and_low_amplitude_reps_are_held(uci):
    _, sets = uci
    for s in sets:
        if s["execution"] == "fast":
            assert s["hold_median_s"] < 1.5
        else:
            assert s["hold_median_s"] > 1.5


def test_continuous_series_are_split_into_their_reps():
    sessions, _ = score_real_folder(PHYTMO)
    for s in sessions:
        allowed = {10, 11} if s["recording"] == "phytmo_b05kfel1_1" else {10}  # labelled incorrect
        assert s["counted"] in allowed, s

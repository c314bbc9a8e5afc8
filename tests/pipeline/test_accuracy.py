"""Accuracy against the simulator's physics truth, on seeds never used while developing.

Targets from the core issue: rep F1 >= 0.98, exact count in >= 95 % of sessions, kind correct on
>= 95 % of detected reps, distractors rejected >= 95 %, ROM RMSE <= 2 deg, hold MAE <= 0.3 s.
(The same evaluation prints the figures: ``python benchmarks/accuracy.py``.)
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from accuracy import HELD_OUT, evaluate, parse_seeds  # noqa: E402

FRESH_SEEDS = parse_seeds(HELD_OUT)


@pytest.fixture(scope="module")
def figures():
    total, by_rate = evaluate(FRESH_SEEDS)
    return total.figures(), {rate: s.figures() for rate, s in by_rate.items()}


def test_rep_detection(figures):
    overall, _ = figures
    assert overall["rep_f1"] >= 0.98
    assert overall["exact_count_share"] >= 0.95


def test_kinds_and_distractors(figures):
    overall, _ = figures
    assert overall["kind_accuracy"] >= 0.95
    assert overall["distractor_rejection"] >= 0.95


def test_rom_and_hold(figures):
    overall, by_rate = figures
    assert overall["rom_rmse_deg"] <= 2.0
    assert overall["hold_mae_s"] <= 0.3
    for rate, f in by_rate.items():  # whatever the sample rate
        assert f["rom_rmse_deg"] <= 2.0, rate

"""``convert --from-s/--to-s``: the part of a recording between two times, as a recording of its own
(``NAME_fromAs``, ``NAME_toBs``, ``NAME_As-Bs``), its ``t`` and sidecar kept. What a moved-sensor
warning points to: a set whose reps a sensor turned on the leg lost is counted from the part after
the sensor was put back."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from scipy.spatial.transform import Rotation

from sensorkit.cli import cli
from sensorkit.io import read_recording

from turned_sensor import REAL, about_the_shin, restrapped


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_set_a_turned_sensor_lost_is_counted_from_the_part_after_it_was_put_back(tmp_path):
    moved = tmp_path / "in" / "moved.csv"
    moved.parent.mkdir()
    restrapped(about_the_shin(90.0)).to_csv(moved, index=False, float_format="%.6f")  # (turned at 145-151 s)
    started = "2026-11-24T09:30:00+00:00"
    moved.with_suffix(".json").write_text(json.dumps({**json.loads(REAL.with_suffix(".json").read_text()),
                                                      "started_at": started}))
    before = moved.read_bytes()
    result = run("convert", moved, "--from-s", "152", "--out", tmp_path / "part")
    assert result.exit_code == 0, result.output
    part = tmp_path / "part" / "moved_from152s.csv"
    assert f"{moved} -> {part}" in result.stdout
    assert moved.read_bytes() == before  # (the input untouched)
    rec = read_recording(part)
    assert rec.samples.t[0] >= 152.0 and rec.samples.t[-1] == read_recording(moved).samples.t[-1]  # (t as it was)
    assert json.loads(part.with_suffix(".json").read_text())["started_at"] == started  # (t is still from it)
    result = run("analyze", part, "--out", tmp_path / "an")
    assert result.exit_code == 0, result.output
    reps = pd.read_csv(tmp_path / "an" / "reps.csv")
    counted = reps[reps.kind != "rejected"]
    # the unturned session's third set: 10 reps held 2.9-4.4 s, at the same times
    whole = pd.read_csv(_analyzed(tmp_path, REAL) / "reps.csv")
    third = whole[(whole.kind != "rejected") & (whole.start_s > 152)]
    assert len(counted) == 10
    assert np.allclose(counted.start_s.to_numpy(), third.start_s.to_numpy(), atol=0.1)
    assert np.allclose(counted.hold_s.to_numpy(), third.hold_s.to_numpy(), atol=0.2)


def _analyzed(tmp_path: Path, recording: Path) -> Path:
    out = tmp_path / "whole"
    assert run("analyze", recording, "--out", out).exit_code == 0
    return out


def test_both_bounds_name_the_part_and_keep_what_lies_between(tmp_path):
    result = run("convert", REAL, "--from-s", "10", "--to-s", "20.5", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    t = read_recording(tmp_path / "uci_s1_test_10s-20.5s.csv").samples.t
    whole = read_recording(REAL).samples.t
    assert np.array_equal(t, whole[(whole >= 10) & (whole < 20.5)])
    result = run("convert", REAL, "--to-s", "5", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert read_recording(tmp_path / "uci_s1_test_to5s.csv").samples.t[-1] < 5


def test_a_part_with_no_samples_fails_in_one_line_and_writes_nothing(tmp_path):
    result = run("convert", REAL, "--from-s", "300", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (f"{REAL}: no samples from 300 s to its end (its samples"
                                                      " span 0.000-237.920 s); nothing written")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_bounds_the_wrong_way_round_are_a_usage_error(tmp_path):
    result = run("convert", REAL, "--from-s", "30", "--to-s", "20", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--from-s 30 must be before --to-s 20" in result.stderr

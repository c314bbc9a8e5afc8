"""``analyze --exercise/--side`` and ``plot --exercise/--side``: what a recording is, where its
sidecar does not say; and the warning when neither says which exercise (docs/cli.md).

The recording is the real knee-extension session in recordings/real (30 counted reps in its labels);
analysed as the default hip external rotation it counts 3 and rejects 27.
"""
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"
COUNTED = json.loads((REAL.parent / "labels.json").read_text())["uci_s1_test"]["counted_reps"]


def run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture
def bare(tmp_path, monkeypatch):
    """The knee-extension recording copied without its sidecar, as ``bare.csv`` in the working folder."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(REAL, tmp_path / "bare.csv")
    return Path("bare.csv")


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(out / "reps.csv", keep_default_na=False),
            pd.read_csv(out / "sessions.csv", keep_default_na=False))


def test_exercise_and_side_given_analyse_a_recording_without_a_sidecar_as_its_sidecar_would(bare, tmp_path):
    result = run("analyze", bare, "--out", "given", "--exercise", "knee_extension", "--side", "right", "--quiet")
    assert result.exit_code == 0, result.output
    shutil.copy(REAL, tmp_path / "with_sidecar.csv")
    shutil.copy(REAL.with_suffix(".json"), tmp_path / "with_sidecar.json")
    assert json.loads(REAL.with_suffix(".json").read_text())["exercise"] == "knee_extension"
    assert run("analyze", "with_sidecar.csv", "--out", "sidecar", "--quiet").exit_code == 0
    (reps, sessions), (expected, _) = tables(Path("given")), tables(Path("sidecar"))
    assert reps.drop(columns=["recording", "path"]).equals(expected.drop(columns=["recording", "path"]))
    assert (reps.kind != "rejected").sum() == COUNTED
    assert sessions.loc[0, "exercise"] == "knee_extension" and sessions.loc[0, "side"] == "right"
    assert "analysed as" not in sessions.loc[0, "warnings"]


def test_without_sidecar_or_exercise_one_warning_names_the_file_and_the_exercise_assumed(bare):
    result = run("analyze", bare, "--out", "out")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert ("warning: bare.csv: no sidecar bare.json: analysed as hip_external_rotation, the default;"
            " give --exercise to say which it is") in warnings
    dated = [w for w in warnings if "modification time" in w]
    assert len(dated) == 1 and dated[0].startswith("warning: bare.csv: no sidecar bare.json; dated by")
    assert "no started_at in its sidecar" not in result.stderr  # (there is no sidecar at all)
    _, sessions = tables(Path("out"))
    assert "no sidecar bare.json: analysed as hip_external_rotation" in sessions.loc[0, "warnings"]


def test_a_sidecar_that_names_no_exercise_is_warned_of_and_exercise_given_says_it(bare):
    Path("bare.json").write_text(json.dumps({"patient": "p1", "started_at": "2026-11-24T09:30:00+01:00"}))
    result = run("analyze", bare, "--out", "out")
    assert ("warning: bare.csv: its sidecar names no exercise: analysed as hip_external_rotation, the default;"
            ' name it in the sidecar ("exercise") or with analyze/plot --exercise') in result.stderr.splitlines()
    said = run("analyze", bare, "--out", "said", "--exercise", "knee_extension")
    assert said.exit_code == 0 and "warning" not in said.stderr, said.stderr
    reps, sessions = tables(Path("said"))
    assert (reps.kind != "rejected").sum() == COUNTED and sessions.loc[0, "patient"] == "p1"
    assert sessions.loc[0, "side"] == ""  # (no --side, none in the sidecar: not known)


def test_the_sidecars_own_exercise_and_side_hold_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REAL, "knee.csv")
    shutil.copy(REAL.with_suffix(".json"), "knee.json")
    result = run("analyze", "knee.csv", "--out", "out", "--exercise", "hip_external_rotation", "--side", "left")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert ("warning: knee.csv: its sidecar says exercise knee_extension, which holds: not the --exercise"
            " hip_external_rotation given for recordings whose sidecar names none") in lines
    assert ("warning: knee.csv: its sidecar says side right, which holds: not the --side left given for"
            " recordings whose sidecar names none") in lines
    reps, sessions = tables(Path("out"))
    assert (reps.kind != "rejected").sum() == COUNTED
    assert (sessions.exercise == "knee_extension").all() and (reps.side == "right").all()


def test_plot_takes_the_exercise_for_a_recording_without_a_sidecar(bare):
    pytest.importorskip("matplotlib")
    assumed = run("plot", bare, "--out", "assumed.png")
    assert assumed.exit_code == 0, assumed.output
    assert "bare.csv: no sidecar bare.json: analysed as hip_external_rotation" in assumed.stderr
    given = run("plot", bare, "--out", "given.png", "--exercise", "knee_extension", "--side", "right")
    assert given.exit_code == 0 and "warning" not in given.stderr, given.stderr
    assert Path("given.png").read_bytes() != Path("assumed.png").read_bytes()
    refused = run("plot", "--patient-report", "report.csv", "--out", "plots", "--exercise", "knee_extension")
    assert refused.exit_code == 2 and "not for --patient-report" in refused.output


def test_a_report_warns_of_a_session_whose_sidecar_names_no_exercise(bare):
    Path("p1.toml").write_text('patient = "p1"\ntimezone = "UTC"\nstart = 2026-10-01\n\n[[exercise]]\n'
                               'name = "hip_external_rotation"\nsides = ["right"]\nsets = 3\nreps_per_set = 10\n'
                               'hold_s = 2\nrom_deg = 30\ndays_per_week = 7\n')
    Path("bare.json").write_text(json.dumps({"patient": "p1", "side": "right", "started_at": "2026-11-24T09:30:00+00:00"}))
    result = run("report", "--prescription", "p1.toml", bare, "--out", "report.csv", "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert ("warning: bare.csv: its sidecar names no exercise: analysed as hip_external_rotation, the default;"
            ' name it in the sidecar ("exercise") or with analyze/plot --exercise') in result.stderr.splitlines()


def test_a_recording_converted_without_exercise_is_analysed_as_a_later_exercise_says(bare):
    # convert, told no exercise, writes none into the sidecar (the default filled in on reading is no
    # one's word): analyze --exercise then decides, with no "the sidecar says otherwise" warning
    assert run("convert", bare, "--out", "converted").exit_code == 0
    assert "exercise" not in json.loads(Path("converted/bare.json").read_text())
    result = run("analyze", "converted/bare.csv", "--out", "out", "--exercise", "knee_extension")
    assert result.exit_code == 0, result.output
    reps, sessions = tables(Path("out"))
    assert sessions.loc[0, "exercise"] == "knee_extension"
    assert (reps.kind != "rejected").sum() == COUNTED
    assert "hip_external_rotation" not in result.stderr


def test_a_recording_converted_with_exercise_keeps_it(bare):
    assert run("convert", bare, "--out", "converted", "--exercise", "knee_extension").exit_code == 0
    assert json.loads(Path("converted/bare.json").read_text())["exercise"] == "knee_extension"

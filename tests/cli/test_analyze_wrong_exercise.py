"""A recording whose sidecar names the wrong exercise: its movements do not fit it, and
``sessions.csv`` (and ``report``'s log) say so in a warning, instead of a few reps with status ok
and nothing else (docs/batch.md).

The recording is the real knee-extension session in recordings/real (30 reps, each 70-89 deg):
as hip external rotation (range up to 60 deg) 27 of its 30 movements are rejected as beyond the range.
"""
import json
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sensorkit.cli import cli

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"
MISFIT = ("knee.csv: 27 of its 30 movements went beyond the range of hip_external_rotation (over 60 deg): is this"
          " another exercise? Check the exercise it was analysed as (the sidecar's, or --exercise; its reps are counted as hip_external_rotation's)")


def run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def knee_extension_recording(folder: Path, exercise: str) -> Path:
    """The real knee extension as ``knee.csv``, its sidecar naming ``exercise``."""
    shutil.copy(REAL, folder / "knee.csv")
    meta = json.loads(REAL.with_suffix(".json").read_text())
    (folder / "knee.json").write_text(json.dumps({**meta, "exercise": exercise, "patient": "p1",
                                                  "started_at": "2026-11-24T09:30:00+00:00"}))
    return Path("knee.csv")


def test_movements_beyond_the_exercise_s_range_are_warned_of_in_sessions_csv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wrong = run("analyze", knee_extension_recording(tmp_path, "hip_external_rotation"), "--out", "out")
    assert wrong.exit_code == 0, wrong.output
    assert f"warning: {MISFIT}" in wrong.stderr.splitlines()
    session = pd.read_csv("out/sessions.csv", keep_default_na=False).loc[0]
    assert (session.status, session.reps_counted, session.rejected, session.warnings) == ("ok", 3, 27, MISFIT)


def test_the_right_exercise_gives_no_such_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    right = run("analyze", knee_extension_recording(tmp_path, "knee_extension"), "--out", "out")
    assert right.exit_code == 0 and "warning" not in right.stderr, right.stderr
    session = pd.read_csv("out/sessions.csv", keep_default_na=False).loc[0]
    assert (session.reps_counted, session.rejected, session.warnings) == (30, 0, "")


def test_a_report_logs_the_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("p1.toml").write_text('patient = "p1"\ntimezone = "UTC"\nstart = 2026-11-01\n\n[[exercise]]\n'
                               'name = "hip_external_rotation"\nsides = ["right"]\nsets = 3\nreps_per_set = 10\n'
                               'hold_s = 2\nrom_deg = 30\ndays_per_week = 7\n')
    recording = knee_extension_recording(tmp_path, "hip_external_rotation")
    result = run("report", "--prescription", "p1.toml", recording, "--out", "report.csv", "--log", "log.txt",
                 "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert f"warning: {MISFIT}" in Path("log.txt").read_text().splitlines()

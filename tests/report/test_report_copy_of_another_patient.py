"""An identical recording whose sidecar names another patient is no backup: one of the two sidecars
is wrong. The report counts it for the first file's patient only and says so naming both files and
both patients (not "counted once", which left the other patient's calendar saying no recording
without a word why); ``analyze`` warns likewise, and of a plain copy too (docs/formats.md)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli
from sensorkit.report import build_report, load_prescriptions
from sensorkit.report.build import skip_kind

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def copy_for(folder: Path, patient: str) -> Path:
    """sim_9013 (hip ER, right) as ``folder/s.csv``, its sidecar naming ``patient``."""
    folder.mkdir(parents=True)
    shutil.copy(RECORDINGS / "sim_9013.csv", folder / "s.csv")
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text())
    (folder / "s.json").write_text(json.dumps({**meta, "patient": patient, "started_at": "2026-11-02T09:00:00+01:00"}))
    return folder / "s.csv"


def test_an_identical_recording_named_for_another_patient_is_said_naming_both(tmp_path):
    rx = tmp_path / "rx"
    rx.mkdir()
    for patient in ("p1", "p2"):
        (rx / f"{patient}.toml").write_text(rx_toml(patient, "Europe/Berlin", "2026-11-01", "2026-11-03",
                                                    exercise("hip_external_rotation", 30, sides=("right",))))
    first, second = copy_for(tmp_path / "data" / "a", "p1"), copy_for(tmp_path / "data" / "b", "p2")
    outcome = build_report(load_prescriptions(rx), [tmp_path / "data"], include_simulated=True)
    assert outcome.notes == [(second, f"the same recording as {first} (an identical file), but its sidecar names"
                                      f" patient p2 and {first}'s p1: counted for p1 only; correct the sidecar that"
                                      " is wrong")]
    assert skip_kind(outcome.notes[0][1]) == "an identical copy naming another patient"
    sessions = {(r["patient"], r["date"]): r["sessions"] for r in outcome.daily}
    assert sessions[("p1", "2026-11-02")] == 1 and sessions[("p2", "2026-11-02")] == 0


def test_analyze_warns_of_an_identical_file_and_of_one_named_for_another_patient(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy_for(tmp_path / "data" / "a", "p1")
    copy_for(tmp_path / "data" / "b", "p1")
    copy_for(tmp_path / "data" / "c", "p2")
    result = CliRunner().invoke(cli, ["analyze", "data", "--out", "out"])
    assert result.exit_code == 0, result.output
    backup = ("data/b/s.csv: the same recording as data/a/s.csv (an identical file: a copy or a backup): its reps are"
              " in reps.csv twice; count them once (report does)")
    other = ("data/c/s.csv: the same recording as data/a/s.csv (an identical file), but its sidecar names patient p2"
             " and data/a/s.csv's p1: one session is one patient's; correct the sidecar that is wrong")
    assert f"warning: {backup}" in result.stderr.splitlines() and f"warning: {other}" in result.stderr.splitlines()
    sessions = pd.read_csv("out/sessions.csv", keep_default_na=False)
    assert [w.split(" | ")[-1] for w in sessions.warnings] == ["", backup, other]

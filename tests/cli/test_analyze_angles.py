"""``sensorkit analyze --angles``: NAME.angle.csv per recording in --out, the angle per sample the
library's ``angle_`` gives (a researcher lays it over a goniometer's trace); never over an input or
a file of the user's, never outside --out."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from sensorkit import RepDetector, read_recording
from sensorkit.cli import cli

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def copied(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL, folder / REAL.name)
    shutil.copy(REAL.with_suffix(".json"), folder / REAL.with_suffix(".json").name)
    return folder / REAL.name


def test_angles_writes_the_library_angle_per_sample(tmp_path):
    recording = copied(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--out", str(out), "--angles"])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "uci_s1_test.angle.csv")
    assert list(written.columns) == ["t", "angle_deg", "angle_from_first_rest_deg", "filled"]
    rec = read_recording(recording)
    angle = RepDetector.for_recording(rec).detect(rec).angle_
    assert len(written) == len(angle) == len(rec.samples)
    assert np.abs(written.t - angle.t).max() < 1e-6
    for column in ("angle_deg", "angle_from_first_rest_deg"):
        assert np.abs(written[column] - angle[column]).max() <= 0.0005
    assert set(written.filled) == {0}
    assert sorted(p.name for p in out.iterdir()) == ["reps.csv", "sessions.csv", "uci_s1_test.angle.csv"]


def test_without_angles_no_angle_file(tmp_path):
    recording = copied(tmp_path / "in")
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert not list((tmp_path / "out").glob("*.angle.csv"))


def test_same_stems_get_the_names_reps_csv_gives_them_inside_out(tmp_path):
    first, second = copied(tmp_path / "in" / "p1"), copied(tmp_path / "in" / "p2")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(first), str(second), "--out", str(out), "--angles", "--workers", "1"])
    assert result.exit_code == 0, result.output
    names = set(pd.read_csv(out / "reps.csv").recording)
    assert names == {"p1/uci_s1_test", "p2/uci_s1_test"}
    assert sorted(p.name for p in out.glob("*.angle.csv")) == ["p1%2Fuci_s1_test.angle.csv", "p2%2Fuci_s1_test.angle.csv"]


def test_a_file_of_the_users_is_never_overwritten_an_earlier_angle_file_is(tmp_path):
    recording = copied(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "uci_s1_test.angle.csv"
    mine.write_text("my goniometer notes\n")
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--out", str(out), "--angles"])
    assert result.exit_code == 2 and "--angles" in result.output and "not overwritten" in result.output
    assert mine.read_text() == "my goniometer notes\n" and not (out / "reps.csv").exists()
    mine.unlink()
    for _ in range(2):  # (the second run replaces the first's angle file)
        result = CliRunner().invoke(cli, ["analyze", str(recording), "--out", str(out), "--angles"])
        assert result.exit_code == 0, result.output
    assert len(pd.read_csv(mine)) == len(read_recording(recording).samples)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # (no temporary file left)


def test_an_angle_file_in_an_input_folder_is_skipped_as_an_earlier_output(tmp_path):
    recording = copied(tmp_path / "in")
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--out", str(tmp_path / "in"), "--angles"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(cli, ["analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out")])
    assert again.exit_code == 0, again.output
    assert "uci_s1_test.angle.csv: skipped: an earlier output (angle.csv of sensorkit analyze)" in again.output


def test_interrupted_while_writing_angle_files_says_what_it_left(tmp_path, monkeypatch):
    import sensorkit.io.angle_csv as angle_csv

    first, second = copied(tmp_path / "in" / "p1"), copied(tmp_path / "in" / "p2")
    written = []
    real_write = angle_csv.write_angle_file

    def write_then_stop(target, rows):
        if written:
            raise KeyboardInterrupt
        written.append(target)
        real_write(target, rows)

    monkeypatch.setattr(angle_csv, "write_angle_file", write_then_stop)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(first), str(second), "--out", str(out), "--angles", "--workers", "1"])
    assert result.exit_code == 130
    assert "each NAME.angle.csv after them whole or not at all" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["p1%2Fuci_s1_test.angle.csv", "reps.csv", "sessions.csv"]

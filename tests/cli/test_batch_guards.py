"""What ``sensorkit analyze`` refuses, :func:`sensorkit.batch.analyze_paths` refuses too (one check)."""
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sensorkit.batch import analyze_paths
from sensorkit.io.outputs import OutputError
from in_process import run_in_process as sk  # (the command in this process: outputs and messages only)

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def clinic_folder(tmp_path):
    """A folder whose recordings are named like the tables: reps.csv (+ its sidecar) and sessions.csv."""
    c2 = tmp_path / "c2"
    c2.mkdir()
    shutil.copy(RECORDINGS / "sim_9010.csv", c2 / "reps.csv")
    shutil.copy(RECORDINGS / "sim_9010.json", c2 / "reps.json")
    shutil.copy(RECORDINGS / "sim_9013.csv", c2 / "sessions.csv")
    return c2


def test_analyze_paths_never_writes_its_tables_over_recordings_named_like_them(clinic_folder, monkeypatch):
    before = digests(clinic_folder)
    monkeypatch.chdir(clinic_folder)
    with pytest.raises(OutputError, match=r"^--out reps\.csv: is an input recording \(or its sidecar\); it is never"):
        analyze_paths(["."], out_dir=".")
    assert digests(clinic_folder) == before  # both recordings intact, nothing added


def test_analyze_paths_refuses_with_the_line_sensorkit_analyze_says(clinic_folder):
    before = digests(clinic_folder)
    cli = sk("analyze", ".", "--out", ".", cwd=clinic_folder)
    assert cli.returncode == 2
    with pytest.raises(OutputError) as library:
        analyze_paths([clinic_folder], out_dir=clinic_folder)
    assert cli.stderr.strip() == f"error: {library.value}".replace(f"{clinic_folder}/", "")
    assert digests(clinic_folder) == before


def test_analyze_paths_never_overwrites_a_users_own_file_named_reps_csv(tmp_path, monkeypatch):
    outx = tmp_path / "outx"
    outx.mkdir()
    (outx / "reps.csv").write_text("my,own,table\n1,2,3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=r"^--out outx/reps\.csv: exists and is not an earlier reps\.csv of sensorkit"):
        analyze_paths([RECORDINGS / "sim_9013.csv"], out_dir="outx")
    assert digests(outx) == {"reps.csv": hashlib.sha256(b"my,own,table\n1,2,3\n").hexdigest()}
    assert sk("analyze", RECORDINGS / "sim_9013.csv", "--out", "outx", cwd=tmp_path).returncode == 2


def test_analyze_paths_still_replaces_its_own_earlier_tables(tmp_path):
    out = tmp_path / "out"
    first = analyze_paths([RECORDINGS / "sim_9013.csv"], out_dir=out, workers=1)
    again = analyze_paths([RECORDINGS / "sim_9013.csv"], out_dir=out, workers=1)
    assert first.reps == again.reps > 0 and sorted(digests(out)) == ["reps.csv", "sessions.csv"]


@pytest.fixture
def two_exercises(tmp_path):
    """A hip external rotation (max_rom_deg 60) and a knee extension (max_rom_deg 150) with their sidecars."""
    data = tmp_path / "data"
    data.mkdir()
    for source in (RECORDINGS / "sim_9013", RECORDINGS / "real" / "uci_s1_test"):
        for suffix in (".csv", ".json"):
            shutil.copy(source.with_suffix(suffix), data / (source.name + suffix))
    return data


def test_a_set_value_the_given_exercise_cannot_take_is_a_usage_error_before_any_file(two_exercises, tmp_path):
    result = sk("analyze", two_exercises, "--out", "o", "--set", "min_rom_deg=70", "--exercise", "hip_external_rotation",
                cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(
        "error: --set: min_rom_deg = 70 must be below max_rom_deg = 60 (exercise hip_external_rotation)")
    assert "internal error" not in result.stderr and not (tmp_path / "o").exists()


def test_a_set_value_no_exercise_can_take_is_a_usage_error(two_exercises, tmp_path):
    result = sk("analyze", two_exercises, "--out", "o", "--set", "max_rom_deg=5", cwd=tmp_path)
    assert result.returncode == 2
    assert "(exercise hip_external_rotation)" in result.stderr and "(exercise knee_extension)" in result.stderr
    assert "internal error" not in result.stderr and not (tmp_path / "o").exists()


def test_a_set_value_some_exercise_cannot_take_fails_its_files_in_one_clear_line(two_exercises, tmp_path):
    result = sk("analyze", two_exercises, "--out", "o", "--set", "min_rom_deg=70", "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    hip = two_exercises / "sim_9013.csv"
    assert result.stderr.splitlines() == [
        f"{hip}: the settings conflict with its exercise: min_rom_deg = 70 must be below max_rom_deg = 60"
        " (exercise hip_external_rotation): no movement could be a rep"]
    sessions = pd.read_csv(tmp_path / "o" / "sessions.csv", keep_default_na=False).set_index("recording")
    assert sessions.status.to_dict() == {"sim_9013": "failed", "uci_s1_test": "ok"}
    assert sessions.error["sim_9013"] == result.stderr.strip()


RX = ('patient = "demo-p044"\ntimezone = "UTC"\nstart = 2026-01-01\n\n[[exercise]]\nname = "hip_external_rotation"\n'
      'sides = ["left", "right"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = 10\ndays_per_week = 7\n')
NOT_A_RECORDING = "skipped: not a recording (its header has none of t, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z)"


@pytest.fixture
def clinic_with_patient_list(tmp_path):
    """A recording and the clinic's own patient list beside it."""
    data = tmp_path / "data"
    data.mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9013{suffix}", data / f"sim_9013{suffix}")
    (data / "patients.csv").write_text("id,name,phone\n1,Ann Smith,555-0100\n")
    (tmp_path / "rx.toml").write_text(RX)
    return data


def test_analyze_skips_a_csv_that_is_no_recording_with_a_note(clinic_with_patient_list, tmp_path):
    result = sk("analyze", "data", "--out", "o", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == f"note: data/patients.csv: {NOT_A_RECORDING}"
    assert result.stderr.splitlines()[-1].startswith("1 recording(s): 1 analyzed, 0 failed")
    assert list(pd.read_csv(tmp_path / "o" / "sessions.csv").recording) == ["sim_9013"]


def test_a_header_with_some_of_the_columns_is_still_a_damaged_recording(clinic_with_patient_list, tmp_path):
    (clinic_with_patient_list / "cut.csv").write_text("t,acc_x,acc_y\n0,1,2\n")
    result = sk("analyze", "data", "--out", "o", "--quiet", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("data/cut.csv: line 1: header lacks columns acc_z, gyr_x")


def test_analyze_paths_skips_it_too(clinic_with_patient_list, tmp_path):
    outcome = analyze_paths([clinic_with_patient_list], out_dir=tmp_path / "o", workers=1)
    assert (outcome.analyzed, outcome.failures) == (1, [])
    assert outcome.not_recordings == [(clinic_with_patient_list / "patients.csv", NOT_A_RECORDING.removeprefix("skipped: "))]


def test_report_skips_it_with_the_same_note(clinic_with_patient_list, tmp_path):
    result = sk("report", "--prescription", "rx.toml", "data", "--out", "report.csv", "--include-simulated",
                "--as-of", "2026-12-31", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"data/patients.csv: {NOT_A_RECORDING}" in result.stderr.splitlines()
    assert "1 session(s) reported" in result.stderr.splitlines()[-1]

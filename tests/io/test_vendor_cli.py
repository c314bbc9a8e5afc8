"""``sensorkit convert`` and ``sensorkit analyze`` over a folder mixing every supported layout."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from in_process import run_in_process as run  # (the command in this process: outputs and messages only)
from io_synth import csv_text, swinging_sensor
from sensorkit.io import read_recording
from vendor_synth import write_metabase, write_movella, write_movesense_csv, write_movesense_json_lines, write_polar

KNOWN = swinging_sensor(rate_hz=52.0, reps=3, seed=3)


def mixed_folder(folder):
    """One recording per layout, plus a canonical one; returns {recording name: sensor}."""
    folder.mkdir()
    write_metabase(folder, KNOWN, "timestamp_gmt", 1_795_000_000_000)
    write_polar(folder, KNOWN, 848_000_000_000_000_000)
    write_movella(folder / "dot_left.csv", KNOWN, 2**32 - 5_000_000)
    write_movesense_json_lines(folder, KNOWN[: len(KNOWN) // 4 * 4], 4, stem="ms_json")
    write_movesense_csv(folder, KNOWN[: len(KNOWN) // 4 * 4], 4, stem="ms_csv")
    (folder / "canonical.csv").write_text(csv_text(KNOWN))
    return {
        "MetaWear_2026-11-24T09.30.00.000_C5A2F2B4A0B1_1.4.4": "mbientlab-metabase",
        "Polar_Sense_B5A3F12C_20261124_093000": "polar-sensor-logger",
        "dot_left": "movella-dot", "ms_json": "movesense-showcase", "ms_csv": "movesense-showcase",
        "canonical": None,
    }


def test_analyze_reads_every_layout_in_a_mixed_folder(tmp_path):
    expected = mixed_folder(tmp_path / "in")
    # (a header naming one of the recording's columns: a damaged recording; one naming none, a CSV
    # that is no recording, is skipped with a note: tests/cli/test_batch_guards.py)
    (tmp_path / "in" / "garbage.csv").write_text("t;what\n1;2\n")
    result = run("analyze", tmp_path / "in", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 1, result.stderr  # garbage.csv fails, the rest are analysed
    bad_lines = [line for line in result.stderr.splitlines()  # (the notice of an import over 10 s: a busy machine)
                 if line.strip() and not line.startswith("loading the analysis modules")]
    assert len(bad_lines) == 1 and "garbage.csv" in bad_lines[0] and "supported:" in bad_lines[0]
    with open(tmp_path / "out" / "sessions.csv", newline="") as handle:
        rows = {row["recording"]: row for row in csv.DictReader(handle)}
    assert {name for name, row in rows.items() if row["status"] == "ok"} == set(expected)
    assert rows["garbage"]["status"] == "failed"
    durations = {float(rows[name]["duration_s"]) for name in expected}
    assert max(durations) - min(durations) < 0.1  # same samples in every layout


def test_convert_writes_canonical_csv_and_sidecar(tmp_path):
    expected = mixed_folder(tmp_path / "in")
    (tmp_path / "in" / "bad.txt").write_text("Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n")
    result = run("convert", tmp_path / "in", "--out", tmp_path / "out")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("note: ", "warning: "))]
    assert len(errors) == 1 and errors[0].startswith(str(tmp_path / "in" / "bad.txt"))
    # the files without an absolute time (Movella's, Movesense's, a canonical one without a sidecar)
    # get no started_at guessed from the file's time, and each is named in a note
    undated = {name for name in expected if "started_at" not in json.loads((tmp_path / "out" / f"{name}.json").read_text())}
    assert undated == {"dot_left", "ms_json", "ms_csv", "canonical"}
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ") and "no started_at" in line]
    assert len(notes) == len(undated) and all(line.split(": ")[1].startswith(str(tmp_path / "in")) for line in notes)
    for name, sensor in expected.items():
        converted = read_recording(tmp_path / "out" / f"{name}.csv")
        original = KNOWN if not name.startswith("ms_") else KNOWN[: len(KNOWN) // 4 * 4]
        assert len(converted.samples) == len(original)
        np.testing.assert_allclose(converted.samples.gyr, original.gyr, atol=2e-3)
        sidecar = json.loads((tmp_path / "out" / f"{name}.json").read_text())
        assert sidecar.get("sensor") == sensor
    metabase = json.loads((tmp_path / "out" / f"{next(iter(expected))}.json").read_text())
    assert datetime.fromisoformat(metabase["started_at"]) == datetime.fromtimestamp(1_795_000_000, tz=timezone.utc)
    assert metabase["started_at"].endswith("+05:30")


def test_convert_writes_the_exercise_side_and_patient_it_is_given(tmp_path):
    mixed_folder(tmp_path / "in")
    result = run("convert", tmp_path / "in" / "dot_left.csv", "--out", tmp_path / "out", "--exercise", "knee_extension",
                 "--side", "left", "--patient", "p3")
    assert result.returncode == 0, result.stderr
    sidecar = json.loads((tmp_path / "out" / "dot_left.json").read_text())
    assert (sidecar["exercise"], sidecar["side"], sidecar["patient"]) == ("knee_extension", "left", "p3")
    assert read_recording(tmp_path / "out" / "dot_left.csv").meta.exercise == "knee_extension"


def test_convert_keeps_a_file_dated_by_its_time_on_the_same_day(tmp_path):
    import os

    mixed_folder(tmp_path / "in")
    source = tmp_path / "in" / "canonical.csv"  # (no sidecar: dated by its modification time)
    os.utime(source, (1_767_600_000, 1_767_600_000))  # 2026-01-05
    assert run("convert", source, "--out", tmp_path / "out").returncode == 0
    before, after = read_recording(source).meta, read_recording(tmp_path / "out" / "canonical.csv").meta
    assert after.started_at_from_file_time and after.started_at == before.started_at


def test_convert_keeps_a_start_time_without_a_utc_offset_a_wall_clock_time(tmp_path):
    # (a report reads such a time in the patient's zone: the converted copy must be read the same way,
    # not pinned to UTC, which would move a 02:00 New York session to the day before)
    mixed_folder(tmp_path / "in")
    (tmp_path / "in" / "canonical.json").write_text(json.dumps({"started_at": "2026-11-09T02:00:00"}))
    result = run("convert", tmp_path / "in" / "canonical.csv", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "has no UTC offset; read in this computer's zone (UTC" in result.stderr
    assert "(a report reads it in the patient's time zone)" in result.stderr
    assert json.loads((tmp_path / "out" / "canonical.json").read_text())["started_at"] == "2026-11-09T02:00:00"
    assert read_recording(tmp_path / "out" / "canonical.csv").meta.started_at_without_offset


def test_report_reads_a_polar_phone_time_without_a_zone_in_the_patient_s(tmp_path):
    # (the phone's clock is the patient's wall clock; read in the computer's zone (UTC here), 10:30 would
    # be 00:30 the next day in Kiritimati, UTC+14)
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    acc, _ = write_polar(folder, KNOWN, 848_000_000_000_000_000)
    acc.with_suffix(".json").write_text(json.dumps({"patient": "p9", "exercise": "hip_external_rotation", "side": "left"}))
    (tmp_path / "p9.toml").write_text(
        'patient = "p9"\ntimezone = "Pacific/Kiritimati"\nstart = 2026-11-20\nend = 2026-11-30\n\n[[exercise]]\n'
        'name = "hip_external_rotation"\nsides = ["left"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = 10\n'
        "days_per_week = 7\n")
    result = subprocess.run([sys.executable, "-m", "sensorkit", "report", "--prescription", str(tmp_path / "p9.toml"),
                             str(folder), "--out", str(tmp_path / "r.csv"), "--as-of", "2026-11-30"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert [r["date"] for r in rows if r["sessions"] != "0"] == ["2026-11-24"]
    assert any("has no time zone; read in p9's time zone (Pacific/Kiritimati)" in line for line in result.stderr.splitlines())


def test_convert_writes_a_sidecar_value_utf8_cannot_hold_escaped_and_never_a_csv_alone(tmp_path):
    # (a lone surrogate: a name's byte that was not UTF-8, carried into the sidecar by another tool)
    mixed_folder(tmp_path / "in")
    (tmp_path / "in" / "canonical.json").write_text('{"patient": "p\\udcff", "started_at": "2026-11-09T02:00:00+01:00"}')
    result = run("convert", tmp_path / "in" / "canonical.csv", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert read_recording(tmp_path / "out" / "canonical.csv").meta.patient == "p\udcff"  # (read back the same)
    assert "\\udcff" in (tmp_path / "out" / "canonical.json").read_text(encoding="utf-8")


def test_analyze_names_a_vendor_export_and_its_converted_copy_apart(tmp_path):
    # (both went by the pair's name, the ACC file's without _ACC, which is the converted file's stem:
    # two sessions.csv rows, and reps.csv's rows of both, under one name)
    folder = tmp_path / "in"
    folder.mkdir()
    acc, _ = write_polar(folder, KNOWN, 848_000_000_000_000_000)
    assert run("convert", folder, "--out", folder).returncode == 0
    result = run("analyze", folder, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    sessions = list(csv.DictReader((tmp_path / "out" / "sessions.csv").open()))
    names = {Path(row["path"]).name: row["recording"] for row in sessions}
    assert names == {"Polar_Sense_B5A3F12C_20261124_093000.csv": "Polar_Sense_B5A3F12C_20261124_093000",
                     acc.name: acc.name}
    reps = list(csv.DictReader((tmp_path / "out" / "reps.csv").open()))
    assert {row["recording"] for row in reps} == set(names.values())


def test_analyze_names_a_vendor_export_alone_by_its_pair_name(tmp_path):
    # (as before: no other file goes by its name)
    folder = tmp_path / "in"
    folder.mkdir()
    write_polar(folder, KNOWN, 848_000_000_000_000_000)
    assert run("analyze", folder, "--out", tmp_path / "out").returncode == 0
    sessions = list(csv.DictReader((tmp_path / "out" / "sessions.csv").open()))
    assert [row["recording"] for row in sessions] == ["Polar_Sense_B5A3F12C_20261124_093000"]


def test_convert_says_when_its_output_lies_in_a_folder_it_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_polar(folder, KNOWN, 848_000_000_000_000_000)
    inside = run("convert", folder, "--out", folder / "converted")
    assert inside.returncode == 0, inside.stderr
    assert (f"note: --out {folder / 'converted'} lies in the input folder {folder}: a later analyze or report of"
            f" {folder} finds each converted recording beside its original") in inside.stderr
    other = tmp_path / "other"
    other.mkdir()
    write_polar(other, KNOWN, 848_000_000_000_000_000)
    apart = run("convert", other, "--out", tmp_path / "converted")
    assert apart.returncode == 0, apart.stderr
    assert "input folder" not in apart.stderr


def test_convert_says_when_its_output_is_the_folder_of_a_file_it_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    acc, _ = write_polar(folder, KNOWN, 848_000_000_000_000_000)
    result = run("convert", acc, "--out", folder)
    assert result.returncode == 0, result.stderr
    assert f"note: --out {folder} is the folder {folder} of the input {acc}: a later analyze or report" in result.stderr

"""Patient ids and recording names never become paths outside the chosen folder."""
from __future__ import annotations

import csv

import pytest

from conftest import Tree, as_patient, one_line, prescription, run, usage_error
from in_process import run_in_process
from sensorkit.ble.recorder import SessionRecorder
from sensorkit.samples import Samples

#: ids and names that would leave the folder (or hide in it) if used as a file name
UNSAFE = ["../../evil", "/tmp/ABS", "..", ".hidden", "new\nline", "back\\slash"]
#: more of them, checked without starting a command each
MORE_UNSAFE = [*UNSAFE, "a/b", "tab\there", "nul\x00byte", "bidi\u202eexe.png", "", " ", "x" * 300]


@pytest.mark.parametrize("name", MORE_UNSAFE)
def test_every_unsafe_name_is_refused_or_encoded_into_one_plain_name(name):
    from sensorkit.io.outputs import safe_file_stem, unsafe_name_reason

    assert unsafe_name_reason(name)
    stem = safe_file_stem(name)
    assert "/" not in stem and "\\" not in stem and not stem.startswith(".") and stem.isprintable()
    assert len(stem.encode()) <= 200


#: tried through the command line (the others through the same validators, without a process each)
BY_COMMAND = ["../../evil", "/tmp/ABS"]


@pytest.mark.parametrize("name", UNSAFE)
def test_every_unsafe_patient_id_and_recording_name_is_refused_by_the_validators(tmp_path, name):
    from pathlib import Path

    from sensorkit.errors import ConfigError, RecordingError
    from sensorkit.report.prescription import prescription_from_dict

    table = {"patient": name, "timezone": "UTC", "start": "2026-11-01", "exercise": [{
        "name": "hip_external_rotation", "sides": ["left"], "sets": 1, "reps_per_set": 3, "hold_s": 1,
        "rom_deg": 10, "days_per_week": 7}]}
    with pytest.raises(ConfigError, match=r"^rx\.toml: key patient: .* cannot be a patient id"):
        prescription_from_dict(table, Path("rx.toml"))
    with pytest.raises(RecordingError, match="cannot be a file name"):
        SessionRecorder(tmp_path / "rec", name, {})
    assert not (tmp_path / "rec").exists()


@pytest.mark.parametrize("patient", BY_COMMAND)
def test_a_prescription_patient_that_is_not_a_plain_name_is_refused(workspace, patient):
    as_patient(workspace / "data", patient="p001")
    rx = workspace / "rx" / "p001.toml"
    rx.write_text(prescription("p001").replace('patient = "p001"', f"patient = {_toml_string(patient)}"))
    tree = Tree(workspace.parent)  # the folders above too: nothing may land there
    result = run_in_process("report", "--prescription", rx, workspace / "data", "--out", workspace / "out" / "report.csv",
                            "--plot-dir", workspace / "out" / "plots")
    assert result.returncode == 2
    assert one_line(result).startswith(f"error: {rx}: key patient: ")
    tree.assert_unchanged()


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def test_a_crafted_patient_report_is_plotted_inside_the_folder(workspace):
    pytest.importorskip("matplotlib")
    crafted = workspace / "crafted.csv"
    columns = ["patient", "date", "exercise", "side", "rom_mean_deg", "rom_max_deg", "adherence_pct"]
    with open(crafted, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for patient in ("../../evil", "/tmp/ABS", ".hidden"):
            writer.writerow([patient, "2026-11-02", "hip_external_rotation", "left", "30", "35", "100"])
    tree = Tree(workspace.parent)
    result = run_in_process("plot", "--patient-report", crafted, "--out", workspace / "plots")
    assert result.returncode == 0, result.stderr
    written = tree.assert_only_changed_under(f"{workspace.name}/plots")
    # '/' and a leading '.' encoded: one plain name each, inside the folder
    assert sorted(p.rsplit("/", 1)[-1] for p in written) == ["%2E.%2F..%2Fevil.png", "%2Ehidden.png", "%2Ftmp%2FABS.png"]


@pytest.mark.parametrize("name", BY_COMMAND)
def test_record_name_outside_out_is_a_usage_error(workspace, name):
    tree = Tree(workspace.parent)
    result = run("record", "--simulate", "--out", workspace / "rec", "--name", name, "--duration-s", "1")
    assert "--name" in usage_error(result)
    tree.assert_unchanged()


def test_two_recordings_with_the_same_default_name_do_not_clash(tmp_path):
    block = Samples.from_array([[0.0, 0, 0, 9.8, 0, 0, 0], [0.01, 0, 0, 9.8, 0, 0, 0]])
    first = SessionRecorder(tmp_path, "session_20261203_101500", {}, unique_name=True)
    second = SessionRecorder(tmp_path, "session_20261203_101500", {}, unique_name=True)  # same second
    first.feed(block)
    second.feed(block)
    assert (first.path.name, second.path.name) == ("session_20261203_101500.csv", "session_20261203_101500_2.csv")
    for recorder in (first, second):
        recorder.writer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "session_20261203_101500.csv", "session_20261203_101500.json",
        "session_20261203_101500_2.csv", "session_20261203_101500_2.json"]

"""A few malformed lines in a recording (a disk glitch, a hand edit in a spreadsheet) are left out as
lost samples, with one warning naming them; more than 1 % of the data lines is still an error."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from in_process import run_in_process
from io_synth import good_lines, set_cell, write_csv

from sensorkit.batch import analyze_recording
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return good_lines(rate_hz=50.0)  # a header and 650 data lines


def bits(recording) -> np.ndarray:
    """The samples' float64 values as their bit patterns (equal means the very same numbers)."""
    return recording.samples.to_array().view(np.uint64)


def without_line(clean, number: int) -> np.ndarray:
    """The clean recording's bits less file line ``number`` (data row ``number - 2``)."""
    return np.delete(bits(clean), number - 2, axis=0)


def replace_line(lines: list[str], number: int, text: str) -> list[str]:
    rows = list(lines)
    rows[number - 1] = text
    return rows


#: (how a line is damaged, what the warning says of it), for file line 300
DAMAGED = {
    "a letter": (lambda rows: set_cell(rows, 300, 6, "x"), "column gyr_z: 'x' is not a number"),
    "an empty cell": (lambda rows: set_cell(rows, 300, 2, ""), "column acc_y: empty cell"),
    "NaN": (lambda rows: set_cell(rows, 300, 1, "NaN"), "column acc_x: 'NaN' is not a finite number (NaN and inf are not allowed)"),
    "inf": (lambda rows: set_cell(rows, 300, 4, "-inf"), "column gyr_x: '-inf' is not a finite number (NaN and inf are not allowed)"),
    "an overflow": (lambda rows: set_cell(rows, 300, 0, "1e999"), "column t: '1e999' overflows a float"),
    "a NUL byte": (lambda rows: set_cell(rows, 300, 2, "1.2\x003"), "column acc_y: '1.2\\x003' holds a NUL byte (a damaged file?)"),
    "fields missing": (lambda rows: replace_line(rows, 300, ",".join(rows[299].split(",")[:3])), "column acc_z: missing (3 fields, the header has 7)"),
    "a field too many": (lambda rows: replace_line(rows, 300, rows[299] + ",1.0"), "8 fields, but the header has 7"),
    "a decimal comma": (lambda rows: set_cell(rows, 300, 1, '"9,81"'), "8 fields, but the header has 7"),
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_one_malformed_line_among_650_is_left_out_with_a_warning(tmp_path, lines, damage):
    make, problem = DAMAGED[damage]
    clean = read_recording(write_csv(tmp_path, lines, name="clean"))
    path = write_csv(tmp_path, make(lines))
    recording = read_recording(path)
    assert recording.warnings == [f"{path}: 1 malformed line left out as a lost sample (line 300: {problem})"]
    np.testing.assert_array_equal(bits(recording), without_line(clean, 300))  # the same float64s as the fast parse


def test_a_line_not_utf8_is_left_out(tmp_path, lines):
    path = write_csv(tmp_path, lines)
    data = path.read_bytes().split(b"\n")
    data[99] = b"\xff" + data[99]  # file line 100
    path.write_bytes(b"\n".join(data))
    recording = read_recording(path)
    assert recording.warnings == [f"{path}: 1 malformed line left out as a lost sample (line 100: not UTF-8 text (byte 0 of the line))"]
    np.testing.assert_array_equal(bits(recording), without_line(read_recording(write_csv(tmp_path, lines, name="clean")), 100))


def test_the_warning_names_the_first_three_and_counts_the_rest(tmp_path, lines):
    rows = list(lines)
    for number in (12, 100, 200, 400, 650):  # 5 of 650 data lines: under 1 %
        rows = set_cell(rows, number, 5, "?")
    path = write_csv(tmp_path, rows)
    (warning,) = read_recording(path).warnings
    assert warning == (f"{path}: 5 malformed lines left out as lost samples (line 12: column gyr_y: '?' is not a number;"
                       " line 100: column gyr_y: '?' is not a number; line 200: column gyr_y: '?' is not a number;"
                       " and 2 more)")


def test_up_to_one_percent_of_the_lines_is_left_out_and_more_is_refused(tmp_path, lines):
    rows = list(lines)
    for number in range(10, 600, 100):  # 6 lines of 650: 0.92 %
        rows = set_cell(rows, number, 3, "oops")
    assert len(read_recording(write_csv(tmp_path, rows)).samples) == 650 - 6
    rows = set_cell(rows, 605, 3, "oops")  # 7 of 650: 1.08 %
    with pytest.raises(RecordingError) as caught:
        read_recording(write_csv(tmp_path, rows))
    assert str(caught.value) == (f"{tmp_path}/rec.csv: line 10: column acc_z: 'oops' is not a number"
                                 " (7 of 650 data lines malformed; at most 1% can be left out)")


def test_one_bad_line_in_a_file_of_a_few_lines_is_still_an_error(tmp_path, lines):
    with pytest.raises(RecordingError) as caught:
        read_recording(write_csv(tmp_path, set_cell(lines[:21], 5, 6, "x")))
    assert str(caught.value) == (f"{tmp_path}/rec.csv: line 5: column gyr_z: 'x' is not a number"
                                 " (1 of 20 data lines malformed; at most 1% can be left out)")


def test_lines_named_after_a_left_out_line_are_the_files_own(tmp_path, lines):
    rows = set_cell(lines, 50, 6, "x")  # left out: the data rows after it are one line further down
    rows = set_cell(rows, 201, 0, rows[199].split(",")[0])  # line 201 repeats line 200's t
    path = write_csv(tmp_path, rows)
    assert read_recording(path).warnings == [
        f"{path}: 1 malformed line left out as a lost sample (line 50: column gyr_z: 'x' is not a number)",
        f"{path}: line 201: 1 repeated timestamp (t equal to the row before); dropped, keeping the first row of each",
    ]
    with pytest.raises(RecordingError, match=r"rec.csv: line 300: column t: 0.5 is less than the line before"):
        read_recording(write_csv(tmp_path, set_cell(rows, 300, 0, "0.5")))


def test_left_out_lines_still_count_as_lines_the_sidecar_says_were_written(tmp_path, lines):
    rows = list(lines)
    for number in range(10, 600, 100):  # 6 lines of 650 left out
        rows = set_cell(rows, number, 6, "x")
    path = write_csv(tmp_path, rows)
    # 6 rows short of the sidecar's count: within its 1 % (6.56), not 12 with the damaged lines as if missing too
    path.with_suffix(".json").write_text(json.dumps({"n_samples": 656, "sample_rate_hz": 50}))
    (warning,) = read_recording(path).warnings
    assert warning.startswith(f"{path}: 6 malformed lines left out as lost samples (line 10: ")


def test_a_crash_cut_last_line_keeps_its_own_warning_beside_a_malformed_line(tmp_path, lines):
    rows = [*set_cell(lines, 300, 6, "x")[:-1], lines[-1][:12]]
    path = write_csv(tmp_path, rows, final_newline=False)
    recording = read_recording(path)
    assert recording.warnings == [
        f"{path}: line 651: incomplete last line dropped (recording cut short?): it has 2 of 7 fields",
        f"{path}: 1 malformed line left out as a lost sample (line 300: column gyr_z: 'x' is not a number)",
    ]
    assert len(recording.samples) == 650 - 2


def test_a_real_session_with_a_line_in_a_reps_hold_damaged_counts_the_same_reps(tmp_path):
    """The left-out line is a lost sample: the pipeline bridges it as it bridges packet loss."""
    for suffix in (".csv", ".json"):
        shutil.copy(REAL / f"uci_s1_test{suffix}", tmp_path / f"uci_s1_test{suffix}")
    path = tmp_path / "uci_s1_test.csv"
    clean = analyze_recording(path)
    fifth = [rep for rep in clean.reps if rep.counted][4]
    hold_t = (fifth.out_end_s + fifth.return_start_s) / 2  # the middle of the 5th rep's hold
    rows = path.read_text().splitlines()
    number = 2 + int(np.argmin([abs(float(row.split(",")[0]) - hold_t) for row in rows[1:]]))
    path.write_text("\n".join(set_cell(rows, number, 5, "#VALUE!")) + "\n")  # a spreadsheet's error cell
    damaged = analyze_recording(path)
    assert damaged.warnings[0] == (f"{path}: 1 malformed line left out as a lost sample"
                                   f" (line {number}: column gyr_y: '#VALUE!' is not a number)")
    assert len(damaged.warnings) == len(clean.warnings) + 1  # (and the start taken from the file's time, as before)
    assert clean.session_row["reps_counted"] == 30
    assert [(r.rep, r.kind, r.set) for r in damaged.reps if r.counted] == [(r.rep, r.kind, r.set) for r in clean.reps if r.counted]
    assert damaged.session_row["samples"] == clean.session_row["samples"] - 1


def test_convert_writes_the_good_rows_and_the_warning_on_stderr(tmp_path, lines):
    (tmp_path / "in").mkdir()
    path = write_csv(tmp_path / "in", set_cell(lines, 300, 6, "x"))
    result = run_in_process("convert", path, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (f"warning: {path}: 1 malformed line left out as a lost sample (line 300: column gyr_z: 'x' is not a number)"
            in result.stderr.splitlines())
    converted = read_recording(tmp_path / "out" / "rec.csv")
    assert converted.warnings == [] and len(converted.samples) == 649
    clean = read_recording(write_csv(tmp_path, lines, name="clean"))
    np.testing.assert_array_equal(converted.samples.t, np.delete(clean.samples.t, 298))

"""Every kind of bad recording raises one RecordingError line naming the file, line and column."""
from __future__ import annotations

import os
import re

import numpy as np
import pytest
from io_synth import good_lines, set_cell, swinging_sensor, write_csv

from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording
from sensorkit.samples import Samples


def read_error(path) -> str:
    with pytest.raises(RecordingError) as caught:
        read_recording(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    return message


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return good_lines(rate_hz=50.0)


#: after the error naming a malformed line in :func:`few`'s 60 data lines, when it is the only one
ONE_OF_60 = " (1 of 60 data lines malformed; at most 1% can be left out)"


@pytest.fixture(scope="module")
def few(lines) -> list[str]:
    """A header and 60 data lines: one malformed line is more than the 1 % that is left out (see
    test_io_reader_malformed_lines.py for a few among many, left out with a warning)."""
    return lines[:61]


def test_missing_file(tmp_path):
    assert "no such file" in read_error(tmp_path / "absent.csv")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    assert "folder" in read_error(tmp_path / "dir.csv")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path, lines):
    path = write_csv(tmp_path, lines)
    path.chmod(0)
    assert "permission denied" in read_error(path)


def test_empty_file(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_bytes(b"")
    assert read_error(path).endswith("file is empty")


def test_a_lone_data_line_cut_short_is_named_not_called_no_data(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2")
    assert read_error(path).endswith("rec.csv: line 2: no samples: the only data line is incomplete (it has 3 of 7 fields)")


def test_a_stray_carriage_return_in_the_header_is_a_one_line_error(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_bytes(b"\rt,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,0\n")  # found by tests/io/test_reader_fuzz.py
    assert "line 1: the header is not valid CSV" in read_error(path)


def test_blank_lines_only(tmp_path):
    assert read_error(write_csv(tmp_path, ["", "  "])).endswith("file is empty")


def test_header_missing(tmp_path, lines):
    message = read_error(write_csv(tmp_path, lines[1:]))
    assert "line 1: header missing" in message and "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z" in message


def test_header_lacks_columns_names_them(tmp_path, lines):
    header = "t,acc_x,acc_y,acc_z,gyr_x,gyro_y,gyro_z"
    message = read_error(write_csv(tmp_path, [header, *lines[1:]]))
    assert "line 1: header lacks columns gyr_y, gyr_z" in message


def test_semicolon_separated_gets_a_hint(tmp_path, lines):
    rows = [line.replace(",", ";") for line in lines]
    assert "separated by ','" in read_error(write_csv(tmp_path, rows))


def test_column_named_twice(tmp_path, lines):
    message = read_error(write_csv(tmp_path, [lines[0] + ",t", *(line + ",0" for line in lines[1:])]))
    assert "line 1: column t appears 2 times" in message


def test_no_samples(tmp_path, lines):
    assert "no samples" in read_error(write_csv(tmp_path, lines[:1]))


def test_not_a_csv_at_all(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)  # a gzip file
    assert "line 1: not UTF-8" in read_error(path)


def test_non_numeric_cell(tmp_path, few):
    message = read_error(write_csv(tmp_path, set_cell(few, 17, 5, "abc")))
    assert message.endswith("line 17: column gyr_y: 'abc' is not a number" + ONE_OF_60)


def test_decimal_comma_cell(tmp_path, few):
    rows = set_cell(few, 40, 1, '"9,81"')
    assert "line 40: " in read_error(write_csv(tmp_path, rows))


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_non_finite_cell(tmp_path, few, bad):
    message = read_error(write_csv(tmp_path, set_cell(few, 30, 2, bad)))
    assert re.search(r"line 30: column acc_y: .* not a finite number", message), message


def test_empty_cell(tmp_path, few):
    assert read_error(write_csv(tmp_path, set_cell(few, 12, 6, ""))).endswith("line 12: column gyr_z: empty cell" + ONE_OF_60)


def test_short_line_in_the_middle_is_an_error(tmp_path, few):
    rows = list(few)
    rows[20 - 1] = ",".join(rows[19].split(",")[:4])
    assert "line 20: column gyr_x: missing (4 fields, the header has 7)" in read_error(write_csv(tmp_path, rows))


def test_long_line(tmp_path, few):
    rows = list(few)
    rows[25 - 1] += ",1.0"
    assert read_error(write_csv(tmp_path, rows)).endswith("line 25: 8 fields, but the header has 7" + ONE_OF_60)


def test_bad_line_number_counts_blank_lines(tmp_path, few):
    rows = [*few[:5], "", *few[5:]]
    rows = set_cell(rows, 51, 0, "x")
    assert "line 51: column t: 'x' is not a number" in read_error(write_csv(tmp_path, rows))


def test_bad_cell_on_the_last_complete_line_is_not_repaired(tmp_path, few):
    rows = set_cell(few, len(few), 3, "oops")
    assert read_error(write_csv(tmp_path, rows)).endswith(f"line {len(few)}: column acc_z: 'oops' is not a number" + ONE_OF_60)


def test_t_going_backwards(tmp_path, lines):
    rows = set_cell(lines, 100, 0, "0.5")
    message = read_error(write_csv(tmp_path, rows))
    assert "line 100: column t: 0.5 is less than the line before" in message


def test_t_all_equal(tmp_path, lines):
    rows = [lines[0], *(",".join(["1.0", *line.split(",")[1:]]) for line in lines[1:])]
    assert "column t: all" in read_error(write_csv(tmp_path, rows))


def test_many_repeated_timestamps(tmp_path, lines):
    rows = list(lines)
    n_rows = len(lines) - 1
    for line_number in range(3, 3 + 2 * (n_rows // 50), 2):  # ~2% of rows repeat the one before
        rows = set_cell(rows, line_number + 1, 0, rows[line_number - 1].split(",")[0])
    message = read_error(write_csv(tmp_path, rows))
    assert "line 4: column t:" in message and "at most 1%" in message


def test_acc_in_g(tmp_path):
    samples = swinging_sensor(noise=0.002)
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, samples.acc / 9.80665, samples.gyr))
    message = read_error(path)
    assert "columns acc_x, acc_y, acc_z: in g, not m/s²" in message and "9.81" in message


def test_acc_in_milli_g(tmp_path):
    samples = swinging_sensor()
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, samples.acc / 9.80665e-3, samples.gyr))
    assert "in milli-g" in read_error(path)


def test_acc_all_zero(tmp_path):
    samples = swinging_sensor()
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, np.zeros_like(samples.acc), samples.gyr))
    assert "reads about zero" in read_error(path)


@pytest.mark.parametrize("rate_hz", [25.0, 104.0, 416.0])
def test_gyro_in_rad_per_s(tmp_path, rate_hz):
    samples = swinging_sensor(rate_hz=rate_hz, reps=2)
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, samples.acc, np.radians(samples.gyr)))
    message = read_error(path)
    assert "columns gyr_x, gyr_y, gyr_z: in rad/s, not deg/s" in message and "57.2958" in message


def test_gyro_all_zero_while_turning(tmp_path):
    samples = swinging_sensor()
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, samples.acc, np.zeros_like(samples.gyr)))
    assert "columns gyr_x, gyr_y, gyr_z: all zero" in read_error(path)


def test_blank_first_line(tmp_path, lines):
    assert "line 1: header missing (the line is blank)" in read_error(write_csv(tmp_path, ["", *lines]))


def test_lines_ended_by_carriage_returns_alone_are_named_so(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_bytes(b"t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\r0,0,0,9.8,0,0,0\r0.01,0,0,9.8,0,0,0\r")
    assert "line 1: lines end in a carriage return alone (an old Mac text format)" in read_error(path)


@pytest.mark.parametrize("where", ["near the start", "in the last 64 KiB"])
def test_a_nul_byte_inside_a_number_is_never_read_as_the_number_before_it(tmp_path, where):
    """pandas' C parser ends a cell at a NUL: '1.2<NUL>3' would be read as 1.2 without a word. Its
    line is malformed wherever it is: left out with a warning naming it (one among many), or an error."""
    rows = good_lines(rate_hz=200.0)  # ~100 KiB: line 6 lies before the last 64 KiB
    number = 6 if where == "near the start" else len(rows) - 3
    if where == "near the start":
        assert len("\n".join(rows[number:]).encode()) > 1 << 16
    path = write_csv(tmp_path, set_cell(rows, number, 2, "1.2\x003"))
    recording = read_recording(path)
    assert recording.warnings == [f"{path}: 1 malformed line left out as a lost sample (line {number}: column acc_y:"
                                  " '1.2\\x003' holds a NUL byte (a damaged file?))"]
    assert len(recording.samples) == len(rows) - 2 and 1.2 not in recording.samples.acc[:, 1]


def test_a_nul_byte_inside_a_number_among_a_few_lines_is_an_error(tmp_path, few):
    message = read_error(write_csv(tmp_path, set_cell(few, 6, 2, "1.2\x003")))
    assert message.endswith("line 6: column acc_y: '1.2\\x003' holds a NUL byte (a damaged file?)" + ONE_OF_60), message


def test_a_nul_byte_in_an_ignored_column_is_an_error_too(tmp_path, few):
    rows = [few[0] + ",note"] + [line + ",ok" for line in few[1:]]
    rows[9] = rows[9][:-2] + "o\x00k"
    assert read_error(write_csv(tmp_path, rows)).endswith("line 10: field 8: 'o\\x00k' holds a NUL byte (a damaged file?)" + ONE_OF_60)


def test_a_newline_in_the_file_name_is_escaped_so_the_message_stays_one_line(tmp_path, few):
    path = write_csv(tmp_path, set_cell(few, 9, 1, "abc"), name="left\nknee")
    with pytest.raises(RecordingError) as caught:
        read_recording(path)
    assert str(caught.value) == f"{tmp_path}/left\\nknee.csv: line 9: column acc_x: 'abc' is not a number" + ONE_OF_60


def test_a_control_character_in_the_file_name_is_escaped_in_warnings_too(tmp_path, lines):
    path = write_csv(tmp_path, [lines[0] + ",note", *(line + ",1" for line in lines[1:])], name="tab\there\x1b")
    (warning,) = read_recording(path).warnings
    assert warning == f"{tmp_path}/tab\\there\\x1b.csv: line 1: unknown column note ignored"


def test_an_ordinary_file_name_is_named_as_it_is(tmp_path, few):
    path = write_csv(tmp_path, set_cell(few, 9, 1, "abc"), name="Ärztin 1 'links' \\ C:")
    assert read_error(path) == f"{path}: line 9: column acc_x: 'abc' is not a number" + ONE_OF_60

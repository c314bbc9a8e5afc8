"""Unknown layouts and broken vendor exports: one line naming the file (and line), listing what is supported."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from io_synth import swinging_sensor
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording
from vendor_synth import write_metabase, write_movella, write_polar

KNOWN = swinging_sensor(rate_hz=50.0, reps=1)
FORMATS = ("sensorkit CSV", "MbientLab MetaBase CSV", "Polar Sensor Logger", "Movella DOT CSV", "Movesense Showcase")


def error_of(path) -> str:
    with pytest.raises(RecordingError) as info:
        read_recording(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def left_out(path) -> str:
    """The one warning reading ``path`` gives for the malformed line it left out (as the sensorkit CSV reader does)."""
    recording = read_recording(path)
    found = [w for w in recording.warnings if "left out as a lost sample" in w]
    assert len(found) == 1 and "\n" not in found[0]
    assert found[0].startswith(f"{path}: 1 malformed line left out as a lost sample (line ")
    return found[0]


def lost(path, problem: str) -> str:
    """The warning for one malformed line left out, saying ``problem`` ("line 11: column y: ...")."""
    return f"{path}: 1 malformed line left out as a lost sample ({problem})"


@pytest.mark.parametrize("name, text", [
    ("weird.csv", "when;ax;ay;az\n0;1;2;3\n"),
    ("other.csv", "time,x,y,z\n0,1,2,3\n"),
    ("config.json", '{"rate": 104}'),
])
def test_unknown_layout_names_the_supported_formats(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    message = error_of(path)
    assert "supported:" in message and all(fmt in message for fmt in FORMATS)


def test_a_bad_cell_in_a_vendor_file_names_its_line(tmp_path):
    acc, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
    lines = acc.read_text().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + ",abc"
    acc.write_text("\n".join(lines) + "\n")
    message = left_out(acc)  # (it refused the file)
    assert "line 11" in message and "z-axis (g)" in message and "'abc'" in message


def test_a_missing_column_is_named(tmp_path):
    path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
    path.write_text(path.read_text().replace("Gyr_Y", "Mag_Y"))
    assert "line 7: no Gyr_Y column" in error_of(path)


def test_time_running_backwards_is_an_error_not_a_wrap(tmp_path):
    path = write_movella(tmp_path / "dot.csv", KNOWN, 10_000_000)
    lines = path.read_text().splitlines()
    fields = lines[20].split(",")
    fields[1] = str(int(fields[1]) - 500_000)  # 0.5 s back: far less than half the wrap
    lines[20] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    assert "line 21: sample time: " in error_of(path) and "is less than the line before" in error_of(path)


def test_a_dot_clock_not_in_microseconds_is_flagged(tmp_path):
    fast = swinging_sensor(rate_hz=50.0, reps=1)
    ticks_100us = type(fast)(fast.t / 100.0, fast.acc, fast.gyr)  # an MTi-like 10 kHz tick read as µs
    path = write_movella(tmp_path / "dot.csv", ticks_100us, 0)
    with pytest.raises(RecordingError, match=r"dot\.csv: column t: the median sample interval is 0\.0002"):
        read_recording(path)  # 5000 Hz is no worn IMU's rate: refused, not analysed 100x too fast


def test_dot_free_acceleration_only_is_refused_with_the_reason(tmp_path):
    path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
    path.write_text(path.read_text().replace("Acc_", "FreeAcc_"))
    assert "only FreeAcc_X/Y/Z (gravity removed)" in error_of(path)


@pytest.mark.parametrize("cell, shown", [("nan", "is empty (or NaN)"), ("", "is empty (or NaN)"),
                                         ("inf", "inf is not a finite number")])
def test_a_non_finite_cell_in_a_vendor_file_is_named_plainly(tmp_path, cell, shown):
    acc, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
    lines = acc.read_text().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + "," + cell
    acc.write_text("\n".join(lines) + "\n")
    message = left_out(acc)
    assert "line 11" in message and message.endswith(f"{shown})")


def cut_in_last_line(path, keep_fields: int, sep: str) -> None:
    """Cut the file inside its last line, after ``keep_fields`` fields (an interrupted export or copy)."""
    text = path.read_text().rstrip("\n")
    head, last = text.rsplit("\n", 1)
    path.write_text(head + "\n" + sep.join(last.split(sep)[:keep_fields]) + sep + "0.0")


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella"])
def test_a_vendor_export_cut_inside_its_last_line_loses_that_line_only(tmp_path, fmt):
    if fmt == "metabase":
        path, other = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
        sep, line_count = ",", len(KNOWN) + 1
    elif fmt == "polar":
        path, other = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        sep, line_count = ";", len(KNOWN) + 1
    else:
        path = other = write_movella(tmp_path / "dot.csv", KNOWN, 0)
        sep, line_count = ",", len(KNOWN) + 7
    whole = read_recording(path).samples
    cut_in_last_line(path, 3, sep)
    recording = read_recording(path)
    # (a Polar phone time without a zone is also said: read in this computer's)
    assert [w.split(": ", 1)[1] for w in recording.warnings if "has no time zone" not in w] == [
        f"line {line_count}: incomplete last line dropped (export cut short?)"]
    assert all(w.startswith(str(path)) for w in recording.warnings)
    if fmt == "movella":
        assert len(recording.samples) == len(whole) - 1
    else:  # the partner file still has the last sample, which now has no pair
        assert len(recording.samples) in (len(whole) - 1, len(whole))
    assert (recording.samples.acc[:len(whole) - 1] == whole.acc[:len(whole) - 1]).all()


@pytest.mark.parametrize("fmt", ["metabase", "polar"])
@pytest.mark.parametrize("tail", ["", "-"])
def test_a_vendor_export_cut_inside_its_last_value_loses_that_line_only(tmp_path, fmt, tail):
    # (every field there, the last one empty or only its sign: a cut just after a separator or
    # a minus sign, with no line break after it)
    if fmt == "metabase":
        path, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
        sep, line_count = ",", len(KNOWN) + 1
    else:
        path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        sep, line_count = ";", len(KNOWN) + 1
    text = path.read_text().rstrip("\n")
    head, last = text.rsplit("\n", 1)
    path.write_text(head + "\n" + sep.join(last.split(sep)[:-1]) + sep + tail)
    recording = read_recording(path)
    # (a Polar phone time without a zone is also said: read in this computer's)
    assert [w.split(": ", 1)[1] for w in recording.warnings if "has no time zone" not in w] == [
        f"line {line_count}: incomplete last line dropped (export cut short?)"]


def test_a_last_line_with_a_bad_value_and_a_line_break_is_malformed_not_cut(tmp_path):
    path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
    text = path.read_text().rstrip("\n")
    head, last = text.rsplit("\n", 1)
    path.write_text(head + "\n" + ";".join(last.split(";")[:-1]) + ";x\n")
    assert left_out(path) == lost(path, f"line {len(KNOWN) + 1}: column Z [mg]: 'x' is not a finite number")


def test_a_short_line_that_is_not_the_last_is_malformed_not_cut(tmp_path):
    path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
    lines = path.read_text().splitlines()
    lines[20] = ",".join(lines[20].split(",")[:5])
    path.write_text("\n".join(lines) + "\n")
    assert left_out(path) == lost(path, "line 21: column Acc_X: missing (5 fields, the header has 12)")


@pytest.mark.parametrize("fmt", ["polar", "movella"])
def test_a_vendor_line_with_more_fields_than_its_header_is_named(tmp_path, fmt):
    # (the reader takes some columns by position: a line with one more field would be misread)
    if fmt == "polar":
        path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        sep, index, header_line = ";", 10, 1
    else:
        path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
        sep, index, header_line = ",", 20, 7
    lines = path.read_text().splitlines()
    fields = lines[header_line - 1].count(sep) + 1
    lines[index] += sep + "123"
    path.write_text("\n".join(lines) + "\n")
    assert left_out(path) == lost(path, f"line {index + 1}: {fields + 1} fields, the header (line {header_line}) has {fields}")


def test_a_vendor_file_not_in_utf8_names_the_line(tmp_path):
    path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
    lines = path.read_bytes().split(b"\n")
    lines[12] = lines[12] + b"\xff"
    path.write_bytes(b"\n".join(lines))
    assert "(line 13: not UTF-8 text" in left_out(path)


@pytest.mark.parametrize("keep", [0, -1, 3])  # "-6.212950" cut to "-6", to "-" (or ""), to "-6.21"
def test_a_movesense_csv_cut_inside_its_last_number_loses_that_line_with_a_warning(tmp_path, keep):
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    text = acc.read_text().rstrip("\n")
    acc.write_text(text[: text.rindex(".") + keep] if keep != 0 else text[: text.rindex(".")])  # (no line break)
    recording = read_recording(acc)
    assert any("incomplete last line dropped" in w for w in recording.warnings)
    assert len(recording.samples) == len(KNOWN) // 4 * 4 - 1  # (that sample only: the rest as written)


def test_an_empty_partner_file_is_named_empty(tmp_path):
    acc, gyr = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
    gyr.write_text("")
    with pytest.raises(RecordingError, match=f"{gyr}: file is empty"):
        read_recording(acc)


@pytest.mark.parametrize("cell, problem", [
    ("abc", "column y: 'abc' is not a number"),
    ("1e999", "column y: '1e999' is not a finite number"),
    ("1.5,2", "5 fields, expected 4 (timestamp,x,y,z)"),
    ("1.2\x003", "column y: '1.2\\x003' holds a NUL byte (a damaged file?)"),
])
def test_a_bad_cell_in_a_movesense_csv_names_its_line(tmp_path, cell, problem):
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = acc.read_text().splitlines()
    fields = lines[10].split(",")
    fields[2] = cell
    lines[10] = ",".join(fields)
    acc.write_text("\n".join(lines) + "\n")
    assert left_out(acc) == lost(acc, f"line 11: {problem}")


def test_a_movesense_csv_line_is_named_after_blank_lines(tmp_path):
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = acc.read_text().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + ",nan"
    acc.write_text("\n".join(lines[:5] + ["", ""] + lines[5:]) + "\n")  # two blank lines before it
    assert left_out(acc) == lost(acc, "line 13: column z: 'nan' is not a finite number")


def test_a_movesense_csv_cut_where_no_number_is_yet_loses_its_last_line_only(tmp_path):
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    whole = read_recording(acc)
    text = acc.read_bytes().rstrip(b"\n").rsplit(b",", 1)[0] + b",-"  # (cut after the sign of its last number)
    acc.write_bytes(text)
    recording = read_recording(acc)
    n_lines = text.count(b"\n") + 1
    assert f"{acc}: line {n_lines}: incomplete last line dropped (export cut short?)" in recording.warnings
    assert len(recording.samples) == len(whole.samples) - 1


@pytest.mark.parametrize("cut", ["", "9.8", "-"])
def test_a_movesense_csv_padded_with_nuls_by_a_crash_loses_its_last_line_only(tmp_path, cut):
    # (as every other reader: a crash pads the file's end with NULs; the line they are on is dropped, said)
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    whole = read_recording(acc)
    text = acc.read_bytes()
    if cut:  # (the last line cut inside its last number, then the padding)
        text = text.rstrip(b"\n").rsplit(b",", 1)[0] + b"," + cut.encode()
    acc.write_bytes(text + b"\0" * 20)
    recording = read_recording(acc)
    n_lines = text.count(b"\n") + 1
    assert f"{acc}: line {n_lines}: incomplete last line dropped (export cut short?)" in recording.warnings
    assert len(recording.samples) == len(whole.samples) - (1 if cut else 0)


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella"])
def test_a_nul_byte_inside_a_vendor_number_names_its_line(tmp_path, fmt):
    # (pandas' parser ends a cell at a NUL: "1.2<NUL>3" would be read as 1.2)
    if fmt == "metabase":
        path, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
        sep, field = ",", 4
    elif fmt == "polar":
        path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        sep, field = ";", 3
    else:
        path = write_movella(tmp_path / "dot.csv", KNOWN, 0)
        sep, field = ",", 7
    lines = path.read_text().splitlines()
    fields = lines[10].split(sep)
    fields[field - 1] = "1.2\x003"
    lines[10] = sep.join(fields)
    path.write_text("\n".join(lines) + "\n")
    assert left_out(path) == lost(path, f"line 11: field {field}: '1.2\\x003' holds a NUL byte (a damaged file?)")


@pytest.mark.parametrize("stamp, problem", [
    ("99999999999999999999", "does not fit a 64-bit integer (no sensor's clock is this large)"),
    ("9223372036854775808", "does not fit a 64-bit integer (no sensor's clock is this large)"),  # 2**63
    ("848000000173076923.5", "is not a whole number"),
])
def test_a_polar_timestamp_beyond_int64_is_named_on_its_own_line_without_numpy_warnings(tmp_path, stamp, problem):
    # (it was cast to int64 with two RuntimeWarnings, wrapped round, and the time check then named the line after)
    path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
    lines = path.read_text().splitlines()
    fields = lines[9].split(";")
    fields[1] = stamp
    lines[9] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked RuntimeWarning fails the test
        assert left_out(path) == lost(path, f"line 10: column sensor timestamp [ns]: {stamp!r} {problem}")


def test_a_polar_clock_stays_exact_when_a_cut_last_line_made_its_column_float(tmp_path):
    # (an empty sensor timestamp in the dropped last line turns pandas' column to float64: 1 ns steps lost)
    path, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9 + 1)
    whole = read_recording(path)
    text = path.read_text().rstrip("\n")
    head, last = text.rsplit("\n", 1)
    path.write_text(head + "\n" + last.split(";")[0] + ";")
    cut = read_recording(path)
    assert cut.meta.started_at == whole.meta.started_at
    np.testing.assert_array_equal(cut.samples.t, whole.samples.t[: len(cut.samples)])


def _with_blank_lines(path, before: int, count: int = 2) -> None:
    """``count`` blank lines (one of them spaces only, as an editor leaves it) put before the file's
    line ``before`` (1-based): that line and every one after it move down by ``count``."""
    text = path.read_text()
    lines = text.splitlines()
    end = "\n" if text.endswith("\n") else ""  # (a file cut without its last line break stays so)
    path.write_text("\n".join(lines[: before - 1] + ["", "   "][:count] + lines[before - 1:]) + end)


def _vendor_file(tmp_path, fmt):
    """(the file, its separator, the line of its header) of a synthetic export of ``fmt``."""
    if fmt == "metabase":
        return write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)[0], ",", 1
    if fmt == "polar":
        return write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)[0], ";", 1
    return write_movella(tmp_path / "dot.csv", KNOWN, 10_000_000), ",", 7


@pytest.mark.parametrize("fmt, column", [("metabase", "z-axis (g)"), ("polar", "Z [mg]"), ("movella", "Gyr_Z")])
def test_a_bad_vendor_cell_after_blank_lines_is_named_on_its_own_line(tmp_path, fmt, column):
    # e.g. a MetaBase file with two blank lines after line 5: the bad cell written on line 11 is now on
    # line 13 of the file, and an editor's "go to line 13" must land on it (it said line 11)
    path, sep, header = _vendor_file(tmp_path, fmt)
    lines = path.read_text().splitlines()
    cells = lines[header + 9].split(sep)  # (the 10th data line)
    index = next(i for i, name in enumerate(lines[header - 1].split(sep)) if name.strip() == column)
    cells[index] = "abc"
    lines[header + 9] = sep.join(cells)
    path.write_text("\n".join(lines) + "\n")
    _with_blank_lines(path, before=header + 5)
    assert path.read_text().splitlines()[header + 11].split(sep)[index] == "abc"  # (the file's line header + 12)
    assert left_out(path) == lost(path, f"line {header + 12}: column {column}: 'abc' is not a finite number")


@pytest.mark.parametrize("fmt, clock, half_s", [("metabase", 0, 500), ("polar", 1, 500_000_000), ("movella", 1, 500_000)])
def test_time_running_backwards_after_blank_lines_names_its_own_line(tmp_path, fmt, clock, half_s):
    # (the clock: MetaBase's epoch (ms), Polar's sensor timestamp [ns], the DOT's SampleTimeFine [µs])
    path, sep, header = _vendor_file(tmp_path, fmt)
    lines = path.read_text().splitlines()
    fields = lines[header + 19].split(sep)  # (the 20th data line: the file's line header + 20)
    fields[clock] = str(int(fields[clock]) - half_s)  # 0.5 s back
    lines[header + 19] = sep.join(fields)
    path.write_text("\n".join(lines) + "\n")
    _with_blank_lines(path, before=header + 3)
    assert f"{path}: line {header + 22}: " in error_of(path) and "is less than the line before" in error_of(path)


def test_a_clock_that_is_no_whole_number_after_blank_lines_names_its_own_line(tmp_path):
    path, _, _ = _vendor_file(tmp_path, "polar")
    lines = path.read_text().splitlines()
    fields = lines[6].split(";")
    fields[1] += ".5"
    lines[6] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n")
    _with_blank_lines(path, before=3, count=1)
    assert f"(line 8: column sensor timestamp [ns]: " in left_out(path)


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella", "movesense"])
def test_an_incomplete_last_line_after_blank_lines_is_named_on_its_own_line(tmp_path, fmt):
    from vendor_synth import write_movesense_csv

    if fmt == "movesense":
        path, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
        text = path.read_text().rstrip("\n")
        path.write_text(text[: text.rindex(".")])  # "-6.212950" cut to "-6", no line break
        header = 1
    else:
        path, sep, header = _vendor_file(tmp_path, fmt)
        cut_in_last_line(path, 3, sep)
    last = len(path.read_text().splitlines())
    _with_blank_lines(path, before=header + 3)
    recording = read_recording(path)
    assert [w for w in recording.warnings if "incomplete last line" in w] == [
        f"{path}: line {last + 2}: incomplete last line dropped (export cut short?)"]  # (it said line {last})


def test_a_movesense_partner_whose_time_runs_back_is_named_with_its_own_line(tmp_path):
    from vendor_synth import write_movesense_csv

    acc, gyr = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = gyr.read_text().splitlines()
    stamped = [i for i, line in enumerate(lines[1:], start=1) if not line.startswith(",")]
    fields = lines[stamped[10]].split(",")
    fields[0] = str(int(fields[0]) - 1000)  # (the 11th packet stamped 1 s before the 10th)
    lines[stamped[10]] = ",".join(fields)
    gyr.write_text("\n".join(lines) + "\n")
    before = error_of(gyr)  # e.g. "…_gyro.csv: line 38: gyroscope time: … is less than the packet before …"
    line = int(before.split(": line ", 1)[1].split(":", 1)[0])
    _with_blank_lines(gyr, before=4)
    # read from the accelerometer's file, the gyroscope's error names the gyroscope's file (it named
    # the accelerometer's) and the line that holds it (two further down)
    with pytest.raises(RecordingError) as info:
        read_recording(acc)
    assert str(info.value) == before.replace(f": line {line}: ", f": line {line + 2}: ")


def test_a_movesense_json_lines_stamp_running_back_is_named_by_its_line_and_key(tmp_path):
    from vendor_synth import write_movesense_json_lines

    acc, _ = write_movesense_json_lines(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = acc.read_text().splitlines()
    event = json.loads(lines[10])
    before_ms = json.loads(lines[9])["acc"]["Timestamp"]
    event["acc"]["Timestamp"] = before_ms - 1000  # (the 11th packet, on line 11, stamped 1 s before the 10th)
    lines[10] = json.dumps(event)
    acc.write_text("\n\n".join(lines) + "\n")  # (a blank line between events: the 11th is on line 21)
    # it said "line 39": a count of samples, not a line of the file
    assert error_of(acc) == (f"{acc}: line 21: acc.Timestamp: accelerometer time: {(before_ms - 1000) / 1000:.9g} s"
                             f" is less than the packet before ({before_ms / 1000:.9g} s) by 1 s, a packet period"
                             " (0.08 s, the median step between stamps) or more; accelerometer time must increase"
                             " (a damaged file, or two recordings one after the other?)")


def test_a_movesense_json_document_stamp_running_back_is_named_by_its_json_location(tmp_path):
    from vendor_synth import write_movesense_imu6_json

    path = write_movesense_imu6_json(tmp_path / "imu6.json", KNOWN[: len(KNOWN) // 4 * 4], 4)
    body = json.loads(path.read_text())
    packets = body["Meas"]["IMU6"]
    packets[12]["Body"]["Timestamp"] = packets[11]["Body"]["Timestamp"] - 500
    path.write_text(json.dumps(body, indent=2))  # (one document over many lines: the location names it)
    message = error_of(path)
    assert message.startswith(f"{path}: Meas.IMU6[12].Body.Timestamp: accelerometer time: ")
    assert "is less than the packet before" in message


@pytest.mark.parametrize("stamp", ["NaN", "Infinity", '"599025762"'])
def test_a_movesense_json_stamp_that_is_no_finite_number_is_named(tmp_path, stamp):
    from vendor_synth import write_movesense_json_lines

    acc, _ = write_movesense_json_lines(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = acc.read_text().splitlines()
    lines[3] = lines[3].replace(f'"Timestamp": {json.loads(lines[3])["acc"]["Timestamp"]}', f'"Timestamp": {stamp}')
    acc.write_text("\n".join(lines) + "\n")
    # (NaN was read as a time: the samples after it had no time; one packet of 87 is over 1 %: refused)
    assert error_of(acc) == (f"{acc}: line 4: acc.Timestamp: {json.loads(stamp)!r} is not a number (ms)"
                             " (1 of 87 packets malformed; at most 1% can be left out)")


def test_a_movesense_csv_stamp_running_back_is_named_on_its_own_line(tmp_path):
    from vendor_synth import write_movesense_csv

    acc, _ = write_movesense_csv(tmp_path, KNOWN[: len(KNOWN) // 4 * 4], 4)
    lines = acc.read_text().splitlines()
    fields = lines[41].split(",")  # (line 42: the 11th packet's stamp, 4 samples a packet after the header)
    fields[0] = str(int(fields[0]) - 1000)
    lines[41] = ",".join(fields)
    acc.write_text("\n".join(lines) + "\n")
    # it named line 39, the 10th packet's second sample, spread backwards from the stamp on line 42
    assert error_of(acc).startswith(f"{acc}: line 42: accelerometer time: ")

"""Safe repairs: each one reads the data back and leaves a one-line warning naming file and line."""
from __future__ import annotations

import numpy as np
import pytest
from io_synth import good_lines, set_cell, swinging_sensor, write_csv

from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return good_lines(rate_hz=50.0)


def values(recording) -> np.ndarray:
    return recording.samples.to_array()


def expected(lines: list[str]) -> np.ndarray:
    return np.array([[float(cell) for cell in line.split(",")] for line in lines[1:]])


def test_clean_file_reads_without_warnings(tmp_path, lines):
    recording = read_recording(write_csv(tmp_path, lines, name="clean"))
    assert recording.warnings == []
    assert recording.name == "clean"
    np.testing.assert_array_equal(values(recording), expected(lines))


@pytest.mark.parametrize(
    "cut_last_line",
    [
        lambda line: line[: line.index(",", 20)],  # fewer fields
        lambda line: line.rsplit(",", 1)[0] + ",",  # last field empty
        lambda line: line.rsplit(",", 1)[0] + ",-",  # only the sign written
        lambda line: line.rsplit(",", 1)[0] + ",1.5e",  # exponent cut
        lambda line: line[:-2],  # last number lost digits (no newline follows)
        lambda line: line[:3],  # only part of t
    ],
)
def test_truncated_last_line_is_dropped(tmp_path, lines, cut_last_line):
    rows = [*lines[:-1], cut_last_line(lines[-1])]
    path = write_csv(tmp_path, rows, final_newline=False)
    recording = read_recording(path)
    np.testing.assert_array_equal(values(recording), expected(lines[:-1]))
    assert len(recording.warnings) == 1
    assert recording.warnings[0].startswith(f"{path}: line {len(lines)}: incomplete last line dropped")


def test_truncated_last_line_with_nul_padding(tmp_path, lines):
    path = write_csv(tmp_path, lines)
    with open(path, "ab") as handle:
        handle.write(b"12.3\x00\x00\x00\x00")
    recording = read_recording(path)
    np.testing.assert_array_equal(values(recording), expected(lines))
    assert "NUL" in recording.warnings[0]


def test_complete_last_line_without_newline_is_kept(tmp_path, lines):
    recording = read_recording(write_csv(tmp_path, lines, final_newline=False))
    assert recording.warnings == []
    np.testing.assert_array_equal(values(recording), expected(lines))


def test_short_line_before_the_last_is_no_crash_cut_line(tmp_path, lines):
    rows = [*lines[:-2], lines[-2][:10], lines[-1]]
    path = write_csv(tmp_path, rows)
    (warning,) = read_recording(path).warnings  # one among 650 lines: left out as malformed
    assert warning.startswith(f"{path}: 1 malformed line left out as a lost sample (line {len(lines) - 1}: column")
    with pytest.raises(RecordingError, match=f"line 20: column"):  # one among 20: refused
        read_recording(write_csv(tmp_path, [*lines[:19], lines[19][:10], lines[20]]))


def test_a_few_repeated_timestamps_keep_the_first(tmp_path, lines):
    rows = set_cell(lines, 11, 0, lines[9].split(",")[0])  # line 11 repeats line 10's t
    path = write_csv(tmp_path, rows)
    recording = read_recording(path)
    want = np.delete(expected(rows), 9, axis=0)  # data row 9 is file line 11
    np.testing.assert_array_equal(values(recording), want)
    assert recording.warnings == [
        f"{path}: line 11: 1 repeated timestamp (t equal to the row before); dropped, keeping the first row of each"
    ]


def test_repeats_up_to_one_percent_are_repaired(tmp_path):
    lines = good_lines(rate_hz=100.0)  # 1300 rows: 13 repeats allowed, 14 are an error
    repeated = list(range(100, 100 + 13 * 50, 50))
    rows = list(lines)
    for line_number in repeated:
        rows = set_cell(rows, line_number, 0, rows[line_number - 2].split(",")[0])
    recording = read_recording(write_csv(tmp_path, rows))
    assert len(recording.samples) == len(lines) - 1 - 13
    assert "13 repeated timestamps" in recording.warnings[0]
    rows = set_cell(rows, 900, 0, rows[898].split(",")[0])
    with pytest.raises(RecordingError, match="line 100: column t: .* 14 rows"):
        read_recording(write_csv(tmp_path, rows))


def test_extra_columns_are_ignored(tmp_path, lines):
    rows = [lines[0] + ",temp_c,marker", *(f"{line},21.5,lap {i}" for i, line in enumerate(lines[1:]))]
    path = write_csv(tmp_path, rows)
    recording = read_recording(path)
    np.testing.assert_array_equal(values(recording), expected(lines))
    assert recording.warnings == [f"{path}: line 1: unknown columns temp_c, marker ignored"]


def test_columns_in_any_order(tmp_path, lines):
    order = [6, 0, 3, 1, 5, 2, 4]
    rows = [",".join(line.split(",")[i] for i in order) for line in lines]
    recording = read_recording(write_csv(tmp_path, rows))
    np.testing.assert_array_equal(values(recording), expected(lines))


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_crlf_and_bom(tmp_path, lines, bom, newline):
    path = tmp_path / "rec.csv"
    path.write_bytes(bom + newline.join(lines).encode() + newline.encode())
    recording = read_recording(path)
    assert recording.warnings == []
    np.testing.assert_array_equal(values(recording), expected(lines))


def test_crlf_truncated_last_line(tmp_path, lines):
    path = tmp_path / "rec.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n" + lines[-1][:12]).encode())
    recording = read_recording(path)
    np.testing.assert_array_equal(values(recording), expected(lines))
    assert f"line {len(lines) + 1}: incomplete last line" in recording.warnings[0]


def test_blank_lines_are_skipped(tmp_path, lines):
    rows = [*lines[:10], "", *lines[10:], "", ""]
    recording = read_recording(write_csv(tmp_path, rows))
    np.testing.assert_array_equal(values(recording), expected(lines))


def test_missing_sidecar_gives_defaults(tmp_path):
    path = write_recording(tmp_path / "rec.csv", swinging_sensor())
    (tmp_path / "rec.json").unlink()
    recording = read_recording(path)
    assert recording.meta.exercise == "hip_external_rotation"
    assert recording.meta.side is None and recording.meta.started_at.tzinfo is not None
    assert recording.warnings == []


def test_trailing_commas_everywhere(tmp_path, lines):
    path = write_csv(tmp_path, [line + "," for line in lines])
    recording = read_recording(path)
    np.testing.assert_array_equal(values(recording), expected(lines))
    assert recording.warnings == [f"{path}: line 1: unknown column (unnamed column 8) ignored"]


def test_clean_files_take_the_fast_path_only(tmp_path, lines, monkeypatch):
    """No line-by-line scan for clean, crash-cut or extra-column files; arrays stay float64."""
    from sensorkit.io import checks, csv_table

    def slow_scan(*args):
        raise AssertionError("the line-by-line scan ran")

    monkeypatch.setattr(csv_table, "_scan", slow_scan)
    monkeypatch.setattr(checks, "line_of_row", slow_scan)
    for rows, final_newline in [
        (lines, True),
        ([*lines, lines[-1][:9]], False),
        ([lines[0] + ",note", *(line + ",x" for line in lines[1:])], True),
    ]:
        samples = read_recording(write_csv(tmp_path, rows, final_newline=final_newline)).samples
        assert len(samples) == len(lines) - 1
        assert samples.t.dtype == samples.acc.dtype == samples.gyr.dtype == np.float64


def test_a_jump_of_more_than_ten_minutes_in_t_is_a_warning(tmp_path):
    samples = swinging_sensor(rate_hz=50.0)
    later = samples.t.copy()
    later[len(later) // 2:] += 3600.0  # the sensor off for an hour, or two sessions in one file
    path = write_recording(tmp_path / "rec.csv", type(samples)(later, samples.acc, samples.gyr), {})
    warnings = read_recording(path).warnings
    assert any(f"line {len(later) // 2 + 2}: t jumps 3600" in w for w in warnings), warnings


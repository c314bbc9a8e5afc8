"""A vendor export with a malformed line loses that line only, as the sensorkit CSV reader does: the
line left out with a warning naming the file, line and column; the file refused only when more than
1% of its data lines are malformed (or all are)."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from io_synth import swinging_sensor
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording
from vendor_synth import write_metabase, write_movella, write_movesense_csv, write_polar

KNOWN = swinging_sensor(rate_hz=50.0, reps=1)  # 350 samples: one bad line is 0.3% of them
PER_PACKET = 4
MOVESENSE = KNOWN[: len(KNOWN) // PER_PACKET * PER_PACKET]


def export(tmp_path, fmt):
    """(file read, file to damage, its separator, the line of its header, the column to damage) of ``fmt``."""
    if fmt == "metabase":
        acc, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
        return acc, acc, ",", 1, "y-axis (g)"
    if fmt == "metabase-gyro":
        acc, gyr = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
        return acc, gyr, ",", 1, "y-axis (deg/s)"
    if fmt == "polar":
        acc, _ = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        return acc, acc, ";", 1, "Y [mg]"
    if fmt == "polar-gyro":
        acc, gyr = write_polar(tmp_path, KNOWN, 800_000_000 * 10**9)
        return acc, gyr, ";", 1, "Y [dps]"
    if fmt == "movella":
        path = write_movella(tmp_path / "dot.csv", KNOWN, 10_000_000)
        return path, path, ",", 7, "Acc_Y"
    acc, gyr = write_movesense_csv(tmp_path, MOVESENSE, PER_PACKET)
    return (acc, acc, ",", 1, "y") if fmt == "movesense" else (acc, gyr, ",", 1, "y")


def damage(path, sep: str, header: int, column: str, rows: list[int], cell: str = "abc") -> list[int]:
    """Write ``cell`` in ``column`` of the data rows ``rows`` (0-based); their file line numbers."""
    lines = path.read_text().splitlines()
    index = [name.strip() for name in lines[header - 1].split(sep)].index(column)
    for row in rows:
        cells = lines[header + row].split(sep)
        cells[index] = cell
        lines[header + row] = sep.join(cells)
    path.write_text("\n".join(lines) + "\n")
    return [header + row + 1 for row in rows]


FORMATS = ["metabase", "metabase-gyro", "polar", "polar-gyro", "movella", "movesense", "movesense-gyro"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_bad_line_in_the_middle_loses_that_sample_only(tmp_path, fmt):
    # e.g. a MetaBase accelerometer file whose line 151 reads "...,abc,...": it refused the whole file
    read, damaged, sep, header, column = export(tmp_path, fmt)
    whole = read_recording(read).samples
    row = 150 if not fmt.startswith("movesense") else 149  # (a packet's second sample: its stamp is on the line before)
    [line] = damage(damaged, sep, header, column, [row])
    recording = read_recording(read)
    shown = "'abc' is not a number" if fmt.startswith("movesense") else "'abc' is not a finite number"
    assert [w for w in recording.warnings if "malformed" in w] == [
        f"{damaged}: 1 malformed line left out as a lost sample (line {line}: column {column}: {shown})"]
    samples = recording.samples
    if fmt.endswith("gyro"):  # the accelerometer's samples all kept, at their times; the gyroscope's
        # missing one interpolated from its neighbours (the two streams are matched by time, not by row)
        np.testing.assert_array_equal(samples.t, whole.t)
        np.testing.assert_array_equal(samples.acc, whole.acc)
        others = np.delete(np.arange(len(whole)), row)
        np.testing.assert_array_equal(samples.gyr[others], whole.gyr[others])
        neighbours = (whole.gyr[row - 1] + whole.gyr[row + 1]) / 2
        np.testing.assert_allclose(samples.gyr[row], neighbours, atol=1e-9)
    else:  # the same samples as the whole file's less that row, at the same times
        assert len(samples) == len(whole) - 1
        np.testing.assert_array_equal(samples.t, np.delete(whole.t, row))
        np.testing.assert_array_equal(samples.acc, np.delete(whole.acc, row, axis=0))
        np.testing.assert_array_equal(samples.gyr, np.delete(whole.gyr, row, axis=0))


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella", "movesense"])
def test_more_than_one_percent_of_lines_bad_refuses_the_file_naming_the_first(tmp_path, fmt):
    # 4 of 348..350 lines (over 1%): the file is refused as the sensorkit CSV reader refuses one
    read, damaged, sep, header, column = export(tmp_path, fmt)
    lines = damage(damaged, sep, header, column, [41, 101, 201, 301])
    n_lines = len(MOVESENSE if fmt == "movesense" else KNOWN)
    shown = "'abc' is not a number" if fmt == "movesense" else "'abc' is not a finite number"
    with pytest.raises(RecordingError) as info:
        read_recording(read)
    assert str(info.value) == (f"{damaged}: line {lines[0]}: column {column}: {shown} (4 of {n_lines} data lines"
                               " malformed; at most 1% can be left out)")


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella", "movesense"])
def test_three_bad_lines_in_350_are_left_out_with_one_warning(tmp_path, fmt):
    read, damaged, sep, header, column = export(tmp_path, fmt)
    whole = read_recording(read).samples
    lines = damage(damaged, sep, header, column, [41, 101, 201], cell="")
    recording = read_recording(read)
    empty = "is empty" if fmt == "movesense" else "is empty (or NaN)"
    named = "; ".join(f"line {n}: column {column}: {empty}" for n in lines)
    assert [w for w in recording.warnings if "malformed" in w] == [
        f"{damaged}: 3 malformed lines left out as lost samples ({named})"]
    assert len(recording.samples) == len(whole) - 3


def test_a_movesense_packet_stamp_that_is_no_number_keeps_the_other_samples_timed(tmp_path):
    # the stamp line of a packet is lost; its other samples are timed as the packet before's, spread
    # to the next stamp (the packets are of equal length: the very times they had)
    read, damaged, sep, header, column = export(tmp_path, "movesense")
    whole = read_recording(read).samples
    row = 40  # (the 11th packet's first sample, stamped)
    [line] = damage(damaged, sep, header, "timestamp", [row])
    recording = read_recording(read)
    assert [w for w in recording.warnings if "malformed" in w] == [
        f"{damaged}: 1 malformed line left out as a lost sample (line {line}: column timestamp: 'abc' is not a number)"]
    np.testing.assert_allclose(recording.samples.t, np.delete(whole.t, row), atol=1e-9)
    np.testing.assert_array_equal(recording.samples.acc, np.delete(whole.acc, row, axis=0))


@pytest.mark.parametrize("fmt", ["metabase", "polar", "movella"])
def test_a_bad_line_and_a_cut_last_line_are_both_named(tmp_path, fmt):
    # (the cut last line is not counted among the data lines: said apart, as the CSV reader says it)
    read, damaged, sep, header, column = export(tmp_path, fmt)
    [line] = damage(damaged, sep, header, column, [150])
    text = damaged.read_text().rstrip("\n")
    head, last = text.rsplit("\n", 1)
    damaged.write_text(head + "\n" + sep.join(last.split(sep)[:3]))  # (no line break: an export cut short)
    recording = read_recording(read)
    warnings = [w for w in recording.warnings if "has no time zone" not in w]
    assert warnings == [  # (in the CSV reader's order: the cut line, then the lines left out)
        f"{damaged}: line {text.count(chr(10)) + 1}: incomplete last line dropped (export cut short?)",
        f"{damaged}: 1 malformed line left out as a lost sample (line {line}: column {column}: 'abc' is not a finite number)"]


def test_a_polar_first_line_left_out_dates_the_session_by_the_first_line_read(tmp_path):
    # (the phone time was taken from the file's first data line, kept or not: 20 ms early here)
    read, damaged, sep, header, column = export(tmp_path, "polar")
    whole = read_recording(read)
    damage(damaged, sep, header, column, [0])
    recording = read_recording(read)
    assert recording.samples.t[0] == 0.0 and len(recording.samples) == len(whole.samples) - 1
    assert recording.meta.started_at == whole.meta.started_at + timedelta(seconds=float(whole.samples.t[1]))

"""Accelerometer + gyroscope files are one recording: listed once (by the accelerometer file), read as a pair."""
from __future__ import annotations

import numpy as np
import pytest

from io_synth import csv_text, swinging_sensor
from sensorkit.errors import RecordingError
from sensorkit.io import find_recordings, read_recording
from sensorkit.io.vendor.common import merge_by_time
from sensorkit.io.vendor.pairs import pair_name, partner
from vendor_synth import write_metabase, write_movesense_csv, write_movesense_json_lines, write_polar

KNOWN = swinging_sensor(rate_hz=50.0, reps=1)


def test_folder_lists_each_pair_once_by_its_accelerometer_file(tmp_path):
    mb_acc, mb_gyr = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000)
    pol_acc, pol_gyr = write_polar(tmp_path / "", KNOWN, 848_000_000_000_000_000)
    ms, _ = write_movesense_json_lines(tmp_path, KNOWN, 4)
    ms_csv, _ = write_movesense_csv(tmp_path, KNOWN, 4, stem="ms_csv")
    (tmp_path / "notes.txt").write_text("not a recording\n")
    magnetometer = tmp_path / mb_acc.name.replace("Accelerometer", "Magnetometer")
    magnetometer.write_text("epoc (ms),timestamp (-0700),elapsed (s),x-axis (T),y-axis (T),z-axis (T)\n1,x,0.0,1,2,3\n")
    (tmp_path / "canon.csv").write_text(csv_text(KNOWN))
    (tmp_path / "canon.json").write_text('{"side": "left"}')  # a sidecar, not a recording
    assert find_recordings([tmp_path]) == sorted([mb_acc, pol_acc, ms, ms_csv, tmp_path / "canon.csv"], key=lambda p: p.as_posix())


def test_explicit_gyroscope_file_stands_for_its_pair(tmp_path):
    acc, gyr = write_polar(tmp_path, KNOWN, 848_000_000_000_000_000)
    assert find_recordings([gyr]) == [acc]
    assert find_recordings([gyr, acc]) == [acc]
    from_gyr, from_acc = read_recording(gyr), read_recording(acc)
    assert from_gyr.name == from_acc.name == "Polar_Sense_B5A3F12C_20261124_093000"
    assert from_gyr.path == from_acc.path == acc
    np.testing.assert_array_equal(from_gyr.samples.to_array(), from_acc.samples.to_array())


def test_canonical_files_named_like_a_pair_are_both_listed(tmp_path):
    for name in ("session_acc.csv", "session_gyro.csv"):
        (tmp_path / name).write_text(csv_text(KNOWN))
    assert [p.name for p in find_recordings([tmp_path])] == ["session_acc.csv", "session_gyro.csv"]


def test_missing_partner_is_a_one_line_error_naming_the_file(tmp_path):
    acc, gyr = write_metabase(tmp_path, KNOWN, "timestamp_hhmm", 1_795_000_000_000)
    gyr.unlink()
    with pytest.raises(RecordingError) as info:
        read_recording(acc)
    message = str(info.value)
    assert message.startswith(str(acc)) and "no gyroscope file to pair with" in message and "\n" not in message


def test_partner_prefers_the_same_suffix_text_and_pair_names():
    from pathlib import Path
    assert pair_name(Path("MetaWear_2026_C5_Accelerometer_1.4.4.csv")) == "MetaWear_2026_C5_1.4.4"
    assert pair_name(Path("Polar_H10_1234_20260424_141011_ACC.txt")) == "Polar_H10_1234_20260424_141011"
    assert partner(Path("/nonexistent/a_ACC.txt")) is None


def test_merge_interpolates_gyro_onto_accelerometer_times():
    acc_t = np.arange(0.0, 2.0, 0.01)
    gyr_t = np.arange(0.004, 2.5, 0.0125)  # another rate, offset clock start
    rate = lambda t: np.column_stack([10 * t, -3 * t + 1, 0 * t + 2])  # linear: interpolation is exact
    samples, start_s, warnings = merge_by_time(__file__, acc_t, np.ones((len(acc_t), 3)), gyr_t, rate(gyr_t))
    kept = acc_t[acc_t >= 0.004]
    assert start_s == pytest.approx(kept[0])
    np.testing.assert_allclose(samples.t, kept - kept[0])
    np.testing.assert_allclose(samples.gyr, rate(kept), atol=1e-12)
    assert warnings and "1 accelerometer samples outside" in warnings[0]


def test_a_metabase_file_of_another_sensor_is_named_as_such(tmp_path):
    path = tmp_path / "MetaWear_2026_C5A2_Quaternion_1.4.4.csv"
    path.write_text("epoc (ms),timestamp (-0700),elapsed (s),w (number),x (number),y (number),z (number)\n")
    with pytest.raises(RecordingError, match="file of another sensor \\(Quaternion\\)"):
        read_recording(path)

"""Vendor readers against excerpts of REAL exports found in public repositories.

Every fixture in ``real_layouts/`` is a byte-for-byte excerpt of a public file (sources: real_layouts/SOURCES.md).
Expected numbers are worked out by hand from the raw rows in the fixture (g × 9.80665 -> m/s², ms -> s),
never by running the reader.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from sensorkit.errors import RecordingError
from sensorkit.io import read_recording
from sensorkit.io.vendor import metabase, movesense, polar

REAL = Path(__file__).parent / "real_layouts"
G = 9.80665
PST = timezone(timedelta(hours=-8))


def _with_synthetic_gyro(tmp_path: Path, acc_name: str, first_ms: int, span_ms: int, stem: str) -> Path:
    """Copy a real MetaBase accelerometer file and add a SYNTHETIC gyroscope partner (no real one was found).

    The gyro header is the one MetaWear code writes (``epoc (ms),timestamp (-0800),…,x-axis (deg/s),…``);
    its rows are a constant (1.5, -2.0, 0.25) deg/s every 40 ms over ``span_ms`` so that the merge keeps
    every accelerometer row and the interpolated gyro is exactly that constant.
    """
    acc = tmp_path / f"{stem}_Accelerometer.csv"
    shutil.copy(REAL / acc_name, acc)
    lines = ["epoc (ms),timestamp (-0800),elapsed (s),x-axis (deg/s),y-axis (deg/s),z-axis (deg/s)"]
    for ms in range(first_ms, first_ms + span_ms + 1, 40):
        lines.append(f"{ms},x,{(ms - first_ms) / 1000:.3f},1.500,-2.000,0.250")
    (tmp_path / f"{stem}_Gyroscope.csv").write_text("\n".join(lines) + "\n")
    return acc


# --- MbientLab MetaBase ---------------------------------------------------------------------------------

def test_metabase_2022_accelerometer_alone_names_the_missing_gyroscope():
    # MetaBase 4 (2022) export, header "epoc (ms),timestamp (-0800),elapsed (s),x-axis (g),…"
    path = REAL / "Bart_2022-01-14T15.28.32.189_E2EDDF1A1AA4_Accelerometer.csv"
    with pytest.raises(RecordingError, match="no gyroscope file to pair with"):
        read_recording(path)


def test_metabase_2022_accelerometer_stream_as_written():
    path = REAL / "Bart_2022-01-14T15.28.32.189_E2EDDF1A1AA4_Accelerometer.csv"
    epoch_ms, values, zone, warnings = metabase._read_one(path, metabase._ACC_UNIT, "accelerometer (g)")
    assert warnings == []
    assert zone == PST  # "timestamp (-0800)"
    assert epoch_ms[0] == 1642202912189
    np.testing.assert_array_equal(np.diff(epoch_ms), [81, 80, 81, 80, 81, 79, 80, 81, 81])
    np.testing.assert_array_equal(values[0], [0.210, -0.522, -0.811])
    np.testing.assert_array_equal(values[-1], [0.211, -0.526, -0.817])


def test_metabase_2022_accelerometer_through_the_pairing_path(tmp_path):
    acc = _with_synthetic_gyro(tmp_path, "Bart_2022-01-14T15.28.32.189_E2EDDF1A1AA4_Accelerometer.csv",
                               1642202912189, 1000, "Bart_2022-01-14T15.28.32.189_E2EDDF1A1AA4")
    rec = read_recording(acc)
    # t = (epoch - 1642202912189) / 1000; the file's own "elapsed (s)" column says the same
    np.testing.assert_allclose(rec.samples.t, [0, .081, .161, .242, .322, .403, .482, .562, .643, .724], atol=1e-9)
    np.testing.assert_allclose(rec.samples.acc[0], [2.0593965, -5.1190713, -7.95319315], atol=1e-9)  # (0.210,-0.522,-0.811) g
    np.testing.assert_allclose(rec.samples.acc[1], [2.0790098, -5.16810455, -8.0218397], atol=1e-9)  # (0.212,-0.527,-0.818) g
    np.testing.assert_allclose(rec.samples.gyr, np.tile([1.5, -2.0, 0.25], (10, 1)), atol=1e-12)
    # epoch 1642202912189 ms in -08:00 is the row's own text time 2022-01-14T15.28.32.189
    assert rec.meta.started_at == datetime(2022, 1, 14, 15, 28, 32, 189000, tzinfo=PST)
    assert rec.meta.started_at.utcoffset() == timedelta(hours=-8)
    assert rec.meta.sensor == "mbientlab-metabase"
    assert rec.name == "Bart_2022-01-14T15.28.32.189_E2EDDF1A1AA4"


def test_metabase_2018_packed_stream_spreads_each_packet_to_the_next():
    # MetaBase 2018 streamed export: 3 samples per BLE packet share one epoch (240 ms apart -> 80 ms per sample)
    epoch_ms, values, _, warnings = metabase._read_one(REAL / "MetaBase2018_Accelerometer.csv", metabase._ACC_UNIT, "acc")
    assert warnings == []
    np.testing.assert_allclose(epoch_ms - 1515983969561, np.arange(15) * 80.0, atol=1e-3)
    np.testing.assert_array_equal(values[:3], [[-0.013, -0.062, 0.994], [-0.013, -0.062, 1.003], [-0.014, -0.063, 1.000]])


def test_metabase_2018_packed_stream_with_uneven_packet_arrival():
    # packets at +0, 6, 30, 36, 60, 67 ms (3 samples each): steps 2, 8, 2, 8, 7/3 ms; the last uses the median 7/3
    epoch_ms, _, _, _ = metabase._read_one(REAL / "MetaBase2018_50K_Accelerometer.csv", metabase._ACC_UNIT, "acc")
    third = 7 / 3
    expected = [0, 2, 4, 6, 14, 22, 30, 32, 34, 36, 44, 52, 60, 60 + third, 60 + 2 * third, 67, 67 + third, 67 + 2 * third]
    np.testing.assert_allclose(epoch_ms - 1516040740853, expected, atol=1e-3)


def test_metabase_2018_packed_accelerometer_through_the_pairing_path(tmp_path):
    acc = _with_synthetic_gyro(tmp_path, "MetaBase2018_Accelerometer.csv", 1515983969561, 1200, "MetaBase2018")
    rec = read_recording(acc)
    assert [w.split(": ", 2)[-1][:16] for w in rec.warnings] == ["unit not checked"]  # 15 samples: too few to tell
    np.testing.assert_allclose(rec.samples.t, np.arange(15) * 0.08, atol=1e-6)
    np.testing.assert_allclose(rec.samples.acc[1], [-0.12748645, -0.6080123, 9.83606995], atol=1e-9)  # (-0.013,-0.062,1.003) g
    assert rec.meta.started_at == datetime(2018, 1, 14, 18, 39, 29, 561000, tzinfo=PST)  # text time 18.39.29.561


# --- Movella DOT ----------------------------------------------------------------------------------------

def test_movella_dot_app_2021_export():
    # preamble "sep=," … "StartTime: ,2021-08-30_17:05:05_000 GMT+8", "© Xsens …", blank line; header on line 9;
    # 120 Hz (SampleTimeFine steps 8333 µs); row 0 is an all-zero placeholder
    rec = read_recording(REAL / "bei_D4CA6EF17860_20210830_170505.csv")
    # one placeholder row is dropped without a word; 9 samples are too few to check the gyro's unit
    assert [w.split(": ", 2)[-1][:16] for w in rec.warnings] == ["unit not checked"]
    assert len(rec.samples) == 9
    np.testing.assert_allclose(rec.samples.t, np.arange(9) * 0.008333, atol=1e-9)  # (ticks - 2974031395) µs
    np.testing.assert_array_equal(rec.samples.acc[0], [0.06049161031842, 0.01594381593168, -9.65323448181152])  # m/s² as written
    np.testing.assert_array_equal(rec.samples.gyr[0], [0.02204104885459, 0.24006941914558, 0.04952512308955])  # deg/s as written
    np.testing.assert_array_equal(rec.samples.gyr[-1], [-0.04413332790136, 0.10551784187555, 0.22644262015820])
    # StartTime (row 0) + 8.333 ms to the first kept row
    assert rec.meta.started_at == datetime(2021, 8, 30, 17, 5, 5, 8333, tzinfo=timezone(timedelta(hours=8)))
    assert rec.meta.sensor == "movella-dot"


def test_movella_dot_free_acceleration_payload_is_refused_with_its_header_line():
    with pytest.raises(RecordingError, match=r"LTibia_20210820_202113_811\.csv: line 12: only FreeAcc_X/Y/Z"):
        read_recording(REAL / "LTibia_20210820_202113_811.csv")


# --- Movesense ------------------------------------------------------------------------------------------

def test_movesense_datalogger_imu9_json():
    # {"Meas":{"IMU9":[{ArrayAcc×8, ArrayGyro×8, ArrayMagn×8, Timestamp}, …]}}, packets at 158319, 158394, 158469 ms
    rec = read_recording(REAL / "MovesenseLog_2_625.json")
    assert len(rec.samples) == 24
    np.testing.assert_allclose(rec.samples.t, np.arange(24) * 0.075 / 8, atol=1e-12)  # 75 ms / 8 samples
    np.testing.assert_array_equal(rec.samples.acc[0], [0.031107805669307709, -0.071787245571613312, -9.6290616989135742])
    np.testing.assert_array_equal(rec.samples.acc[23], [0.047858163714408875, -0.095716327428817749, -9.6888847351074219])
    np.testing.assert_array_equal(rec.samples.gyr[8], [-1.3999999761581421, -3.1500000953674316, 0.21000000834465027])
    np.testing.assert_array_equal(rec.samples.gyr[16], [-1.2599999904632568, -3.6400001049041748, 0.0])
    assert rec.meta.sensor == "movesense-showcase"


def test_movesense_showcase_event_json_and_csv_hold_the_same_packet():
    stamps, blocks, _ = movesense._json_streams(REAL / "Showcase_event_acc.json")["acc"]  # (_: where read)
    assert stamps == [599025762.0]
    assert blocks[0][0] == [0.31347095966339111, -0.31347095966339111, 9.9281759262084961]
    csv_stamps, csv_blocks, _ = movesense._csv_streams(REAL / "Showcase_event_acc.csv", [])["acc"]
    assert csv_stamps == [599025762.0]
    assert len(csv_blocks[0]) == 4  # timestamp on the first sample only
    np.testing.assert_allclose(csv_blocks[0], blocks[0], rtol=1e-7)  # the CSV writes Float32 digits


@pytest.mark.parametrize("name", ["Showcase_event_acc.json", "Showcase_event_acc.csv"])
def test_movesense_showcase_accelerometer_alone_names_the_missing_gyroscope(name):
    with pytest.raises(RecordingError, match="only accelerometer data and no gyroscope file to pair with"):
        read_recording(REAL / name)


# --- Polar Sensor Logger (one quoted row; no real file found) -------------------------------------------

def test_polar_quoted_acc_row():
    ns, values, phone_time, warnings, _ = polar._read_one(REAL / "Polar_quoted_row_ACC.txt", "mg", "accelerometer [mg]")
    (zone,) = warnings  # the phone's time has no zone: read in this computer's, and said so
    assert "the phone timestamp (2026-06-10T21:15:41.382) has no time zone; read in this computer's" in zone
    assert ns.dtype == np.int64 and int(ns[0]) == 599628005694359040  # exact: beyond float64's integers
    np.testing.assert_array_equal(values[0], [-580, 573, 529])
    assert phone_time.replace(tzinfo=None) == datetime(2026, 6, 10, 21, 15, 41, 382000)  # ISO, no zone: local
    # the sensor clock reads 2019-01-01 although the phone says 2026: never set, as documented
    assert polar.POLAR_EPOCH + timedelta(microseconds=int(ns[0]) // 1000) < datetime(2019, 2, 1, tzinfo=timezone.utc)

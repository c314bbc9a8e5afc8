"""Vendor exports read back as the canonical samples they were written from, within the format's precision."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from io_synth import swinging_sensor
from sensorkit.io import read_meta, read_recording
from sensorkit.io.vendor.movella import WRAP_US, unwrap_us
from sensorkit.samples import GRAVITY_MS2
from vendor_synth import (
    METABASE_ZONES, write_metabase, write_movella, write_movesense_csv, write_movesense_imu6_json,
    write_movesense_json_lines, write_polar,
)

KNOWN = swinging_sensor(rate_hz=100.0, reps=2)  # still 2 s, two 40° swings, still 2 s


def assert_samples(recording, truth, t_tol_s, acc_tol_ms2, gyr_tol_dps):
    got = recording.samples
    assert len(got) == len(truth)
    assert got.t[0] == 0.0
    np.testing.assert_allclose(got.t, truth.t - truth.t[0], atol=t_tol_s, rtol=0)
    np.testing.assert_allclose(got.acc, truth.acc, atol=acc_tol_ms2, rtol=0)
    np.testing.assert_allclose(got.gyr, truth.gyr, atol=gyr_tol_dps, rtol=0)


@pytest.mark.parametrize("generation", sorted(METABASE_ZONES))
def test_metabase_pair_in_each_header_generation(tmp_path, generation):
    start_ms = 1_795_000_000_123
    acc_path, _ = write_metabase(tmp_path, KNOWN, generation, start_ms)
    rec = read_recording(acc_path)
    assert_samples(rec, KNOWN, 1e-9, 0.5e-4 * GRAVITY_MS2 * 1.001, 0.5e-3 * 1.001)
    assert rec.name == "MetaWear_2026-11-24T09.30.00.000_C5A2F2B4A0B1_1.4.4"
    assert rec.meta.sensor == "mbientlab-metabase"
    assert rec.meta.started_at == datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc)
    assert rec.meta.started_at.utcoffset() == METABASE_ZONES[generation]
    assert rec.warnings == []


def test_metabase_gyro_shorter_than_acc_keeps_the_overlap(tmp_path):
    acc_path, _ = write_metabase(tmp_path, KNOWN, "time", 1_795_000_000_000, gyro_rows=slice(50, -30))
    rec = read_recording(acc_path)
    assert_samples(rec, KNOWN[50:-30], 1e-9, 0.5e-4 * GRAVITY_MS2 * 1.001, 0.5e-3 * 1.001)
    assert any("80 accelerometer samples outside the gyroscope's time span dropped" in w for w in rec.warnings)


def test_polar_sensor_logger_pair(tmp_path):
    start_ns = 848_000_000_123_456_789  # ns since 2000-01-01
    acc_path, _ = write_polar(tmp_path, KNOWN, start_ns)
    rec = read_recording(acc_path)
    assert_samples(rec, KNOWN, 1e-9, 0.5e-3 * GRAVITY_MS2 * 1.001, 0.5e-3 * 1.001)
    assert rec.name == "Polar_Sense_B5A3F12C_20261124_093000"
    assert rec.meta.sensor == "polar-sensor-logger"
    # the phone's wall clock (local time, no zone) gives started_at: a sensor clock may never have been set
    assert rec.meta.started_at == datetime(2026, 11, 24, 10, 30).astimezone()
    phone_column_dropped = tmp_path / "nophone"
    phone_column_dropped.mkdir()
    for path in write_polar(phone_column_dropped, KNOWN, start_ns):
        lines = path.read_text().splitlines()
        path.write_text("\n".join(line.split(";", 1)[1] for line in lines) + "\n")
    from_sensor_clock = read_recording(phone_column_dropped / acc_path.name).meta.started_at
    assert from_sensor_clock == datetime(2000, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=start_ns // 1000)


def test_movella_dot_with_preamble_and_sample_time_wrap(tmp_path):
    first_tick = WRAP_US - 3_000_000  # the µs counter wraps 3 s into the recording
    utc_start = datetime(2026, 11, 24, 8, 30, 0, 250000, tzinfo=timezone.utc)
    path = write_movella(tmp_path / "dot_left.csv", KNOWN, first_tick, utc_start)
    rec = read_recording(path)
    assert_samples(rec, KNOWN, 1e-9, 0.5e-6 * 1.001, 0.5e-6 * 1.001)
    assert rec.meta.sensor == "movella-dot"
    assert rec.meta.started_at == utc_start


def test_unwrap_us_counts_every_wrap():
    true_us = np.arange(0, 3 * WRAP_US, WRAP_US // 7, dtype=np.int64) + 5
    np.testing.assert_array_equal(unwrap_us(true_us % WRAP_US), true_us)


@pytest.mark.parametrize("layout", ["json_lines_pair", "imu6_json", "csv_pair"])
def test_movesense_packets_spread_over_the_packet_interval(tmp_path, layout):
    truth = swinging_sensor(rate_hz=104.0, reps=2)
    per_packet = 8
    truth = truth[: len(truth) // per_packet * per_packet]
    if layout == "imu6_json":
        path = write_movesense_imu6_json(tmp_path / "imu6.json", truth, per_packet)
    elif layout == "json_lines_pair":
        path = write_movesense_json_lines(tmp_path, truth, per_packet)[1]  # either file of the pair reads both
    else:
        path = write_movesense_csv(tmp_path, truth, per_packet)[0]
    rec = read_recording(path)
    # stamps are whole ms; the spread step is the packet interval / 8, so t is within ~1 ms
    assert_samples(rec, truth, 1.0e-3, 0.5e-6 * 1.001, 0.5e-6 * 1.001)
    assert rec.meta.sensor == "movesense-showcase"
    assert rec.name == ("imu6" if layout == "imu6_json" else "20261124T093000Z_212345678")
    assert abs(rec.samples.sample_rate_hz - 104.0) < 1.0


def test_read_meta_takes_a_vendor_files_own_start_and_sensor(tmp_path):
    acc_path, gyr_path = write_metabase(tmp_path, KNOWN, "timestamp_hhmm", 1_795_000_000_000)
    for path in (acc_path, gyr_path):
        meta = read_meta(path)
        assert meta.sensor == "mbientlab-metabase"
        assert meta.started_at == datetime.fromtimestamp(1_795_000_000, tz=timezone.utc)
    json_path = write_movesense_json_lines(tmp_path, KNOWN, 4)[0]
    assert read_meta(json_path).sensor == "movesense-showcase"  # the export is not taken for a sidecar

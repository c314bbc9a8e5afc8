"""The unit checks tell deg/s from rad/s by physics, across rates, movement speeds and packet loss."""
from __future__ import annotations

import re

import numpy as np
import pytest
from io_synth import swinging_sensor

from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording
from sensorkit.io.units import MAX_RAD_PER_S_RATIO, MIN_TWICE_CONVERTED_RATIO, check_units, gravity_and_gyro_turn_deg
from sensorkit.samples import Samples

MOVEMENTS = {
    "reps_25hz": dict(rate_hz=25.0),
    "reps_104hz": dict(rate_hz=104.0),
    "reps_416hz": dict(rate_hz=416.0, reps=2),
    "slow_reps": dict(rep_s=8.0, rom_deg=30.0, reps=2),
    "fast_big_swings": dict(rep_s=1.0, rom_deg=60.0, reps=5),
    "violent_shake": dict(rep_s=0.4, rom_deg=20.0, reps=20, pivot_radius_m=0.5),
    "noisy_small_shake": dict(rep_s=0.5, rom_deg=5.0, reps=30, noise=0.3),
}


def in_rad_per_s(samples: Samples) -> Samples:
    return Samples(samples.t, samples.acc, np.radians(samples.gyr))


def with_packet_loss(samples: Samples, seed: int = 1) -> Samples:
    """Drop ~20% of the samples in bursts of 5-30 (lost BLE packets)."""
    rng = np.random.default_rng(seed)
    keep = np.ones(len(samples), dtype=bool)
    for start in rng.integers(0, len(samples), len(samples) // 80):
        keep[start : start + rng.integers(5, 30)] = False
    return samples[keep]


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_deg_per_s_gyro_passes(tmp_path, movement):
    samples = swinging_sensor(**MOVEMENTS[movement])
    gravity_deg, gyro_deg, _ = gravity_and_gyro_turn_deg(samples)
    assert gyro_deg >= 0.8 * gravity_deg
    assert check_units(tmp_path / "rec.csv", samples) == []


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_rad_per_s_gyro_is_caught(tmp_path, movement):
    samples = in_rad_per_s(swinging_sensor(**MOVEMENTS[movement]))
    gravity_deg, gyro_deg, _ = gravity_and_gyro_turn_deg(samples)
    assert gyro_deg < MAX_RAD_PER_S_RATIO / 2 * gravity_deg
    with pytest.raises(RecordingError, match="in rad/s, not deg/s"):
        check_units(tmp_path / "rec.csv", samples)


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_a_gyro_converted_to_deg_per_s_twice_is_caught(tmp_path, movement):
    samples = swinging_sensor(**MOVEMENTS[movement])
    twice = Samples(samples.t, samples.acc, np.degrees(samples.gyr))
    with pytest.raises(RecordingError, match="converted to deg/s twice"):
        check_units(tmp_path / "rec.csv", twice)


def test_no_real_recording_is_taken_for_a_gyro_converted_twice():
    # (the gyro turns up to 4.4 times as far as gravity in PHYTMO's off-plane swings: the bound is 20)
    from pathlib import Path
    real = sorted((Path(__file__).resolve().parents[2] / "recordings").rglob("*.csv"))
    assert real
    for path in real:
        _, _, median_ratio = gravity_and_gyro_turn_deg(read_recording(path).samples)
        assert not median_ratio > MIN_TWICE_CONVERTED_RATIO / 4, path


def test_packet_loss_does_not_fool_the_gyro_check(tmp_path):
    samples = with_packet_loss(swinging_sensor(rate_hz=52.0))
    assert check_units(tmp_path / "rec.csv", samples) == []
    with pytest.raises(RecordingError, match="in rad/s"):
        check_units(tmp_path / "rec.csv", in_rad_per_s(samples))


def test_too_little_turning_cannot_tell_and_says_so(tmp_path):
    """A sensor held still (or turning under 30° in total) gives no evidence either way: the file
    passes, with a warning that the gyro's unit was not checked (never silently)."""
    still = swinging_sensor(reps=0, still_s=20.0)
    small = swinging_sensor(rom_deg=6.0, reps=2)
    for samples in (still, small):
        assert gravity_and_gyro_turn_deg(samples)[0] < 30.0
        (warning,) = check_units(tmp_path / "rec.csv", in_rad_per_s(samples))
        assert "gyr_x, gyr_y, gyr_z: unit not checked" in warning


def test_an_accelerometer_converted_to_m_per_s2_twice_is_caught(tmp_path):
    # (m/s² multiplied by 9.81 again: a real session read so gave 0 reps and 31 rejected, with only
    # a warning, session 21)
    samples = swinging_sensor()
    twice = Samples(samples.t, samples.acc * 9.80665, samples.gyr)
    with pytest.raises(RecordingError, match=r"converted to m/s² twice: the median \|acc\| is 9[0-9]\.[0-9]; .*divide by 9.80665"):
        check_units(tmp_path / "rec.csv", twice)


def test_a_file_with_the_gyro_s_and_accelerometer_s_columns_swapped_says_so(tmp_path):
    # (the header's acc_* columns hold the gyro and the other way round: "in rad/s" was the advice)
    samples = swinging_sensor()
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, samples.gyr, samples.acc))
    with pytest.raises(RecordingError, match=r"rec.csv: columns acc_x, acc_y, acc_z and gyr_x, gyr_y, gyr_z look swapped: .*"
                                             r"expected the columns in the order t, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z"):
        read_recording(path)


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_a_gyro_that_moves_is_never_taken_for_swapped_columns(tmp_path, movement):
    check_units(tmp_path / "rec.csv", swinging_sensor(**MOVEMENTS[movement]))  # (no error)


def test_acc_far_from_gravity_is_a_warning(tmp_path):
    samples = swinging_sensor()
    scaled = Samples(samples.t, samples.acc * 2.5, samples.gyr)
    (warning,) = check_units(tmp_path / "rec.csv", scaled)
    assert warning.startswith(f"{tmp_path / 'rec.csv'}: columns acc_x, acc_y, acc_z: the median |acc| is 24.")
    assert "far from gravity" in warning


@pytest.mark.parametrize("column, value", [("acc_y", 1e300), ("gyr_z", -25000.0)])
def test_a_value_beyond_any_imu_range_is_named_with_its_time(tmp_path, column, value):
    samples = swinging_sensor(rate_hz=50.0)
    acc, gyr = samples.acc.copy(), samples.gyr.copy()
    (acc if column.startswith("acc") else gyr)[30, "xyz".index(column[-1])] = value
    path = write_recording(tmp_path / "rec.csv", Samples(samples.t, acc, gyr))
    with pytest.raises(RecordingError, match=rf"rec.csv: column {column}: {re.escape(f'{value:.6g}')} .* at t = 0.6 s is beyond any IMU's range"):
        read_recording(path)

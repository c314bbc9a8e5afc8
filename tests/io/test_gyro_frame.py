"""The gyro must turn gravity the way the accelerometer sees it turn (du/dt = u × ω in one
right-handed frame): a gyro negated, or with an axis negated or two swapped against the
accelerometer's, is a one-line error that says which reading of the columns fits, where it used to
give wrong reps with no sign (a real session negated: 30 reps to 0, exit 0)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from io_synth import swinging_sensor

from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording
from sensorkit.io.units import MAX_FRAME_SHORTFALL, check_units, gyro_frame_fit
from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "uci-pt-knee-extension"
real = pytest.mark.skipif(not (REAL / "labels.json").exists(), reason=f"no real recordings at {REAL}")

#: ways a gyro's columns go wrong, each of which loses every rep of the real session UCI s1 test
#: (30 reps to 0): the columns as written from the right ones
WRONG = {
    "negated": lambda g: -g,
    "z negated": lambda g: g * [1.0, 1.0, -1.0],
    "y and z swapped": lambda g: g[:, [0, 2, 1]],
    "x and z swapped": lambda g: g[:, [2, 1, 0]],
    "cycled": lambda g: g[:, [1, 2, 0]],
}
#: ... and two that change nothing it measures: its knee turns about the sensor's z axis, nearly
HARMLESS = {"y negated": lambda g: g * [1.0, -1.0, 1.0], "x and y swapped": lambda g: g[:, [1, 0, 2]]}


def with_gyro(samples: Samples, gyr: np.ndarray) -> Samples:
    return Samples(samples.t, samples.acc, gyr)


def read_as(columns: str, gyr: np.ndarray) -> np.ndarray:
    """The gyro read as ``columns`` (e.g. "-gyr_y, gyr_x, gyr_z"), as the error message says."""
    out = []
    for column in columns.split(", "):
        sign = -1.0 if column.startswith("-") else 1.0
        out.append(sign * gyr[:, "xyz".index(column[-1])])
    return np.column_stack(out)


@real
def test_every_real_recording_with_reps_turns_gravity_as_its_gyro_says():
    fits = {path.name: gyro_frame_fit(read_recording(path).samples)
            for folder in (REAL, REAL.parent / "phytmo-knee-flexion-extension") for path in sorted(folder.glob("*.csv"))}
    assert [name for name, fit in fits.items() if fit is None] == [f"uci_s{k}_other_ankle.csv" for k in (1, 2, 3)]
    for name, (as_written, best, _) in ((n, f) for n, f in fits.items() if f is not None):  # (9 with reps)
        assert best - as_written < 0.05 * MAX_FRAME_SHORTFALL and as_written > 0.75, name


@real
@pytest.mark.parametrize("wrong", WRONG)
def test_a_real_session_with_its_gyro_columns_wrong_is_refused_with_the_reading_that_fits(tmp_path, wrong):
    samples = read_recording(REAL / "uci_s1_test.csv").samples
    bad = with_gyro(samples, WRONG[wrong](samples.gyr))
    with pytest.raises(RecordingError) as caught:
        check_units(tmp_path / "own.csv", bad)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'own.csv'}: columns gyr_x, gyr_y, gyr_z: the gyro turns") and "\n" not in message
    columns = message.split("with the gyro read as (")[1].split(")")[0]
    assert check_units(tmp_path / "own.csv", with_gyro(bad, read_as(columns, bad.gyr))) == []  # (it fits)


@real
@pytest.mark.parametrize("harmless", HARMLESS)
def test_an_axis_the_leg_hardly_turns_about_may_be_wrong_and_counts_the_same(tmp_path, harmless):
    rec = read_recording(REAL / "uci_s1_test.csv")
    changed = with_gyro(rec.samples, HARMLESS[harmless](rec.samples.gyr))
    assert check_units(tmp_path / "own.csv", changed) == []
    assert sum(r.counted for r in Pipeline(meta=rec.meta.to_dict()).run(changed)) == 30


@real
def test_the_file_is_refused_before_it_gives_wrong_reps(tmp_path):
    # what the user saw before: the same real session, gyro negated, read without a word: 0 reps
    path = REAL / "uci_s1_test.csv"
    rec = read_recording(path)
    assert sum(r.counted for r in Pipeline(meta=rec.meta.to_dict()).run(with_gyro(rec.samples, -rec.samples.gyr))) == 0
    write_recording(tmp_path / "negated.csv", with_gyro(rec.samples, -rec.samples.gyr), rec.meta)
    with pytest.raises(RecordingError, match=r"negated.csv: columns gyr_x, gyr_y, gyr_z: .* read as \(-gyr_x, -gyr_y, -gyr_z\)"):
        read_recording(tmp_path / "negated.csv")


@pytest.mark.parametrize("rate_hz", [25.0, 104.0])
def test_a_mirror_image_recording_is_right_handed_too(tmp_path, rate_hz):
    # the other leg: the frame reflected with the gyro's pseudo-vector sign, as a real sensor would read
    samples = swinging_sensor(rate_hz=rate_hz, seed=3)
    mirrored = Samples(samples.t, samples.acc * [-1.0, 1.0, 1.0], samples.gyr * [1.0, -1.0, -1.0])
    assert check_units(tmp_path / "rec.csv", mirrored) == []
    with pytest.raises(RecordingError, match="the gyro turns"):
        check_units(tmp_path / "rec.csv", with_gyro(mirrored, -mirrored.gyr))


def test_too_few_turns_to_tell_are_no_error(tmp_path):
    samples = swinging_sensor(rom_deg=6.0, reps=2)
    assert gyro_frame_fit(samples) is None
    assert check_units(tmp_path / "rec.csv", with_gyro(samples, -samples.gyr)) != []  # (only: unit not checked)


@pytest.mark.parametrize("shake", [dict(rep_s=0.4, rom_deg=20.0, reps=20, pivot_radius_m=0.5),
                                   dict(rep_s=1.0, rom_deg=10.0, reps=20)])
def test_a_leg_shaken_faster_than_it_swings_as_a_pendulum_is_no_error(tmp_path, shake):
    # a shake at 1-2.5 Hz (above sqrt(g / r) / 2 pi = 0.8 Hz for r = 0.35 m) pushes the shank round by
    # more than gravity: the accelerometer's tilt turns the other way, and read at 1.5 Hz its turn
    # fit the gyro negated (correlation -0.91 to -0.99); read under 0.4 Hz there is nothing to judge
    samples = swinging_sensor(**shake)
    assert check_units(tmp_path / "rec.csv", samples) == []
    assert gyro_frame_fit(samples) is None


@real
def test_an_axis_wrong_in_the_incorrect_real_series_is_refused(tmp_path):
    # PHYTMO's incorrectly executed series, its z axis negated: 6 reps of 10, the reading worst fit here
    rec = read_recording(REAL.parent / "phytmo-knee-flexion-extension" / "phytmo_b05kfel1_1.csv")
    bad = with_gyro(rec.samples, rec.samples.gyr * [1.0, 1.0, -1.0])
    assert sum(r.counted for r in Pipeline(meta=rec.meta.to_dict()).run(bad)) == 6
    with pytest.raises(RecordingError) as caught:
        check_units(tmp_path / "own.csv", bad)
    columns = str(caught.value).split("with the gyro read as (")[1].split(")")[0]
    assert "-gyr_z" in columns  # (x, which the leg hardly turns about, may come either way: tied)
    mended = with_gyro(bad, read_as(columns, bad.gyr))
    assert check_units(tmp_path / "own.csv", mended) == []
    assert sum(r.counted for r in Pipeline(meta=rec.meta.to_dict()).run(mended)) == 10


def test_a_file_wrong_in_two_ways_says_both_in_one_line(tmp_path):
    samples = swinging_sensor()
    both = Samples(samples.t, samples.acc / 9.80665, np.radians(samples.gyr))
    with pytest.raises(RecordingError) as caught:
        check_units(tmp_path / "rec.csv", both)
    message = str(caught.value)
    assert "acc_x, acc_y, acc_z: in g, not m/s²" in message and "; and columns gyr_x, gyr_y, gyr_z: in rad/s" in message
    assert message.count(str(tmp_path / "rec.csv")) == 1 and "\n" not in message

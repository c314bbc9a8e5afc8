"""The library's messages for a ``t`` it cannot take as seconds, a target ROM beyond the exercise's
range, and ``set_params`` keeping the recording it was made for (review 35, findings 12, 7, 11)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit import HipExternalRotation, KneeExtension, read_recording
from sensorkit.batch import analyze_recording
from sensorkit.detect import RepDetector
from sensorkit.errors import SampleError

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"
SIM_HIP = REAL.parents[1] / "sim_9013.csv"  # a hip-ER session with a sidecar


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_recording(REAL).samples.to_frame()


@pytest.fixture(scope="module")
def counted(frame) -> pd.DataFrame:
    return KneeExtension(side="right").detect(frame).reps_.drop(columns=["recording", "path"])


def test_float32_unix_times_are_refused_naming_their_resolution(frame):
    epoch = frame.assign(t=(frame.t + 1.7e9).astype("float32"))
    message = r"^t is float32 near 1.7e\+09: its resolution there is 128 s, too coarse .*; give t in float64, or subtract"
    for data in (epoch, epoch.astype("float32").to_numpy(), {"t": epoch.t.to_numpy(), "acc": frame.iloc[:, 1:4], "gyr": frame.iloc[:, 4:]}):
        with pytest.raises(SampleError, match=message):
            KneeExtension().detect(data)
    for size in (1, 5, 50):  # (live: a packet of one sample too)
        with pytest.raises(SampleError, match=message):
            KneeExtension().update(epoch.iloc[:size])


def test_float32_times_from_the_start_of_a_long_recording_are_fine(frame, counted):
    # (float32's resolution at 8 h, 28 800 s, is 2 ms: a twentieth of the 40-ms interval here)
    late = KneeExtension(side="right").detect(frame.assign(t=(frame.t + 28_000).astype("float32")))
    assert (late.reps_.kind != "rejected").sum() == (counted.kind != "rejected").sum() == 30


def test_timedelta_times_are_seconds_since_the_start(frame, counted):
    since_start = pd.to_timedelta(frame.t, unit="s")
    for data in (frame.assign(t=since_start), (since_start.to_numpy(), frame.iloc[:, 1:4], frame.iloc[:, 4:])):
        reps = KneeExtension(side="right").detect(data).reps_.drop(columns=["recording", "path"])
        pd.testing.assert_frame_equal(reps, counted)


@pytest.mark.parametrize("zone", [None, "Europe/Athens"])
def test_datetime_times_are_refused_saying_how_to_make_them_seconds(frame, zone):
    clock = pd.Timestamp("2026-12-07 09:30", tz=zone) + pd.to_timedelta(frame.t, unit="s")
    with pytest.raises(SampleError, match=r"^t is a datetime64\[ns.*\(a clock time\): give seconds since the start, e.g."
                                          r" \(frame.t - frame.t.iloc\[0\]\).dt.total_seconds\(\)"):
        KneeExtension().detect(frame.assign(t=clock))


def test_a_target_rom_beyond_the_exercises_range_is_refused_naming_it_and_the_limit():
    with pytest.raises(ValueError, match=r"^target_rom_deg: 90 is over hip_external_rotation's max_rom_deg 60 \(a larger"
                                         r" movement is rejected as beyond its range\): no rep could reach it$"):
        HipExternalRotation(target_rom_deg=90)
    with pytest.raises(ValueError, match=r"^target_rom_deg: 70 is over the max_rom_deg 65 given for hip_external_rotation"):
        HipExternalRotation(target_rom_deg=70, max_rom_deg=65)
    with pytest.raises(ValueError, match="target_rom_deg: 160 is over knee_extension's max_rom_deg 150"):
        KneeExtension().set_params(target_rom_deg=160)
    assert HipExternalRotation(target_rom_deg=60).target_rom_deg == 60  # (up to the limit)
    assert HipExternalRotation(target_rom_deg=70, max_rom_deg=80).target_rom_deg == 70
    assert KneeExtension(target_rom_deg=90).target_rom_deg == 90


def test_a_sidecar_target_beyond_the_range_is_refused_by_the_library_and_warned_by_analyze(tmp_path):
    path = tmp_path / "hip.csv"
    shutil.copy(SIM_HIP, path)
    sidecar = json.loads(SIM_HIP.with_suffix(".json").read_text()) | {"target_rom_deg": 75}
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    recording = read_recording(path)
    with pytest.raises(ValueError, match=rf"^{path}: its sidecar's target_rom_deg: 75 is over hip_external_rotation's"
                                         r" max_rom_deg 60 .*give target_rom_deg=None"):
        RepDetector.for_recording(recording)
    assert RepDetector.for_recording(recording, target_rom_deg=None).target_rom_deg is None
    warnings = analyze_recording(path).session_row["warnings"]
    assert f"{path}: its sidecar's target_rom_deg 75 is over hip_external_rotation's max_rom_deg 60" in warnings


def test_set_params_keeps_the_recording_and_its_file():
    recording = read_recording(REAL)
    detector = RepDetector.for_recording(recording)
    before = detector.detect(recording.samples).reps_[["recording", "path"]].drop_duplicates()
    after = detector.set_params(min_rom_deg=6).detect(recording.samples).reps_[["recording", "path"]].drop_duplicates()
    assert before.values.tolist() == after.values.tolist() == [["uci_s1_test", str(REAL)]]
    assert np.isclose(detector.config.min_rom_deg, 6)

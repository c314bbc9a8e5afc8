"""A detector's messages name the detector and what was meant; its reps_ name the recording it was made for."""
from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from sensorkit import HipExternalRotation, KneeExtension, read_recording
from sensorkit.detect import RepDetector

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def test_an_unknown_parameter_names_the_detector_and_the_closest_name():
    with pytest.raises(ValueError) as foo:
        KneeExtension(foo=1)
    assert str(foo.value) == "KneeExtension: unknown parameter 'foo'"  # (not PipelineConfig.__init__())
    with pytest.raises(ValueError) as typo:
        HipExternalRotation(lowpas_hz=2.5)
    assert str(typo.value) == "HipExternalRotation: unknown parameter 'lowpas_hz' (did you mean 'lowpass_hz'?)"
    with pytest.raises(ValueError, match=r"^KneeExtension: unknown parameters 'foo', 'target_rom' \(did you mean"
                                         r" 'target_rom_deg'\?\)$"):
        KneeExtension(foo=1, target_rom=30)
    with pytest.raises(ValueError, match=r"^KneeExtension: unknown parameter 'min_rom' \(did you mean 'min_rom_deg'"):
        KneeExtension().set_params(min_rom=5)


@pytest.fixture(scope="module")
def recording():
    return read_recording(RECORDINGS / "sim_9013.csv")


def test_reps_of_a_detector_made_for_a_recording_name_it_as_reps_csv_does(recording):
    detector = RepDetector.for_recording(recording)
    for data in (recording.samples, recording.samples.to_frame()):
        reps = detector.detect(data).reps_
        assert len(reps) > 0 and set(reps.recording) == {"sim_9013"}
    assert set(detector.detect(recording.samples, recording="mine").reps_.recording) == {"mine"}  # (a name given wins)
    # (kept through set_params and a pickle)
    assert set(detector.set_params(lowpass_hz=2.5).detect(recording.samples).reps_.recording) == {"sim_9013"}
    assert set(pickle.loads(pickle.dumps(detector)).detect(recording.samples).reps_.recording) == {"sim_9013"}


def test_reps_of_a_detector_made_otherwise_name_no_recording(recording):
    for detector in (RepDetector.for_recording(recording.meta), HipExternalRotation(side="right")):
        reps = detector.detect(recording.samples).reps_
        assert len(reps) > 0 and reps.recording.isna().all()
        assert pd.api.types.is_object_dtype(reps.recording)


def test_reps_of_a_recording_carry_its_file_as_reps_csv_path_does(recording):
    # (reps.csv's path: the row's identity across runs; the detector's reps_ have the column too)
    assert set(HipExternalRotation().detect(recording).reps_.path) == {str(recording.path)}
    made_for = RepDetector.for_recording(recording)
    assert set(made_for.detect(recording.samples.to_frame()).reps_.path) == {str(recording.path)}
    assert HipExternalRotation().detect(recording.samples).reps_.path.isna().all()  # (bare samples: no file)

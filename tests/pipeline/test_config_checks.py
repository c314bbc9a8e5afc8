"""Parameters that make no physical sense are refused when the detector, pipeline, config or
exercise is built, by a one-line ``ValueError`` naming the parameter."""
import math

import pytest

from sensorkit import KneeExtension, RepDetector, exercises
from sensorkit.errors import ConfigError
from sensorkit.exercises import Exercise
from sensorkit.io.meta import RecordingMeta
from sensorkit.pipeline import Pipeline, PipelineConfig


def _one_line(caught) -> str:
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("target_rom_deg", [0, 0.0, -20.0, math.nan, math.inf])
def test_a_target_rom_of_zero_or_less_or_not_finite_is_refused_by_the_detector(target_rom_deg):
    with pytest.raises(ValueError, match="target_rom_deg: expected a number > 0") as caught:
        KneeExtension(target_rom_deg=target_rom_deg)
    assert _one_line(caught).endswith(f"got {target_rom_deg!r}")


@pytest.mark.parametrize("key, value", [("target_rom_deg", -20.0), ("target_rom_deg", math.nan),
                                        ("target_rom_deg", math.inf), ("target_hold_s", -1.0),
                                        ("target_movement_s", 0.0), ("target_movement_s", math.nan)])
def test_a_sidecar_prescription_out_of_range_is_refused_by_the_pipeline(key, value):
    with pytest.raises(ConfigError, match=f"^{key}: expected a number") as caught:
        Pipeline(meta={"exercise": "knee_extension", key: value})
    _one_line(caught)


def test_a_sidecar_target_rom_of_zero_is_no_target():
    """A prescription's ``rom_deg = 0`` (no ROM goal) reaches the sidecar as 0: the typical range
    before any rep is then the exercise's floor, not 0 (every first rep full, none a fidget)."""
    pipeline = Pipeline(meta={"exercise": "knee_extension", "target_rom_deg": 0.0})
    assert pipeline.classifier.typical_full_rom_deg == exercises.get("knee_extension").defaults["typical_rom_floor_deg"]
    detector = RepDetector.for_recording(RecordingMeta(exercise="knee_extension", target_rom_deg=0.0))
    assert detector.target_rom_deg is None and detector.meta == {"exercise": "knee_extension"}


@pytest.mark.parametrize("keywords, named", [
    ({"max_reversals": 0}, "max_reversals"),  # every rep turns back once, at the top
    ({"typical_rom_floor_deg": 0.0}, "typical_rom_floor_deg"),
    ({"typical_rom_floor_deg": -10.0}, "typical_rom_floor_deg"),
    ({"onset_deg": 5.0, "start_deg": 5.0}, "onset_deg"),  # a movement's start lies within onset_deg of rest
    ({"onset_deg": 6.0}, "onset_deg"),
    ({"lowpass_hz": 0.0}, "lowpass_hz"), ({"min_rom_deg": -1.0}, "min_rom_deg"),
    ({"max_rom_deg": math.inf}, "max_rom_deg"), ({"still_gyr_dps": math.nan}, "still_gyr_dps"),
])
def test_a_config_value_without_physical_sense_is_refused_naming_it(keywords, named):
    with pytest.raises(ValueError, match=f"^{named}") as caught:
        PipelineConfig(**keywords)
    _one_line(caught)
    with pytest.raises(ValueError, match=f"^{named}"):
        KneeExtension(**keywords)


def test_zero_still_turns_off_the_tests_it_is_documented_to_turn_off():
    config = PipelineConfig(min_rep_fraction=0, min_phase_s=0, min_knee_radius_m=0, max_gap_fill_s=0)
    assert (config.min_rep_fraction, config.min_phase_s, config.min_knee_radius_m, config.max_gap_fill_s) == (0, 0, 0, 0)


@pytest.mark.parametrize("defaults, named", [
    ({"typical_rom_floor_deg": 0.0}, "exercise heel_slide's default typical_rom_floor_deg"),
    ({"controlled_rep_s": -6.0}, "exercise heel_slide's default controlled_rep_s"),
    ({"min_rom_deg": 50.0, "max_rom_deg": 20.0}, "exercise heel_slide's default min_rom_deg = 50 must be below"),
    ({"min_rom": 12.0}, "exercise heel_slide: not exercise parameters: min_rom"),  # a misspelt default
    ({"lowpass_hz": 2.0}, "exercise heel_slide: not exercise parameters: lowpass_hz"),
])
def test_an_exercise_default_without_physical_sense_is_refused_when_the_exercise_is_built(defaults, named):
    with pytest.raises(ValueError, match=f"^{named}") as caught:
        Exercise("heel_slide", "heel slide", "", kinds=("full", "partial"), pivot_kind=None, defaults=defaults)
    _one_line(caught)

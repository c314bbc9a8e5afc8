"""The exercise catalogue: the sidecar's ``exercise`` picks the model; stages are shared."""
from pathlib import Path

import numpy as np
import pytest

from sensorkit import exercises
from sensorkit.errors import ConfigError
from sensorkit.pipeline import Pipeline, PipelineConfig
from synth import Move, Synth, random_setup

KE = {"exercise": "knee_extension"}


def test_the_catalogue_is_its_modules():
    folder = Path(exercises.__file__).parent
    modules = {p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base")}
    assert set(exercises.names()) == modules >= {"hip_external_rotation", "knee_extension"}
    for name in exercises.names():
        model = exercises.get(name)
        assert model.name == name and {"full", "partial"} <= set(model.kinds)
        PipelineConfig().resolved(model)  # every exercise-dependent parameter has a default


def test_an_exercise_with_a_kind_nobody_counts_is_refused():
    from sensorkit.exercises.base import Exercise

    with pytest.raises(ValueError, match="heel_slide"):
        Exercise("heel_slide", "heel slide", "", kinds=("full", "partial", "heel_slide"), pivot_kind=None)


def test_default_and_unknown_exercises():
    assert exercises.get(None).name == "hip_external_rotation"
    with pytest.raises(ConfigError, match="unknown exercise 'squat'; known: hip_external_rotation, .*knee_extension"):
        Pipeline(meta={"exercise": "squat"})


def test_exercise_defaults_fill_only_what_the_config_leaves_open():
    ke = exercises.get("knee_extension")
    assert Pipeline(meta=KE).config.max_rom_deg == ke.defaults["max_rom_deg"]
    assert Pipeline(PipelineConfig(max_rom_deg=95.0), meta=KE).config.max_rom_deg == 95.0
    assert Pipeline().config.max_rom_deg == exercises.get("hip_external_rotation").defaults["max_rom_deg"]


@pytest.mark.parametrize("strap", [0, 1, 2])
def test_knee_extension_reps_of_up_to_90_degrees(strap):
    axis, g = random_setup(strap)
    synth = Synth(axis, g, radius_m=0.33, moves=[Move(75, hold_s=3, out_s=2.5, return_s=2.5),
                                                 Move(85, hold_s=2, out_s=2.5, return_s=2.5),
                                                 Move(40, hold_s=3, out_s=2.5, return_s=2.5)])
    samples = synth.samples(gyro_bias_dps=(0.5, -1.0, 0.3), noise=1.0)
    reps = Pipeline(meta=KE).run(samples)
    assert [r.kind for r in reps] == ["full", "full", "partial"]
    assert {r.exercise for r in reps} == {"knee_extension"}
    for rep, truth in zip(reps, synth.truth()):
        assert rep.rom_deg == pytest.approx(truth["rom_deg"], abs=2.5)  # the knee-extension ROM target
        assert rep.hold_s == pytest.approx(truth["hold_s"], abs=0.3)  # the hold target
    # the same movements are beyond seated hip ER
    assert [r.kind for r in Pipeline().run(samples)][:2] == ["rejected", "rejected"]


def test_knee_extension_has_no_foot_pivot_kind():
    axis, g = random_setup(5)
    # a turn about an axis below the sensor: hip ER calls it knee_out; in knee extension the shank
    # rocks over the foot (standing, a step), which is no rep: the knee lies above the sensor
    synth = Synth(axis, g, moves=[Move(60, out_s=2, return_s=2, pivot_m=0.18)] * 3)
    reps = Pipeline(meta=KE).run(synth.samples(noise=1.0))
    assert [r.kind for r in reps] == ["rejected"] * 3
    assert all(r.reason.startswith("turned about the foot") for r in reps)
    # the same turn about the knee, 0.35 m above the sensor, is a rep
    synth = Synth(axis, g, moves=[Move(60, out_s=2, return_s=2)] * 3)
    assert {r.kind for r in Pipeline(meta=KE).run(synth.samples(noise=1.0))} == {"full"}
    assert {r.kind for r in Pipeline().run(Synth(axis, g, moves=[Move(20, pivot_m=0.18)] * 3).samples())} == {"knee_out"}
    # closer still: not a turn about the knee at all (a step), never a knee-extension rep
    synth = Synth(axis, g, radius_m=0.06, moves=[Move(60, out_s=2, return_s=2)] * 3)
    assert not any(r.counted for r in Pipeline(meta=KE).run(synth.samples(noise=1.0)))


def test_a_turn_about_the_hanging_shank_is_no_rep_of_either_exercise():
    axis, g = random_setup(6)
    about_shank = g / np.linalg.norm(g)
    # first, before any axis is learned: the shank's tilt does not change, so it is no movement
    synth = Synth(axis, g, moves=[Move(45, hold_s=0, axis=about_shank), Move(45), Move(45), Move(45)])
    first = synth.truth()[0]
    for meta in ({}, KE):
        reps = Pipeline(meta=meta).run(synth.samples(noise=1.0))
        assert [r.kind for r in reps if r.counted] == ["full", "full", "full"]
        assert not any(r.counted and r.start_s < first["end_s"] for r in reps)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_rep_right_after_sitting_back_down_is_measured_from_the_seated_rest(seed):
    """Standing up and sitting down turns the shank about the knee's axis, as a knee extension
    does: the sit-down ends away from where it started, and the rep that follows must not be
    measured from the standing pose (it was, by up to 28 deg, before the segmenter split them)."""
    from sensorkit.accuracy import match
    from sensorkit.sim import simulate_session

    s = simulate_session(seed, exercise="knee_extension", distractor_labels=("stand_up",), n_distractors=4,
                         n_sets=1, reps_per_set=(8, 8))
    reps = Pipeline(meta=s.meta).run(s.samples)
    after_stand_up = [j for j, m in enumerate(s.truth[1:], 1) if s.truth[j - 1].label == "stand_up"]
    assert after_stand_up
    pairs = {j: i for i, j in match(reps, s.truth)}
    for j in after_stand_up:
        rep, truth = reps[pairs[j]], s.truth[j]
        assert rep.counted and rep.rom_deg == pytest.approx(truth.rom_deg, abs=3.0)
        assert rep.start_s == pytest.approx(truth.start_s, abs=0.3)

"""Each stage on its own, on signals with known answers."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorkit.pipeline.axis import AxisModel, axis_offset_deg
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.measure import gravity_angle_deg, measure
from sensorkit.pipeline.motion import MotionTracker
from sensorkit.pipeline.segment import Segmenter
from sensorkit.samples import Samples
from synth import Move, Synth, random_setup

CFG = PipelineConfig()


@pytest.fixture(scope="module")
def two_reps():
    axis, g = random_setup(11)
    synth = Synth(axis, g, moves=[Move(35, hold_s=3), Move(25, hold_s=0)])
    samples = synth.samples(gyro_bias_dps=(2.0, -1.0, 0.5), noise=1.0)
    return synth, samples, MotionTracker(CFG, 100.0).update(samples)


def test_stillness_is_false_while_turning_and_true_at_rest_and_in_the_hold(two_reps):
    synth, _, block = two_reps
    first = synth.truth()[0]
    at = lambda s: block.still[np.searchsorted(block.t, s)]  # noqa: E731
    assert at(1.5) and at(first["out_end_s"] + 1.0)  # rest, hold
    assert not at(first["start_s"] + 0.6) and not at(first["return_start_s"] + 0.6)  # mid-phase


def test_gyro_bias_is_learnt_and_the_rotation_vector_measures_the_rep(two_reps):
    synth, _, block = two_reps
    first = synth.truth()[0]
    i0, i1 = np.searchsorted(block.t, [first["start_s"] - 0.2, first["out_end_s"] + 0.5])
    turn = block.rot_deg[i1] - block.rot_deg[i0]
    assert np.linalg.norm(turn) == pytest.approx(35.0, abs=0.3)
    assert axis_offset_deg(turn / np.linalg.norm(turn), synth.axis) < 1.0
    assert np.abs(block.omega_lp[np.searchsorted(block.t, 2.0)]).max() < 0.3  # bias removed


def test_segmenter_finds_each_movement_with_its_hold(two_reps):
    synth, _, block = two_reps
    windows = Segmenter(CFG, 100.0).update(block)
    assert len(windows) == 2
    for w, truth in zip(windows, synth.truth()):
        t = w.block.t
        assert t[w.start] == pytest.approx(truth["start_s"], abs=0.25)  # stillness lags the slow start
        assert t[w.end] == pytest.approx(truth["end_s"] + CFG.still_window_s, abs=0.25)
        assert w.returned
    assert len(windows[0].holds) == 1 and windows[1].holds == []


def test_measure_extrapolates_the_phase_ends_of_minimum_jerk_movements(two_reps):
    synth, _, block = two_reps
    for w, truth in zip(Segmenter(CFG, 100.0).update(block), synth.truth()):
        f = measure(w, CFG.min_still_hold_for_gravity_s, 100.0)
        for key in ("start_s", "out_end_s", "return_start_s", "end_s"):
            assert getattr(f, key) == pytest.approx(truth[key], abs=0.03), key
        assert f.rom_about(synth.axis) == pytest.approx(truth["rom_deg"], abs=0.3)


def test_gravity_turns_against_the_sensor():
    axis = np.array([0.0, 1.0, 0.0])
    g0 = np.array([0.0, 0.0, 9.81])
    g1 = Rotation.from_rotvec(np.radians(-30.0) * axis).apply(g0)  # sensor turned +30° about y
    assert gravity_angle_deg(g0, g1, axis) == pytest.approx(30.0)
    assert gravity_angle_deg(g0, g1, -axis) == pytest.approx(-30.0)


def test_axis_votes_weight_ties_and_direction():
    model = AxisModel(cluster_deg=25.0)
    x, y = np.eye(3)[0], np.eye(3)[1]
    model.observe(y)  # a kick first: one vote
    model.observe(x, weight=2)  # a held rep: two votes
    assert np.allclose(model.axis, x)
    model.observe(-x)  # one turning the other way
    assert np.allclose(model.axis, x) and model.votes == 3
    tie = AxisModel(25.0)
    tie.observe(y)
    tie.observe(x)
    assert np.allclose(tie.axis, y)  # the older cluster wins a tie


def test_gap_filler_interpolates_short_gaps_only_and_is_chunk_invariant():
    t = np.r_[np.arange(0, 1, 0.01), np.arange(1.05, 2, 0.01), np.arange(5.0, 6.0, 0.01)]
    x = Samples(t, np.column_stack([t, t, t]), np.zeros((len(t), 3)))
    whole = GapFiller(100.0, 1.0)(x)
    assert np.allclose(np.diff(whole.t[whole.t < 2.0]), 0.01)  # the 50-ms gap is filled
    assert np.allclose(whole.acc[:, 0], whole.t)  # linearly
    assert np.count_nonzero(np.diff(whole.t) > 0.5) == 1  # the 3-s gap is left alone
    filler, parts = GapFiller(100.0, 1.0), []
    for chunk in x.chunks(7):
        parts.append(filler(chunk))
    assert np.array_equal(Samples.concat(parts).to_array(), whole.to_array())


def test_rodrigues_rotation_matches_scipy():
    from sensorkit.pipeline.radius import _rotate

    rotvec = np.random.default_rng(0).normal(size=(50, 3))
    rotvec[0] = 0.0  # no rotation at all
    g = np.array([1.0, 2.0, 9.0])
    assert np.allclose(_rotate(g, rotvec), Rotation.from_rotvec(rotvec).apply(g), atol=1e-12)


@pytest.mark.parametrize("where", ["acc", "gyr", "t"])
def test_a_non_finite_sample_is_an_error_naming_it(where):
    from sensorkit.errors import SampleError
    from sensorkit.pipeline import Pipeline

    axis, g = random_setup(3)
    s = Synth(axis, g, moves=[Move(30)]).samples()
    values = {"t": s.t.copy(), "acc": s.acc.copy(), "gyr": s.gyr.copy()}
    values[where][(250, 1)[where == "t"]] = np.nan if where == "t" else np.inf
    bad = Samples(values["t"], values["acc"], values["gyr"])
    with pytest.raises(SampleError, match="non-finite"):
        Pipeline().run(bad)
    assert Pipeline().run(s)  # the clean signal is fine

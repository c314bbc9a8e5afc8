"""The angle put right from the accelerometer: turns lost in gaps, the start of a continuous rep."""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.gravity_fit import fit_turns
from synth import Move, Synth, min_jerk, random_setup, samples_of_angle


def swing(fs_hz: float = 25.0):
    """A quick knee extension at ``fs_hz``: 80° out in 0.6 s, straight back in 0.6 s."""
    t = np.arange(0.0, 1.6, 1.0 / fs_hz)
    theta = 80.0 * (min_jerk(t / 0.6) - min_jerk((t - 0.7) / 0.6))
    axis, g = random_setup(3)
    return t, theta, axis, g, samples_of_angle(theta, t, axis, g)


def integrated(t: np.ndarray, rate: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * np.diff(t))])


def arguments(samples, axis, g):
    omega = samples.gyr
    alpha = np.gradient(omega, samples.t, axis=0)
    return g / np.linalg.norm(g), axis, omega, alpha, samples.acc


def test_the_turn_a_straight_fill_misses_in_a_gap_is_put_back():
    t, theta, axis, g, samples = swing()
    gap = slice(4, 11)  # 7 samples lost in the outward swing, the peak speed among them
    filled = np.zeros(len(t), bool)
    filled[gap] = True
    gyr = samples.gyr.copy()
    gyr[gap] = gyr[3] + (gyr[11] - gyr[3]) * ((np.arange(4, 11) - 3) / 8.0)[:, None]  # as GapFiller fills
    samples = type(samples)(samples.t, samples.acc, gyr)
    straight = integrated(t, gyr @ axis)
    assert abs(straight[-1] - theta[-1]) > 10  # the fill alone loses more than 10°
    fixed = fit_turns(t, straight, filled, *arguments(samples, axis, g))
    assert np.abs(fixed - theta)[12:].max() < 1.5
    assert np.array_equal(fixed[:4], straight[:4])  # before the gap nothing moves


def test_a_wrong_start_is_put_right_and_a_right_one_left_alone():
    t, theta, axis, g, samples = swing()
    none = np.zeros(len(t), bool)
    args = arguments(samples, axis, g)
    off = integrated(t, samples.gyr @ axis) + 12.0  # the filter's start 12° off
    assert np.abs(fit_turns(t, off, none, *args, start=True) - theta).max() < 1.5
    right = integrated(t, samples.gyr @ axis)
    assert np.array_equal(fit_turns(t, right, none, *args, start=True), right)  # under MIN_TURN_DEG: left
    assert fit_turns(t, off, none, *args) is off  # nothing asked, nothing lost: the very array


def test_gravity_turned_by_the_caller_gives_the_same_fit_and_nothing_put_right_is_the_very_array():
    """A caller that has the rest's gravity turned back by the angle (the radius needs it too) hands
    it over: the same turn put back, to the bit; a fit that puts nothing right returns its input."""
    from sensorkit.pipeline.gravity_fit import turn_about
    from sensorkit.samples import GRAVITY_MS2
    t, theta, axis, g, samples = swing()
    filled = np.zeros(len(t), bool)
    filled[4:11] = True
    gyr = samples.gyr.copy()
    gyr[4:11] = gyr[3] + (gyr[11] - gyr[3]) * ((np.arange(4, 11) - 3) / 8.0)[:, None]
    samples = type(samples)(samples.t, samples.acc, gyr)
    args = arguments(samples, axis, g)
    straight = integrated(t, gyr @ axis)
    turned = turn_about(args[0] * GRAVITY_MS2, axis, -np.radians(straight))
    fixed = fit_turns(t, straight, filled, *args)
    assert fixed is not straight and np.array_equal(fit_turns(t, straight, filled, *args, turned_ms2=turned), fixed)
    t, theta, axis, g, samples = swing()
    right = integrated(t, samples.gyr @ axis)  # (a right start: under MIN_TURN_DEG off, left)
    assert fit_turns(t, right, np.zeros(len(t), bool), *arguments(samples, axis, g), start=True) is right


def test_a_still_leg_tells_nothing_and_is_left():
    t = np.arange(0.0, 2.0, 0.04)
    axis, g = random_setup(4)
    samples = samples_of_angle(np.full(len(t), 20.0), t, axis, g)
    filled = np.zeros(len(t), bool)
    filled[10:15] = True
    angle = np.full(len(t), 20.0)
    assert np.array_equal(fit_turns(t, angle, filled, *arguments(samples, axis, g)), angle)  # no turn lost, none found


@pytest.mark.parametrize("strap", [0, 1, 2])
def test_quick_reps_at_25_hz_keep_their_rom_when_packets_are_lost_mid_swing(strap):
    axis, g = random_setup(strap)
    synth = Synth(axis, g, fs_hz=25.0, moves=[Move(70, hold_s=0.5, out_s=0.6, return_s=0.7, rest_after_s=1.5)
                                              for _ in range(4)])
    samples = synth.samples(noise=1.0)
    keep = np.ones(len(samples), bool)
    for rep in synth.truth():  # 8 samples (0.32 s) lost around each rep's peak outward speed
        middle = int(round((rep["start_s"] + 0.3) * 25.0))
        keep[middle - 4:middle + 4] = False
    reps = Pipeline(meta={"exercise": "knee_extension"}).run(samples[keep])
    assert [r.kind for r in reps] == ["full"] * 4
    assert all(abs(r.rom_deg - 70) < 2.5 for r in reps), [round(r.rom_deg, 1) for r in reps]


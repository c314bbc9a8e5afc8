"""The compiled pieces of the radius fit against plain numpy/scipy, and the fit on exact signals."""
import numpy as np
import pytest
from scipy import ndimage

from sensorkit.pipeline.radius import _boxcar, _rotate, _solve_small, _still_hold_replaced, fit_radius, hold_margin
from synth import Move, Synth, random_setup


@pytest.mark.parametrize("width", [1, 2, 5, 6, 25])
def test_boxcar_is_scipys_uniform_filter_with_nearest_edges(width):
    rows = np.random.default_rng(width).normal(size=(8, 301)).cumsum(axis=1)
    expected = ndimage.uniform_filter1d(rows, width, axis=-1, mode="nearest")
    assert np.allclose(_boxcar(rows, width), expected, rtol=0, atol=1e-11)


def test_a_long_still_hold_is_replaced_by_its_mean_and_cut_to_its_margins():
    n, margin = 400, 10
    t = 0.01 * np.arange(n)
    omega = np.random.default_rng(1).normal(size=(n, 3))
    acc = omega + 9.0
    t2, omega2, acc2 = _still_hold_replaced(t, omega, acc, t[99], t[300], margin)
    inside = slice(100, 300)  # strictly inside (t[99], t[300])
    assert len(t2) == n - (200 - 2 * margin)
    assert np.array_equal(t2, np.concatenate([t[:100 + margin], t[300 - margin:]]))
    assert np.allclose(omega2[100:100 + 2 * margin], omega[inside].mean(axis=0), atol=1e-14)
    assert np.allclose(acc2[100:100 + 2 * margin], acc[inside].mean(axis=0), atol=1e-14)
    assert np.array_equal(omega2[:100], omega[:100]) and np.array_equal(omega2[-100:], omega[-100:])
    # a short hold keeps all its samples (replaced by the mean); the input is never modified
    t3, omega3, _ = _still_hold_replaced(t, omega, acc, t[99], t[110], margin)
    assert len(t3) == n and np.allclose(omega3[100:110], omega[100:110].mean(axis=0))
    assert not np.array_equal(omega3, omega)


@pytest.mark.parametrize("radius_m", [0.08, 0.18, 0.35])
@pytest.mark.parametrize("fs_hz", [25.0, 100.0, 200.0])
def test_radius_of_an_exact_rigid_rotation_with_accelerometer_bias(radius_m, fs_hz):
    axis, g = random_setup(int(radius_m * 100 + fs_hz))
    move = Move(45, hold_s=3.0, out_s=1.5, return_s=1.5)
    synth = Synth(axis, g, radius_m=radius_m, fs_hz=fs_hz, moves=[move])
    s = synth.samples()
    truth = synth.truth()[0]
    end = int(np.searchsorted(s.t, truth["end_s"] + 0.5))
    acc = s.acc[:end] + np.array([0.2, -0.15, 0.1])  # a bias: one of the fitted nuisance terms
    got = fit_radius(s.t[:end], s.gyr[:end], acc, acc[0], axis, 2.0, fs_hz,
                     hold_s=(truth["out_end_s"], truth["return_start_s"]))
    assert got == pytest.approx(radius_m, abs=0.02)


def test_hold_margin_covers_both_boxcars():
    assert hold_margin(100.0, 2.0) == 50  # two boxcars of 25 samples
    assert hold_margin(25.0, 2.0) == 12


def test_small_solver_equals_numpy_and_drops_a_degenerate_unknown():
    rng = np.random.default_rng(5)
    for _ in range(20):
        a = rng.normal(size=(4, 4)) + 4 * np.eye(4)
        b = rng.normal(size=(4, 9))
        assert np.allclose(_solve_small(a, b), np.linalg.solve(a, b), rtol=1e-12, atol=1e-12)
    singular = np.diag([2.0, 0.0, 1.0, 4.0])  # the second unknown does not enter: set to 0
    x = _solve_small(singular, np.array([[2.0], [0.0], [3.0], [8.0]]))
    assert x[:, 0].tolist() == [1.0, 0.0, 3.0, 2.0]


def test_rotation_equals_rodrigues_written_out():
    rng = np.random.default_rng(42)
    rotvec = rng.normal(size=(400, 3)) * 0.5
    rotvec[0] = 0.0  # at rest: no axis
    v = np.array([0.3, -9.7, 1.2])
    angle = np.linalg.norm(rotvec, axis=1)
    k = rotvec / np.where(angle > 1e-12, angle, 1.0)[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    expected = v * cos + np.cross(k, v) * sin + k * (k @ v)[:, None] * (1.0 - cos)
    assert np.allclose(_rotate(v, rotvec), expected, rtol=0, atol=1e-13)
    assert np.array_equal(_rotate(v, rotvec)[0], v)


def test_too_short_a_movement_has_no_radius():
    t = np.array([0.0, 0.01])
    assert np.isnan(fit_radius(t, np.ones((2, 3)), np.ones((2, 3)), np.ones(3), np.array([1.0, 0, 0]), 2.0, 100.0))


@pytest.mark.parametrize("spoil", ["nan_sample", "repeated_timestamp"])
def test_a_bad_sample_gives_no_radius_rather_than_a_made_up_one(spoil):
    """Compiled code raises ZeroDivisionError or lets NaN pass through comparisons unless told:
    a library caller's bad sample must give NaN (no knee_out verdict), not a crash or 0 m."""
    axis, g = random_setup(7)
    synth = Synth(axis, g, radius_m=0.3, fs_hz=100.0, moves=[Move(40, hold_s=0.0, out_s=1.5, return_s=1.5)])
    s = synth.samples()
    end = int(np.searchsorted(s.t, synth.truth()[0]["end_s"] + 0.5))
    t, gyr, acc = s.t[:end].copy(), s.gyr[:end].copy(), s.acc[:end].copy()
    assert fit_radius(t, gyr, acc, acc[0], axis, 2.0, 100.0) == pytest.approx(0.3, abs=0.02)
    if spoil == "nan_sample":
        acc[end // 2, 1] = np.nan
    else:
        t[end // 2] = t[end // 2 - 1]
    assert np.isnan(fit_radius(t, gyr, acc, acc[0], axis, 2.0, 100.0))

"""The short-array helpers give numpy's and scipy's results bit for bit."""
import numpy as np
import pytest
from scipy.signal import butter, lfilter

from sensorkit.pipeline.measure import count_reversals
from sensorkit.pipeline.smallarray import (cross, eigh, gradient, gradient_at, lfilter_zi, median, row_norms, spacing,
                                           true_runs)


@pytest.mark.parametrize("uniform", [True, False])
def test_gradient_equals_numpy(uniform):
    rng = np.random.default_rng(0)
    t = np.arange(50) * 0.25 if uniform else np.cumsum(rng.uniform(0.03, 0.05, 50))
    f = rng.normal(size=(50, 3))
    dt, step = spacing(t)
    assert (step is not None) == uniform
    assert np.array_equal(gradient(f, dt, step), np.gradient(f, t, axis=0))
    expected = np.gradient(f[:, 0], t)
    assert [gradient_at(f[:, 0], t, i, dt, step) for i in range(50)] == expected.tolist()


def test_eigh_and_lfilter_equal_the_library():
    rng = np.random.default_rng(1)
    m = rng.normal(size=(40, 6))
    w, v = eigh(m.T @ m)
    w0, v0 = np.linalg.eigh(m.T @ m)
    assert np.array_equal(w, w0) and np.array_equal(v, v0)
    b, a = butter(2, 3.0, fs=50.0)
    x, zi = rng.normal(size=(80, 2)), rng.normal(size=(2, 2))
    assert np.array_equal(lfilter_zi(b, a, x, zi), lfilter(b, a, x, axis=0, zi=zi)[0])


@pytest.mark.parametrize("n", [1, 2, 3, 8, 9, 40, 41])
def test_median_equals_numpy(n):
    """The middle value (odd n) or the mean of the two middle ones (even n), a NaN anywhere making it NaN."""
    rng = np.random.default_rng(n)
    values = rng.normal(9.8, 2.0, n)
    values[: n // 3] = values[-1]  # (repeated values)
    assert median(values.copy()) == np.median(values)
    values[n // 2] = np.nan
    assert np.isnan(median(values)) and np.isnan(np.median(values))


def test_true_runs_keeps_runs_at_least_min_len():
    flags = np.array([1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1], dtype=bool)
    assert true_runs(flags, 3) == [(3, 5), (8, 11)]
    assert true_runs(flags, 1) == [(0, 1), (3, 5), (8, 11)]
    assert true_runs(np.zeros(4, dtype=bool), 1) == []


def test_count_reversals_counts_the_large_turns_of_a_smooth_angle():
    """A rep (out, back) turns once at the top; a swing that goes out, back and out again twice;
    wobble smaller than the swing threshold never counts (reversals were 0 for any smooth movement
    before session 5: the zigzag took a direction only at a single-step jump)."""
    t = np.linspace(0, 1, 200)
    rep = 40 * np.sin(np.pi * t) + 2 * np.sin(2 * np.pi * 12 * t)  # 40 deg out and back, 2-deg wobble
    assert count_reversals(rep, 12.0) == 1
    assert count_reversals(30 * np.sin(2 * np.pi * t), 9.0) == 2  # up, down through rest, up again
    assert count_reversals(30 * np.sin(2 * np.pi * 3 * t), 9.0) == 6  # shaking: 3 cycles
    assert count_reversals(np.full(50, 7.0), 1.0) == 0
    jumps = np.array([0.0, 20.0, 5.0, 20.0, 5.0, 20.0, 5.0])
    assert count_reversals(jumps, 9.0) == 5  # up first, then five turns


def _zigzag_every_sample(a, min_swing):
    """The zigzag of count_reversals' doc, sample by sample (the reference)."""
    rose = np.flatnonzero(a - np.minimum.accumulate(a) >= min_swing)
    fell = np.flatnonzero(np.maximum.accumulate(a) - a >= min_swing)
    if not len(rose) and not len(fell):
        return 0
    up = not len(fell) or (len(rose) and rose[0] < fell[0])
    start = int(rose[0] if up else fell[0])
    turns, extreme = 0, a[start]
    for value in a[start + 1:]:
        if (value > extreme) if up else (value < extreme):
            extreme = value
        elif abs(extreme - value) >= min_swing:
            turns, up, extreme = turns + 1, not up, value
    return turns


def test_count_reversals_over_the_turning_points_is_the_zigzag_over_every_sample():
    rng = np.random.default_rng(7)
    for k in range(3000):
        n = int(rng.integers(3, 80))
        a = rng.normal(size=n).cumsum()
        if k % 3 == 1:
            a = np.round(a)  # plateaus
        elif k % 3 == 2:
            a = rng.integers(0, 3, size=n).astype(float)  # runs of equal values
        swing = float(rng.uniform(0.2, 4.0))
        assert count_reversals(a, swing) == _zigzag_every_sample(a, swing), (a.tolist(), swing)


@pytest.mark.parametrize("fs_hz", [24.7, 52.0, 100.3])
def test_cached_butterworth_is_scipys(fs_hz):
    from scipy.signal import lfilter_zi as scipy_lfilter_zi, sosfilt_zi

    from sensorkit.pipeline.smallarray import butter_lowpass_sos, butter_lowpass_zi

    sos = butter(2, 5.0, fs=fs_hz, output="sos")
    assert np.array_equal(butter_lowpass_sos(5.0, fs_hz), sos)
    assert np.array_equal(butter_lowpass_zi(5.0, fs_hz), sosfilt_zi(sos))
    assert np.array_equal(butter_lowpass_zi(5.0, fs_hz)[0], scipy_lfilter_zi(sos[0, :3], sos[0, 3:]))


def test_row_norms_equal_numpy():
    rng = np.random.default_rng(5)
    v = rng.normal(size=(5000, 3)) * np.exp(rng.uniform(-8, 8, size=(5000, 1)))
    assert np.array_equal(row_norms(v), np.linalg.norm(v, axis=1))
    assert np.array_equal(row_norms(np.asfortranarray(v)), np.linalg.norm(v, axis=1))


def test_cross_equals_numpy():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    assert np.array_equal(cross(a, b), np.cross(a, b))
    assert np.array_equal(cross(a[0], b), np.cross(a[0], b))


def test_skew_is_the_cross_product_matrix():
    from sensorkit.pipeline.circle import _skew

    v = np.array([[1.5, -2.0, 0.25], [0.0, -0.0, 3.0]])
    expected = np.array([[[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]] for x, y, z in v])
    got = _skew(v)
    assert np.array_equal(got, expected) and np.array_equal(np.signbit(got), np.signbit(expected))


def test_circle_terms_sum_the_per_sample_normal_equations():
    from sensorkit.pipeline.circle import _skew, circle_terms

    rng = np.random.default_rng(2)
    omega, alpha, lin = rng.normal(size=(3, 70, 3)) * [[[90.0]], [[400.0]], [[2.0]]]
    w = np.radians(omega)
    A = _skew(np.radians(alpha)) + _skew(w) @ _skew(w)
    B = np.concatenate([A, np.broadcast_to(np.eye(3), (70, 3, 3))], axis=2)
    per_sample = np.hstack([np.einsum("nji,njk->nik", B, B).reshape(70, 36), np.einsum("nji,nj->ni", B, lin)])
    assert np.array_equal(circle_terms(omega, alpha, lin), per_sample.sum(axis=0))


def test_signed_angle_of_one_vertical_is_the_array_formula():
    from sensorkit.pipeline.measure import signed_angle_deg

    def array_formula(reference, up, axis):
        ref = reference - (reference @ axis) * axis
        vec = up - (up @ axis)[:, None] * axis[None, :]
        cross_dot = (axis[0] * (ref[1] * vec[:, 2] - ref[2] * vec[:, 1]) + axis[1] * (ref[2] * vec[:, 0] - ref[0] * vec[:, 2])
                     + axis[2] * (ref[0] * vec[:, 1] - ref[1] * vec[:, 0]))
        return -np.degrees(np.arctan2(cross_dot, vec @ ref))

    rng = np.random.default_rng(3)
    rows = rng.normal(size=(200, 19))
    for i in range(200):
        axis, ref = rng.normal(size=(2, 3))
        axis /= np.linalg.norm(axis)
        up = rows[i:i + 1, 1:4]
        assert np.array_equal(signed_angle_deg(ref, up, axis), array_formula(ref, up, axis))
    assert abs(signed_angle_deg(np.array([0.0, 0.0, 1.0]), np.array([[0.0, 1.0, 0.0]]), np.array([1.0, 0.0, 0.0]))[0]) == 90.0


def test_smoothing_columns_in_place_equals_smoothing_the_stacked_array():
    from scipy.signal import butter, sosfiltfilt

    from sensorkit.pipeline.measure import smooth_zero_phase as _smooth

    rng = np.random.default_rng(4)
    for n in (3, 9, 10, 11, 150):
        angle, block = rng.normal(size=n), rng.normal(size=(n, 3))
        stacked = np.column_stack([angle, block])
        assert np.array_equal(_smooth([angle, block], 3.0, 25.0), _smooth([stacked], 3.0, 25.0))
    x = rng.normal(size=(200, 2))
    assert np.allclose(_smooth([x], 3.0, 25.0), sosfiltfilt(butter(2, 3.0, fs=25.0, output="sos"), x, axis=0), atol=1e-12)

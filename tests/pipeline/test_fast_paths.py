"""The pipeline's cheap replacements for numpy calls give the very same numbers (every bit).

Reps must not change when the code gets faster, so each shortcut is checked against the numpy
call it stands in for, on the array layouts the pipeline feeds it.
"""
import numpy as np
import pytest

from sensorkit.io.units import _block_means, _norms
from sensorkit.pipeline.filters import TrailingRange, cross3, norm3, row_norms
from sensorkit.pipeline.measure import _first_crossings, _interp_rows, _mean_rows
from sensorkit.pipeline.radius import _gradient_at


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def layouts(x: np.ndarray) -> list[np.ndarray]:
    """``x`` as C order, Fortran order, and a strided view of a wider table (as the reader gives)."""
    wide = np.zeros((len(x), 7))
    wide[:, 1:4] = x
    return [np.ascontiguousarray(x), np.asfortranarray(x), wide[:, 1:4]]


def test_vector_helpers_equal_numpy(rng):
    x = rng.normal(size=(500, 3)) * rng.choice([1e-3, 1.0, 300.0], size=(500, 1))
    for view in layouts(x):
        assert np.array_equal(row_norms(view), np.linalg.norm(view, axis=1))
        assert np.array_equal(_norms(view), np.linalg.norm(view, axis=1))
        # compiled: the rows are summed in order (numpy may sum a contiguous column pairwise)
        assert np.allclose(_mean_rows(view[3:250]), view[3:250].mean(axis=0), rtol=1e-13, atol=1e-13)
    for a, b in zip(x[:100], x[100:200]):
        assert norm3(a) == np.linalg.norm(a)
        assert np.array_equal(cross3(a, b), np.cross(a, b))


@pytest.mark.parametrize("block", [1, 2, 5, 10, 21])
def test_block_means_equal_reshaped_mean(rng, block):
    x = layouts(rng.normal(size=(1000, 3)) + 9.8)[2]
    n_blocks = len(x) // block
    assert np.array_equal(_block_means(x, block, n_blocks), x[: n_blocks * block].reshape(n_blocks, block, 3).mean(axis=1))


def test_trailing_range_test_equals_the_range_itself(rng):
    x = np.asfortranarray(rng.normal(size=(3000, 3)).cumsum(axis=0) * 0.05)
    whole, blocks = TrailingRange(21), TrailingRange(21)
    expected = (whole(x) < 0.4).all(axis=1)
    got = np.concatenate([blocks.below(x[i:i + 7], 0.4) for i in range(0, len(x), 7)])
    assert expected.any() and not expected.all()
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("jitter", [0.0, 0.2])
@pytest.mark.parametrize("step", [1, 3, 6, 13])
def test_gradient_at_kept_samples_equals_np_gradient(rng, jitter, step):
    n = 301
    t = 0.01 * np.arange(n) if jitter == 0 else np.cumsum(0.01 * (1 + jitter * rng.uniform(-1, 1, n)))
    f = np.sin(3 * t) + 0.01 * rng.normal(size=n)
    at = np.arange(0, n, step)
    assert np.array_equal(_gradient_at(f, t, np.diff(t), at), np.gradient(f, t)[at])


def test_interpolated_rows_equal_np_interp(rng):
    t = np.cumsum(rng.uniform(0.005, 0.015, 200))
    rows = rng.normal(size=(200, 3)).cumsum(axis=0)
    points = [t[0], t[57], t[-1], *rng.uniform(t[0], t[-1], 50)]  # grid points, both ends, between
    for at_s in points:
        expected = np.array([np.interp(at_s, t, rows[:, i]) for i in range(3)])
        assert np.array_equal(_interp_rows(t, rows, float(at_s)), expected)


def test_first_crossings_equal_the_first_sample_at_each_level(rng):
    t = np.cumsum(rng.uniform(0.005, 0.015, 300))
    x = np.cumsum(rng.normal(size=300))  # wanders up and down
    levels = [float(x[0]) - 1.0, float(x[0]), *rng.uniform(x.min(), x.max(), 20).tolist(), float(x.max()) + 1.0]
    expected = []
    for level in levels:  # written out: the first index at or above the level, 0 when there is none
        i = int(np.argmax(x >= level))
        expected.append(float(t[0]) if i == 0 else
                        float(t[i - 1] + (level - x[i - 1]) / (x[i] - x[i - 1]) * (t[i] - t[i - 1])))
    assert _first_crossings(t, x, np.array(levels)).tolist() == expected


def test_excursion_stats_equal_numpy_row_norms(rng):
    from sensorkit.pipeline.segment import _excursion_stats

    rot = rng.normal(size=(300, 3)).cumsum(axis=0)
    ref = rot[0] + 0.5
    d = np.linalg.norm(rot - ref, axis=1)
    assert _excursion_stats(rot, ref) == (d.max(), int(d.argmax()), d[-1])
    rot[40, 1] = np.nan  # as np.max: NaN wins
    peak, at, _ = _excursion_stats(rot, ref)
    assert np.isnan(peak) and at == 40

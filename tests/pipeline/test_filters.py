"""The causal building blocks give the same output whatever the chunking, and the right values."""
import numpy as np
import pytest

from sensorkit.pipeline.filters import Integrator, LowPass, MaskedAverage, TrailingRange


def chunked(make, x, sizes, *extra):
    f, out, i = make(), [], 0
    for n in sizes:
        out.append(f(x[i:i + n], *(e[i:i + n] for e in extra)))
        i += n
    return np.concatenate(out)


@pytest.fixture
def signal3():
    rng = np.random.default_rng(1)
    return np.cumsum(rng.standard_normal((500, 3)), axis=0)


def random_sizes(total, seed):
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < total:
        sizes.append(int(rng.integers(1, 13)))
    return sizes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_block_is_chunk_invariant(signal3, seed):
    sizes = random_sizes(len(signal3), seed)
    mask = (np.arange(len(signal3)) // 37) % 2 == 0
    cases = [
        (lambda: LowPass(3.0, 100.0), ()),
        (lambda: TrailingRange(7), ()),
        (lambda: Integrator(3), ()),
        (lambda: MaskedAverage(0.05, np.zeros(3)), (mask,)),
    ]
    for make, extra in cases:
        whole = make()(signal3, *extra)
        assert np.array_equal(whole, chunked(make, signal3, sizes, *extra))


def test_lowpass_starts_at_steady_state_and_passes_dc():
    x = np.full((200, 2), 9.81)
    assert np.allclose(LowPass(3.0, 100.0)(x), 9.81)


def test_trailing_range_matches_brute_force(signal3):
    got = TrailingRange(5)(signal3)
    for i in range(len(signal3)):
        window = signal3[max(0, i - 4):i + 1]
        assert np.allclose(got[i], window.max(axis=0) - window.min(axis=0))


def test_masked_average_holds_outside_the_mask():
    x = np.column_stack([np.arange(10.0)] * 3)
    mask = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0], bool)
    out = MaskedAverage(0.5, np.zeros(3))(x, mask)
    assert out[0, 0] == 0.0  # seeded by the first accepted sample
    assert out[1, 0] == pytest.approx(0.5)
    assert np.all(out[2:5, 0] == out[1, 0])  # held
    assert out[5, 0] == pytest.approx(0.5 * 0.5 + 0.5 * 5)


def test_integrator_is_a_running_sum():
    assert np.allclose(Integrator(1)(np.ones((4, 1))).ravel(), [1, 2, 3, 4])


def test_masked_average_never_uses_a_later_sample_of_the_same_block():
    x = np.column_stack([np.arange(6.0)] * 3)
    mask = np.array([0, 0, 0, 1, 1, 1], bool)
    whole = MaskedAverage(0.5, np.full(3, -1.0))(x, mask)
    assert np.all(whole[:3] == -1.0)  # the initial value, not the seed that comes later
    assert np.array_equal(whole, chunked(lambda: MaskedAverage(0.5, np.full(3, -1.0)), x, [1, 1, 1, 1, 1, 1], mask))


def test_a_block_with_another_channel_count_is_refused_not_written_out_of_bounds():
    """The compiled kernels do not check bounds: the wrappers must."""
    low, ranges = LowPass(5.0, 100.0), TrailingRange(5)
    low(np.ones((4, 3)))
    ranges(np.ones((4, 3)))
    average, total = MaskedAverage(0.1, np.zeros(3)), Integrator(3)
    for call in (lambda: low(np.ones((4, 6))), lambda: ranges(np.ones((4, 6))),
                 lambda: average(np.ones((4, 6)), np.ones(4, bool)), lambda: average(np.ones((4, 3)), np.ones(2, bool)),
                 lambda: total(np.ones((4, 6)))):
        with pytest.raises(ValueError):
            call()

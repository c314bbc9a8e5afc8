"""The compiled Stage-1 kernels give the very bits of the scipy/numpy code they replace, fed whole
or in random chunks (references: sosfilt, ndimage min/max filters, lfilter, cumsum, plain loops)."""
import numpy as np
import pytest
from scipy import ndimage, signal

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.filters import Integrator, LowPass, MaskedAverage, TrailingRange
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.motion import MotionBlock, MotionTracker
from sensorkit.samples import Samples


def in_chunks(step, n: int, seed: int, *arrays):
    """``step`` fed ``arrays`` in random chunks of 1..40 samples, outputs concatenated."""
    rng, out, i = np.random.default_rng(seed), [], 0
    while i < n:
        k = int(rng.integers(1, 41))
        out.append(step(*(a[i:i + k] for a in arrays)))
        i += k
    return out


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint8)  # exact, signs of zero included


@pytest.fixture
def walk():
    rng = np.random.default_rng(7)
    return np.cumsum(rng.normal(size=(1500, 3)), axis=0) + rng.normal(size=(1500, 3))


@pytest.mark.parametrize("order, cutoff_hz", [(1, 0.5), (2, 3.0), (4, 10.0)])
def test_lowpass_is_sosfilt_with_steady_state_start(walk, order, cutoff_hz):
    f = LowPass(cutoff_hz, 100.0, order)
    zi = signal.sosfilt_zi(f.sos)[..., None] * walk[0]
    expected, _ = signal.sosfilt(f.sos, walk, axis=0, zi=zi)
    assert np.array_equal(bits(f(walk)), bits(expected))
    chunked = np.concatenate(in_chunks(LowPass(cutoff_hz, 100.0, order), len(walk), order, walk))
    assert np.array_equal(bits(chunked), bits(expected))
    one_channel = LowPass(cutoff_hz, 100.0, order)(walk[:, 1])
    assert np.array_equal(bits(one_channel), bits(expected[:, 1]))


@pytest.mark.parametrize("size", [1, 4, 21, 41])
def test_trailing_range_is_ndimage_max_minus_min(walk, size):
    w = TrailingRange(size).size
    origin = (w - 1) // 2  # the centred window moved to end at each sample
    hi = ndimage.maximum_filter1d(walk, w, axis=0, mode="nearest", origin=origin)
    lo = ndimage.minimum_filter1d(walk, w, axis=0, mode="nearest", origin=origin)
    assert np.array_equal(TrailingRange(size)(walk), hi - lo)
    assert np.array_equal(np.concatenate(in_chunks(TrailingRange(size), len(walk), size, walk)), hi - lo)


def test_masked_average_is_lfilter_over_accepted_samples_held_between(walk):
    rng = np.random.default_rng(3)
    mask = np.repeat(rng.random(60) < 0.6, 25)  # runs, as stillness comes
    mask[:40] = False
    weight, initial = 0.05, np.array([1.0, -2.0, 0.5])
    expected, average, seeded = np.empty_like(walk), initial.copy(), False
    for i, (x, accept) in enumerate(zip(walk, mask)):  # written out
        if accept:
            average = (1 - weight) * (average if seeded else x) + weight * x
            seeded = True
        expected[i] = average
    accepted, _ = signal.lfilter([weight], [1.0, -(1 - weight)], walk[mask], axis=0,
                                 zi=((1 - weight) * walk[mask][0])[None, :])
    assert np.array_equal(expected[mask], accepted)  # the loop is the lfilter
    assert np.array_equal(MaskedAverage(weight, initial)(walk, mask), expected)
    chunked = in_chunks(MaskedAverage(weight, initial), len(walk), 5, walk, mask)
    assert np.array_equal(np.concatenate(chunked), expected)


def test_integrator_is_cumsum(walk):
    expected = np.cumsum(walk, axis=0)
    assert np.array_equal(Integrator(3)(walk), expected)
    assert np.array_equal(np.concatenate(in_chunks(Integrator(3), len(walk), 9, walk)), expected)


def reference_motion(s: Samples, cfg: PipelineConfig, fs_hz: float) -> dict[str, np.ndarray]:
    """Stage 1 written with scipy and numpy on a whole recording (the code the kernel replaced)."""
    def lowpass(x, cutoff_hz, order=2):
        sos = signal.butter(order, min(cutoff_hz, 0.45 * fs_hz), fs=fs_hz, output="sos")
        return signal.sosfilt(sos, x, axis=0, zi=signal.sosfilt_zi(sos)[..., None] * x[0])[0]

    def trailing_range(x, window):
        w = window | 1
        args = dict(size=w, axis=0, mode="nearest", origin=(w - 1) // 2)
        return ndimage.maximum_filter1d(x, **args) - ndimage.minimum_filter1d(x, **args)

    window, dt_s = max(3, int(round(cfg.still_window_s * fs_hz))), 1.0 / fs_hz
    acc_lp, gyr_lp = lowpass(s.acc, cfg.lowpass_hz), lowpass(s.gyr, cfg.lowpass_hz)
    slow = lowpass(s.gyr, 1.0 / (2 * np.pi * cfg.bias_prior_time_constant_s), order=1)
    still = np.linalg.norm(gyr_lp - slow, axis=1) < cfg.still_gyr_dps
    still &= (trailing_range(gyr_lp, window) < cfg.still_gyr_range_dps).all(axis=1)
    still &= (trailing_range(acc_lp, window) < cfg.still_acc_range_ms2).all(axis=1)
    weight = 1.0 - np.exp(-dt_s / cfg.bias_time_constant_s)
    bias, average, seeded = np.zeros_like(s.gyr), np.zeros(3), False
    for j in range(window, len(s)):  # sample j − lag joins when it and sample j are still
        if still[j - window] and still[j]:
            average = (1 - weight) * (average if seeded else s.gyr[j - window]) + weight * s.gyr[j - window]
            seeded = True
        bias[j] = average
    dt = np.diff(s.t, prepend=s.t[0] - dt_s)
    dt = np.where(dt > 2.0 * dt_s, dt_s, dt)
    omega = s.gyr - bias
    return {"acc_lp": acc_lp, "omega": omega, "omega_lp": gyr_lp - bias,
            "rot_deg": np.cumsum(omega * dt[:, None], axis=0), "still": still}


@pytest.mark.parametrize("seed, fs_hz", [(0, 50.0), (1, 100.0), (2, 200.0)])
def test_motion_tracker_equals_the_scipy_reference(seed, fs_hz):
    rng = np.random.default_rng(seed)
    n = int(40 * fs_hz)
    t = np.arange(n) / fs_hz
    turning = (np.sin(2 * np.pi * t / 8.0) > 0.3) * 40.0 * np.sin(2 * np.pi * t / 2.0)  # moves, rests
    gyr = np.column_stack([turning, 0.3 * turning, np.zeros(n)]) + [1.0, -0.5, 0.2] + 0.2 * rng.normal(size=(n, 3))
    acc = [0.0, 0.0, 9.81] + 0.05 * rng.normal(size=(n, 3)) + np.column_stack([0.02 * turning] * 3)
    t[n // 4:] += 1.5 / fs_hz  # 2.5 periods: integrated over the measured dt
    t[n // 2:] += 2.0  # a reconnect: one period integrated
    s = Samples(t, acc, gyr)
    cfg = PipelineConfig()
    expected = reference_motion(s, cfg, fs_hz)
    assert 0.2 < expected["still"].mean() < 0.9  # both still and moving samples are tested
    tracker = MotionTracker(cfg, fs_hz)
    blocks = in_chunks(lambda *a: tracker.update(Samples(*a)), n, seed, t, acc, gyr)
    got = MotionBlock.concat(blocks)
    for name, want in expected.items():
        assert np.array_equal(getattr(got, name), want), name
    assert np.array_equal(MotionTracker(cfg, fs_hz).update(s).rot_deg, expected["rot_deg"])


def test_gap_filler_inserts_the_interpolated_rows_whatever_the_chunking():
    rng = np.random.default_rng(4)
    step = rng.choice([1, 1, 1, 1, 2, 3, 5, 40], size=800)  # periods between received samples
    t = np.cumsum(step) * 0.01 + 0.001 * rng.uniform(-1, 1, 800)
    rows = np.column_stack([t, rng.normal(size=(800, 6))])
    expected = [rows[0]]
    for lo, hi in zip(rows[:-1], rows[1:]):  # written out: k = rint(dt / period) − 1 rows, if k ≤ 20
        k = int(np.rint((hi[0] - lo[0]) / 0.01)) - 1
        expected += [lo + (j / (k + 1)) * (hi - lo) for j in range(1, k + 1)] if 1 <= k <= 20 else []
        expected.append(hi)
    filler = GapFiller(100.0, 0.2)
    parts = in_chunks(lambda a: filler(Samples.from_array(a)), len(rows), 4, rows)
    assert np.array_equal(Samples.concat(parts).to_array(), np.array(expected))
    assert filler.filled_samples == len(expected) - len(rows) > 0


def test_building_blocks_take_any_numeric_input():
    """float32, ints and 1-D input, as numpy and scipy took them (converted to float64)."""
    from scipy import ndimage, signal

    from sensorkit.pipeline.filters import Integrator, LowPass, MaskedAverage, TrailingRange

    x = (np.arange(60) % 7).astype(np.int32)
    low = LowPass(3.0, 100.0)
    expected = signal.sosfilt(low.sos, x.astype(float), zi=signal.sosfilt_zi(low.sos) * x[0])[0]
    assert np.allclose(low(x.astype(np.float32)), expected)
    ranges = TrailingRange(5)(x)
    assert ranges.shape == x.shape
    assert np.array_equal(ranges, ndimage.maximum_filter1d(x, 5, origin=2, mode="nearest")
                          - ndimage.minimum_filter1d(x, 5, origin=2, mode="nearest"))
    assert np.array_equal(Integrator(1)(x[:, None]), np.cumsum(x)[:, None].astype(float))
    assert MaskedAverage(0.5, np.zeros(1))(x[:, None], (x > 3).astype(int)).shape == (60, 1)

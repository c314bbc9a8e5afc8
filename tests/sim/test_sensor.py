"""The sensor model: timestamps, lost samples, quantisation, bias and noise as documented."""
import numpy as np
import pytest

from sensorkit.sim.sensor import ACC_FULL_SCALE_MS2, GYR_FULL_SCALE_DPS, QUANT_LEVELS
from tests.sim.conftest import session, session_key

SEED = 9500
#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [session_key(SEED, sample_rate_hz=52, imperfections=False),
            *(session_key(SEED, sample_rate_hz=rate) for rate in (25, 104, 200, 50, 100))]


def _lead_in(s):
    return s.samples.t < s.truth[0].start_s - 0.5


def test_perfect_sensor_samples_exactly_on_the_clock():
    s = session(SEED, sample_rate_hz=52, imperfections=False)
    n = len(s.samples)
    np.testing.assert_allclose(s.samples.t, np.arange(n) / 52.0, atol=1e-12)
    assert s.samples.t[-1] <= s.timeline.end_s


@pytest.mark.parametrize("rate_hz", [25, 104, 200])
def test_timestamps_jitter_a_little_and_lost_samples_leave_short_gaps(rate_hz):
    s = session(SEED, sample_rate_hz=rate_hz)
    t, errors = s.samples.t, s.errors
    assert t[0] == 0.0 and np.all(np.diff(t) > 0)
    ticks = np.round(t * rate_hz)
    assert np.abs(t * rate_hz - ticks).max() <= errors.jitter_fraction + 1e-9
    assert np.diff(ticks).max() <= 9  # at most 8 samples lost in a row
    expected_lost = errors.drop_probability * len(t) * 4.5  # runs of 1-8, mean 4.5
    lost = ticks[-1] + 1 - len(t)
    if expected_lost > 40:
        assert 0.5 * expected_lost < lost < 1.5 * expected_lost


def test_readings_are_16_bit_quantised():
    s = session(SEED, sample_rate_hz=50)
    for values, full_scale in ((s.samples.acc, ACC_FULL_SCALE_MS2), (s.samples.gyr, GYR_FULL_SCALE_DPS)):
        counts = values / (2 * full_scale / QUANT_LEVELS)
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-3)  # the CSV's 6 digits are enough
        assert np.abs(counts).max() <= QUANT_LEVELS / 2


def test_bias_scale_and_misalignment_are_what_the_truth_file_says():
    s = session(SEED, sample_rate_hz=100)
    e, rest = s.errors, _lead_in(s)
    ideal = s.kinematics(s.samples.t[rest]).specific_force_ms2.mean(axis=0)
    predicted = e.acc_misalignment @ ideal * (1 + e.acc_scale_error) + e.acc_bias_ms2
    np.testing.assert_allclose(s.samples.acc[rest].mean(axis=0), predicted, atol=0.01)
    np.testing.assert_allclose(s.samples.gyr[rest].mean(axis=0), e.gyr_bias_dps, atol=0.3)  # + slow drift
    assert np.all(np.abs(e.acc_bias_ms2) >= 0.05) and np.all(np.abs(e.acc_bias_ms2) <= 0.3)
    assert np.all(np.abs(e.gyr_bias_dps) >= 0.3) and np.all(np.abs(e.gyr_bias_dps) <= 3)


@pytest.mark.parametrize("rate_hz", [25, 200])
def test_white_noise_level_scales_with_the_rate(rate_hz):
    s = session(SEED, sample_rate_hz=rate_hz)
    e, rest = s.errors, _lead_in(s)
    gain = np.sqrt(rate_hz / 100)
    for values, sigma, lsb in ((s.samples.acc, e.acc_noise_ms2_at_100hz, 2 * ACC_FULL_SCALE_MS2 / QUANT_LEVELS),
                               (s.samples.gyr, e.gyr_noise_dps_at_100hz, 2 * GYR_FULL_SCALE_DPS / QUANT_LEVELS)):
        measured = np.std(np.diff(values[rest], axis=0), axis=0) / np.sqrt(2)
        expected = np.sqrt((sigma * gain) ** 2 + lsb**2 / 12)
        np.testing.assert_allclose(measured, expected, rtol=0.25)

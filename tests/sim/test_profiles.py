"""The analytic derivatives of every motion profile agree with finite differences."""
import numpy as np
import pytest

from sensorkit.sim.profiles import Impact, MinJerk, Sine, window

H = 1e-5


def _check_derivatives(profile, t):
    q, dq, ddq = profile(t)
    qp, qm = profile(t + H)[0], profile(t - H)[0]
    np.testing.assert_allclose((qp - qm) / (2 * H), dq, atol=1e-6 * max(1, np.abs(dq).max()))
    np.testing.assert_allclose((qp - 2 * q + qm) / H**2, ddq, atol=1e-3 * max(1, np.abs(ddq).max()))


@pytest.mark.parametrize("profile", [
    MinJerk(0.3, 1.2, 0.6),
    Sine(0.002, 10.0, 0.4, 0.1) * window(0.2, 2.0, 0.3) + MinJerk(0.0, 0.8, -0.3),
    Impact.with_peak_acc(0.5, 20.0, 20.0, 0.02),
])
def test_analytic_derivatives_match_finite_differences(profile):
    t = np.linspace(0.0, 2.5, 3001)
    t = t[np.abs(t - 0.5) > 3 * H]  # the impact's acceleration jumps at its onset, by design
    _check_derivatives(profile, t)


def test_min_jerk_starts_and_ends_at_rest():
    q, dq, ddq = MinJerk(1.0, 2.0, 0.5)(np.array([0.0, 1.0, 3.0, 4.0]))
    np.testing.assert_allclose(q, [0, 0, 0.5, 0.5])
    np.testing.assert_allclose(dq, 0, atol=1e-12)
    np.testing.assert_allclose(ddq, 0, atol=1e-12)


def test_impact_peak_acceleration_is_as_requested():
    impact = Impact.with_peak_acc(0.0, 25.0, 18.0, 0.025)
    acc = impact(np.linspace(0, 0.5, 50001))[2]
    assert abs(np.abs(acc).max() - 25.0) < 0.1
    assert abs(impact.value(0.5)[0]) < 1e-6  # rings down to nothing

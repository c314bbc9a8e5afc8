"""Stage 1 (sensorkit.pipeline.motion): the gyro bias known from a still start."""
import numpy as np

from sensorkit.pipeline.motion import MotionTracker

FS_HZ = 50.0


def _still(bias_dps, seconds=1.0, turn_dps=(0.0, 0.0, 0.0), seed=0):
    """A resting sensor (gravity on z, noise as a real MEMS gyro) with a gyro bias, optionally
    turning about the x axis at ``turn_dps`` (deg/s) with the accelerometer following."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS_HZ)
    t = np.arange(n) / FS_HZ
    tilt = np.radians(turn_dps[0] * t)
    acc = 9.81 * np.column_stack([np.zeros(n), np.sin(tilt), np.cos(tilt)]) + rng.normal(0, 0.02, (n, 3))
    gyr = np.asarray(bias_dps) + np.asarray(turn_dps) + rng.normal(0, 0.4, (n, 3))
    return acc, gyr


def _bias_dps(tracker):
    return np.degrees(tracker._vqf.getBiasEstimate()[0])


def test_a_still_start_gives_the_gyro_bias():
    tracker = MotionTracker(FS_HZ, 5.0, 3.0)
    acc, gyr = _still([0.5, -2.0, 1.2])
    assert tracker.prime_bias(acc, gyr)
    np.testing.assert_allclose(_bias_dps(tracker), [0.5, -2.0, 1.2], atol=0.15)


def test_a_leg_turning_at_the_start_gives_no_bias():
    tracker = MotionTracker(FS_HZ, 5.0, 3.0)
    acc, gyr = _still([0.5, -2.0, 1.2], turn_dps=(1.5, 0.0, 0.0))  # slow, but the tilt moves 1.5°
    assert not tracker.prime_bias(acc, gyr)
    np.testing.assert_allclose(_bias_dps(tracker), 0.0)


def test_a_rep_starting_at_once_gives_no_bias():
    tracker = MotionTracker(FS_HZ, 5.0, 3.0)
    acc, gyr = _still([0.5, -2.0, 1.2], seconds=0.3)
    moving_acc, moving_gyr = _still([0.5, -2.0, 1.2], seconds=0.7, turn_dps=(60.0, 0.0, 0.0))
    assert not tracker.prime_bias(np.vstack([acc, moving_acc]), np.vstack([gyr, moving_gyr]))  # 0.3 s still: too short

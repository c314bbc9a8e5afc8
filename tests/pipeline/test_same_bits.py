"""The shortcuts taken for batch speed give the bits of the arithmetic they replace: a result that
moved by one ulp could move a rep's threshold crossing, so each is checked against the longer way."""
import numpy as np
import pytest

from sensorkit.pipeline.measure import _zigzag, count_reversals, smooth_zero_phase
from sensorkit.pipeline.segment import latest_up
from sensorkit.pipeline.series import MAX_STEP_PERIODS, Chain, link
from sensorkit.pipeline.stats import median


def _latest_up_the_long_way(flags, j, up, carried):
    """latest_up as it was: the carried vertical stacked in front of the piece, then taken."""
    last = np.maximum.accumulate(np.where(flags, np.arange(j, len(up)), -1))
    return last, np.concatenate([carried[None, :], up]).take(last + 1, axis=0)


def test_latest_up_gives_the_carried_vertical_until_the_first_flagged_sample():
    up = np.array([[0.0, 0.0, 1.0], [0.0, 0.1, 0.99], [0.0, 0.2, 0.98], [0.0, 0.3, 0.95]])
    carried = np.array([1.0, 0.0, 0.0])
    last, vertical = latest_up(np.array([False, True, False]), 1, up, carried)
    assert last.tolist() == [-1, 2, 2]
    assert vertical.tolist() == [carried.tolist(), up[2].tolist(), up[2].tolist()]


@pytest.mark.parametrize("seed", range(40))
def test_latest_up_equals_the_carried_vertical_stacked_in_front(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    j = int(rng.integers(0, n))
    up = rng.normal(size=(n, 3))
    carried = rng.normal(size=3)
    flags = rng.random(n - j) < [0.0, 0.1, 0.5, 1.0][seed % 4]  # none, few, half, all flagged
    got, want = latest_up(flags, j, up, carried), _latest_up_the_long_way(flags, j, up, carried)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])


@pytest.mark.parametrize("n", [5, 9, 10, 60, 301])
def test_columns_smoothed_together_equal_each_smoothed_alone(n):
    # measure smooths the raw accelerometer with the angle and rate in one call: each column is
    # filtered on its own, so the bits are those of three calls
    rng = np.random.default_rng(n)
    angle, rate, acc = np.cumsum(rng.normal(size=n)), rng.normal(size=n) * 50, rng.normal(size=(n, 3)) + 9.8
    together = smooth_zero_phase([angle, rate, acc], 3.0, 52.0)
    alone = np.column_stack([smooth_zero_phase([angle], 3.0, 52.0), smooth_zero_phase([rate], 3.0, 52.0),
                             smooth_zero_phase([acc], 3.0, 52.0)])
    assert np.array_equal(together, alone)


@pytest.mark.parametrize("n", [2, 3, 8, 25, 26])
def test_the_median_step_is_numpys(n):
    t = np.cumsum(np.random.default_rng(n).uniform(0.018, 0.022, n))  # a 50-Hz clock's jitter
    assert median(np.diff(t).tolist()) == float(np.median(np.diff(t)))


def test_a_series_goes_on_only_across_no_more_than_one_and_a_half_sample_steps():
    t = 10.0 + 0.02 * np.arange(30)
    omega = np.tile([0.0, 0.0, 40.0], (30, 1))
    zeros = np.zeros(30)
    for gap_steps, goes_on in ((MAX_STEP_PERIODS - 0.1, True), (MAX_STEP_PERIODS + 0.1, False)):
        chain = Chain(np.array([0.0, 0.0, 1.0]), 5.0, np.array([0.0, 0.0, 40.0]), 10.0 - 0.02 * gap_steps, -1.0)
        assert (link(chain, t, omega, None, 3, None, zeros[3:], zeros[3:]) is not None) == goes_on


def _reversals_the_long_way(angle, min_swing):
    """count_reversals' zigzag over every sample after its first direction is known (no sample
    skipped: only turning points can trigger or move a reversal)."""
    a = np.asarray(angle, dtype=float)
    rose = (a - np.minimum.accumulate(a) >= min_swing).nonzero()[0]
    fell = (np.maximum.accumulate(a) - a >= min_swing).nonzero()[0]
    if len(a) < 3 or not min_swing > 0 or (not len(rose) and not len(fell)):
        return 0
    start, direction = (int(rose[0]), 1) if len(rose) and (not len(fell) or rose[0] < fell[0]) else (int(fell[0]), -1)
    return _zigzag(a[start + 1:].tolist(), min_swing, direction, float(a[start]))


def test_a_rep_with_a_wobbling_hold_has_one_reversal():
    t = np.linspace(0.0, 6.0, 300)
    angle = 60 * np.clip(np.minimum(t, 6.0 - t), 0.0, 1.5) / 1.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    assert count_reversals(angle, 0.2 * 60) == 1


@pytest.mark.parametrize("seed", range(30))
def test_reversals_counted_over_the_turning_points_equal_those_over_every_sample(seed):
    rng = np.random.default_rng(seed)
    angle = np.cumsum(rng.normal(size=int(rng.integers(0, 200)))) * rng.uniform(0.1, 10)
    if seed % 3 == 0:
        angle = np.round(angle)  # flat steps: ties between neighbours
    min_swing = float(rng.uniform(0.0, 5.0))
    assert count_reversals(angle, min_swing) == _reversals_the_long_way(angle, min_swing)

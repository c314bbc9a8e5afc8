"""The list order statistics equal numpy's, bit for bit (they replace np.percentile / np.median)."""
import math

import numpy as np
import pytest

from sensorkit.pipeline.measure import upper_median
from sensorkit.pipeline.stats import median, percentile


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 49, 50])
def test_percentile_and_median_equal_numpy(n):
    rng = np.random.default_rng(n)
    for _ in range(200):
        values = (rng.normal(40, 15, n) if rng.random() < 0.8 else rng.integers(20, 25, n) * 1.0).tolist()
        for q in (0.0, 10.0, 50.0, 80.0, 95.0, 100.0):
            assert percentile(values, q) == float(np.percentile(values, q))
        assert median(values) == float(np.median(values))


def test_nan_propagates_like_numpy():
    values = [30.0, float("nan"), 40.0]
    assert math.isnan(percentile(values, 80.0)) and math.isnan(float(np.percentile(values, 80.0)))
    assert math.isnan(median(values)) and math.isnan(float(np.median(values)))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 8, 50, 51])
def test_upper_median_is_the_middle_of_the_sorted_values(n):
    rng = np.random.default_rng(n)
    for values in (rng.normal(size=n), rng.integers(0, 3, size=n).astype(float)):  # ties too
        assert upper_median(values) == np.sort(values)[n // 2]

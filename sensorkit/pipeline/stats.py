"""Order statistics of short Python lists (recent reps), as numpy computes them, without its overhead.

The histories the classifier and the tempo judge keep are at most a few dozen floats; sorting them
in Python is cheaper than one ``np.percentile`` call. Results equal numpy's bit for bit.
"""
from __future__ import annotations

import math


def percentile(values: list[float], q: float) -> float:
    """``np.percentile(values, q)`` (linear method: numpy's interpolation between two neighbours)."""
    if any(v != v for v in values):
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * (q / 100)
    i = math.floor(position)
    gamma = position - i
    below, above = ordered[i], ordered[min(i + 1, len(ordered) - 1)]
    step = above - below
    return above - step * (1 - gamma) if gamma >= 0.5 else below + step * gamma


def median(values: list[float]) -> float:
    """``np.median(values)``: the middle value, or the mean of the two middle values."""
    if any(v != v for v in values):
        return math.nan
    ordered = sorted(values)
    k = len(ordered) // 2
    return ordered[k] if len(ordered) % 2 else (ordered[k - 1] + ordered[k]) / 2


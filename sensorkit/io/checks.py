"""Checks on the parsed time column: samples present, ``t`` increasing, a few repeats repaired."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.csv_table import line_of_row

#: repeated timestamps up to this fraction of rows (at least one) are dropped with a warning
MAX_REPEATED_FRACTION = 0.01


def check_time_column(path: Path, t: np.ndarray) -> tuple[np.ndarray | None, list[str]]:
    """Validate ``t`` (s). Returns (rows to keep, or None for all; warnings).

    Errors: no rows; all values equal; a value below the one before; repeats beyond 1% of rows.
    A few exact repeats keep the first sample of each timestamp.
    """
    n = len(t)
    if n == 0:
        raise RecordingError(f"{path}: no samples (the file has a header and no data rows)")
    if n > 1 and t[0] == t[-1] and bool((t == t[0]).all()):
        raise RecordingError(f"{path}: column t: all {n} values are {t[0]:.9g}; t must increase (seconds since the start)")
    step_s = np.diff(t)
    backwards = np.flatnonzero(step_s < 0)
    if backwards.size:
        row = int(backwards[0]) + 1
        raise RecordingError(
            f"{path}: line {line_of_row(path, row)}: column t: {t[row]:.9g} is less than the line before"
            f" ({t[row - 1]:.9g}); t must increase"
        )
    repeats = np.flatnonzero(step_s == 0) + 1
    if not repeats.size:
        return None, []
    line = line_of_row(path, int(repeats[0]))
    allowed = max(1, int(MAX_REPEATED_FRACTION * n))
    if repeats.size > allowed:
        raise RecordingError(
            f"{path}: line {line}: column t: {t[repeats[0]]:.9g} repeats the line before, and {repeats.size} rows"
            f" ({100 * repeats.size / n:.1f}%) repeat a timestamp; at most 1% can be repaired"
        )
    keep = np.ones(n, dtype=bool)
    keep[repeats] = False
    return keep, [
        f"{path}: line {line}: {repeats.size} repeated timestamp{'s' if repeats.size > 1 else ''} (t equal to the"
        f" row before); dropped, keeping the first row of each"
    ]

"""Deterministic CSV writing for the report tables: same rows in, same bytes out.

Floats: 3 decimals (``adherence_pct``: 1), NaN as an empty cell; booleans ``true``/``false``;
``\\n`` line ends; UTF-8.
"""
from __future__ import annotations

import csv
import io
import math
import numbers
import os
from pathlib import Path

from sensorkit.errors import SensorkitError

_DECIMALS = {"adherence_pct": 1, "adherence_mean_pct": 1}


def format_cell(column: str, value: object) -> str:
    """One cell as the report writes it (module doc); a value that rounds to zero is ``0.000``, never
    ``-0.000``, whatever float type it is (a NumPy float too: it was written as ``str`` gives it, ``-0.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        value = float(value)
        if math.isnan(value):
            return ""
        text = f"{value:.{_DECIMALS.get(column, 3)}f}"
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text  # no "-0.000"
    return "" if value is None else str(value)


def csv_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    """``rows`` as CSV text with a header of ``columns``, cells formatted as the report writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_cell(c, row[c]) for c in columns])
    return buffer.getvalue()


def write_csv(path: str | os.PathLike, rows: list[dict], columns: tuple[str, ...]) -> Path:
    """Write ``rows`` (dicts with at least ``columns``) to ``path``, creating its folder."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(csv_text(rows, columns), encoding="utf-8", newline="")
    except OSError as exc:
        raise SensorkitError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path

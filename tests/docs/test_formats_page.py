"""docs/formats.md describes every column and key the code writes, and none that it does not.

The page is the repository's own description of its file formats; these tests keep it true to
the column tuples and sidecar keys the code defines.
"""
import re
from pathlib import Path

import pytest

from sensorkit.batch import SESSION_COLUMNS
from sensorkit.io.meta import _FIELDS as SIDECAR_KEYS
from sensorkit.pipeline import REP_COLUMNS
from sensorkit.report import DAILY_COLUMNS, SUMMARY_COLUMNS
from sensorkit.samples import COLUMNS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def documented(heading_start: str, until: str = "\n## ") -> set[str]:
    """Backticked names in the first cell of each table row of the section whose heading starts so."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(heading_start)
    end = text.find(until, start + len(heading_start))
    names: set[str] = set()
    for line in text[start:end if end > 0 else None].splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([^`]+)`", first_cell))
    return names


@pytest.mark.parametrize("heading, columns", [
    ("### `NAME.csv`", COLUMNS),
    ("## `reps.csv`", REP_COLUMNS),
    ("## `sessions.csv`", SESSION_COLUMNS),
    ("## Adherence report: `report.csv`", DAILY_COLUMNS),
    ("## Summary: `summary.csv`", SUMMARY_COLUMNS),
])
def test_every_column_is_documented_and_every_documented_column_exists(heading, columns):
    assert documented(heading, until="\n#") == set(columns)


def test_every_sidecar_key_is_documented_and_every_documented_key_exists():
    assert documented("### `NAME.json`", until="\n#") == set(SIDECAR_KEYS)


def test_every_prescription_key_is_documented_and_every_documented_key_exists():
    from sensorkit.report import prescription

    keys = set(prescription._TOP_REQUIRED + prescription._TOP_OPTIONAL + prescription._EXERCISE_REQUIRED
               + prescription._EXERCISE_OPTIONAL)
    page = {"exercise" if name == "[[exercise]]" else name for name in documented("## Prescription")}
    assert page == keys

"""Fixtures for the batch-at-scale tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from scale_helpers import RECORDINGS


@pytest.fixture
def recordings_copy(tmp_path: Path) -> Path:
    """The sample recordings (CSV + sidecar, no truth files) in a fresh folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    for csv in sorted(RECORDINGS.glob("*.csv")):
        for source in (csv, csv.with_suffix(".json")):
            (folder / source.name).write_bytes(source.read_bytes())
    return folder

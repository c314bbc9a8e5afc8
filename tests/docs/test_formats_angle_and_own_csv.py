"""docs/formats.md: the columns of ``NAME.angle.csv`` are the ones written, and the "Your own CSV"
recipe, where the reader's refusal of an unknown CSV points, turns a logger's CSV (ms, g, rad/s,
its own column names) into a recording that analyses as the original does."""
from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording
from sensorkit.io.angle_csv import ANGLE_COLUMNS
from test_formats_page import PAGE, documented

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def test_every_angle_column_is_documented_and_every_documented_column_exists():
    assert documented("## `NAME.angle.csv`", until="\n#") == set(ANGLE_COLUMNS)


def loggers_csv(path: Path) -> Path:
    """The real session as a logger writes it: its own column names, ms, g and rad/s."""
    frame = read_recording(REAL).samples.to_frame()
    raw = pd.DataFrame({"Timestamp (ms)": frame.t * 1000.0,
                        **{f"Acc{a.upper()} [g]": frame[f"acc_{a}"] / 9.80665 for a in "xyz"},
                        **{f"Gyro{a.upper()} [rad/s]": frame[f"gyr_{a}"] * math.pi / 180.0 for a in "xyz"}})
    raw.to_csv(path, index=False, float_format="%.6f")
    return path


def test_the_refusal_names_the_section_and_the_section_is_there(tmp_path):
    with pytest.raises(RecordingError) as refused:
        read_recording(loggers_csv(tmp_path / "export.csv"))
    assert 'docs/formats.md, "Your own CSV"' in str(refused.value) and len(str(refused.value).splitlines()) == 1
    assert "\n### Your own CSV\n" in PAGE.read_text(encoding="utf-8")


def test_the_recipe_makes_a_recording_that_counts_as_the_original(tmp_path, monkeypatch):
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("\n### Your own CSV\n"):]
    recipe = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    loggers_csv(tmp_path / "export.csv")
    monkeypatch.chdir(tmp_path)
    exec(compile(recipe, "formats.md: Your own CSV", "exec"), {})
    converted = read_recording(tmp_path / "export_sk.csv")
    original = read_recording(REAL)
    assert len(converted.samples) == len(original.samples)
    assert not [w for w in converted.warnings if "file's modification time" not in w and "no sidecar" not in w]
    result = CliRunner().invoke(cli, ["analyze", os.fspath(tmp_path / "export_sk.csv"), "--out", "results",
                                      "--exercise", "knee_extension", "--side", "right"])
    assert result.exit_code == 0, result.output
    reps = pd.read_csv(tmp_path / "results" / "reps.csv")
    assert (reps.kind != "rejected").sum() == 30

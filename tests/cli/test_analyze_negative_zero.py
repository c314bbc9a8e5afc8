"""reps.csv and sessions.csv write a value that rounds to zero as 0.000, never -0.000 (docs/formats.md).

The first rep of a recording has its rest angle read from the recording's first rest: 0 less a
rounding error, which was written -0.000 (59 times for the real recordings beside the repository).
"""
import math
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sensorkit.cli import cli

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def test_the_first_reps_rest_angle_is_written_0_000_not_minus_0_000(tmp_path):
    result = CliRunner().invoke(cli, ["analyze", str(REAL), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "reps.csv").read_text()
    assert "-0.000" not in text
    first = pd.read_csv(tmp_path / "reps.csv", dtype=str, keep_default_na=False).iloc[0]
    assert first["rep"] == "1" and first["rest_angle_deg"] == "0.000"
    assert "-0.000" not in (tmp_path / "sessions.csv").read_text()


def test_only_a_value_written_as_a_negative_zero_is_made_zero():
    from sensorkit.io.outputs import no_negative_zero

    frame = pd.DataFrame({
        "angle_deg": [-0.0004, -0.0005, -0.0, 0.0, -0.0015, math.nan, 2.5],
        "mixed": [-0.0, "", -0.25, "text", 0.0, 1.0, -0.0],  # (a failed row's empty cells: a column of objects)
        "count": [0, -1, 2, 3, 4, 5, 6],
    })
    text = no_negative_zero(frame).to_csv(index=False, float_format="%.3f")
    assert text.splitlines()[1:] == [
        "0.000,0.0,0", "-0.001,,-1", "0.000,-0.25,2", "0.000,text,3", "-0.002,0.0,4", ",1.0,5", "2.500,0.0,6",
    ]

"""Results are written as a set: all or none, and never a temporary file left behind."""
from __future__ import annotations

import pytest

from sensorkit.io.outputs import OutputError, OutputSet


def test_a_set_is_replaced_whole_or_not_at_all(tmp_path):
    first, second = tmp_path / "reps.csv", tmp_path / "sessions.csv"
    first.write_text("old reps\n")
    second.mkdir()  # its rename must fail, after the first one succeeded
    with pytest.raises(OutputError, match="sessions.csv: cannot write: is a folder"):
        with OutputSet([first, second]) as outputs:
            outputs.write(first, "new reps\n")
            outputs.write(second, "new sessions\n")
    assert first.read_text() == "old reps\n"  # put back: the pair still matches
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps.csv", "sessions.csv"]


def test_an_error_while_writing_leaves_the_old_files_and_no_temporary_one(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        with OutputSet([target]) as outputs:
            outputs.write(target, "half")
            raise KeyboardInterrupt
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["report.csv"]

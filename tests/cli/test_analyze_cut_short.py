"""A recording the logger cut short (it crashed mid-line): ``analyze`` warns of the dropped line,
and the rep the data's end cut is rejected saying the data ended, not that the leg did not return."""
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sensorkit import read_recording
from sensorkit.cli import cli
from sensorkit.pipeline import Pipeline

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def test_the_rep_a_crash_cut_says_the_data_ended_and_the_session_warns_of_the_cut_line(tmp_path):
    source = RECORDINGS / "sim_9013.csv"
    rec = read_recording(source)
    counted = [r for r in Pipeline(meta=rec.meta.to_dict()).run(rec.samples) if r.counted]
    middle_s = (counted[3].out_end_s + counted[3].return_start_s) / 2  # (the 4th rep's hold)
    lines = source.read_text().splitlines(keepends=True)
    keep = 1 + int((rec.samples.t <= middle_s).sum())
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2])  # (no newline: mid-number)
    shutil.copy(source.with_suffix(".json"), cut.with_suffix(".json"))

    result = CliRunner().invoke(cli, ["analyze", str(cut), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    reps = pd.read_csv(tmp_path / "out" / "reps.csv", keep_default_na=False)
    sessions = pd.read_csv(tmp_path / "out" / "sessions.csv", keep_default_na=False)
    assert f"line {keep + 1}: incomplete last line dropped (recording cut short?)" in sessions.warnings[0]
    assert list(reps.kind[reps.kind != "rejected"]) == [r.kind for r in counted[:3]]
    assert reps.reason.iloc[-1] == "cut short: the data ended before it returned to rest (the recording stopped)"
    assert reps.start_s.iloc[-1] == round(counted[3].start_s, 3)
    assert "did not return to rest" not in set(reps.reason)

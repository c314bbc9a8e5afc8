"""``sessions.csv`` shows the data a recording lost in gaps too long to bridge (``gaps``, ``lost_in_gaps_s``)."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.io import write_recording
from sensorkit.sim import simulate_session


@pytest.fixture(scope="module")
def samples():
    return simulate_session(5, sample_rate_hz=200, max_duration_s=150).samples


def sessions_after(tmp_path, files: dict) -> pd.DataFrame:
    folder = tmp_path / "in"
    for name, recording in files.items():
        write_recording(folder / f"{name}.csv", recording)  # (no sidecar's gaps: the times alone tell)
    result = CliRunner().invoke(cli, ["analyze", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    return pd.read_csv(tmp_path / "out" / "sessions.csv", index_col="recording")


def test_a_30_s_dropout_is_one_gap_of_30_s_lost_and_short_holes_the_analysis_bridges_none(tmp_path, samples):
    t = samples.t
    dropout = samples[(t < 60.0) | (t >= 90.0)]
    holes = samples[~(((t >= 20.0) & (t < 20.5)) | ((t >= 40.0) & (t < 40.8)))]  # (bridged: up to max_gap_fill_s, 1 s)
    twice = samples[(t < 30.0) | ((t >= 42.0) & (t < 100.0)) | (t >= 103.5)]
    sessions = sessions_after(tmp_path, {"whole": samples, "dropout": dropout, "holes": holes, "twice": twice})
    assert sessions.loc["whole", "gaps"] == 0 and sessions.loc["whole", "lost_in_gaps_s"] == 0.0
    assert sessions.loc["holes", "gaps"] == 0 and sessions.loc["holes", "lost_in_gaps_s"] == 0.0
    assert sessions.loc["dropout", "gaps"] == 1
    assert sessions.loc["dropout", "lost_in_gaps_s"] == pytest.approx(30.0, abs=0.02)
    assert sessions.loc["twice", "gaps"] == 2
    assert sessions.loc["twice", "lost_in_gaps_s"] == pytest.approx(15.5, abs=0.03)
    assert sessions.loc["dropout", "duration_s"] == sessions.loc["whole", "duration_s"]  # (the span, gaps and all)

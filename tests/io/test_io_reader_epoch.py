"""A ``t`` column in Unix-epoch seconds (a logger's clock, ~1.7e9): read as times from the first
sample, the recording dated by that sample (not by the file's date), and said in one warning
naming the file. Before, it was taken silently: reps.csv had epoch times, sessions.csv the file's
modification time."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.io import read_recording
from io_synth import csv_text, swinging_sensor

EPOCH_S = 1_765_000_000.0  # 2025-12-06T05:46:40Z
REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def shifted(folder: Path, offset_s: float, name: str = "rec", sidecar: dict | None = None) -> Path:
    samples = swinging_sensor(rate_hz=50.0)
    path = folder / f"{name}.csv"
    text = csv_text(samples)
    lines = text.splitlines()
    lines[1:] = [f"{float(line.split(',', 1)[0]) + offset_s:.6f},{line.split(',', 1)[1]}" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    if sidecar is not None:
        path.with_suffix(".json").write_text(json.dumps(sidecar))
    return path


def test_epoch_seconds_are_read_from_the_first_sample_and_date_the_recording(tmp_path):
    rec = read_recording(shifted(tmp_path, EPOCH_S))
    plain = swinging_sensor(rate_hz=50.0)
    assert rec.samples.t[0] == 0.0 and np.abs(rec.samples.t - plain.t).max() < 1e-6
    assert rec.meta.started_at == datetime(2025, 12, 6, 5, 46, 40, tzinfo=timezone.utc)
    assert not rec.meta.started_at_from_file_time
    said = [w for w in rec.warnings if "Unix-epoch" in w]
    assert len(said) == 1 and said[0].startswith(f"{tmp_path / 'rec.csv'}: column t:")
    assert "2025-12-06T05:46:40+00:00" in said[0] and "started_at is that time" in said[0]


def test_a_sidecars_started_at_holds(tmp_path):
    rec = read_recording(shifted(tmp_path, EPOCH_S, sidecar={"started_at": "2025-12-06T06:00:00+01:00"}))
    assert rec.samples.t[0] == 0.0
    assert rec.meta.started_at == datetime(2025, 12, 6, 5, 0, 0, tzinfo=timezone.utc)
    assert any("started_at is the sidecar's (2025-12-06T06:00:00+01:00)" in w for w in rec.warnings)


def test_a_clock_that_does_not_start_at_zero_but_is_no_epoch_is_kept(tmp_path):
    rec = read_recording(shifted(tmp_path, 5000.0))  # (a sensor's uptime)
    assert rec.samples.t[0] == 5000.0 and not any("epoch" in w for w in rec.warnings)


def test_analyze_writes_times_from_the_first_sample_and_the_start_from_t(tmp_path):
    frame = read_recording(REAL).samples.to_frame()
    frame["t"] += EPOCH_S
    frame.to_csv(tmp_path / "epoch.csv", index=False, float_format="%.6f")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "epoch.csv"), "--out", str(out),
                                      "--exercise", "knee_extension"])
    assert result.exit_code == 0, result.output
    reps, sessions = pd.read_csv(out / "reps.csv"), pd.read_csv(out / "sessions.csv")
    assert reps.start_s.min() < 5 and reps.end_s.max() < 240 and (reps.kind != "rejected").sum() == 30
    assert sessions.started_at[0] == "2025-12-06T05:46:40+00:00"
    assert "Unix-epoch seconds" in result.output and "modification time" not in result.output

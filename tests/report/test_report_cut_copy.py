"""A copy of a session cut short (an interrupted sync: the same sidecar, the first part of the
samples) is the same session: the longer is counted once, the other said skipped (review 35, 3)."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from sensorkit.report import build_report, load_prescriptions
from sensorkit.report.build import skip_kind

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
RX = ('patient = "demo-p044"\ntimezone = "UTC"\nstart = 2026-01-01\n\n[[exercise]]\nname = "hip_external_rotation"\n'
      'sides = ["left", "right"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = 10\ndays_per_week = 7\n')


def _clinic(tmp_path: Path, cut_name: str, change_samples: bool = False) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(RECORDINGS / "sim_9013.csv", data / "s1.csv")
    shutil.copy(RECORDINGS / "sim_9013.json", data / "s1.json")
    lines = (RECORDINGS / "sim_9013.csv").read_text().splitlines(keepends=True)
    kept = lines[: len(lines) * 2 // 3]
    if change_samples:  # (another session started at the same moment: not the start of s1's samples)
        kept = [kept[0], *(line.rstrip("\n") + "1\n" for line in kept[1:])]  # (gyr_z 1e-7 deg/s off)
    (data / f"{cut_name}.csv").write_text("".join(kept) + lines[len(kept)][:9])  # (a last line cut mid-way)
    shutil.copy(RECORDINGS / "sim_9013.json", data / f"{cut_name}.json")
    (tmp_path / "rx.toml").write_text(RX)
    return data


@pytest.mark.parametrize("cut_name", ["s1 (1)", "s2"])  # (the copy cut short found first, then last)
def test_a_copy_cut_short_is_one_session_the_longer_kept(tmp_path, cut_name):
    data = _clinic(tmp_path, cut_name)
    lines: list[str] = []
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], include_simulated=True,
                           workers=1, on_message=lines.append)
    (session,) = outcome.sessions["demo-p044"]
    alone = build_report(load_prescriptions(tmp_path / "rx.toml"), [data / "s1.csv"], include_simulated=True, workers=1)
    assert session.recording == "s1"
    assert [(r.kind, r.start_s) for r in session.reps] == [(r.kind, r.start_s) for r in alone.sessions["demo-p044"][0].reps]
    assert sum(row["sessions"] for row in outcome.daily) == 1
    (note,) = [(path.name, reason) for path, reason in outcome.notes]
    assert note[0] == f"{cut_name}.csv" and note[1].startswith("the first ") and "s1.csv" in note[1]
    assert skip_kind(note[1]) == "a copy cut short, the longer counted"
    assert not [w for path, w in outcome.warnings if path.name == f"{cut_name}.csv"]
    assert any("a copy cut short" in line for line in lines)


def test_another_session_started_at_the_same_moment_is_still_counted(tmp_path):
    data = _clinic(tmp_path, "s2", change_samples=True)
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], include_simulated=True, workers=1)
    assert sorted(s.recording for s in outcome.sessions["demo-p044"]) == ["s1", "s2"]


def test_a_report_hashes_a_recording_as_it_reads_it(tmp_path, monkeypatch):
    data = _clinic(tmp_path, "s2")
    reads: Counter = Counter()
    read_bytes = Path.read_bytes

    def counted(self):
        reads[self.name] += 1
        return read_bytes(self)

    prescriptions = load_prescriptions(tmp_path / "rx.toml")
    monkeypatch.setattr(Path, "read_bytes", counted)
    outcome = build_report(prescriptions, [data], include_simulated=True, workers=1)
    monkeypatch.undo()
    assert len(outcome.sessions["demo-p044"]) == 1
    assert not reads["s1.csv"] and not reads["s2.csv"]  # (read once, by the reader: its digest noted then)

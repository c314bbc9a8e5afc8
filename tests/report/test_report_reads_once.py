"""A report reads each recording once: its sidecar once (to match it, then to analyse it), its
samples once (also when its start must come from its duration), its first bytes sniffed once."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

import sensorkit.io.reader as reader
import sensorkit.io.vendor.common as vendor_common
from sensorkit.report import build_report, load_prescriptions

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
RX = ('patient = "demo-p044"\ntimezone = "UTC"\nstart = 2026-01-01\n\n[[exercise]]\nname = "hip_external_rotation"\n'
      'sides = ["left", "right"]\nsets = 1\nreps_per_set = 3\nhold_s = 1\nrom_deg = 10\ndays_per_week = 7\n')


@pytest.mark.parametrize("dated_by", ["started_at", "file time"])
def test_a_report_reads_a_recording_s_sidecar_and_samples_once(tmp_path, monkeypatch, dated_by):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(RECORDINGS / "sim_9013.csv", data / "s1.csv")
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text())
    meta["unknown_key"] = 1  # (a sidecar warning: said once, as before)
    if dated_by == "file time":
        del meta["started_at"]  # (its start is its file's time less its duration: the samples are read for it)
    (data / "s1.json").write_text(json.dumps(meta))
    (tmp_path / "rx.toml").write_text(RX)

    reads: Counter = Counter()
    read_text, parse_table, head_text = Path.read_text, reader.parse_table, vendor_common.head_text

    def counted_read_text(self, *args, **kwargs):
        reads[self.name] += 1
        return read_text(self, *args, **kwargs)

    def counted_parse(path, *args, **kwargs):
        reads[f"samples of {Path(path).name}"] += 1
        return parse_table(path, *args, **kwargs)

    def counted_head(path, *args, **kwargs):
        reads[f"head of {Path(path).name}"] += 1
        return head_text(path, *args, **kwargs)

    prescriptions = load_prescriptions(tmp_path / "rx.toml")
    monkeypatch.setattr(Path, "read_text", counted_read_text)
    monkeypatch.setattr(reader, "parse_table", counted_parse)
    monkeypatch.setattr(reader, "head_text", counted_head)
    # (no report's day: the session, dated 2026-12-25, is counted whenever the test runs)
    outcome = build_report(prescriptions, [data], include_simulated=True, workers=1)
    monkeypatch.undo()
    # (the sidecar was read twice, three times when dated by file time; the samples twice then; the
    # head sniffed twice)
    assert reads == {"s1.json": 1, "samples of s1.csv": 1, "head of s1.csv": 1}
    (session,) = outcome.sessions["demo-p044"]
    assert len(session.reps) > 0 and not outcome.failures
    assert [w for _, w in outcome.warnings if "unknown_key" in w] == [
        f"{data / 's1.json'}: key unknown_key: not a known sidecar key; kept in meta.extra"]

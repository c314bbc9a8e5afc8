"""Which day a recording counts on, as a therapist reads the report: one dated after today (a
recorder's clock ahead) is flagged and counted on no day; a damaged one without started_at still
shows as lost data on the day of its file."""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sensorkit.report import build_report, load_prescriptions

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def rx_file(folder: Path, start: str, end: str | None = None) -> Path:
    path = folder / "rx.toml"
    path.write_text(f'patient = "demo-p044"\ntimezone = "UTC"\nstart = {start}\n' + (f"end = {end}\n" if end else "")
                    + '\n[[exercise]]\nname = "hip_external_rotation"\nsides = ["right"]\nsets = 1\n'
                    'reps_per_set = 8\nhold_s = 5\nrom_deg = 30\ndays_per_week = 7\n')
    return path


def recording(folder: Path, name: str, started_at: datetime | None) -> Path:
    """sim_9013 (demo-p044, hip ER right) copied as NAME, started at ``started_at`` (None: no started_at)."""
    folder.mkdir(exist_ok=True)
    shutil.copy(RECORDINGS / "sim_9013.csv", folder / f"{name}.csv")
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text())
    if started_at is None:
        del meta["started_at"]
    else:
        meta["started_at"] = started_at.isoformat()
    (folder / f"{name}.json").write_text(json.dumps(meta))
    return folder / f"{name}.csv"


def test_a_session_dated_after_today_is_flagged_and_counted_on_no_day(tmp_path):
    today = datetime.now(timezone.utc).date()
    ahead = datetime.now(timezone.utc) + timedelta(days=3)  # (the recorder's clock three days ahead)
    recording(tmp_path / "data", "ahead", ahead)
    rx = load_prescriptions(rx_file(tmp_path, (today - timedelta(days=2)).isoformat()))
    said: list[str] = []
    outcome = build_report(rx, [tmp_path / "data"], include_simulated=True, workers=1, as_of="today",
                           on_message=said.append)
    # (the days up to today, none done; not the days up to the session, which have not come: not "missed")
    assert [r["date"] for r in outcome.daily] == [(today - timedelta(days=k)).isoformat() for k in (2, 1, 0)]
    assert not any(r["has_data"] for r in outcome.daily) and outcome.daily[-1]["day_in_progress"]
    assert outcome.sessions["demo-p044"] == []
    (flagged,) = outcome.dated_after["demo-p044"]  # (kept apart, with its reps: not silently dropped)
    assert flagged.recording == "ahead" and len(flagged.reps) > 0
    (line,) = [line for line in said if "ahead.csv" in line]
    assert f"after today ({today})" in line and "clock ahead" in line and "counted on no day" in line


def test_a_prescription_that_has_not_begun_has_no_day_missed(tmp_path):
    today = datetime.now(timezone.utc).date()
    recording(tmp_path / "data", "ahead", datetime.now(timezone.utc) + timedelta(days=18))
    rx = load_prescriptions(rx_file(tmp_path, (today + timedelta(days=14)).isoformat(),
                                    (today + timedelta(days=20)).isoformat()))
    outcome = build_report(rx, [tmp_path / "data"], include_simulated=True, workers=1, as_of="today")
    assert outcome.daily == [] and outcome.summary == []
    assert [s.recording for s in outcome.dated_after["demo-p044"]] == ["ahead"]


def test_a_damaged_recording_without_started_at_is_counted_as_failed_on_its_file_s_day(tmp_path):
    path = recording(tmp_path / "data", "damaged", None)
    lines = path.read_text().splitlines(keepends=True)
    lines[1::50] = ["12.0,abc,9.8,,1,2\n"] * len(lines[1::50])  # (2 % of its lines damaged: the recording cannot be read)
    path.write_text("".join(lines))
    written = datetime(2026, 1, 3, 18, 30, tzinfo=timezone.utc)  # (the file's modification time: the session's end)
    os.utime(path, (written.timestamp(), written.timestamp()))
    rx = load_prescriptions(rx_file(tmp_path, "2026-01-01", "2026-01-05"))
    said: list[str] = []
    outcome = build_report(rx, [tmp_path / "data"], include_simulated=True, workers=1, as_of=None,
                           on_message=said.append)
    assert [path for path, _ in outcome.failures] == [tmp_path / "data" / "damaged.csv"]
    assert [(r["date"], r["recordings_failed"]) for r in outcome.daily if r["recordings_failed"]] == [("2026-01-03", 1)]
    lost = next(r for r in outcome.daily if r["date"] == "2026-01-03")
    assert lost["adherence_pct"] != lost["adherence_pct"]  # (NaN: its reps unknown, not 0 %)
    assert any("damaged.csv: note: no started_at" in line and "2026-01-03" in line for line in said)


def test_the_report_s_closing_line_counts_the_sessions_dated_after_today(tmp_path):
    from click.testing import CliRunner

    from sensorkit.cli import cli

    today = datetime.now(timezone.utc).date()
    recording(tmp_path / "data", "ahead", datetime.now(timezone.utc) + timedelta(days=3))
    rx = rx_file(tmp_path, (today - timedelta(days=2)).isoformat())
    result = CliRunner().invoke(cli, ["report", "--prescription", str(rx), str(tmp_path / "data"), "--include-simulated",
                                      "--out", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    assert "0 session(s) reported, 1 skipped (1 dated after the report's day: counted on no day)" in result.output

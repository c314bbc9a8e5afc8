"""A prescription changed mid-month: one file per period for one patient (Nov 1-15, then Nov 16-30),
each day judged by the one in force, its schedule counted from its own start. Periods that overlap
are refused naming both files, and only that patient is left out."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.batch import analyze_recording
from sensorkit.cli import cli
from sensorkit.errors import ConfigError
from sensorkit.report import build_report, load_prescriptions

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
PATIENT = "demo-p044"  # (sim_9013's: hip ER, right)
FIRST = exercise("hip_external_rotation", 36, hold_s=5, reps_per_set=8, sides=("right",))
#: from Nov 16 easier targets, fewer reps, any 3 days of each week from Nov 16
SECOND = exercise("hip_external_rotation", 20, hold_s=1, reps_per_set=4, sides=("right",), days_per_week=3)


def write_rx(folder: Path, second_start: str = "2026-11-16") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "p044_nov_a.toml").write_text(rx_toml(PATIENT, "Europe/Berlin", "2026-11-01", "2026-11-15", FIRST))
    (folder / "p044_nov_b.toml").write_text(rx_toml(PATIENT, "Europe/Berlin", second_start, "2026-11-30", SECOND))
    (folder / "p055.toml").write_text(rx_toml("p055", "Europe/Berlin", "2026-11-01", "2026-11-30", FIRST))
    return folder


def session(folder: Path, name: str, started_at: str, last_samples_left_out: int = 0) -> Path:
    """sim_9013 copied as NAME, started at ``started_at``, without its last samples (another session
    than a copy with as many: not an identical file)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = (RECORDINGS / "sim_9013.csv").read_text().splitlines(keepends=True)
    (folder / f"{name}.csv").write_text("".join(lines[:len(lines) - last_samples_left_out]))
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text())
    (folder / f"{name}.json").write_text(json.dumps({**meta, "started_at": started_at}))
    return folder / f"{name}.csv"


def completing(reps, rom_deg: float, hold_s: float) -> int:
    return sum(r.counted and r.rom_deg >= rom_deg and r.hold_s >= hold_s for r in reps)


def test_each_day_is_judged_by_the_prescription_in_force(tmp_path):
    rx = load_prescriptions(write_rx(tmp_path / "rx"))
    assert sorted(rx) == [PATIENT, "p055"]
    session(tmp_path / "data", "nov10", "2026-11-10T09:00:00+01:00")
    session(tmp_path / "data", "nov16", "2026-11-16T09:00:00+01:00", last_samples_left_out=1)
    outcome = build_report(rx, [tmp_path / "data"], include_simulated=True)
    assert not outcome.failures and not outcome.notes
    rows = {r["date"]: r for r in outcome.daily if r["patient"] == PATIENT}
    assert min(rows) == "2026-11-01" and max(rows) == "2026-11-30" and len(rows) == 30
    # (the first file's 8 reps every day; the second's 4 on 3 days of each of its own weeks, from Nov 16:
    # the day with a recording, Nov 16, then the week's last days without, Nov 21 and 22; Nov 27-29; its
    # last week cut short by its end, Nov 30 alone, is due 1 day)
    assert {rows[f"2026-11-{d:02}"]["reps_prescribed"] for d in range(1, 16)} == {8}
    assert [d for d in range(16, 31) if rows[f"2026-11-{d}"]["reps_prescribed"]] == [16, 21, 22, 27, 28, 29, 30]
    reps = analyze_recording(tmp_path / "data" / "nov10.csv").reps
    assert rows["2026-11-10"]["reps_completed"] == completing(reps, 36, 5)
    assert rows["2026-11-16"]["reps_completed"] == completing(reps, 20, 1) > completing(reps, 36, 5)


def test_a_day_between_two_periods_has_no_rows_and_its_session_is_skipped(tmp_path):
    rx = load_prescriptions(write_rx(tmp_path / "rx", second_start="2026-11-20"))
    session(tmp_path / "data", "nov17", "2026-11-17T09:00:00+01:00")
    outcome = build_report(rx, [tmp_path / "data"], include_simulated=True)
    dates = {r["date"] for r in outcome.daily if r["patient"] == PATIENT}
    assert "2026-11-15" in dates and "2026-11-20" in dates
    assert not {"2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"} & dates
    (path, why), = outcome.notes
    assert path.name == "nov17.csv"
    assert why == (f"started on 2026-11-17 (Europe/Berlin), outside {PATIENT}'s prescriptions"
                   " 2026-11-01..2026-11-15, 2026-11-20..2026-11-30")


def test_overlapping_periods_leave_out_that_patient_only_naming_both_files(tmp_path):
    folder = write_rx(tmp_path / "rx", second_start="2026-11-15")
    first, second = folder / "p044_nov_a.toml", folder / "p044_nov_b.toml"
    expected = (f"{second}: key start: {PATIENT}'s prescription 2026-11-15..2026-11-30 overlaps"
                f" 2026-11-01..2026-11-15 in {first} (one prescription is in force a day: the earlier one must end"
                " before the later one starts)")
    with pytest.raises(ConfigError) as error:
        load_prescriptions(folder)
    assert str(error.value) == expected
    failed: list = []
    assert sorted(load_prescriptions(folder, failed)) == ["p055"]
    assert failed == [(second, expected)]
    session(tmp_path / "data", "nov10", "2026-11-10T09:00:00+01:00")
    result = CliRunner().invoke(cli, ["report", "--prescription", str(folder), str(tmp_path / "data"),
                                      "--as-of", "2026-11-30", "--out", str(tmp_path / "out" / "report.csv")])
    assert result.exit_code == 1, result.output  # (as for one file that cannot be read: the others reported)
    assert f"error: {expected}; this prescription is not read, its patient is left out of the report" in result.output
    assert (tmp_path / "out" / "report.csv").read_text().count("\np055,") == 30


def test_periods_of_one_patient_share_a_time_zone(tmp_path):
    folder = write_rx(tmp_path / "rx")
    second = folder / "p044_nov_b.toml"
    second.write_text(second.read_text().replace("Europe/Berlin", "America/New_York"))
    with pytest.raises(ConfigError, match=rf"^{second}: key timezone: 'America/New_York' is not the 'Europe/Berlin'"
                                          rf" of {PATIENT}'s prescription in {folder / 'p044_nov_a.toml'}"):
        load_prescriptions(folder)


def test_an_open_ended_earlier_prescription_overlaps_the_later_one(tmp_path):
    folder = write_rx(tmp_path / "rx")
    first = folder / "p044_nov_a.toml"
    first.write_text(first.read_text().replace("end = 2026-11-15\n", ""))
    with pytest.raises(ConfigError, match=r"2026-11-16\.\.2026-11-30 overlaps 2026-11-01\.\. in "):
        load_prescriptions(folder)


def test_a_day_between_periods_is_said_to_be_outside_them_whatever_the_exercise(tmp_path):
    # (hip ER Nov 1-10, then knee extension from Nov 12: a hip ER session on Nov 11 is outside both
    # periods, not "not prescribed" because the later period prescribes another exercise)
    folder = tmp_path / "rx"
    folder.mkdir()
    (folder / "a.toml").write_text(rx_toml(PATIENT, "Europe/Berlin", "2026-11-01", "2026-11-10", FIRST))
    (folder / "b.toml").write_text(rx_toml(PATIENT, "Europe/Berlin", "2026-11-12", "2026-11-30",
                                           exercise("knee_extension", 40, sides=("right",))))
    session(tmp_path / "data", "nov11", "2026-11-11T09:00:00+01:00")
    outcome = build_report(load_prescriptions(folder), [tmp_path / "data"], include_simulated=True)
    (path, why), = outcome.notes
    assert path.name == "nov11.csv"
    assert why == (f"started on 2026-11-11 (Europe/Berlin), outside {PATIENT}'s prescriptions"
                   " 2026-11-01..2026-11-10, 2026-11-12..2026-11-30")


def test_live_between_two_periods_takes_the_one_begun_last(tmp_path):
    from datetime import date, timedelta

    from sensorkit.web.live_hub import plan_for

    today = date.today()
    folder = tmp_path / "rx"
    folder.mkdir()
    (folder / "a.toml").write_text(rx_toml(PATIENT, "UTC", str(today - timedelta(days=20)), str(today - timedelta(days=3)),
                                           exercise("hip_external_rotation", 30, sides=("right",))))
    (folder / "b.toml").write_text(rx_toml(PATIENT, "UTC", str(today + timedelta(days=3)), None,
                                           exercise("hip_external_rotation", 50, sides=("right",))))
    plan = plan_for(folder, PATIENT, "hip_external_rotation")
    assert plan.rom_deg == 30 and plan.source.endswith("a.toml")  # (the next has not begun)

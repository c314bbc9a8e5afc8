"""Summary periods and weeks a therapist can read (review36, finding 6).

A 30-day summary period straddled a prescription change (its adherence over days judged by two
prescriptions, its first and last week's ROM before and after a new target), and no table said week
by week on how many days the patient exercised of those due, and how many reps were completed of
those prescribed. Now a period starts at each prescription's start, and ``report --weekly`` writes
the weeks (docs/formats.md, "Weekly: weekly.csv").
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli
from sensorkit.report import load_prescriptions
from test_report_review36 import write_sim

ZONE = "Europe/Berlin"
#: 3 days a week for a week from Monday 10-05, then 2 a week from Monday 10-12
FIRST = rx_toml("p7", ZONE, "2026-10-05", "2026-10-11", exercise("hip_external_rotation", 30.0, hold_s=1.0, days_per_week=3))
SECOND = rx_toml("p7", ZONE, "2026-10-12", "2026-11-20", exercise("hip_external_rotation", 30.0, hold_s=1.0, days_per_week=2))
AS_OF = "2026-10-21"  # (a Wednesday: the second prescription's second week in progress)


@pytest.fixture(scope="module")
def clinic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("periods")
    (root / "rx").mkdir()
    (root / "rx" / "a.toml").write_text(FIRST)
    (root / "rx" / "b.toml").write_text(SECOND)
    for seed, day in ((100, "2026-10-06"), (101, "2026-10-13"), (102, "2026-10-14")):
        write_sim(root / "data", f"s{day}", seed, patient="p7", side="left", started_at=f"{day}T18:00:00+02:00")
    return root


def run(root: Path) -> tuple[list[dict], list[dict], list[dict]]:
    out = root / "out"
    result = CliRunner().invoke(cli, ["report", str(root / "data"), "--prescription", str(root / "rx"), "--as-of", AS_OF,
                                      "--out", str(out / "report.csv"), "--summary", str(out / "summary.csv"),
                                      "--weekly", str(out / "weekly.csv")])
    assert result.exit_code == 0, result.output
    return tuple(list(csv.DictReader(open(out / name, encoding="utf-8")))
                 for name in ("report.csv", "summary.csv", "weekly.csv"))


def test_a_summary_period_starts_at_each_prescription_change(clinic):
    daily, summary, _ = run(clinic)
    assert [(r["period"], r["period_start"], r["period_end"], r["days"], r["prescription_start"]) for r in summary] == [
        ("1", "2026-10-05", "2026-10-11", "7", "2026-10-05"), ("2", "2026-10-12", "2026-10-21", "10", "2026-10-12")]
    first = [r for r in daily if r["date"] <= "2026-10-11" and r["reps_prescribed"] != "0"]
    assert len(first) == 3  # (the week's 3 days due: the 6th, done, and the week's last two, missed)
    assert summary[0]["adherence_mean_pct"] == f"{sum(float(r['adherence_pct']) for r in first) / 3:.1f}"
    assert summary[0]["days_with_data"] == "1" and summary[1]["days_with_data"] == "2"


def test_the_weekly_table_says_days_with_exercise_of_due_and_reps_completed_of_prescribed(clinic):
    daily, _, weekly = run(clinic)
    completed = {r["date"]: int(r["reps_completed"]) for r in daily}
    assert 0 < completed["2026-10-13"] and 0 < completed["2026-10-06"]
    shown = [(w["week"], w["week_start"], w["week_end"], w["days"], w["days_with_exercise"], w["days_due"],
              w["reps_completed"], w["reps_prescribed"], w["week_in_progress"], w["prescription_start"]) for w in weekly]
    assert shown == [
        ("1", "2026-10-05", "2026-10-11", "7", "1", "3", str(completed["2026-10-06"]), "15", "false", "2026-10-05"),
        ("2", "2026-10-12", "2026-10-18", "7", "2", "2", str(completed["2026-10-13"] + completed["2026-10-14"]), "10",
         "false", "2026-10-12"),
        ("3", "2026-10-19", "2026-10-25", "3", "0", "2", "0", "10", "true", "2026-10-12")]
    # (the week in progress: its two days due are still to come, none missed yet: no adherence)
    assert weekly[2]["adherence_mean_pct"] == ""
    assert weekly[1]["adherence_mean_pct"] == f"{min(100.0, 100 * completed['2026-10-13'] / 5) / 2 + min(100.0, 100 * completed['2026-10-14'] / 5) / 2:.1f}"


def test_a_second_run_replaces_its_weekly_table_and_a_weekly_table_among_recordings_is_skipped(clinic):
    run(clinic)
    run(clinic)  # (the earlier weekly.csv is known as this command's: replaced, not refused)
    among = clinic / "data" / "weekly.csv"
    among.write_bytes((clinic / "out" / "weekly.csv").read_bytes())
    try:
        result = CliRunner().invoke(cli, ["report", str(clinic / "data"), "--prescription", str(clinic / "rx"),
                                          "--as-of", AS_OF, "--out", str(clinic / "out2" / "report.csv")])
    finally:
        among.unlink()
    assert result.exit_code == 0, result.output
    assert "weekly.csv: skipped: an earlier output (weekly table of sensorkit report), not a recording" in result.output


def test_the_dashboard_names_the_30_day_period_of_the_report_s_day_from_the_prescription_change(clinic):
    from sensorkit.web.dashboard_data import DashboardData

    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date.fromisoformat(AS_OF))
    data.refresh()
    page = data.patient("p7")
    assert page["current_period"] == {"period": 2, "start": "2026-10-12", "end": "2026-10-21", "days": 10,
                                      "days_with_data": 2}
    assert [(w["week"], w["days_with_exercise"], w["days_due"]) for w in page["weeks"]] == [(1, 1, 3), (2, 2, 2), (3, 0, 2)]

"""The daily and summary tables from hand-made reps: targets, the 100 % cap, 30-day periods, bands."""
import math
from dataclasses import replace

import pytest
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sensorkit.pipeline import Rep
from sensorkit.report import AnalyzedSession, ExercisePlan, Prescription, daily_rows, device_days_band, summary_rows
from sensorkit.report.table import csv_text

PLAN = ExercisePlan("hip_external_rotation", ("left",), sets=1, reps_per_set=2, hold_s=3.0, rom_deg=30.0, days_per_week=7)


def rx(start=date(2026, 1, 1), end=None):
    return Prescription("p1", "UTC", start, end, (PLAN,), Path("p1.toml"))


def rep(kind, rom_deg, hold_s, start_s=0.0, duration_s=4.0):
    return Rep(1, kind, start_s, start_s + duration_s, rom_deg, hold_s, start_s + 1, start_s + 1 + hold_s,
               50.0, 1.0, 1.0, 0.0, 0.3, 0.0)


def session(day, reps, name="s", hour=10):
    return AnalyzedSession(name, datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc), PLAN.name, "left", tuple(reps))


def test_a_rep_completes_only_when_it_reaches_both_targets_and_adherence_caps_at_100():
    day = date(2026, 1, 1)
    reps = [rep("full", 35, 4), rep("full", 35, 2), rep("partial", 20, 5), rep("knee_out", 31, 3),
            rep("full", 40, 6), rep("rejected", 50, 9)]
    (row,) = daily_rows(rx(end=day), [session(day, reps)])
    # (the knee-out rep reaches both targets but is a compensation: the plan does not prescribe it)
    assert (row["reps_completed"], row["reps_total"], row["reps_partial"], row["reps_knee_out"]) == (2, 5, 1, 1)
    assert row["adherence_pct"] == 100.0  # 2 completed of 2 prescribed
    easier = Prescription("p1", "UTC", day, day, (replace(PLAN, knee_out=True),), Path("p1.toml"))
    assert daily_rows(easier, [session(day, reps)])[0]["reps_completed"] == 3  # the easier variant prescribed
    assert row["holds_on_target"] == 4 and row["active_time_s"] == 20.0
    assert row["rom_max_deg"] == 40 and math.isclose(row["rom_mean_deg"], (35 + 35 + 20 + 31 + 40) / 5)


def test_without_an_end_the_report_runs_to_the_last_recording_with_empty_days():
    start = date(2026, 1, 1)
    rows = daily_rows(rx(start), [session(start + timedelta(days=3), [rep("full", 35, 4)])])
    assert [r["date"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]
    assert [r["adherence_pct"] for r in rows] == [0.0, 0.0, 0.0, 50.0]
    assert csv_text(rows[:1], ("rom_mean_deg", "has_data", "active_time_s")) == "rom_mean_deg,has_data,active_time_s\n,false,0.000\n"


def test_days_after_the_report_is_made_are_neither_done_nor_missed():
    start = date(2026, 1, 1)
    sessions = [session(start + timedelta(days=1), [rep("full", 35, 4)])]
    rows = daily_rows(rx(start, end=date(2026, 1, 31)), sessions, as_of=date(2026, 1, 4))
    assert [r["date"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]
    assert len(daily_rows(rx(start, end=date(2026, 1, 31)), sessions)) == 31  # (without: the whole period)
    assert daily_rows(rx(start, end=date(2026, 1, 31)), [], as_of=date(2025, 12, 30)) == []  # not begun


def test_a_session_dated_after_the_report_s_day_puts_no_day_that_has_not_come_in_the_table():
    # (a recorder's clock ahead: the session is the caller's to flag; days 01-05..01-07 have not come,
    # so they are not "missed", and 01-07 is not "done")
    start = date(2026, 1, 1)
    late = [session(start + timedelta(days=6), [rep("full", 35, 4)] * 2)]
    rows = daily_rows(rx(start, end=date(2026, 1, 31)), late, as_of=date(2026, 1, 4))
    assert [r["date"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]
    assert not any(r["has_data"] for r in rows)
    open_ended = daily_rows(rx(start), late, as_of=date(2026, 1, 4))
    assert open_ended[-1]["date"] == "2026-01-04"
    # (a prescription that starts after the report's day, with a session dated in it: no day at all)
    assert daily_rows(rx(date(2026, 1, 5), end=date(2026, 1, 11)), late, as_of=date(2026, 1, 4)) == []


def test_the_day_the_report_is_made_counts_the_reps_done_so_far():
    start = date(2026, 1, 1)
    morning = date(2026, 1, 3)  # (a report made that day: the patient may exercise later in the day)
    one_rep = daily_rows(rx(start), [session(morning, [rep("full", 35, 4)])], as_of=morning, in_progress=morning)
    assert [r["day_in_progress"] for r in one_rep] == [False, False, True]
    # (1 of 2 reps done so far: 50 %, not an empty cell that reads as nothing done)
    assert [r["adherence_pct"] for r in one_rep] == [0.0, 0.0, 50.0]
    assert one_rep[-1]["reps_completed"] == 1 and one_rep[-1]["reps_prescribed"] == 2
    done = daily_rows(rx(start), [session(morning, [rep("full", 35, 4)] * 2)], as_of=morning, in_progress=morning)
    assert done[-1]["adherence_pct"] == 100.0
    summary = summary_rows("p1", start, one_rep)
    # (the days that are over: the day in progress, 50 % so far, is no day's result yet: its row shows it)
    assert summary[0]["adherence_mean_pct"] == 0.0
    assert summary_rows("p1", start, judged := daily_rows(rx(start), [session(morning, [rep("full", 35, 4)])],
                                                          as_of=morning))[0]["adherence_mean_pct"] == pytest.approx(50.0 / 3)
    assert not judged[-1]["day_in_progress"]  # (a report of days all judged: every one in the mean)
    assert csv_text(one_rep[-1:], ("adherence_pct", "day_in_progress")) == "adherence_pct,day_in_progress\n50.0,true\n"
    judged = daily_rows(rx(start), [session(morning, [rep("full", 35, 4)])], as_of=morning)  # (no day in progress)
    assert judged[-1]["adherence_pct"] == 50.0 and not judged[-1]["day_in_progress"]


def test_an_open_ended_prescription_is_reported_over_five_years_at_most():
    from sensorkit.report.prescription import MAX_PERIOD_DAYS

    rows = daily_rows(rx(date(1990, 1, 1)), [], as_of=date(2026, 5, 1))  # (a start typed decades early)
    assert len(rows) == MAX_PERIOD_DAYS and rows[-1]["date"] == "1994-12-31"


def test_without_an_end_a_patient_who_stopped_or_never_began_shows_the_days_missed_to_the_report_s_day():
    start = date(2026, 1, 1)
    stopped = daily_rows(rx(start), [session(start + timedelta(days=1), [rep("full", 35, 4)])], as_of=date(2026, 1, 10))
    assert [r["date"] for r in stopped][-1] == "2026-01-10" and len(stopped) == 10
    assert [r["has_data"] for r in stopped].count(True) == 1
    never = daily_rows(rx(start), [], as_of=date(2026, 1, 5))
    assert [r["adherence_pct"] for r in never] == [0.0] * 5
    assert daily_rows(rx(start), [], as_of=date(2025, 12, 30)) == []  # not begun


def test_summary_splits_into_30_day_periods_with_device_day_bands():
    start = date(2026, 1, 1)
    # data on days 0..19 (20 days), then on days 30 and 31 only, then day 64 (the last day)
    days = [start + timedelta(days=i) for i in [*range(20), 30, 31, 64]]
    sessions = [session(d, [rep("full", 30 + i, 4), rep("full", 30 + i, 4)], f"s{i}") for i, d in enumerate(days)]
    daily = daily_rows(rx(start), sessions)
    periods = summary_rows("p1", start, daily)
    assert [(p["period_start"], p["period_end"], p["days"]) for p in periods] == [
        ("2026-01-01", "2026-01-30", 30), ("2026-01-31", "2026-03-01", 30), ("2026-03-02", "2026-03-06", 5)]
    assert [p["days_with_data"] for p in periods] == [20, 2, 1]
    assert [p["device_days_band"] for p in periods] == ["16-30", "2-15", "0-1"]
    assert math.isclose(periods[0]["adherence_mean_pct"], 100 * 20 / 30)
    assert math.isclose(periods[0]["full_rom_first_week_mean_deg"], 30 + 3)  # days 0..6 carry ROM 30..36
    assert periods[0]["full_reps_first_week"] == 14
    assert math.isnan(periods[0]["full_rom_last_week_mean_deg"])  # days 23..29: no data
    assert math.isclose(periods[1]["full_rom_first_week_mean_deg"], 50.5)  # days 30 and 31 carry ROM 50 and 51
    assert math.isclose(periods[2]["full_rom_last_week_mean_deg"], 52)


KNEE = ExercisePlan("knee_extension", ("left", "right"), sets=1, reps_per_set=2, hold_s=3.0, rom_deg=50.0,
                    days_per_week=7)


def test_summary_rom_is_per_exercise_and_side_over_full_reps_only():
    start = date(2026, 1, 1)
    two = Prescription("p1", "UTC", start, start + timedelta(days=6), (PLAN, KNEE), Path("p1.toml"))
    moment = datetime(2026, 1, 2, 10, tzinfo=timezone.utc)
    sessions = [
        AnalyzedSession("hip", moment, PLAN.name, "left", (rep("full", 30, 4), rep("partial", 10, 4), rep("knee_out", 12, 4))),
        AnalyzedSession("knee_l", moment, KNEE.name, "left", (rep("full", 70, 4), rep("full", 80, 4))),
        AnalyzedSession("knee_r", moment, KNEE.name, "right", (rep("full", 60, 4),)),
    ]
    periods = summary_rows("p1", start, daily_rows(two, sessions))
    by_series = {(p["exercise"], p["side"]): p for p in periods}
    assert sorted(by_series) == [("hip_external_rotation", "left"), ("knee_extension", "left"), ("knee_extension", "right")]
    hip = by_series["hip_external_rotation", "left"]
    assert hip["full_rom_first_week_mean_deg"] == 30 and hip["full_reps_first_week"] == 1  # partial, knee_out left out
    assert by_series["knee_extension", "left"]["full_rom_first_week_mean_deg"] == 75
    assert by_series["knee_extension", "right"]["full_rom_first_week_mean_deg"] == 60
    assert {p["days_with_data"] for p in periods} == {1}  # the patient's days, on every row


def test_a_short_trailing_period_without_data_is_left_out():
    start = date(2026, 1, 1)
    one_more_day = rx(start, end=start + timedelta(days=30))  # 31 days: period 2 would be one empty day
    periods = summary_rows("p1", start, daily_rows(one_more_day, [session(start, [rep("full", 35, 4)])]))
    assert [p["period"] for p in periods] == [1]
    with_data = daily_rows(one_more_day, [session(start, [rep("full", 35, 4)]),
                                          session(start + timedelta(days=30), [rep("full", 36, 4)], "late")])
    assert [(p["period"], p["days"]) for p in summary_rows("p1", start, with_data)] == [(1, 30), (2, 1)]


def test_device_day_band_edges():
    assert [device_days_band(n) for n in (0, 1, 2, 15, 16, 30)] == ["0-1", "0-1", "2-15", "2-15", "16-30", "16-30"]


def test_a_period_of_a_week_or_less_has_no_rom_change_rather_than_zero():
    start = date(2026, 1, 1)
    sessions = [session(start + timedelta(days=i), [rep("full", 30 + 5 * i, 4)], f"s{i}") for i in range(5)]
    (period,) = summary_rows("p1", start, daily_rows(rx(start), sessions))
    assert period["days"] == 5 and period["full_rom_first_week_mean_deg"] == period["full_rom_last_week_mean_deg"]
    assert math.isnan(period["full_rom_change_deg"])  # the same days compared with themselves
    eight = [session(start + timedelta(days=i), [rep("full", 30 + 5 * i, 4)], f"s{i}") for i in range(8)]
    (period,) = summary_rows("p1", start, daily_rows(rx(start), eight))
    assert period["full_rom_change_deg"] == pytest.approx(50.0 - 45.0)  # days 1-7 against days 0-6


def test_a_recording_that_could_not_be_analysed_shows_on_its_day():
    from sensorkit.report.daily import FailedSession

    start = date(2026, 1, 1)
    lost = FailedSession("s9", datetime(2026, 1, 3, 10, tzinfo=timezone.utc), PLAN.name, "left")
    rows = daily_rows(rx(start), [session(start, [rep("full", 35, 4)])], failed=[lost])
    assert [r["date"] for r in rows] == ["2026-01-01", "2026-01-02", "2026-01-03"]  # (the report reaches it)
    assert [r["recordings_failed"] for r in rows] == [0, 0, 1]
    assert math.isnan(rows[2]["adherence_pct"]) and not rows[2]["has_data"]  # (nothing known of its reps: not 0 %)
    assert summary_rows("p1", start, rows)[0]["adherence_mean_pct"] == pytest.approx(50.0 / 2)  # (days 1-2 only)

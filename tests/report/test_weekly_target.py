"""``days_per_week = n`` as a clinic means it: any n days of each week (counted from the
prescription's start), not n fixed weekdays. A day of exercise takes one of the week's days; a day
still owed is missed only once the week can no longer make it up."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from sensorkit.pipeline import Rep
from sensorkit.report import AnalyzedSession, ExercisePlan, Prescription, daily_rows, summary_rows
from sensorkit.report.daily import FailedSession

#: 3 sets of 10 reps, 3 days a week; the prescription starts on Sunday 2026-11-01
PLAN = ExercisePlan("hip_external_rotation", ("left",), sets=3, reps_per_set=10, hold_s=3.0, rom_deg=30.0,
                    days_per_week=3)
START = date(2026, 11, 1)


def rx(end: date | None = None, plan: ExercisePlan = PLAN) -> Prescription:
    return Prescription("p1", "UTC", START, end, (plan,), Path("p1.toml"))


def done(day: int, completed: int) -> AnalyzedSession:
    """A session on 2026-11-DAY with ``completed`` reps reaching the targets (35°, held 4 s)."""
    reps = tuple(Rep(i + 1, "full", 10.0 * i, 10.0 * i + 4, 35.0, 4.0, 10.0 * i + 1, 10.0 * i + 5,
                     50.0, 1.0, 1.0, 0.0, 0.3, 0.0) for i in range(completed))
    return AnalyzedSession(f"nov{day}", datetime(2026, 11, day, 10, tzinfo=timezone.utc), PLAN.name, "left", reps)


def report(sessions, as_of: date, **more) -> dict[int, dict]:
    """The daily rows up to ``as_of`` (the report's day, in progress), by day of November."""
    rows = daily_rows(rx(more.pop("end", None), more.pop("plan", PLAN)), sessions, as_of=as_of, in_progress=as_of,
                      **more)
    return {date.fromisoformat(r["date"]).day: r for r in rows}


def due(rows: dict[int, dict]) -> dict[int, float]:
    """The exercise days: day -> adherence (%)."""
    return {d: r["adherence_pct"] for d, r in rows.items() if r["reps_prescribed"]}


def test_exercise_on_other_days_than_the_start_s_weekdays_is_credited():
    # (the review's case: Nov 2 and 3 done, 30 and 9 reps, on a 3-a-week plan from Sunday Nov 1; the old
    # fixed days 0, 3, 5 made Nov 2 and 3 count nothing and Nov 1 and 4 missed: 0 %)
    rows = report([done(2, 30), done(3, 9)], as_of=date(2026, 11, 4))
    assert due(rows) == {2: 100.0, 3: 30.0}  # (the week's third day is still to come: nothing missed yet)
    assert (rows[2]["reps_prescribed"], rows[3]["reps_prescribed"]) == (30, 30)
    assert rows[1]["reps_prescribed"] == rows[4]["reps_prescribed"] == 0
    assert math.isnan(rows[1]["adherence_pct"]) and math.isnan(rows[4]["adherence_pct"])
    (summary,) = summary_rows("p1", START, list(rows.values()))
    assert summary["adherence_mean_pct"] == 65.0


def test_a_day_still_owed_is_missed_on_the_week_s_last_day_once_it_is_over():
    week_over = report([done(2, 30), done(3, 9)], as_of=date(2026, 11, 8))
    assert due(week_over) == {2: 100.0, 3: 30.0, 7: 0.0}  # (Saturday Nov 7, the week's last day)
    (summary,) = summary_rows("p1", START, list(week_over.values()))
    assert round(summary["adherence_mean_pct"], 1) == 43.3
    # (on the week's last day itself, it is the day in progress: what was done so far, 0 of 30)
    last_day = report([done(2, 30), done(3, 9)], as_of=date(2026, 11, 7))
    assert due(last_day) == {2: 100.0, 3: 30.0, 7: 0.0} and last_day[7]["day_in_progress"]
    # (two days still owed on Friday: Friday, in progress, and Saturday, to come)
    assert due(report([done(2, 30)], as_of=date(2026, 11, 6))) == {2: 100.0, 6: 0.0}


def test_days_beyond_the_week_s_target_show_their_reps_without_adherence():
    # (four days in a 3-a-week week: the three best count; the fourth is an extra day)
    rows = report([done(1, 12), done(2, 30), done(4, 30), done(5, 30)], as_of=date(2026, 11, 7))
    assert due(rows) == {2: 100.0, 4: 100.0, 5: 100.0}
    assert (rows[1]["reps_prescribed"], rows[1]["reps_completed"]) == (0, 12) and math.isnan(rows[1]["adherence_pct"])
    # (of days as good, the earlier counts: a later day as good does not change the days already shown)
    rows = report([done(2, 30), done(3, 30), done(4, 30), done(5, 30)], as_of=date(2026, 11, 7))
    assert due(rows) == {2: 100.0, 3: 100.0, 4: 100.0} and rows[5]["reps_completed"] == 30


def test_a_day_whose_recording_was_lost_is_an_exercise_day_not_a_missed_one():
    lost = FailedSession("nov3_damaged", datetime(2026, 11, 3, 10, tzinfo=timezone.utc), PLAN.name, "left")
    rows = report([], as_of=date(2026, 11, 8), plan=replace(PLAN, days_per_week=1),
                  failed=[lost])
    assert list(due(rows)) == [3] and math.isnan(rows[3]["adherence_pct"])  # (unknown, left out of the mean)
    assert rows[7]["reps_prescribed"] == 0  # (the week's last day is not missed: the patient exercised)


def test_each_week_counts_from_the_start_and_a_week_cut_short_by_the_end_is_due_its_share():
    # (Nov 1..11: a whole week, nothing done, its last three days missed; then a week of 4 days, due 2 of
    # them (as many as 3 a week spread evenly put on 4 days): Nov 9, done, and its last day, Nov 11)
    rows = report([done(9, 30)], as_of=date(2026, 11, 30), end=date(2026, 11, 11))
    assert due(rows) == {5: 0.0, 6: 0.0, 7: 0.0, 9: 100.0, 11: 0.0}


def test_seven_days_a_week_is_every_day_as_before():
    plan = replace(PLAN, days_per_week=7)
    rows = report([done(2, 30), done(3, 9)], as_of=date(2026, 11, 10), end=date(2026, 11, 9), plan=plan)
    assert due(rows) == {d: (100.0 if d == 2 else 30.0 if d == 3 else 0.0) for d in range(1, 10)}


def test_the_schedule_of_a_week_in_progress_puts_the_days_still_owed_on_its_last_days():
    # (what the dashboard's calendar shows ahead of the report's day, from the same rule)
    week = {1: (30, False)}  # (Monday of a week from Sunday: 30 reps completed)
    assert PLAN.exercise_days(7, week) == frozenset({1, 5, 6})
    assert rx().schedule(date(2026, 11, 14), {(date(2026, 11, 2), PLAN.name, "left"): (30, False)}) == {
        (date(2026, 11, d), PLAN.name, "left"): 30 for d in (2, 6, 7, 12, 13, 14)}

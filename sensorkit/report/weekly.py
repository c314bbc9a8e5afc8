"""The weekly table: one row per patient × prescription week × exercise × side.

    rows = weekly_rows(rx, daily)      # daily: the patient's daily rows (daily_rows)

What a therapist asks week by week: on how many days the patient exercised of the days due, and
how many reps were completed of those prescribed. The weeks are the schedule's (7 days from the
start of each prescription, the last cut short by its end: :meth:`Prescription.schedule`).
"""
from __future__ import annotations

from datetime import date, timedelta

from sensorkit.report.prescription import Prescription
from sensorkit.report.summary import WEEK_DAYS, adherence_mean

WEEKLY_COLUMNS = (
    "patient", "week", "week_start", "week_end", "days", "exercise", "side", "days_with_exercise", "days_due",
    "reps_completed", "reps_prescribed", "adherence_mean_pct", "week_in_progress", "prescription_start",
)


def _exercised(row: dict) -> bool:
    """Whether a daily row's day had exercise, as the schedule counts it (a recording: analysed,
    unreadable, or a session tried without data)."""
    return bool(row["has_data"] or row["recordings_failed"] or row["sessions_without_data"])


def weekly_rows(rx: Prescription, daily: list[dict]) -> list[dict]:
    """The weekly rows of ``rx.patient`` from its daily rows (up to their last day), in order of week,
    exercise, side; weeks numbered 1, 2, ... over all the patient's prescriptions.

    Per week (its ``days`` reported so far of ``week_start``..``week_end``), exercise and side:
    ``days_with_exercise`` (extra days included) of ``days_due`` (:meth:`ExercisePlan.days_due` of
    the whole week), ``reps_completed`` (every day's, extra days included) of ``reps_prescribed``
    (``days_due`` × reps a day), the mean adherence of its exercise days that are over
    (:func:`~sensorkit.report.summary.adherence_mean`), and ``week_in_progress``: a week not over
    on the report's last day (its days still to come owe what is due)."""
    mine = [r for r in daily if r["patient"] == rx.patient]
    if not mine:
        return []
    by_key = {(r["date"], r["exercise"], r["side"]): r for r in mine}
    last = max(date.fromisoformat(r["date"]) for r in mine)
    out = []
    number = 0
    for period in rx.periods or (rx,):
        stop = last if period.end is None else min(period.end, last)
        week_start = period.start
        while week_start <= stop:
            number += 1
            week_days = WEEK_DAYS if period.end is None else min(WEEK_DAYS, (period.end - week_start).days + 1)
            week_end = week_start + timedelta(days=week_days - 1)
            shown = (min(week_end, stop) - week_start).days + 1
            days = [(week_start + timedelta(days=k)).isoformat() for k in range(shown)]
            for plan in sorted(period.exercises, key=lambda p: p.name):
                for side in plan.sides:
                    rows = [by_key[key] for day in days if (key := (day, plan.name, side)) in by_key]
                    due = plan.days_due(week_days)
                    out.append({
                        "patient": rx.patient, "week": number, "week_start": week_start.isoformat(),
                        "week_end": week_end.isoformat(), "days": shown, "exercise": plan.name, "side": side,
                        "days_with_exercise": sum(map(_exercised, rows)), "days_due": due,
                        "reps_completed": sum(r["reps_completed"] for r in rows),
                        "reps_prescribed": due * plan.reps_per_day,
                        "adherence_mean_pct": adherence_mean(rows),
                        "week_in_progress": shown < week_days or any(r["day_in_progress"] for r in rows),
                        "prescription_start": period.start.isoformat(),
                    })
            week_start += timedelta(days=WEEK_DAYS)
    return out

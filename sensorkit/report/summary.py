"""The summary table: one row per patient × 30-day period × exercise × side.

Periods are 30 days from the start of each prescription (:func:`summary_periods`): a prescription
that changed starts a new period, so that none mixes two prescriptions' days; the last of each is
cut short by its end.

ROM is reported per exercise and side, over **full reps only** (hence ``full_rom_…`` in the column
names): hip ER (25–40°) and knee extension (60–80°), left and right, partial and knee-out reps
are never averaged into one number. ``days_with_data`` and ``device_days_band`` count the
patient's days with any recording (the same on each of the period's rows).

``device_days_band`` is the count of days with data put in the bands ``0-1``, ``2-15``, ``16-30``
(the bands remote-monitoring programmes count device days in). It is a count only: it says
nothing about billing eligibility, which depends on rules this tool does not know.

A last period shorter than 30 days with no data at all (a report ending a day or two into a new
period) is left out: its days are still in the daily report.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

PERIOD_DAYS = 30
WEEK_DAYS = 7
SUMMARY_COLUMNS = (
    "patient", "period", "period_start", "period_end", "days", "exercise", "side", "days_with_data",
    "device_days_band", "adherence_mean_pct", "full_reps_first_week", "full_rom_first_week_mean_deg",
    "full_reps_last_week", "full_rom_last_week_mean_deg", "full_rom_change_deg", "prescription_start",
)
#: a prescription's days: (first day, last day or None: open-ended)
Span = tuple[date, "date | None"]


def device_days_band(days_with_data: int) -> str:
    """``0-1``, ``2-15`` or ``16-30`` (a period never has more than 30 days)."""
    return "0-1" if days_with_data <= 1 else "2-15" if days_with_data <= 15 else "16-30"


def _full_rom(rows: list[dict]) -> tuple[int, float]:
    """(full reps, their mean ROM) over ``rows`` (each row's full-rep mean weighted by its count): the
    full reps its ``rom_full_mean_deg`` is over (``rom_full_reps``: not those of a flagged session, stray)."""
    counts = [r.get("rom_full_reps", r["reps_full"]) for r in rows]
    total = sum(counts)
    if not total:
        return 0, math.nan
    return total, sum(r["rom_full_mean_deg"] * n for r, n in zip(rows, counts) if n) / total


def period_number(start: date, day: date) -> int:
    """The 30-day period (1, 2, ..., counted from ``start``) that holds ``day`` (on or after ``start``)."""
    return (day - start).days // PERIOD_DAYS + 1


def period_span(start: date, number: int, last: date) -> tuple[date, date]:
    """The first and last day of 30-day period ``number`` (1, 2, ...) counted from ``start``, the last
    at most ``last`` (the report's last day: a period in progress ends there)."""
    first = start + timedelta(days=PERIOD_DAYS * (number - 1))
    return first, min(first + timedelta(days=PERIOD_DAYS - 1), last)


def summary_periods(spans: Sequence[Span], last: date) -> list[tuple[date, date, date]]:
    """The summary's periods up to ``last`` (the report's last day), in order, each as (first day, last
    day, its prescription's start): 30 days from each prescription's start (``spans``: each
    prescription's first and last day, None when open-ended), the last of each cut short by its end
    (or by ``last``). Period ``n`` is the ``n``-th of them."""
    out = []
    for start, end in spans:
        stop = last if end is None else min(end, last)
        first = start
        while first <= stop:
            out.append((first, min(first + timedelta(days=PERIOD_DAYS - 1), stop), start))
            first += timedelta(days=PERIOD_DAYS)
    return out


def days_with_data(daily: list[dict], first: date, last: date) -> int:
    """The days from ``first`` to ``last`` with at least one recording counted, in daily rows."""
    return len({r["date"] for r in daily if r["has_data"] and first.isoformat() <= r["date"] <= last.isoformat()})


def adherence_mean(daily: list[dict]) -> float:
    """The mean ``adherence_pct`` (%) of daily rows over their exercise days that are over: those with
    ``reps_prescribed`` (a day without data counting 0 %), not the day in progress (``day_in_progress``:
    its reps so far are no day's result yet; shown apart), nor a day whose adherence is unknown (its
    data partly lost). NaN when there is none."""
    values = [r["adherence_pct"] for r in daily
              if r["reps_prescribed"] and not r["day_in_progress"] and not math.isnan(r["adherence_pct"])]
    return sum(values) / len(values) if values else math.nan


def summary_rows(patient: str, start: date, daily: list[dict], spans: Sequence[Span] | None = None) -> list[dict]:
    """Summary rows of one patient from its daily rows (as :func:`~sensorkit.report.daily.daily_rows` gives).

    Per period (:func:`summary_periods` of ``spans``, each prescription's days; default: one
    prescription from ``start``), one row per (exercise, side) in the period's daily rows, sorted. Adherence
    mean (:func:`adherence_mean`): over that exercise and side's exercise days that are over (those
    with ``reps_prescribed``: ``days_per_week`` days of each week, the days with exercise first, the
    days still owed on the week's last days, so that a week in progress owes none yet; an extra day
    beyond them is not one), days without data counting 0 %, days whose adherence is unknown left out
    (data partly lost), and the day in progress left out (its reps so far are in its daily row).
    First/last week: the
    first and last 7 days of the period (they overlap in a period shorter than 14 days); ROM is
    the mean over the full reps in those days.
    """
    if not daily:
        return []
    last = max(date.fromisoformat(r["date"]) for r in daily)
    periods = summary_periods(spans if spans is not None else [(start, None)], last)
    out = []
    for period, (first_day, last_day, rx_start) in enumerate(periods, start=1):
        rows = [r for r in daily if first_day <= date.fromisoformat(r["date"]) <= last_day]
        data_days = days_with_data(rows, first_day, last_day)
        days = (last_day - first_day).days + 1
        if not data_days and days < PERIOD_DAYS and period > 1 and period == len(periods):
            break  # a short trailing period without data: nothing to summarise
        week1_end = first_day + timedelta(days=WEEK_DAYS - 1)
        week_last_start = last_day - timedelta(days=WEEK_DAYS - 1)
        for exercise, side in sorted({(r["exercise"], r["side"]) for r in rows}):
            mine = [r for r in rows if (r["exercise"], r["side"]) == (exercise, side)]
            n_first, rom_first = _full_rom([r for r in mine if date.fromisoformat(r["date"]) <= week1_end])
            n_last, rom_last = _full_rom([r for r in mine if date.fromisoformat(r["date"]) >= week_last_start])
            out.append({
                "patient": patient, "period": period, "period_start": first_day.isoformat(),
                "period_end": last_day.isoformat(), "days": days, "exercise": exercise, "side": side,
                "days_with_data": data_days, "device_days_band": device_days_band(data_days),
                "adherence_mean_pct": adherence_mean(mine),
                "full_reps_first_week": n_first, "full_rom_first_week_mean_deg": rom_first,
                "full_reps_last_week": n_last, "full_rom_last_week_mean_deg": rom_last,
                # (a period under two weeks: the weeks overlap, and a change within it says little; under
                # one week they are the same days, and "no change" would be read as a measurement)
                "full_rom_change_deg": rom_last - rom_first if days > WEEK_DAYS else math.nan,
                "prescription_start": rx_start.isoformat(),
            })
    return out

"""The summary table: one row per patient per 30-day period from the prescription's start.

``device_days_band`` is the count of days with data put in the bands ``0-1``, ``2-15``, ``16-30``
(the bands remote-monitoring programmes count device days in). It is a count only: it says
nothing about billing eligibility, which depends on rules this tool does not know.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

PERIOD_DAYS = 30
WEEK_DAYS = 7
SUMMARY_COLUMNS = (
    "patient", "period", "period_start", "period_end", "days", "days_with_data", "device_days_band",
    "adherence_mean_pct", "rom_first_week_mean_deg", "rom_last_week_mean_deg", "rom_change_deg",
)


def device_days_band(days_with_data: int) -> str:
    """``0-1``, ``2-15`` or ``16-30`` (a period never has more than 30 days)."""
    return "0-1" if days_with_data <= 1 else "2-15" if days_with_data <= 15 else "16-30"


def _rep_weighted_rom(rows: list[dict]) -> float:
    """Mean ROM over every counted rep in ``rows`` (each row's mean weighted by its rep count)."""
    total = sum(r["reps_total"] for r in rows)
    return sum(r["rom_mean_deg"] * r["reps_total"] for r in rows if r["reps_total"]) / total if total else math.nan


def summary_rows(patient: str, start: date, daily: list[dict]) -> list[dict]:
    """Summary rows of one patient from its daily rows (as :func:`~sensorkit.report.daily.daily_rows` gives).

    Adherence mean: over the rows (day × exercise × side) with reps prescribed, days without
    data counting 0 %. First/last week: the first and last 7 days of the period (they overlap
    in a period shorter than 14 days); ROM is the mean over all counted reps in those days.
    """
    if not daily:
        return []
    last = max(date.fromisoformat(r["date"]) for r in daily)
    out = []
    period = 0
    while start + timedelta(days=PERIOD_DAYS * period) <= last:
        first_day = start + timedelta(days=PERIOD_DAYS * period)
        last_day = min(first_day + timedelta(days=PERIOD_DAYS - 1), last)
        rows = [r for r in daily if first_day <= date.fromisoformat(r["date"]) <= last_day]
        data_days = {r["date"] for r in rows if r["has_data"]}
        scheduled = [r["adherence_pct"] for r in rows if r["reps_prescribed"]]
        week1_end = first_day + timedelta(days=WEEK_DAYS - 1)
        week_last_start = last_day - timedelta(days=WEEK_DAYS - 1)
        rom_first = _rep_weighted_rom([r for r in rows if date.fromisoformat(r["date"]) <= week1_end])
        rom_last = _rep_weighted_rom([r for r in rows if date.fromisoformat(r["date"]) >= week_last_start])
        out.append({
            "patient": patient, "period": period + 1, "period_start": first_day.isoformat(),
            "period_end": last_day.isoformat(), "days": (last_day - first_day).days + 1,
            "days_with_data": len(data_days), "device_days_band": device_days_band(len(data_days)),
            "adherence_mean_pct": sum(scheduled) / len(scheduled) if scheduled else math.nan,
            "rom_first_week_mean_deg": rom_first, "rom_last_week_mean_deg": rom_last,
            "rom_change_deg": rom_last - rom_first,
        })
        period += 1
    return out

"""The progress plot's adherence panel says what is computed: each exercise day's adherence (the
week's prescribed days, those with exercise first: not fixed "scheduled days"), its mean over the days
that are over; the report's day, in progress, drawn apart (hollow, "today so far"), never a miss.

Its title said "adherence per scheduled day" after the weekly target came to credit any n days a
week, the day in progress counted in its mean (a morning's 0 % lowered it) and was crossed as missed.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from sensorkit.pipeline import Rep
from sensorkit.report import DAILY_COLUMNS, AnalyzedSession, ExercisePlan, Prescription, csv_text, daily_rows

PLAN = ExercisePlan("hip_external_rotation", ("left",), sets=1, reps_per_set=2, hold_s=3.0, rom_deg=30.0, days_per_week=3)
START = date(2026, 1, 1)


def rows(as_of: date) -> list[dict]:
    """Two reps done on the 1st and on the 2nd; the report made on ``as_of`` (in progress)."""
    rx = Prescription("p1", "UTC", START, None, (PLAN,), Path("p1.toml"))
    done = [AnalyzedSession(f"s{d}", datetime(2026, 1, d, 10, tzinfo=timezone.utc), PLAN.name, "left",
                            (Rep(1, "full", 0.0, 4.0, 35, 4, 1, 5, 50.0, 1.0, 1.0, 0.0, 0.3, 0.0),) * 2) for d in (1, 2)]
    return daily_rows(rx, done, as_of=as_of, in_progress=as_of)


def drawn(monkeypatch, daily) -> dict:
    """What :func:`sensorkit.plot.patient_progress_png` draws on its adherence panel: the title, the
    bars (x, height, filled) and the days crossed as missed (x)."""
    pytest.importorskip("matplotlib")
    from matplotlib.axes import Axes

    from sensorkit.plot import patient_progress_png

    seen = {"titles": [], "bars": [], "crosses": []}
    bar, plot, title = Axes.bar, Axes.plot, Axes.set_title

    def on_bar(ax, x, height, *args, **kwargs):
        seen["bars"] += [(float(a), float(h), kwargs.get("color") != "none") for a, h in zip(x, height)]
        return bar(ax, x, height, *args, **kwargs)

    def on_plot(ax, *args, **kwargs):
        if len(args) > 2 and args[2] == "x":
            seen["crosses"] += [float(a) for a in args[0]]
        return plot(ax, *args, **kwargs)

    monkeypatch.setattr(Axes, "bar", on_bar)
    monkeypatch.setattr(Axes, "plot", on_plot)
    monkeypatch.setattr(Axes, "set_title", lambda ax, label, *a, **k: (seen["titles"].append(label), title(ax, label, *a, **k))[1])
    patient_progress_png(daily)
    return seen


def day_x(day: date) -> float:
    return float((day - date(1970, 1, 1)).days)


def test_the_title_says_exercise_days_and_the_mean_leaves_today_apart(monkeypatch):
    # (3 days a week from Thursday 01-01: done the 1st and 2nd; Wednesday 01-07, the week's last day, is
    # its third, in progress with nothing done yet)
    seen = drawn(monkeypatch, rows(date(2026, 1, 7)))
    (title,) = seen["titles"]
    assert "scheduled" not in title and title.startswith("adherence per exercise day")
    assert "mean 100 % over 2 exercise days × side, today apart" in title and "x = 0 %, missed; o = 0 %, recorded but none completed; ? = data lost" in title
    assert sorted(seen["bars"]) == [(day_x(date(2026, 1, 1)), 100.0, True), (day_x(date(2026, 1, 2)), 100.0, True),
                                    (day_x(date(2026, 1, 7)), 0.0, False)]  # (today: hollow, so far)
    assert seen["crosses"] == []  # (not missed: the day is not over)


def test_the_week_s_missed_day_is_crossed_once_it_is_over_and_so_is_a_report_read_from_its_csv(monkeypatch):
    import csv
    import io

    daily = rows(date(2026, 1, 8))  # (01-07 over: missed)
    from_csv = list(csv.DictReader(io.StringIO(csv_text(daily, DAILY_COLUMNS))))  # (plot --patient-report)
    for given in (daily, from_csv):
        seen = drawn(monkeypatch, given)
        assert "mean 67 % over 3 exercise days × side, today apart" in seen["titles"][-1]
        assert seen["crosses"][-1:] == [day_x(date(2026, 1, 7))]
        assert (day_x(date(2026, 1, 8)), 0.0, False) not in seen["bars"]  # (the 8th: no exercise day of the new week yet)


def test_a_changed_prescription_s_target_is_drawn_over_the_days_of_each_period(monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.axes import Axes

    from sensorkit.plot import patient_progress_png

    lines = []
    hlines = Axes.hlines
    monkeypatch.setattr(Axes, "hlines", lambda ax, y, xmin, xmax, *a, **k: (lines.append((y, xmin, xmax, k.get("label"))),
                                                                         hlines(ax, y, xmin, xmax, *a, **k))[1])
    patient_progress_png(rows(date(2026, 1, 7)), [("hip_external_rotation", START, date(2026, 1, 4), 30.0),
                                                  ("hip_external_rotation", date(2026, 1, 5), None, 35.0)])
    assert lines == [(30.0, day_x(START) - 0.5, day_x(date(2026, 1, 4)) + 0.5, "hip external rotation target 30° then 35°"),
                     (35.0, day_x(date(2026, 1, 5)) - 0.5, day_x(date(2026, 1, 7)) + 0.5, None)]

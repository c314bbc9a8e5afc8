"""The dashboard as a therapist reads a changed prescription and the day in progress:

- each prescription period (from, to, what it prescribed), not only the plan in force; the ROM
  chart's target the one in force each day (the page failed to load, "Could not load this page",
  once an exercise of an earlier period was no longer prescribed);
- the 7- and 30-day adherence over the days that are over, the report's day shown apart ("today so
  far"): counted in the means, a day not over lowered them every morning;
- its current 30-day period as summary.csv's (one code: report.summary.period_span);
- the prescription files not read named below the folder given (a bare name hid whose they were).
"""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData
from sim_clinic import sim_9010_clinic

PATIENT, ZONE = "demo-p083", "America/New_York"  # (sim_9010: its left-side hip ER session of 2026-11-09)
HIP = exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right"))
#: to 11-09: hip ER both sides and knee extension; from 11-11 (none on the 10th): hip ER left, 60°
FIRST = rx_toml(PATIENT, ZONE, "2026-11-07", "2026-11-09", HIP, exercise("knee_extension", 50.0, hold_s=2))
SECOND = rx_toml(PATIENT, ZONE, "2026-11-11", "2026-11-20", exercise("hip_external_rotation", 60.0, hold_s=2.5))


def dashboard(folder, as_of: date, failed=()) -> DashboardData:
    data = DashboardData(load_prescriptions(folder / "rx", []), [folder / "data"], as_of=as_of, include_simulated=True,
                         prescriptions_failed=failed, prescription_path=folder / "rx")
    data.refresh()
    return data


def test_each_prescription_period_is_on_the_patient_page(tmp_path):
    sim_9010_clinic(tmp_path, {"a.toml": FIRST, "b.toml": SECOND})
    page = dashboard(tmp_path, date(2026, 11, 12)).patient(PATIENT)
    periods = page["prescriptions"]
    assert [(p["start"], p["end"], p["state"], p["file"]) for p in periods] == [
        ("2026-11-07", "2026-11-09", "ended", "a.toml"), ("2026-11-11", "2026-11-20", "in force", "b.toml")]
    assert [(q["name"], q["sides"], q["rom_deg"]) for q in periods[0]["plans"]] == [
        ("hip_external_rotation", ["left", "right"], 20.0), ("knee_extension", ["left"], 50.0)]
    assert [(q["name"], q["sides"], q["rom_deg"]) for q in periods[1]["plans"]] == [("hip_external_rotation", ["left"], 60.0)]
    early = dashboard(tmp_path, date(2026, 11, 8)).patient(PATIENT)["prescriptions"]
    assert [p["state"] for p in early] == ["in force", "to come"]


def test_the_means_are_over_the_days_that_are_over_and_today_is_apart(tmp_path):
    sim_9010_clinic(tmp_path, {"a.toml": rx_toml(PATIENT, ZONE, "2026-11-07", "2026-11-12", HIP)})
    data = dashboard(tmp_path, date(2026, 11, 9))  # (the morning of the 9th: its session done, the right side not yet)
    (patient,) = data.patients()["patients"]
    # (the 7th and 8th, both sides: missed; the 9th is not over: not among them)
    assert (patient["adherence_7d_pct"], patient["adherence_30d_pct"], patient["adherence_until"]) == (0.0, 0.0, "2026-11-08")
    today = patient["today"]
    left, right = sorted(today["parts"], key=lambda q: q["side"])
    assert today["date"] == "2026-11-09" and right["reps_completed"] == 0 and left["reps_completed"] > 0
    assert (today["reps_completed"], today["reps_prescribed"]) == (left["reps_completed"], 10)
    assert today["adherence_pct"] == 50.0  # (left done, right 0 so far: as the calendar's day)
    # (summary.csv's mean leaves the day in progress out too: the same days, the same number)
    assert [(r["side"], r["adherence_mean_pct"]) for r in csv.DictReader(io.StringIO(data.summary_csv()))] == [
        ("left", "0.0"), ("right", "0.0")]
    # (the prescription over: its last day is over, in the means, and no day is "today")
    done = dashboard(tmp_path, date(2026, 11, 20)).patients()["patients"][0]
    assert done["today"] is None and done["adherence_until"] == "2026-11-12"
    assert done["adherence_7d_pct"] == round(min(100.0, 100.0 * left["reps_completed"] / 5) / 12, 1)  # (07..12, 2 sides)


def test_the_current_period_is_summary_csv_s(tmp_path):
    from sensorkit.report.summary import period_number, period_span  # (the one code both count periods with)

    sim_9010_clinic(tmp_path, {"a.toml": rx_toml(PATIENT, ZONE, "2026-10-01", "2026-12-31", HIP)})
    assert period_number(date(2026, 10, 1), date(2026, 11, 9)) == 2
    assert period_span(date(2026, 10, 1), 2, date(2026, 11, 9)) == (date(2026, 10, 31), date(2026, 11, 9))
    # (a last period begun without data is not in summary.csv: 10-31 and 11-30 begin periods 2 and 3)
    for day in (date(2026, 10, 30), date(2026, 11, 9), date(2026, 11, 29)):
        data = dashboard(tmp_path, day)
        current = data.patients()["patients"][0]["current_period"]
        last = list(csv.DictReader(io.StringIO(data.summary_csv())))[-1]
        assert (str(current["period"]), current["start"], current["end"], str(current["days"]),
                str(current["days_with_data"])) == (last["period"], last["period_start"], last["period_end"], last["days"],
                                                    last["days_with_data"]), day


def test_prescriptions_not_read_are_named_below_the_folder_given(tmp_path):
    sim_9010_clinic(tmp_path, {"a.toml": rx_toml(PATIENT, ZONE, "2026-11-07", "2026-11-12", HIP)})
    (tmp_path / "rx" / "p2").mkdir()
    (tmp_path / "rx" / "p2" / "2026-11.toml").write_text(rx_toml("p2", ZONE, "2026-11-01", None, HIP).replace(
        "sets = 1", "sets = 0"))
    failed: list = []
    load_prescriptions(tmp_path / "rx", failed)
    (entry,) = dashboard(tmp_path, date(2026, 11, 9), failed).patients()["prescriptions_failed"]
    assert entry["file"] == "p2/2026-11.toml"  # (a bare "2026-11.toml" hid whose it is)
    assert entry["reason"].startswith(f"{tmp_path / 'rx' / 'p2' / '2026-11.toml'}: key exercise[1].sets: ")


def test_the_pages_show_it(tmp_path, page):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    sim_9010_clinic(tmp_path, {"a.toml": FIRST, "b.toml": SECOND})
    with ServerThread(dashboard_app(dashboard(tmp_path, date(2026, 11, 12)))) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        assert page.inner_text("#patients tbody [data-col=today]").startswith("0 of 5 reps")
        page.goto(server.url + "patient/" + PATIENT)
        page.wait_for_selector("body[data-ready]")
        assert page.get_attribute("body", "data-ready") == "1", page.inner_text("#view")
        rows = page.locator("#prescriptions tbody tr")
        assert rows.count() == 2
        assert "2026-11-07" in rows.nth(0).inner_text() and "ended" in rows.nth(0).inner_text()
        assert "knee extension" in rows.nth(0).inner_text() and "≥ 50°" in rows.nth(0).inner_text()
        assert "in force" in rows.nth(1).inner_text() and "≥ 60°" in rows.nth(1).inner_text()
        assert "0 of 5" in page.inner_text("#card-today") and "to 2026-11-11" in page.inner_text("#card-7d")
        # (the ROM chart's target: each day's prescription's (the 10th, in none, has no row); knee extension's
        # to the 9th only)
        series = page.evaluate("window.skRomChart.series.map((s) => s.label)")
        data = page.evaluate("window.skRomChart.data")
        assert len(data[0]) == 5
        assert data[series.index("target 20°, then 60°")] == [20, 20, 20, 60, 60]
        assert data[series.index("target 50°")] == [50, 50, 50, None, None]
        # (hip ER right: to the 9th only, not the left side's 60° after it)
        assert [data[k] for k, label in enumerate(series) if label == "target 20°"] == [[20, 20, 20, None, None]]

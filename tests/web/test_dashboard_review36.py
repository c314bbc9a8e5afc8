"""The dashboard's patient page over weeks (review36, findings 2 and 7).

A recording of another exercise (a real knee extension whose sidecar says hip ER) was listed as any
session, its 3 stray reps the highest point of the ROM chart; now its session row and calendar day
are flagged ("another exercise?") and its reps left out of the ROM per day, said above the chart.
A day beyond the week's exercise days whose reps completed none read "not scheduled", no reps:
now "extra day: 0 of 3 counted reps completed", as the legend promises. The page's weeks say the
days with exercise of the days due and the reps completed of those prescribed (finding 6), and its
period card names a 30-day period, not to be read as a prescription period.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData
from test_report_review36 import write_real, write_sim

PATIENT, ZONE = "p7", "Europe/Berlin"


@pytest.fixture(scope="module")
def clinic(tmp_path_factory) -> Path:
    """One exercise day a week from Monday 2026-10-19: a hip ER session that day, and on Wednesday a
    knee extension labelled hip ER (flagged; none of its reps completed: an extra day)."""
    root = tmp_path_factory.mktemp("review36")
    (root / "rx").mkdir()
    (root / "rx" / "p7.toml").write_text(rx_toml(PATIENT, ZONE, "2026-10-19", "2026-10-25",
                                                 exercise("hip_external_rotation", 35.0, hold_s=5.0, days_per_week=1)))
    write_sim(root / "data", "hip", 100, patient=PATIENT, side="left", started_at="2026-10-19T18:00:00+02:00")
    write_real(root / "data", "knee", None, patient=PATIENT, exercise="hip_external_rotation", side="left",
               started_at="2026-10-21T18:00:00+02:00")
    return root


@pytest.fixture(scope="module")
def data(clinic) -> DashboardData:
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 10, 26))
    data.refresh()
    return data


def test_the_flagged_session_and_its_day_say_so_and_its_reps_are_not_in_the_rom_per_day(data):
    page = data.patient(PATIENT)
    hip, knee = page["sessions"]
    assert hip["flags"] == [] and [f["flag"] for f in knee["flags"]] == ["another_exercise"]
    assert knee["flags"][0]["words"] == "another exercise?" and knee["counted"] > 0
    calendar = {d["date"]: d for d in page["calendar"]}
    assert [f["recording"] for f in calendar["2026-10-21"]["flagged"]] == ["knee"]
    assert calendar["2026-10-19"]["flagged"] == []
    rom = {r["date"]: r for r in page["rom"]}
    assert rom["2026-10-21"]["rom_full_mean_deg"] is None and rom["2026-10-21"]["rom_max_deg"] is None
    assert rom["2026-10-21"]["session_warnings"] == "knee:another_exercise"
    assert rom["2026-10-19"]["rom_full_mean_deg"] is not None


def test_an_extra_day_counts_its_reps_whatever_they_completed(data):
    page = data.patient(PATIENT)
    extra = {d["date"]: d for d in page["calendar"]}["2026-10-21"]
    assert not extra["scheduled"] and extra["has_data"]
    assert (extra["reps_completed"], extra["reps_total"]) == (0, page["sessions"][1]["counted"])


def test_the_patient_page_shows_them(data, page):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    counted = data.patient(PATIENT)["sessions"][1]["counted"]
    with ServerThread(dashboard_app(data)) as server:
        page.goto(server.url + f"patient/{PATIENT}")
        page.wait_for_selector("body[data-ready='1']")
        day = page.locator(".day[data-date='2026-10-21']")
        assert day.get_attribute("data-flagged") == "another_exercise"
        title = day.get_attribute("title")
        assert f"extra day: 0 of {counted} counted reps completed" in title
        assert "knee flagged: another exercise?" in title
        assert day.locator(".v").inner_text() == "0 reps" and day.locator(".t").inner_text() == f"of {counted}"
        assert page.locator(".day[data-date='2026-10-20']").get_attribute("data-flagged") == ""
        row = page.locator("#sessions tr[data-recording='knee']")
        assert row.get_attribute("data-flags") == "another_exercise"
        assert "another exercise?" in row.locator(".flag-badge").inner_text()
        assert page.locator("#sessions tr[data-recording='hip'] .flag-badge").count() == 0
        note = page.inner_text("#rom-left-out")
        assert "Left out of the range of motion per day" in note and "another exercise?" in note
        assert "a session flagged" in page.inner_text("#calendar-legend")
        # (week by week: 2 days with exercise of the 1 due, the reps completed of the 5 prescribed)
        (week,) = data.patient(PATIENT)["weeks"]
        row = page.locator("#weeks tr[data-week='1']")
        assert row.locator("[data-col='days']").inner_text() == "2 / 1"
        assert row.locator("[data-col='reps']").inner_text() == f"{week['reps_completed']} / 5" and week["reps_completed"] > 0
        assert "2026-10-19 – 2026-10-25" in row.locator("[data-col='dates']").inner_text()
        assert page.inner_text("#card-days").startswith("Days with data, 30-day period 1")
        assert page.locator("#periods th[data-col='period']").inner_text() == "30-day period"

"""Sessions tried that brought no data, as a clinic auditing adherence reads them on the dashboard.

A session that ended before any sample came leaves its record (the CSV's header alone, a sidecar
with ``n_samples`` 0 and ``stream.ended_by``/``stream.error``: docs/formats.md "A session without
data"). Its day on the calendar is told apart from a day with nothing and from a day with data,
saying why each such session ended; the sessions list shows it as "no data", with no trace to open."""
from __future__ import annotations

import contextlib
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData, recording_id

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
HEADER = "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"
#: sim_9010 is demo-p083's left-side session of 2026-11-09 (America/New_York)
RX = rx_toml("demo-p083", "America/New_York", "2026-11-07", "2026-11-12",
             exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right")))
REFUSED = ("F0:0D:00:00:00:02 (Polar H10 1A2B3C4D) offers no gyroscope stream (PMD features: ECG, ACC);"
           " sensorkit needs an accelerometer and a gyroscope")
GAVE_UP = "no connection to Polar Sense 1A2B3C4D within 60 s (--give-up-s)"


def no_data_record(folder: Path, name: str, started_at: str, ended_by: str, error: str | None = None) -> Path:
    """The record ``record``/``live`` leave of a session that ended before any sample came."""
    stream = {"protocol": "polar_pmd", "received_samples": 0, "ended_by": ended_by} | ({"error": error} if error else {})
    (folder / f"{name}.csv").write_text(HEADER)
    (folder / f"{name}.json").write_text(json.dumps(
        {"patient": "demo-p083", "exercise": "hip_external_rotation", "side": "right", "sample_rate_hz": 52.0,
         "started_at": started_at, "n_samples": 0, "stream": stream}))
    return folder / f"{name}.csv"


@pytest.fixture
def clinic(tmp_path):
    """demo-p083: data on 11-09 (and a session refused that day too); on 11-10 two sessions tried, no
    data (refused, then given up); on 11-11 nothing at all."""
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "rx").mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9010{suffix}", data / f"sim_9010{suffix}")
    no_data_record(data, "tried_0909", "2026-11-09T09:05:00-05:00", "closed")
    no_data_record(data, "tried_1010a", "2026-11-10T10:15:00-05:00", "refused", REFUSED)
    no_data_record(data, "tried_1010b", "2026-11-10T10:20:00-05:00", "gave_up", GAVE_UP)
    (tmp_path / "rx" / "demo-p083.toml").write_text(RX)
    return tmp_path


def dashboard(clinic) -> DashboardData:
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 11, 12),
                         include_simulated=True)
    data.refresh()
    return data


def day(page: dict, when: str) -> dict:
    (found,) = [d for d in page["calendar"] if d["date"] == when]
    return found


def test_a_day_with_sessions_tried_without_data_says_so_and_why_each_ended(clinic):
    page = dashboard(clinic).patient("demo-p083")
    tried = day(page, "2026-11-10")
    assert tried["sessions_without_data"] == 2 and not tried["has_data"]
    assert [(t["started"], t["ended_by"], t["error"]) for t in tried["tried"]] == [
        ("2026-11-10T10:15-05:00", "refused", REFUSED), ("2026-11-10T10:20-05:00", "gave_up", GAVE_UP)]
    assert tried["adherence_pct"] == 0.0  # (tried is not done: no reps came)
    nothing = day(page, "2026-11-11")
    assert nothing["sessions_without_data"] == 0 and nothing["tried"] == [] and not nothing["has_data"]
    both = day(page, "2026-11-09")  # (data, and a session stopped before any sample came)
    assert both["has_data"] and [(t["ended_by"], t["error"]) for t in both["tried"]] == [("closed", None)]


def test_a_record_without_data_is_listed_and_opens_without_a_trace(clinic):
    data = dashboard(clinic)
    page = data.patient("demo-p083")
    assert [s["recording"] for s in page["sessions"]] == ["sim_9010"]  # (the sessions with data, as before)
    assert [t["recording"] for t in page["sessions_without_data"]] == ["tried_0909", "tried_1010a", "tried_1010b"]
    assert data.patients()["patients"][0]["sessions_without_data"] == 3
    opened = data.recording(page["sessions_without_data"][1]["id"])
    assert opened["no_data"] and opened["ended_by"] == "refused" and opened["error"] == REFUSED
    assert opened["reps"] == [] and "angle_deg" not in opened
    # (by the id of its path too, as a bookmarked address names it: it raised NoDataError, a 500, reading a trace)
    assert data.recording(recording_id(clinic / "data" / "tried_1010a.csv")) == opened


@contextlib.contextmanager
def patient_page(clinic, page):
    """demo-p083's dashboard page open in the browser: (the server, the calendar's 11-10 cell, whose
    sessions all brought no data, and its 11-11 cell, a day with nothing)."""
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    with ServerThread(dashboard_app(dashboard(clinic))) as server:
        page.goto(server.url + "patient/demo-p083")
        page.wait_for_selector("body[data-ready='1']")
        yield server, page.locator(".day[data-date='2026-11-10']"), page.locator(".day[data-date='2026-11-11']")


def test_the_pages_show_it(clinic, page):
    with patient_page(clinic, page) as (server, tried, nothing):
        # (told apart from a day with nothing by a class that draws a mark, not by colour alone, and by its words)
        assert "tried" in tried.get_attribute("class").split() and "tried" not in nothing.get_attribute("class").split()
        assert tried.get_attribute("data-without-data") == "2" and nothing.get_attribute("data-without-data") == "0"
        title = tried.get_attribute("title")
        assert "2 sessions tried without data" in title and "no recording" not in title
        assert f"refused: {REFUSED}" in title and f"gave up: {GAVE_UP}" in title
        assert f"refused: {REFUSED}" in tried.locator(".sr-only").inner_text()  # (read aloud too)
        assert "no recording" in nothing.get_attribute("title")
        assert page.locator("#calendar-legend [data-key='tried']").count() == 1
        # the sessions list: each record "no data", with why, and no reps or trace to open
        rows = page.locator("#sessions tbody tr[data-no-data]")
        assert rows.count() == 3 and page.locator("#sessions tbody tr[data-recording]").count() == 4
        refused = page.locator("#sessions tbody tr[data-recording='tried_1010a']")
        assert "no data" in refused.inner_text() and REFUSED in refused.inner_text()
        assert refused.locator("a, button").count() == 0
        # its page, opened by its id all the same: no crash, it says there is nothing to draw
        rec_id = page.evaluate("fetch('/api/patient/demo-p083').then(r => r.json())"
                               ".then(p => p.sessions_without_data[1].id)")
        page.goto(server.url + f"recording/{rec_id}")
        page.wait_for_selector("body[data-ready='1']")
        assert "no data" in page.inner_text("#view") and REFUSED in page.inner_text("#view")
        assert page.locator("#trace canvas").count() == 0


def test_a_day_whose_sessions_all_brought_no_data_is_drawn_tried_not_missed(clinic, page):
    # 11-10: two sessions tried, no data; 11-11: nothing at all. Both read a red "0%" (the tried day
    # told apart only by a small ring and a word under the 0 %): the patient who tried and whose
    # sensor did not stream looked like one who did nothing. The tried day now has a fill of its own
    # (the missed red in stripes), says "tried" / "no data" where the percentage was, and keeps its
    # 0 % adherence (the report's) in its text and data.
    with patient_page(clinic, page) as (server, tried, nothing):
        shown = {cell: cell.locator("[aria-hidden='true']").inner_text().split() for cell in (tried, nothing)}
        assert shown[nothing] == ["11", "0%"]
        assert shown[tried] == ["10", "tried", "no", "data"]
        look = "(d) => { const s = getComputedStyle(d); return [s.backgroundColor, s.backgroundImage, s.borderStyle]; }"
        tried_look, nothing_look = tried.evaluate(look), nothing.evaluate(look)
        assert nothing_look[1] == "none" and nothing_look[2] == "solid"  # (a missed day: filled red)
        assert "repeating-linear-gradient" in tried_look[1] and tried_look[2] == "dashed"
        # its fill's key in the legend, with the words; the day's 0 % adherence kept, as in the report
        (fill,) = set(tried.get_attribute("class").split()) - {"day", "tried"}  # (its colour; "tried": the ring)
        legend_words = page.locator(f"#calendar-legend [data-key='{fill}']").inner_text()
        assert "tried" in legend_words and "no reps: 0 %" in legend_words
        assert tried.get_attribute("data-adherence") == "0.0" and "0 of 5" in tried.get_attribute("title")

"""The dashboard's dates and adherence as a therapist reads them: one report's day ("today"), one
30-day period and one adherence, the same in the cards, the calendar, the periods table and
summary.csv; days not come are neither missed nor done; a recording dated after today is flagged,
not counted; the report's day shows the reps done so far, apart from the means."""
from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
#: sim_9010: demo-p083's left-side hip ER session of 2026-11-09 08:10 (America/New_York), 7 reps
HIP = exercise("hip_external_rotation", 20.0, hold_s=2.5, reps_per_set=10, sets=2)


def clinic(root: Path, rx_text: str, started_at: datetime | None = None) -> Path:
    """A folder with rx/demo-p083.toml and data/sim_9010 (its start moved to ``started_at`` if given)."""
    (root / "data").mkdir()
    (root / "rx").mkdir()
    shutil.copy(RECORDINGS / "sim_9010.csv", root / "data" / "sim_9010.csv")
    meta = json.loads((RECORDINGS / "sim_9010.json").read_text())
    if started_at is not None:
        meta["started_at"] = started_at.isoformat(timespec="seconds")
    (root / "data" / "sim_9010.json").write_text(json.dumps(meta))
    (root / "rx" / "demo-p083.toml").write_text(rx_text)
    return root


@pytest.fixture
def ahead(tmp_path):
    """A prescription two weeks from today, and a recording dated in it (the recorder's clock ahead)."""
    today = datetime.now(timezone.utc).date()
    rx = rx_toml("demo-p083", "UTC", (today + timedelta(days=14)).isoformat(), (today + timedelta(days=20)).isoformat(), HIP)
    root = clinic(tmp_path, rx, datetime.now(timezone.utc) + timedelta(days=18))
    data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], include_simulated=True)  # (as of today)
    data.refresh()
    return data


@pytest.fixture
def today_so_far(tmp_path):
    """A 7-day prescription whose last day, the report's, has 7 of 20 reps done so far."""
    root = clinic(tmp_path, rx_toml("demo-p083", "America/New_York", "2026-11-03", "2026-11-09", HIP))
    data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 9),
                         include_simulated=True)
    data.refresh()
    return data


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_recording_dated_after_today_is_flagged_and_no_day_of_a_prescription_not_begun_is_judged(ahead):
    page = ahead.patient("demo-p083")
    # (not begun: no adherence, no period, no "of 30", no day missed, no session counted)
    assert page["current_period"] is None and page["adherence_7d_pct"] is None and page["adherence_30d_pct"] is None
    assert table(ahead.report_csv()) == [] and table(ahead.summary_csv()) == []
    assert page["rom"] == [] and page["sessions"] == [] and page["last_session"] is None
    # (its first week, still to come, on the calendar: none done, none missed)
    assert len(page["calendar"]) == 7 and all(d["future"] and d["adherence_pct"] is None for d in page["calendar"])
    # (the recording: shown apart, flagged, with its reps and trace)
    (flagged,) = page["dated_after"]
    assert flagged["recording"] == "sim_9010" and flagged["counted"] > 0
    assert ahead.recording(flagged["id"])["angle_deg"]
    (note,) = ahead.patients()["skipped"]
    assert note["recording"] == "sim_9010.csv" and "after today" in note["reason"] and "clock ahead" in note["reason"]
    assert ahead.patients()["patients"][0]["sessions_dated_after"] == 1


def test_the_report_s_day_shows_the_reps_done_so_far_apart_from_the_means(today_so_far):
    page = today_so_far.patient("demo-p083")
    daily = table(today_so_far.report_csv())
    (summary,) = table(today_so_far.summary_csv())
    today = daily[-1]
    assert today["date"] == "2026-11-09" and today["day_in_progress"] == "true"
    done, prescribed = int(today["reps_completed"]), int(today["reps_prescribed"])
    assert 0 < done < prescribed and float(today["adherence_pct"]) == round(100 * done / prescribed, 1)
    # (the day so far in the calendar and apart, "today"; the means, in the cards, the summary and the
    # periods table, over the 6 days that are over, all missed: a day not over is no day's result)
    (cell,) = [d for d in page["calendar"] if d["date"] == "2026-11-09"]
    assert cell["in_progress"] and cell["adherence_pct"] == float(today["adherence_pct"])
    assert (page["today"]["reps_completed"], page["today"]["reps_prescribed"]) == (done, prescribed)
    assert page["today"]["adherence_pct"] == float(today["adherence_pct"])
    assert float(summary["adherence_mean_pct"]) == 0.0
    assert page["adherence_7d_pct"] == page["adherence_30d_pct"] == 0.0 and page["adherence_until"] == "2026-11-08"
    # (the period as summary.csv has it: 7 days, not 30)
    assert page["current_period"] == {"period": 1, "start": summary["period_start"], "end": summary["period_end"],
                                      "days": int(summary["days"]), "days_with_data": int(summary["days_with_data"])}
    assert page["current_period"]["days"] == 7


def test_the_startup_line_says_why_recordings_were_skipped(tmp_path):
    root = clinic(tmp_path, rx_toml("demo-p083", "America/New_York", "2026-11-03", "2026-11-09", HIP))
    for n in (1, 2):  # (two recordings of patients without a prescription)
        for suffix in (".csv", ".json"):
            shutil.copy(RECORDINGS / f"sim_9024{suffix}", root / "data" / f"other{n}{suffix}")
    data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 9),
                         include_simulated=False)
    data.refresh()
    assert data.status_line() == ("1 patient(s), 3 recording(s) found: 0 counted, 3 skipped (3 simulated (demo data);"
                                  " listed on the patients page), 0 failed")
    data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 9),
                         include_simulated=True)
    data.refresh()
    assert data.status_line() == ("1 patient(s), 3 recording(s) found: 1 counted, 2 skipped (2 patient without a"
                                  " prescription; listed on the patients page), 0 failed")


# ---- in a browser ---------------------------------------------------------------------------------
def serve(running, page, path: str) -> None:
    page.goto(running.url + path)
    page.wait_for_selector("body[data-ready='1']")


@pytest.fixture
def server():
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    def start(data):
        return ServerThread(dashboard_app(data))
    return start


def test_the_page_of_a_prescription_not_begun_shows_the_flagged_recording_and_nothing_judged(ahead, server, page):
    with server(ahead) as running:
        serve(running, page, "patient/demo-p083")
        body = page.inner_text("body")
        assert "of 30" not in body and "%" not in page.inner_text("#card-7d") and "not begun" in page.inner_text("#card-days")
        assert page.inner_text("#card-last").strip().endswith("–")  # (no last session: none counted)
        assert page.locator(".day.future").count() == 7 and page.locator(".day.low, .day.data").count() == 0
        assert page.locator("#rom-chart canvas").count() == 0 and page.locator("#no-period").count() == 1
        assert "clock may be ahead" in page.inner_text("#dated-after-note")
        (row,) = page.locator("#dated-after tbody tr").all()
        row.locator("a", has_text="trace").click()
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("#trace canvas").count() == 1
        serve(running, page, "")
        cell = page.locator("tr[data-patient='demo-p083'] td[data-col='sessions']")
        assert "+ 1 dated after" in cell.inner_text()


def test_the_cards_the_calendar_and_the_periods_table_agree_on_the_day_in_progress(today_so_far, server, page):
    (summary,) = table(today_so_far.summary_csv())
    today = table(today_so_far.report_csv())[-1]
    with server(today_so_far) as running:
        serve(running, page, "patient/demo-p083")
        mean = f"{float(summary['adherence_mean_pct']):.1f} %"
        assert page.inner_text("#card-7d b") == page.inner_text("#card-30d b") == mean
        assert page.inner_text("#periods td[data-col='adherence']").strip() == mean
        assert page.inner_text("#card-days b") == f"{summary['days_with_data']} of 7"
        assert "of 30" not in page.inner_text("body")
        cell = page.locator(".day[data-date='2026-11-09']")
        assert "inprogress" in cell.get_attribute("class").split()
        assert cell.get_attribute("data-adherence") == today["adherence_pct"]
        assert f"{today['reps_completed']}/{today['reps_prescribed']}" in cell.inner_text()
        # (a 7-day period has no ROM change: a dash, without a unit after it)
        assert page.inner_text("#periods td[data-col='change']").strip() == "–"


def test_a_recording_after_a_chosen_report_s_day_is_not_called_a_clock_ahead(today_so_far, server, page):
    # (as of 11-08, the session of 11-09 is later, not from a day not come: no clock to suspect)
    chosen = DashboardData(today_so_far.prescriptions, today_so_far.paths, as_of=date(2026, 11, 8),
                           include_simulated=True)
    with server(chosen) as running:
        serve(running, page, "patient/demo-p083")
        note = page.inner_text("#dated-after-note")
        assert "(2026-11-08, --as-of)" in note and "clock" not in note
        assert page.locator("#dated-after tbody tr").count() == 1 and page.locator("#sessions tbody tr").count() == 0

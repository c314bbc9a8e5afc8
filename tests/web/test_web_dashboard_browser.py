"""The clinician dashboard in a real browser (Debian's chromium through Playwright): its figures
are the report's (``sensorkit report`` on the same folders, made by the ``clinic`` fixture)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from sensorkit.report import load_prescriptions  # noqa: E402
from sensorkit.web.dashboard_app import dashboard_app  # noqa: E402
from sensorkit.web.dashboard_data import DashboardData  # noqa: E402
from sensorkit.web.serve import ServerThread  # noqa: E402


def rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def dashboard(clinic, browser_type_launch_args):
    last_day = max(r["date"] for r in rows(clinic["report"]))
    from datetime import date
    data = DashboardData(load_prescriptions(clinic["rx"]), [clinic["data"]], as_of=date.fromisoformat(last_day))
    with ServerThread(dashboard_app(data)) as server:
        yield server.url


def test_patient_list_figures_are_the_summarys(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    summary = {r["patient"]: r for r in rows(clinic["summary"]) if r["period"] == "1"}
    for patient, row in summary.items():
        cells = page.locator(f"tr[data-patient='{patient}'] td[data-col='days_with_data']")
        assert cells.get_attribute("data-value") == row["days_with_data"]
    assert page.locator("#problems tr").count() == 3  # one broken, two skipped, with their reasons
    assert "not a number" in page.inner_text("#problems")


def test_patient_page_calendar_and_sessions_are_the_reports_days(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    page.click("tr[data-patient='p101'] a")
    page.wait_for_url("**/patient/p101")
    page.wait_for_selector("body[data-ready='1']")
    daily = [r for r in rows(clinic["report"]) if r["patient"] == "p101"]
    for r in daily:
        cell = page.locator(f".day[data-date='{r['date']}']")
        assert cell.get_attribute("data-completed") == r["reps_completed"], r["date"]
        assert cell.get_attribute("data-prescribed") == r["reps_prescribed"], r["date"]
        assert cell.get_attribute("data-adherence") == r["adherence_pct"], r["date"]
        assert cell.get_attribute("data-has-data") == r["has_data"], r["date"]
    sessions = page.locator("#sessions tbody tr[data-recording]")
    per_day: dict[str, int] = {}
    for i in range(sessions.count()):
        row = sessions.nth(i)
        per_day[row.get_attribute("data-date")] = per_day.get(row.get_attribute("data-date"), 0) + int(row.get_attribute("data-counted"))
    assert per_day == {r["date"]: int(r["reps_total"]) for r in daily if r["has_data"] == "true"}
    assert page.locator("#rom-chart canvas").count() == 1


def test_recording_page_draws_the_trace_with_its_reps(clinic, dashboard, page):
    page.goto(dashboard + "patient/p202")
    page.wait_for_selector("body[data-ready='1']")
    first = page.locator("#sessions tbody tr[data-recording]").first
    counted = int(first.get_attribute("data-counted"))
    first.locator("a", has_text="trace").click()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#trace canvas").count() == 1
    kinds = page.locator("table.reps tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert sum(k != "rejected" for k in kinds) == counted
    # drag across the chart zooms in: the x scale narrows
    box = page.locator("#trace .u-over").bounding_box()
    before = page.evaluate("[skChart.scales.x.min, skChart.scales.x.max]")
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    after = page.evaluate("[skChart.scales.x.min, skChart.scales.x.max]")
    assert after[1] - after[0] < 0.5 * (before[1] - before[0])


def test_the_download_is_the_report(clinic, dashboard, page):
    page.goto(dashboard)
    page.wait_for_selector("body[data-ready='1']")
    with page.expect_download() as download:
        page.click("#dl-report")
    assert Path(download.value.path()).read_bytes() == clinic["report"].read_bytes()

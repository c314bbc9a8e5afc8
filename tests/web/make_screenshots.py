"""The README's screenshots of the live page and the dashboard (not a test; run by hand):

    python tests/web/make_screenshots.py docs/images [--dashboard-only]

Live page: a simulated session (seed 16, twice real time) with a prescription of 2 sets of 5 reps
reaching 30 degrees held 2 s, on a laptop-sized and a phone-sized page. Dashboard: the report
tests' simulated clinic (two patients), as of 2026-11-02; the patient page also on a phone (390 px wide).
"""
from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
import firmware_protocols  # noqa: E402,F401  (the package, imported before tests/, whose folder of that name is its tests, is on the path)

sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "report")]

from conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from sensorkit.report import load_prescriptions  # noqa: E402
from sensorkit.web.dashboard_app import dashboard_app  # noqa: E402
from sensorkit.web.dashboard_data import DashboardData  # noqa: E402
from sensorkit.web.live_hub import SessionPlan  # noqa: E402
from sensorkit.web.serve import ServerThread  # noqa: E402
from sensorkit.web.simulated import SimulatedLivePage  # noqa: E402


def live_pages(browser, out: Path) -> None:
    plan = SessionPlan(sets=2, reps_per_set=5, rom_deg=30.0, hold_s=2.0)
    with tempfile.TemporaryDirectory() as tmp, SimulatedLivePage(tmp, seed=16, speed=2.0, plan=plan,
                                                                 meta={"patient": "p101"}, sample_rate_hz=100) as live:
        laptop = browser.new_page(viewport={"width": 1280, "height": 800})
        laptop.goto(live.url)
        laptop.click("#sound")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto(live.url)
        phone.click("#sound")
        laptop.wait_for_function("document.querySelectorAll('#rep-list li').length >= 4"
                                 " && document.querySelector('#hold.reached') && !document.querySelector('#hold').hidden",
                                 timeout=180_000)
        laptop.screenshot(path=out / "live_laptop.png")
        phone.wait_for_function("document.querySelector('#phase').dataset.phase === 'out'"
                                " && Number(document.querySelector('#angle').dataset.value) > 15", timeout=60_000)
        phone.screenshot(path=out / "live_phone.png")
        live.drop_link(down_s=6.0)
        laptop.wait_for_selector("#link[data-state='reconnecting']")
        laptop.wait_for_timeout(1500)
        laptop.screenshot(path=out / "live_reconnecting.png")
        live.wait(300)
        laptop.wait_for_selector("#summary:not([hidden])")
        laptop.screenshot(path=out / "live_summary.png")


def dashboard_pages(browser, out: Path) -> None:
    from simulated_clinic import write_clinic

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_clinic(root)
        data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 2))
        with ServerThread(dashboard_app(data)) as server:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(server.url)
            page.wait_for_selector("body[data-ready='1']")
            page.screenshot(path=out / "dashboard_patients.png", full_page=True)
            page.goto(server.url + "patient/p101")
            page.wait_for_selector("body[data-ready='1']")
            page.screenshot(path=out / "dashboard_patient.png", full_page=True)
            page.locator("#sessions a", has_text="trace").nth(1).click()
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_timeout(300)
            page.screenshot(path=out / "dashboard_recording.png")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(server.url + "patient/p101")
            phone.wait_for_selector("body[data-ready='1']")
            phone.locator("#sessions .reps-toggle").first.click()
            phone.screenshot(path=out / "dashboard_phone.png", full_page=True)


def no_data_page(browser, out: Path) -> None:
    """demo-p083's calendar (tests/web/test_dashboard_no_data.py): 11-09 data and a session stopped
    before any sample came, 11-10 two sessions tried without data (refused, given up), 11-11 nothing."""
    import shutil

    from test_dashboard_no_data import GAVE_UP, RECORDINGS, REFUSED, RX, no_data_record

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "data").mkdir()
        (root / "rx").mkdir()
        for suffix in (".csv", ".json"):
            shutil.copy(RECORDINGS / f"sim_9010{suffix}", root / "data" / f"sim_9010{suffix}")
        no_data_record(root / "data", "tried_0909", "2026-11-09T09:05:00-05:00", "closed")
        no_data_record(root / "data", "tried_1010a", "2026-11-10T10:15:00-05:00", "refused", REFUSED)
        no_data_record(root / "data", "tried_1010b", "2026-11-10T10:20:00-05:00", "gave_up", GAVE_UP)
        (root / "rx" / "demo-p083.toml").write_text(RX)
        data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 12),
                             include_simulated=True)
        with ServerThread(dashboard_app(data)) as server:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(server.url + "patient/demo-p083")
            page.wait_for_selector("body[data-ready='1']")
            calendar = page.locator("#calendar").bounding_box()
            legend = page.locator("#calendar-legend").bounding_box()
            page.screenshot(path=out / "dashboard_no_data.png", clip={
                "x": calendar["x"] - 8, "y": calendar["y"] - 8, "width": max(calendar["width"], legend["width"]) + 16,
                "height": legend["y"] + legend["height"] - calendar["y"] + 16})
            page.locator("#sessions").scroll_into_view_if_needed()
            page.locator("#sessions").screenshot(path=out / "dashboard_no_data_sessions.png")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--dashboard-only"]
    out = Path(args[0] if args else "docs/images")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        dashboard_pages(browser, out)
        no_data_page(browser, out)
        if "--dashboard-only" not in sys.argv:  # (the live page's take minutes: a simulated session)
            live_pages(browser, out)
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()

"""The live page's sound switch and the gauge's accessible name, in a real browser (Debian's
chromium), on a page fed states by hand (a :class:`LiveHub` served in a thread, no simulated
session): fast and deterministic."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from conftest import CHROMIUM_ARGS  # noqa: E402

from sensorkit.ble.link import LinkState  # noqa: E402
from sensorkit.ble.recorder import LiveStatus  # noqa: E402
from sensorkit.web.live_app import live_app  # noqa: E402
from sensorkit.web.live_hub import LiveHub, SessionPlan  # noqa: E402
from sensorkit.web.serve import WebServer  # noqa: E402

PLAN = SessionPlan(sets=2, reps_per_set=5, rom_deg=30.0, hold_s=2.0)


class HandFedPage:
    """A LiveHub behind the live page's server, in its own event loop; :meth:`show` pushes a state."""

    def __init__(self, plan: SessionPlan | None = PLAN) -> None:
        self.hub = LiveHub(plan=plan, exercise="hip_external_rotation", patient="p101")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="hand-fed-page", daemon=True)
        self.server = WebServer(live_app(self.hub), "127.0.0.1", 0)
        self.url = self.server.url

    def __enter__(self) -> "HandFedPage":
        self.thread.start()
        self.serving = asyncio.run_coroutine_threadsafe(self.server.serve(), self.loop)
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the page server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        try:
            self.serving.result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)

    def show(self, angle_deg: float, phase: str = "out", hold_s: float = 0.0) -> None:
        status = LiveStatus(state=LinkState.STREAMING, counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0})
        status.angle_deg, status.phase, status.hold_elapsed_s = angle_deg, phase, hold_s

        async def push() -> None:
            self.hub.show(status)

        asyncio.run_coroutine_threadsafe(push(), self.loop).result(5)


@pytest.fixture(scope="module")
def fed(browser_type_launch_args):
    with HandFedPage() as page:
        page.show(12.0, "out")
        yield page


def sound(page) -> tuple[str, str, str]:
    button = page.locator("#sound")
    return button.get_attribute("aria-pressed"), button.get_attribute("data-state"), button.inner_text()


def test_sound_switches_on_and_off_and_the_choice_survives_a_reload(fed, page):
    page.goto(fed.url)
    page.wait_for_selector("#plan[data-counted]")
    assert page.evaluate("document.querySelector('#sound').tagName") == "BUTTON"
    assert sound(page) == ("false", "off", "Sound off")
    page.click("#sound")
    page.wait_for_selector("#sound[data-state='on']")
    assert sound(page) == ("true", "on", "Sound on")
    page.reload()
    page.wait_for_selector("#sound[data-state='on']")  # (this browser lets a page start sound by itself)
    assert sound(page)[0] == "true"
    page.click("#sound")
    assert sound(page) == ("false", "off", "Sound off")
    page.reload()
    page.wait_for_selector("#plan[data-counted]")
    assert sound(page) == ("false", "off", "Sound off")


def test_sound_the_browser_holds_back_after_a_reload_says_tap_to_enable(fed, launch_browser):
    # (chromium's own rule: a page starts sound only after a tap on it; the other tests' browser lifts it)
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")]
    browser = launch_browser(args=args + ["--autoplay-policy=document-user-activation-required"])
    try:
        page = browser.new_page()
        page.goto(fed.url)
        page.wait_for_selector("#plan[data-counted]")
        page.evaluate("localStorage.setItem('sensorkit.live.sound', 'on')")  # chosen in an earlier visit
        page.reload()
        page.wait_for_selector("#sound[data-state='blocked']")
        pressed, _, text = sound(page)
        assert pressed == "true" and "tap to enable sound" in text.lower()
        assert page.locator("#sound").is_visible()
        page.click("#sound")  # the tap the browser waits for: sound on, not off
        page.wait_for_selector("#sound[data-state='on']")
        assert sound(page)[:2] == ("true", "on")
        assert page.evaluate("localStorage.getItem('sensorkit.live.sound')") == "on"
    finally:
        browser.close()


def test_the_gauge_names_the_angle_and_target_and_is_not_rewritten_on_every_state(fed, page):
    page.goto(fed.url)
    page.wait_for_selector("#plan[data-counted]")
    fed.show(33.4, "hold")
    page.wait_for_function("document.querySelector('#gauge').getAttribute('aria-label').includes('33°')", timeout=5_000)
    label = page.get_attribute("#gauge", "aria-label")
    assert page.get_attribute("#gauge", "role") == "img"
    assert "target 30°" in label and "in the target band" in label
    assert page.get_attribute("#sr-status", "aria-live") == "polite"  # (reps and phases still announced there)
    page.evaluate("""() => { window.labelWrites = [];
        new MutationObserver((ms) => ms.forEach(() => window.labelWrites.push(
            document.querySelector('#gauge').getAttribute('aria-label'))))
          .observe(document.querySelector('#gauge'), { attributes: true, attributeFilter: ['aria-label'] }); }""")
    start = time.monotonic()
    for k in range(20):  # 20 states in about a second, a new angle each
        fed.show(10.0 + k, "out")
        time.sleep(0.05)
    writes = page.evaluate("window.labelWrites")
    elapsed = time.monotonic() - start  # (every write seen happened within it)
    assert len(writes) <= 1 + elapsed / 1.5, writes
    page.wait_for_function("document.querySelector('#gauge').getAttribute('aria-label').startsWith('Angle 29°,')",
                           timeout=5_000)  # the last angle is written once the pause is over
    assert "target 30°" in page.get_attribute("#gauge", "aria-label")
    assert page.text_content("#angle") == "29°"


def test_without_a_target_the_gauge_names_the_patient_s_usual_range_as_the_page_shows_it(page):
    with HandFedPage(plan=None) as fed:
        fed.hub._full_roms_deg.extend([40.0, 42.0, 44.0])  # (three full reps seen: their median is the band)
        page.goto(fed.url)
        fed.show(43.2, "hold")
        page.wait_for_function("document.querySelector('#gauge').getAttribute('aria-label').includes('43°')",
                               timeout=5_000)
        label = page.get_attribute("#gauge", "aria-label")
        assert "usual range 42°" in label and "target" not in label
        assert page.text_content("#band-label") == "usual 42°+"

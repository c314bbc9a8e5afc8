"""The live page in a real browser (Debian's chromium through Playwright), following a simulated
session through the same path as ``sensorkit live --simulate --web``.

One simulated session (2 sets, 3x real time: about 22 s, long enough on a loaded machine for the
last test to watch it run) is shared by the tests below, which run in file order:
a reload early on, a forced disconnect in the middle, and, at the end, the whole page against the
pipeline's own reps of the same run (no rep count is assumed). The session starts once the watcher
page has connected (``wait_for_page_s``), so that page sees every rep however slow the machine is
to open it.
"""
from __future__ import annotations

import time

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from sensorkit.web.live_hub import SessionPlan, no_failure_tone  # noqa: E402
from sensorkit.web.simulated import SimulatedLivePage  # noqa: E402

PLAN = SessionPlan(sets=2, reps_per_set=4, rom_deg=25.0, hold_s=1.0)
SPEED = 3.0


@pytest.fixture(scope="module")
def live(tmp_path_factory, browser_type_launch_args):
    session = SimulatedLivePage(tmp_path_factory.mktemp("live"), seed=11, speed=SPEED, plan=PLAN,
                                meta={"patient": "p101"}, sample_rate_hz=100, n_sets=2, reps_per_set=(3, 4),
                                distractors=False, linger_s=1.0, wait_for_page_s=60.0)
    session.start()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def watcher(live, browser):
    """A page open from the start to the end of the session, sound switched on."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(live.url)
    page.click("#sound")
    page.sound_on_ms = page.evaluate("performance.timeOrigin + performance.now()")
    yield page
    page.close()


def page_count(page) -> int:
    return int(page.get_attribute("#plan", "data-counted") or -1)


def test_a_reloaded_page_shows_the_current_count(live, watcher, page):
    watcher.wait_for_function("document.querySelectorAll('#rep-list li').length >= 2", timeout=60_000)
    page.goto(live.url)
    page.wait_for_selector("#plan[data-counted]")
    for _ in range(3):
        page.reload()
        page.wait_for_function("document.querySelector('#plan') && document.querySelector('#plan').dataset.counted !== undefined")
        counted = sum(r.counted for r in live.reps)
        page.wait_for_function(f"Number(document.querySelector('#plan').dataset.counted) >= {counted}", timeout=5_000)
        assert page_count(page) in (counted, sum(r.counted for r in live.reps))  # a rep may end meanwhile
        assert page.locator("#rep-list li").count() >= len([r for r in live.reps]) - 1
    assert live.session.state.value == "streaming"  # the pages' comings and goings changed nothing


def test_a_forced_disconnect_shows_reconnecting_then_streaming(live, watcher):
    live.drop_link(down_s=1.5 * SPEED)  # the sensor refuses reconnects for 1.5 s of wall time
    watcher.wait_for_selector("#link[data-state='reconnecting']", timeout=5_000)
    assert "reconnecting" in watcher.inner_text("#banner").lower()
    watcher.wait_for_selector("#link[data-state='streaming']", timeout=15_000)
    banner = watcher.inner_text("#banner")
    assert banner.startswith("Reconnected") and "lost" in banner
    assert watcher.get_attribute("#battery", "data-percent") == "87"


def test_a_sensor_gone_silent_shows_reconnecting_then_streaming_as_a_dropped_link_does(live, watcher):
    before = len(live.session.reconnects)
    live.mute(refusals=3)  # then its attempts take 0.2 + 0.4 + 0.8 s of backoff: the banner stays up
    watcher.wait_for_selector("#link[data-state='reconnecting']", timeout=10_000)
    assert "reconnecting" in watcher.inner_text("#banner").lower()
    watcher.wait_for_selector("#link[data-state='streaming']", timeout=15_000)
    banner = watcher.inner_text("#banner")
    assert banner.startswith("Reconnected") and "lost" in banner
    assert len(live.session.reconnects) == before + 1 and live.session.reconnects[-1].lost_s >= 2.0


def test_the_page_shows_the_pipelines_reps_phase_and_hold_cue(live, watcher):
    agreed, seen = 0, 0
    deadline = time.monotonic() + 90
    while not live.hub.ended and time.monotonic() < deadline:  # the phase shown is the pipeline's
        seen += 1
        for _ in range(10):
            if watcher.get_attribute("#phase", "data-phase") == live.phase:
                agreed += 1
                break
            time.sleep(0.03)
        time.sleep(0.2)
    assert live.hub.ended and seen >= 5 and agreed >= 0.8 * seen  # (a slow frame may miss a short phase)
    watcher.wait_for_selector("#summary:not([hidden])", timeout=10_000)
    reps = live.reps
    counted = [r for r in reps if r.counted]
    assert counted, "the simulated session gave no rep"
    items = watcher.locator("#rep-list li")
    shown = [(items.nth(i).get_attribute("data-kind"), items.nth(i).get_attribute("data-rom"),
              items.nth(i).get_attribute("data-hold")) for i in range(items.count())]
    assert shown == [(r.kind, f"{r.rom_deg:.1f}", f"{r.hold_s:.1f}") for r in reps]
    for kind in ("full", "partial", "knee_out", "rejected"):
        assert watcher.get_attribute(f"#count-{kind}", "data-n") == str(sum(r.kind == kind for r in reps))
    assert int(watcher.get_attribute("#plan", "data-completed")) == sum(PLAN.meets(r) for r in reps)
    last = reps[-1]
    assert watcher.get_attribute("#last-kind", "data-kind") == last.kind
    if last.counted:
        assert watcher.get_attribute("#last-rom", "data-value") == f"{last.rom_deg:.1f}"
    assert watcher.inner_text("#summary-counted") == str(len(counted))
    phases = set(watcher.evaluate("window.sk.phases"))
    assert {"out", "hold", "return", "rest"} <= phases
    cues = watcher.evaluate("window.sk.cues")
    assert watcher.evaluate("window.sk.snapshots") == 1, "the page lost its stream"
    # (the session waited for the watcher: no rep ended before it connected, every rep was cued)
    assert watcher.evaluate("window.sk.repsAtSnapshot") == 0
    # (the success chime only for a rep toward the set: a counted rep short of the plan sounds as not counted;
    # a rep the link cut, which a loaded machine's simulated link can drop, or a fidget sounds nothing)
    quiet = [item["no_failure_tone"] for item in live.hub.reps]
    assert all(q for r, q in zip(reps, quiet) if no_failure_tone(r))
    assert [c["kind"] for c in cues if c["kind"] != "hold"] == [
        "rep" if r.counted and PLAN.meets(r) else "not_counted" for r, q in zip(reps, quiet) if not q]
    holds = [c for c in cues if c["kind"] == "hold"]
    assert 1 <= len(holds) <= len(counted)
    assert all(c["audible"] for c in cues if c["at_ms"] > watcher.sound_on_ms)  # Web Audio played them

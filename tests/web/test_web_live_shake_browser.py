"""A leg shake on the live page in a real browser (Debian's chromium through Playwright): the
simulated session of seed 1 shakes the leg for 3 s between its second and third reps, which the
pipeline rejects as a burst of small quick movements."""
from __future__ import annotations

import time

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from sensorkit.live_cues import FIDGET_NOTE  # noqa: E402
from sensorkit.web.live_hub import SessionPlan  # noqa: E402
from sensorkit.web.simulated import SimulatedLivePage  # noqa: E402


def test_a_leg_shake_sounds_nothing_and_says_one_note(tmp_path, browser):
    # (15 low tones and "Too small to count: move a little further." for one 3-s shake)
    live = SimulatedLivePage(tmp_path, seed=1, speed=8.0, plan=SessionPlan(sets=2, reps_per_set=3, rom_deg=30, hold_s=3),
                             sample_rate_hz=104, max_duration_s=90, linger_s=1.0, wait_for_page_s=60.0)
    live.start()
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(live.url)
        page.click("#sound")
        deadline = time.monotonic() + 120  # (the third rep, after the shake)
        while not any(r.counted and r.start_s > 25.0 for r in live.reps) and time.monotonic() < deadline:
            time.sleep(0.2)
        shake = [r for r in live.reps if r.kind == "rejected" and 21.0 < r.start_s < 25.0]
        assert len(shake) >= 5 and [item["fidget"] for item in live.hub.reps].count(True) == len(shake)
        page.wait_for_function(f"document.querySelectorAll('#rep-list li[data-fidget]').length == {len(shake)}",
                               timeout=10_000)
        titles = page.eval_on_selector_all("#rep-list li[data-fidget]", "items => items.map(li => li.title)")
        assert titles[0] == FIDGET_NOTE and FIDGET_NOTE not in titles[1:]  # one note for the burst
        items = live.hub.reps  # (so far: a rep may end meanwhile)
        page.wait_for_function(f"document.querySelectorAll('#rep-list li').length >= {len(items)}", timeout=10_000)
        cues = [c["kind"] for c in page.evaluate("window.sk.cues") if c["kind"] != "hold"]
        toned = ["rep" if item["meets_plan"] else "not_counted" for item in items if not item["fidget"]]
        assert cues[:len(toned)] == toned and len(toned) == len(items) - len(shake)  # (none for the shake)
    finally:
        live.stop()

"""The live page through a rep, as a patient reads it from the chair: the phase's word on one line,
the set line and the counts where they were whatever the phase, and the hold's time under the word
"Hold" without saying it again (the terminal's row: "Hold  1.2 of 2 s"). In a real browser on a
page fed states by hand (tests/web/test_web_live_controls.py's page), on a laptop and a phone."""
from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from test_web_live_controls import HandFedPage  # noqa: E402

from sensorkit.pipeline.pipeline import PHASES  # noqa: E402

#: a rep as the page goes through it (angle deg, phase, hold time s), with the plan's 30 deg held 2 s
A_REP = [(0.0, "rest"), (18.0, "out"), (34.0, "hold", 0.6), (34.0, "hold", 2.3), (20.0, "return"), (0.0, "rest")]
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "small laptop": {"width": 1024, "height": 640},
             "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def fed(browser_type_launch_args):
    with HandFedPage() as page:
        page.show(0.0, "rest")
        yield page


LOOK = """() => {
  const box = id => document.querySelector(id).getBoundingClientRect();
  const phase = document.querySelector('#phase');
  return {lineHeight: parseFloat(getComputedStyle(phase).lineHeight), phaseHeight: box('#phase').height,
          planTop: Math.round(box('#plan').top), countsTop: Math.round(box('#counts').top),
          holdText: document.querySelector('#hold').hidden ? null : document.querySelector('#hold-text').textContent};
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_through_a_rep_the_word_stays_on_one_line_and_the_set_line_stays_put(fed, browser, viewport):
    # at 1280 x 800 "Return slowly" took two lines, and the set line and the counts moved up and
    # down by 100 px at every phase change (the hold's bar and time took room only in a hold)
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.goto(fed.url)
    page.wait_for_selector("#plan[data-counted]")
    seen = {}
    for step in A_REP + [(8.0, phase) for phase in PHASES if phase not in ("rest", "out", "hold", "return")]:
        fed.show(*step)
        page.wait_for_selector(f"#phase[data-phase='{step[1]}']", timeout=5_000)
        if len(step) > 2:
            page.wait_for_function(f"document.querySelector('#hold-text').textContent.includes('{step[2]:.1f}')",
                                   timeout=5_000)
        seen[step] = page.evaluate(LOOK)
    page.close()
    for step, look in seen.items():
        assert look["phaseHeight"] < 1.5 * look["lineHeight"], (step, look)
    assert len({look["planTop"] for look in seen.values()}) == 1, [(step, look["planTop"], look["holdText"]) for step, look in seen.items()]
    assert len({look["countsTop"] for look in seen.values()}) == 1, seen


def test_the_hold_s_time_does_not_say_hold_again(fed, page):
    # under the word "Hold" the time read "Hold 0.6 of 2 s"
    page.goto(fed.url)
    page.wait_for_selector("#plan[data-counted]")
    texts = []
    for angle_deg, held_s in ((34.0, 0.6), (34.0, 2.3), (24.0, 1.2)):
        fed.show(angle_deg, "hold", held_s)
        page.wait_for_function(f"document.querySelector('#hold-text').textContent.includes('{held_s:.1f}')",
                               timeout=5_000)
        texts.append(page.inner_text("#hold-text"))
    assert texts == ["0.6 of 2 s", "Held 2.3 s: return slowly", "1.2 s: go a little further (30°)"]

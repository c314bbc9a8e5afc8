"""The live page names every phase the pipeline shows (``sensorkit.pipeline.pipeline.PHASES``) and
gives each its own look (its colour with its words, readable against the page), in a real browser
on a page fed states by hand (tests/web/test_web_live_controls.py's page)."""
from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from test_web_dashboard_browser import CONTRAST_HELPERS  # noqa: E402
from test_web_live_controls import HandFedPage  # noqa: E402

from sensorkit.pipeline.pipeline import PHASES  # noqa: E402

#: the phase's colour and its WCAG contrast ratio against the nearest opaque background
LOOK = """() => {""" + CONTRAST_HELPERS + """  const el = document.querySelector('#phase');
  const fg = rgba(getComputedStyle(el).color), a = lum(fg), b = lum(background(el));
  return [fg.slice(0, 3).join(','), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
}"""


@pytest.fixture(scope="module")
def fed(browser_type_launch_args):
    with HandFedPage() as page:
        page.show(0.0, "rest")
        yield page


def test_every_phase_has_its_words_its_colour_and_only_hold_shows_the_hold_timer(fed, page):
    # "still" (held at a low pose that may be a rest, not timed) and "moving" (not the exercise's
    # turn) came with session 28: the page showed the raw key, lower case, in the text colour (as "rest")
    page.goto(fed.url)
    page.wait_for_selector("#plan[data-counted]")
    words, looks = {}, {}
    for phase in PHASES:
        fed.show(18.0, phase)
        page.wait_for_selector(f"#phase[data-phase='{phase}']", timeout=5_000)
        words[phase] = page.inner_text("#phase")
        looks[phase] = page.evaluate(LOOK)
        assert page.locator("#hold").is_visible() == (phase == "hold"), phase
    assert words["still"] == "Still" and words["moving"] == "Moving"
    assert all(word and word != phase for phase, word in words.items()), words
    assert len(set(words.values())) == len(PHASES)
    assert len({colour for colour, _ in looks.values()}) == len(PHASES), looks
    assert min(ratio for _, ratio in looks.values()) >= 4.5, looks

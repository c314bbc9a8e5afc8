"""The live page says every link state (``sensorkit.ble.link.LinkState``) in words, and a stream the
sensor refused says why, in a real browser on a page fed states by hand
(tests/web/test_web_live_controls.py's page)."""
from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")

from test_web_live_controls import HandFedPage  # noqa: E402

from sensorkit.ble.link import LinkState  # noqa: E402
from sensorkit.ble.recorder import LiveStatus  # noqa: E402

REFUSAL = ("F0:0D:00:00:00:04 (Movesense 174630000192) refused the subscription to /Meas/IMU6/104: "
           "status 507 (Insufficient Storage)")


def push(fed: HandFedPage, status: LiveStatus, close: bool = False) -> None:
    async def go() -> None:
        (fed.hub.close if close else fed.hub.show)(status)

    asyncio.run_coroutine_threadsafe(go(), fed.loop).result(5)


def a_status(state: LinkState, error: str | None = None) -> LiveStatus:
    status = LiveStatus(state=state, counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0}, t_s=12.0)
    status.error = error
    return status


def test_every_link_state_has_its_words(page):
    # "refused" came with session 28 (a Movesense resubscription answered 507): the page showed the raw key
    with HandFedPage() as fed:
        push(fed, a_status(LinkState.STREAMING))
        page.goto(fed.url)
        page.wait_for_selector("#plan[data-counted]")
        words = {}
        for state in LinkState:
            push(fed, a_status(state))
            page.wait_for_selector(f"#link[data-state='{state.value}']", timeout=5_000)
            words[state.value] = page.inner_text("#link-text")
        assert "_" not in "".join(words.values()) and len(set(words.values())) == len(LinkState), words
        assert words["refused"] == "sensor refused"


def test_a_refused_stream_says_why_and_that_the_session_stopped(page):
    with HandFedPage() as fed:
        push(fed, a_status(LinkState.STREAMING))
        page.goto(fed.url)
        page.wait_for_selector("#link[data-state='streaming']")
        push(fed, a_status(LinkState.REFUSED, REFUSAL), close=True)
        page.wait_for_selector("#link[data-state='refused']", timeout=5_000)
        # (the server ends the page's event stream after the session's end: the banner said "Session
        # over" then, whatever had ended it)
        page.wait_for_timeout(1_500)
        assert page.locator("#banner").is_visible()
        assert page.inner_text("#banner") == f"The sensor refused to stream: {REFUSAL}. The session has stopped."
        # (its dot red, as for a sensor lost)
        dot = "getComputedStyle(document.querySelector('#link .dot')).backgroundColor"
        assert page.evaluate(dot) == "rgb(255, 107, 107)"

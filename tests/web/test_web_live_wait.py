"""A simulated live session that waits for its page: nothing streams until a page opens the
stream, so a page opened late (a slow machine, a newcomer to ``live --simulate --web``) misses no
rep. Through HTTP only (no browser)."""
from __future__ import annotations

import json
import time
import urllib.request

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")

from sensorkit.web.simulated import SimulatedLivePage  # noqa: E402

SIM = {"seed": 11, "speed": 8.0, "sample_rate_hz": 100, "n_sets": 1, "reps_per_set": (2, 2), "distractors": False,
       "linger_s": 0.5}


def events(url: str):
    """The messages of the page's event stream, as a page gets them."""
    with urllib.request.urlopen(url + "events", timeout=30) as stream:
        for line in stream:
            if line.startswith(b"data: "):
                yield json.loads(line[len(b"data: "):])


def test_a_session_waiting_for_its_page_streams_only_once_a_page_has_connected(tmp_path):
    with SimulatedLivePage(tmp_path, wait_for_page_s=60.0, **SIM) as live:
        time.sleep(1.0)  # 8 s of the simulated session at 8x: a rep or more, were it streaming
        assert live.sensor.sent_samples == 0 and live.hub.snapshot()["state"] == {}
        messages = list(events(live.url))  # a page opens, late, and reads the stream to its end
        live.wait(60)
    assert messages[0]["type"] == "snapshot" and messages[0]["reps"] == []
    assert messages[-1]["type"] == "done"
    shown = [m["rep"]["index"] for m in messages if m["type"] == "rep"]
    assert live.reps and shown == list(range(1, len(live.reps) + 1))  # the page saw every rep


def test_without_a_page_it_streams_after_the_wait(tmp_path):
    with SimulatedLivePage(tmp_path, wait_for_page_s=0.5, **SIM) as live:
        deadline = time.monotonic() + 30
        while live.sensor.sent_samples == 0:
            assert time.monotonic() < deadline, "the session never started without a page"
            time.sleep(0.1)
        assert live.hub.subscribers == 0

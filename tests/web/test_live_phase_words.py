"""The live phases (``sensorkit.pipeline.pipeline.PHASES``) in the same words, and colours, on the live
page (sensorkit/web/static/live.js, live.css) and on the terminal (``sensorkit live`` without
``--web``: :class:`sensorkit.live.RichDisplay`, ``PHASE_WORDS``, ``PHASE_STYLES``). No browser: the
page's files are read as text."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus
from sensorkit.live import PHASE_STYLES, PHASE_WORDS, RichDisplay
from sensorkit.pipeline.pipeline import PHASES

STATIC = Path(__file__).resolve().parents[2] / "sensorkit" / "web" / "static"


def page_words() -> dict[str, str]:
    """live.js's PHASE_WORDS (an object literal of plain keys and double-quoted words)."""
    literal = re.search(r"const PHASE_WORDS = (\{[^}]*\});", (STATIC / "live.js").read_text()).group(1)
    return json.loads(re.sub(r"(\w+):", r'"\1":', literal))


def page_colours() -> dict[str, str]:
    """live.css's colour of ``#phase`` in each phase (its variables resolved; "" where it has none)."""
    css = (STATIC / "live.css").read_text()
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    colours = dict(re.findall(r'#phase\[data-phase="(\w+)"\]\s*\{\s*color:\s*([^;]+);', css))
    return {phase: variables.get(re.sub(r"var\((--[\w-]+)\)", r"\1", colours.get(phase, "")), colours.get(phase, ""))
            for phase in PHASES}


def test_the_terminal_names_every_phase_in_the_page_s_words():
    assert page_words() == PHASE_WORDS
    assert set(PHASE_WORDS) == set(PHASES) and len(set(PHASE_WORDS.values())) == len(PHASES)


def test_the_terminal_colours_every_phase_as_the_page_does_and_each_its_own_but_rest():
    assert page_colours() == PHASE_STYLES
    assert PHASE_STYLES["rest"] == "" and len(set(PHASE_STYLES.values())) == len(PHASES)


@pytest.mark.parametrize("phase", PHASES)
def test_the_terminal_panel_shows_the_phase_s_words_not_its_key(phase):
    # it printed the key: "still", "out", "return"
    console = Console(file=io.StringIO(), width=120, record=True)
    display = RichDisplay(console)
    status = LiveStatus(state=LinkState.STREAMING, t_s=3.0, angle_deg=20.0, phase=phase, sensor="sensorkit-imu")
    console.print(display.render(status))
    display.close(status)
    row = next(line for line in console.export_text().splitlines() if "phase" in line)
    assert PHASE_WORDS[phase] in row
    if PHASE_WORDS[phase].lower() != phase:
        assert not re.search(rf"\bphase\s+{phase}\b", row), row

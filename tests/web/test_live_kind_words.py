"""The rep kinds in the same words on the live page (sensorkit/web/static/live.js ``KIND_WORDS``) and
in the terminal panel's counts (``sensorkit live`` without ``--web``: ``sensorkit.live.KIND_WORDS``).
No browser: the page's script is read as text."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console

from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus
from sensorkit.live import KIND_WORDS, RichDisplay
from sensorkit.pipeline.rep import KINDS

STATIC = Path(__file__).resolve().parents[2] / "sensorkit" / "web" / "static"


def page_words() -> dict[str, str]:
    """live.js's KIND_WORDS (an object literal of plain keys and double-quoted words)."""
    literal = re.search(r"const KIND_WORDS = (\{[^}]*\});", (STATIC / "live.js").read_text()).group(1)
    return json.loads(re.sub(r"(\w+):", r'"\1":', literal))


def test_the_terminal_counts_every_kind_in_the_page_s_words():
    # the panel read "knee_out 0   rejected 0" where the page says "knee out 0", "not counted 0"
    assert page_words() == KIND_WORDS and set(KIND_WORDS) == set(KINDS)
    console = Console(file=io.StringIO(), width=120, record=True)
    display = RichDisplay(console)
    status = LiveStatus(state=LinkState.STREAMING, sensor="sensorkit-imu")
    console.print(display.render(status))
    display.close(status)
    row = next(line for line in console.export_text().splitlines() if "reps" in line)
    assert all(f"{word} 0" in row for word in KIND_WORDS.values()) and "knee_out" not in row, row

"""One rule for a hold against the prescription, on the terminal and on the page
(:func:`sensorkit.ble.recorder.hold_cue`): "go a little further" while the movement's peak so far
is under the target range (its rep's ROM is judged by the peak, not by the angle it has sagged to),
the "return slowly" cue once the target hold is reached there. The page's JSON sends ``null``
where the rule does not apply."""
from __future__ import annotations

import io
import math

import pytest
from rich.console import Console

from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus, hold_cue
from sensorkit.live import RichDisplay
from sensorkit.web.live_hub import LiveHub


def status(**kw) -> LiveStatus:
    s = LiveStatus(state=LinkState.STREAMING, counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0})
    for k, v in kw.items():
        setattr(s, k, v)
    return s


@pytest.mark.parametrize("case, kw, target_rom_deg, target_hold_s, below, reached", [
    ("no target range: the rule does not apply, the hold time alone cues",
     dict(phase="hold", angle_deg=12.0, peak_deg=12.0, hold_elapsed_s=3.0), None, 3.0, None, True),
    ("not in a hold: nothing to judge yet",
     dict(phase="out", angle_deg=10.0, peak_deg=10.0), 30.0, 3.0, None, False),
    ("no angle known (NaN): no verdict, the hold time alone cues",
     dict(phase="hold", angle_deg=math.nan, peak_deg=math.nan, hold_elapsed_s=3.0), 30.0, 3.0, None, True),
    ("the peak exactly at the target range: reached",
     dict(phase="hold", angle_deg=29.0, peak_deg=30.0, hold_elapsed_s=3.0), 30.0, 3.0, False, True),
    ("reached 33 deg, sagged to 26: judged by the peak, as the rep's ROM",
     dict(phase="hold", angle_deg=26.0, peak_deg=33.0, hold_elapsed_s=3.2), 30.0, 3.0, False, True),
    ("never reached it: below, and the hold time does not cue",
     dict(phase="hold", angle_deg=27.0, peak_deg=27.5, hold_elapsed_s=5.0), 30.0, 3.0, True, False),
    ("no peak known: the angle now stands in for it",
     dict(phase="hold", angle_deg=19.0, hold_elapsed_s=3.3), 25.0, 3.0, True, False),
    ("held a moment short of the target hold",
     dict(phase="hold", angle_deg=31.0, peak_deg=31.0, hold_elapsed_s=2.99), 30.0, 3.0, False, False),
    ("no target hold: never cued",
     dict(phase="hold", angle_deg=31.0, peak_deg=31.0, hold_elapsed_s=9.0), 30.0, None, False, False),
])
def test_the_rule(case, kw, target_rom_deg, target_hold_s, below, reached):
    cue = hold_cue(status(**kw), target_rom_deg, target_hold_s)
    assert (cue.below_target, cue.reached) == (below, reached), case


def terminal_phase(s: LiveStatus) -> str:
    """The terminal panel's phase line for ``s``."""
    display = RichDisplay(Console(file=io.StringIO(), width=120))
    try:
        return display._phase_text(s).plain
    finally:
        display.close(s)


@pytest.mark.parametrize("angle_deg, peak_deg, below", [(26.0, 33.0, False), (27.0, 27.5, True), (10.0, math.nan, True)])
def test_page_and_terminal_say_the_same_of_a_hold(angle_deg, peak_deg, below):
    # a hold prescribed 30 deg for 3 s, held 3.2 s: the page's state and the terminal's phase line
    s = status(phase="hold", angle_deg=angle_deg, peak_deg=peak_deg, hold_elapsed_s=3.2,
               target_rom_deg=30.0, target_hold_s=3.0)
    hub = LiveHub()
    hub.show(s)
    page = hub.snapshot()["state"]
    terminal = terminal_phase(s)
    assert page["below_target"] is below and ("go a little further (30 deg)" in terminal) is below
    assert page["hold_reached"] is (not below) and ("reached: return slowly" in terminal) is (not below)


def test_a_hold_that_sags_below_the_target_after_reaching_it_is_not_called_below():
    # reached 33 deg against a 30-deg target, then sagged to 26 deg while held: the rep reports
    # 33 deg (toward the set); the page said "go a little further (30 deg)", no cue, the terminal too
    s = status(phase="hold", angle_deg=26.0, peak_deg=33.0, hold_elapsed_s=3.2, target_rom_deg=30.0, target_hold_s=3.0)
    hub = LiveHub()
    hub.show(s)
    state = hub.snapshot()["state"]
    assert state["below_target"] is False and state["hold_reached"] is True
    assert "reached: return slowly" in terminal_phase(s)


def test_the_page_sends_null_where_the_rule_does_not_apply():
    hub = LiveHub()
    hub.show(status(phase="out", angle_deg=20.0, peak_deg=20.0, target_rom_deg=30.0, target_hold_s=3.0))
    assert hub.snapshot()["state"]["below_target"] is None
    hub.show(status(phase="hold", angle_deg=math.nan, peak_deg=math.nan, hold_elapsed_s=1.0, target_rom_deg=30.0))
    assert hub.snapshot()["state"]["below_target"] is None  # (the NaN guard)
    hub.show(status(phase="hold", angle_deg=12.0, peak_deg=12.0, hold_elapsed_s=1.0))  # no target range
    assert hub.snapshot()["state"]["below_target"] is None

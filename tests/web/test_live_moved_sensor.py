"""A sensor turned on the leg mid-session: the live views (terminal and page) say so once, when the
movements so far meet the rule by which ``sensorkit analyze`` warns of it (review 35, finding 1):
the same function (``batch.moved_sensor_run``) over the reps so far. They said every later rep was
"a different movement" and nothing else."""
from __future__ import annotations

import io

import pytest

from sensorkit.batch import MOVED_MIN_HELD, moved_sensor_warning
from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus
from sensorkit.live import PlainDisplay
from sensorkit.live_cues import MOVED_NOTE
from sensorkit.pipeline.classify import ANOTHER_AXIS, OTHER_WAY
from sensorkit.pipeline.rep import Rep
from sensorkit.web.live_hub import LiveHub


def rep(n: int, kind: str = "full", hold_s: float = 3.0, reason: str = "") -> Rep:
    return Rep(rep=n if kind != "rejected" else None, kind=kind, start_s=10.0 * n, end_s=10.0 * n + 6, rom_deg=40.0,
               hold_s=hold_s, out_end_s=0, return_start_s=0, peak_speed_dps=60, out_duration_s=1,
               return_duration_s=1, rest_angle_deg=0, radius_m=0.3, axis_offset_deg=2,
               tempo="normal" if kind != "rejected" else "", reason=reason)


def status() -> LiveStatus:
    return LiveStatus(state=LinkState.STREAMING, counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0})


def session(turned_after: int, held_s: float = 3.0) -> list[Rep]:
    """Reps, then the sensor turned: held movements rejected as another axis or the other way."""
    good = [rep(n) for n in range(1, turned_after + 1)]
    reasons = [f"{ANOTHER_AXIS} (56 deg off)", OTHER_WAY] * 4
    return good + [rep(turned_after + 1 + i, "rejected", held_s, reason) for i, reason in enumerate(reasons)]


def said(reps: list[Rep]) -> tuple[list[int], list[int]]:
    """The movements (1-based) with which the terminal, and the page, said the note."""
    display, terminal = PlainDisplay(io.StringIO()), []
    for i, movement in enumerate(reps, 1):
        before = display.stream.getvalue().count(MOVED_NOTE)
        display.rep(movement, status())
        if display.stream.getvalue().count(MOVED_NOTE) > before:
            terminal.append(i)
    hub, page = LiveHub(exercise="hip_external_rotation"), []
    for i, movement in enumerate(reps, 1):
        hub.rep(movement, status())
        if MOVED_NOTE in hub.reps[-1]["note"]:
            page.append(i)
    return terminal, page


@pytest.mark.parametrize("turned_after", [1, 9])
def test_said_once_when_analyze_would_warn(turned_after):
    reps = session(turned_after)
    first = next(i for i in range(1, len(reps) + 1) if moved_sensor_warning("r.csv", reps[:i]))
    assert first == turned_after + MOVED_MIN_HELD
    assert said(reps) == ([first], [first])


@pytest.mark.parametrize("reps", [session(0), session(9, held_s=0.2), session(1)[:MOVED_MIN_HELD]],
                         ids=["no counted rep before", "not held", "too few"])
def test_not_said_where_analyze_would_not_warn(reps):
    assert moved_sensor_warning("r.csv", reps) is None
    assert said(reps) == ([], [])

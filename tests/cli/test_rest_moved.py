"""Reps still counted after the sensor turned on the leg, read about the axis the first reps taught:
their rest lies where no seated leg rests (``rest_angle_deg`` over ``REST_MOVED_DEG``, three times a
real leg's largest drift between sets). ``analyze`` warns of a run of them as it warns of a run of
held reps rejected as another axis, and the live views say so once, by the same function."""
from __future__ import annotations

import io
import math

import pytest

from sensorkit.batch import MOVED_MIN_HELD, REST_MOVED_DEG, moved_sensor_warning, rest_moved_run
from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import LiveStatus
from sensorkit.live import PlainDisplay
from sensorkit.live_cues import MOVED_NOTE
from sensorkit.pipeline.rep import Rep


def rep(n: int, rest_deg: float, kind: str = "full", from_swing_deg: float = 0.0) -> Rep:
    """A movement resting ``rest_deg`` from the first rest; ``from_swing_deg``: begun at the bottom of
    a swing that far behind the rest (its ``rom_deg`` is from there, its ``peak_deg`` from the rest)."""
    return Rep(rep=n if kind != "rejected" else None, kind=kind, start_s=10.0 * n, end_s=10.0 * n + 6,
               rom_deg=40.0 + from_swing_deg, peak_deg=40.0,
               hold_s=3.0, out_end_s=0, return_start_s=0, peak_speed_dps=60, out_duration_s=1,
               return_duration_s=1, rest_angle_deg=rest_deg, radius_m=0.3, axis_offset_deg=2,
               tempo="normal" if kind != "rejected" else "", reason="too small" if kind == "rejected" else "")


def reps_resting(*rests_deg: float, kind: str = "full") -> list[Rep]:
    return [rep(n, r, kind) for n, r in enumerate(rests_deg, 1)]


def test_the_longest_run_of_counted_reps_resting_too_far_and_the_reps_before_it():
    far = REST_MOVED_DEG + 1.0
    reps = reps_resting(0.0, 5.0, far, -far, 3.0, far, -far, far, 0.0)
    n, first, before = rest_moved_run(reps)
    assert (n, first.start_s, before) == (3, 60.0, 5)


def test_rejected_movements_neither_count_nor_break_a_run():
    far = REST_MOVED_DEG + 10.0
    reps = reps_resting(0.0, far) + [rep(3, far, "rejected"), rep(4, 0.0, "rejected"), rep(5, far), rep(6, far)]
    assert rest_moved_run(reps)[0] == 3


def test_reps_begun_at_a_swing_s_bottom_neither_count_nor_break_a_run():
    # (a continuous series: each rep begun where the one before swung past the rest, read from there)
    far = REST_MOVED_DEG + 10.0
    swings = [rep(n, -far, from_swing_deg=8.0) for n in range(2, 8)]
    assert rest_moved_run([rep(1, 0.0), *swings])[0] == 0
    assert rest_moved_run([rep(1, 0.0), rep(2, far), swings[1], rep(4, far), swings[3], rep(6, far)])[0] == 3


@pytest.mark.parametrize("rests_deg", [(0.0, REST_MOVED_DEG, -REST_MOVED_DEG, REST_MOVED_DEG),  # (at it: not beyond)
                                       (0.0, math.nan, math.nan, math.nan, math.nan),  # (a rest that was no rest)
                                       (0.0, 60.0, 60.0, 0.0, 60.0, 60.0)],  # (never 3 in a row)
                         ids=["at the limit", "no rest", "broken runs"])
def test_no_warning_short_of_a_run(rests_deg):
    reps = reps_resting(*rests_deg)
    assert rest_moved_run(reps)[0] < MOVED_MIN_HELD
    assert moved_sensor_warning("r.csv", reps) is None


def test_the_live_terminal_says_it_once_with_the_rep_that_makes_the_run():
    reps = reps_resting(0.0, 2.0, 70.0, 71.0, 69.0, 70.0, 72.0)
    first = next(i for i in range(1, len(reps) + 1) if moved_sensor_warning("r.csv", reps[:i]))
    assert first == 2 + MOVED_MIN_HELD
    display = PlainDisplay(io.StringIO())
    said = []
    for i, movement in enumerate(reps, 1):
        before = display.stream.getvalue().count(MOVED_NOTE)
        display.rep(movement, LiveStatus(state=LinkState.STREAMING,
                                         counts={"full": 0, "partial": 0, "knee_out": 0, "rejected": 0}))
        if display.stream.getvalue().count(MOVED_NOTE) > before:
            said.append(i)
    assert said == [first]


def test_a_report_flags_the_session_and_leaves_the_misread_reps_out_of_its_range():
    from sensorkit.report.flags import SENSOR_MOVED, is_stray, session_flags

    reps = reps_resting(0.0, 2.0, 70.0, 71.0, 69.0)
    flags, stray_from_s = session_flags("knee_extension", reps)
    assert flags == (SENSOR_MOVED,)
    assert [is_stray(r, stray_from_s) for r in reps] == [False, False, True, True, True]

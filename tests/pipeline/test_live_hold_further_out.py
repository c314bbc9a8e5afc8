"""The live hold timer when a leg held still part way out (``still``: it may be a shifted rest) goes
on further out and holds there.

Knee extension on exact signals (tests/pipeline/synth.py), 50 Hz, fed 2 samples a packet (25 a
second, as a sensor notifies). Three 60-deg reps held 2 s set the last counted peak (so a pose
under 30 deg out shows ``still``), then the leg goes 28 deg out, stays there 4 s, and goes on out.
The timer shows the hold the counted rep reports: from where :func:`~sensorkit.pipeline.measure.
outward_end` dates it, which depends on how far on the leg went (a pause under
``hold_level_fraction`` of the peak is no hold; above it, the pause is the hold's start).
"""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from synth import min_jerk, random_setup, reps_then, samples_of_angle

META = {"exercise": "knee_extension"}
SETS = [(3.0, 60, 2.0), (10.0, 60, 2.0), (17.0, 60, 2.0)]
PAUSE_S, PAUSE_DEG = 24.0, 28.0  # out to the pause in 1 s from 24 s, still there 4 s
ON_S = 29.0


def pause_then_on(to_deg: float, on_s: float, hold_s: float, t_end_s: float = 45.0):
    """The reps, and after every packet: (the last sample analysed's time s, phase, hold time shown s), the
    leg going on out from the pause to ``to_deg`` in ``on_s`` at ON_S, held ``hold_s``, back in 1.2 s."""
    t, theta = reps_then(SETS, t_end_s)
    theta += PAUSE_DEG * min_jerk(t - PAUSE_S) + (to_deg - PAUSE_DEG) * min_jerk((t - ON_S) / on_s)
    theta -= to_deg * min_jerk((t - ON_S - on_s - hold_s) / 1.2)
    samples = samples_of_angle(theta, t, *random_setup(4))
    pipeline, reps, status = Pipeline(meta=META), [], []
    for packet in samples.chunks(2):
        reps += pipeline.update(packet)
        status.append((pipeline.time_s_, pipeline.phase_, pipeline.hold_elapsed_s_))
    rep = next(r for r in reps + pipeline.finish() if r.counted and PAUSE_S - 0.5 < r.start_s < PAUSE_S + 0.5)
    return rep, status


@pytest.mark.parametrize("on_s", [1.0, 1.6])
def test_a_pause_then_on_out_to_a_full_hold_times_the_hold_from_where_the_leg_stopped_further_out(on_s):
    # the pause (28 deg) is under hold_level_fraction of the full rep's 60: the rep's hold is the
    # 3 s at 60 deg. The timer showed the 4 s already spent at the pause as soon as the leg passed
    # 30 deg on its way out (up to 4.3 s "hold", then "out"): now "out" on the way, and the hold
    # from 0 at the top
    rep, status = pause_then_on(60.0, on_s, hold_s=3.0)
    assert rep.kind == "full" and rep.hold_s == pytest.approx(3.0, abs=0.1)
    assert {phase for t, phase, _ in status if PAUSE_S + 1.5 < t < ON_S} == {"still"}
    during = [(t, phase, held) for t, phase, held in status if rep.start_s <= t <= rep.end_s]
    for t, phase, held in during:
        assert held <= max(0.0, t - rep.out_end_s) + 0.05, f"{held:.2f} s hold shown at {t:.2f} s"
    assert {phase for t, phase, _ in during if ON_S + 0.4 < t < ON_S + on_s - 0.2} == {"out"}
    assert [held for _, phase, held in during if phase == "hold"][-1] == pytest.approx(rep.hold_s, abs=0.3)


def test_a_pause_then_a_little_further_out_times_the_hold_from_the_pause():
    # on from 28 to 36 deg: the pause is above hold_level_fraction of the peak, so the rep's hold
    # starts there (8 s: the pause, the step on out and the hold at 36 deg). The timer showed 4.3 s
    # on passing 30 deg and stopped there (the leg had gone out of the pause's band)
    rep, status = pause_then_on(36.0, 1.0, hold_s=3.0)
    assert rep.kind == "partial" and rep.hold_s == pytest.approx(8.0, abs=0.1)
    during = [(t, phase, held) for t, phase, held in status if rep.start_s <= t <= rep.end_s]
    assert {phase for t, phase, _ in during if ON_S + 0.5 < t < ON_S + 0.95} == {"out"}
    shown = [held for _, phase, held in during if phase == "hold"]
    assert np.all(np.diff(shown) >= 0) and shown[-1] == pytest.approx(rep.hold_s, abs=0.3)

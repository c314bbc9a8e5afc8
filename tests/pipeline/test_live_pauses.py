"""What the live view shows at a pause out the way the exercise goes, decided by what the rep will
report: a hold timer only where the rep, should the leg come back from there, counts that hold.

- Before any rep is counted there is no last peak to compare a pose with; the rep the classifier
  expects (the prescribed ROM) stands in for it. Under half of it, the pause may be the resting leg
  shifted out before the first rep (the segmenter takes it for the rest once a rep goes out from
  there and comes back there, and counts no hold there) as well as a low rep's hold: "still", no
  timer. Further out, "hold", timed: the first rep's hold.
- A leg held at a pause that goes on out has no hold there of its own: "out" until it stops
  again, where the timer shows the hold the rep will report (from the pause when it stopped near
  enough, else from where it stopped).

Knee extension on exact signals (tests/pipeline/synth.py), 50 Hz, fed 2 samples a packet (25 a
second, as a sensor notifies); a real UCI recording (25 Hz), its rep paused on the way out, fed a
sample a packet.
"""
from pathlib import Path

import numpy as np
import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples
from synth import min_jerk, random_setup, reps_then, samples_of_angle

KNEE = {"exercise": "knee_extension"}
UCI = Path(__file__).resolve().parents[3] / "shared" / "data" / "uci-pt-knee-extension" / "uci_s1_template.csv"


def shown(theta: np.ndarray, t: np.ndarray, meta: dict):
    """The reps, and after every packet: (its last sample's time s, phase, hold time shown s)."""
    samples = samples_of_angle(theta, t, *random_setup(4))
    pipeline, reps, status = Pipeline(meta=meta), [], []
    for packet in samples.chunks(2):
        reps += pipeline.update(packet)
        status.append((float(packet.t[-1]), pipeline.phase_, pipeline.hold_elapsed_s_))
    return reps + pipeline.finish(), status


def phases(status, t0: float, t1: float) -> set[str]:
    return {phase for t, phase, _ in status if t0 <= t <= t1}


def first_pause(then: str):
    """25 deg out at 3 s (1 s there), still there 5 s, then back to rest (``back``), or (``rep_from_there``)
    a rep from there to 60 deg and back there, and back to rest at 20 s."""
    t = np.arange(0.0, 26.0, 0.02)
    theta = 25 * min_jerk(t - 3.0)
    if then == "back":
        theta -= 25 * min_jerk(t - 9.0)
    else:
        theta += 35 * min_jerk((t - 9.0) / 1.2) - 35 * min_jerk((t - 12.2) / 1.2) - 25 * min_jerk(t - 20.0)
    return theta, t


@pytest.mark.parametrize("then", ["back", "rep_from_there"])
def test_a_pause_before_any_rep_under_half_the_prescribed_rom_shows_still(then):
    # prescribed 60 deg: a first pause at 25 deg shows "still", no timer (it showed "hold", timed
    # to 5 s). Back to rest from there, the segmenter counts a low rep with its 5-s hold; a rep from
    # there and back there makes it the rest the leg shifted to, whose 5 s are no rep's hold
    reps, status = shown(*first_pause(then), KNEE | {"target_rom_deg": 60.0})
    assert phases(status, 4.5, 8.9) == {"still"}
    assert max(held for t, _, held in status if t < 9.0) == 0.0
    counted = [r for r in reps if r.counted]
    if then == "back":
        assert len(counted) == 1 and counted[0].hold_s == pytest.approx(5.0, abs=0.1)
    else:
        assert [round(r.rom_deg) for r in counted] == [35]  # (from the pause: its time no hold)
        assert counted[0].start_s > 8.9


def test_without_a_prescription_the_floor_of_a_full_rep_is_the_one_expected():
    # no prescription: the knee's full rep is at least 30 deg (typical_rom_floor_deg), and a pause
    # at 25 deg lies over half that: "hold", timed to the hold the rep reports
    reps, status = shown(*first_pause("back"), KNEE)
    assert phases(status, 4.6, 8.9) == {"hold"}
    rep = next(r for r in reps if r.counted)
    assert rep.hold_s == pytest.approx(5.0, abs=0.1)
    assert [held for _, phase, held in status if phase == "hold"][-1] == pytest.approx(rep.hold_s, abs=0.3)


SETS = [(3.0, 60, 2.0), (10.0, 60, 2.0), (17.0, 60, 2.0)]  # three 60-deg reps held 2 s: the last peak 60
PAUSE_S, ON_S = 24.0, 29.0  # out to the pause in 1 s from 24 s, still there 4 s, on out at 29 s


def pause_then_on(pause_deg: float, on_s: float, hold_s: float = 3.0):
    """After SETS, a pause at ``pause_deg`` (over half the last peak), then on to 60 deg in ``on_s``
    from ON_S, held ``hold_s`` there, back in 1.2 s."""
    t, theta = reps_then(SETS, 44.0)
    theta += pause_deg * min_jerk(t - PAUSE_S) + (60.0 - pause_deg) * min_jerk((t - ON_S) / on_s)
    theta -= 60.0 * min_jerk((t - ON_S - on_s - hold_s) / 1.2)
    reps, status = shown(theta, t, KNEE)
    rep = next(r for r in reps if r.counted and PAUSE_S - 0.5 < r.start_s < PAUSE_S + 0.5)
    return rep, status


def test_a_hold_the_leg_goes_on_out_from_shows_out_and_the_timer_starts_again_where_it_stops():
    # a pause at 35 deg (over half the last 60) shows "hold", timed, as a partial rep's hold would
    # be; the leg goes on to 60 deg in 2 s: the pause is under hold_level_fraction of 60, so the
    # rep's hold is the 3 s at 60 deg. "Out" on the way (it showed "hold", the pause's 4.3 s,
    # until the leg passed 50 deg), then "hold" from 0 to the rep's 3 s
    rep, status = pause_then_on(35.0, on_s=2.0)
    assert rep.kind == "full" and rep.hold_s == pytest.approx(3.0, abs=0.1)
    assert phases(status, PAUSE_S + 1.5, ON_S) == {"hold"}
    assert phases(status, ON_S + 0.9, ON_S + 1.9) == {"out"}  # (gone beyond the pause's band: 0.86 s)
    top = [(t, held) for t, phase, held in status if phase == "hold" and t > ON_S + 1.0]
    assert top[0][1] < 0.5 and top[-1][1] == pytest.approx(rep.hold_s, abs=0.3)


def test_a_hold_the_leg_goes_on_out_from_a_little_shows_out_then_the_whole_hold_the_rep_reports():
    # a pause at 45 deg, on to 60 in 1 s: the pause is over hold_level_fraction of 60, so the rep's
    # hold starts at the pause (8 s). The view showed "hold" throughout, the leg moving 15 deg out
    # in it; now "out" while it moves, then "hold" with all the time since the pause
    rep, status = pause_then_on(45.0, on_s=1.0)
    assert rep.hold_s == pytest.approx(8.0, abs=0.1)
    assert "out" in phases(status, ON_S, ON_S + 1.0)
    after = [(t, held) for t, phase, held in status if phase == "hold" and t > ON_S]
    assert after[0][1] == pytest.approx(after[0][0] - rep.out_end_s, abs=0.5)
    assert after[-1][1] == pytest.approx(rep.hold_s, abs=0.3)


def paused_on_the_way_out(samples: Samples, at_s: float, pause_s: float, ramp_s: float = 0.4) -> Samples:
    """``samples`` time-warped so that the leg slows to a stop (min-jerk, over ``ramp_s``) where it
    was at ``at_s``, stays there ``pause_s`` and goes on as it did: real time runs at a rate w(t)
    from 1 down to 0 and back, the gyro scaled by it (the turn it integrates to is the recording's),
    the accelerometer read where real time is (its small linear part left as it was)."""
    dt, t0 = float(np.median(np.diff(samples.t))), float(samples.t[0])
    t = np.arange(0.0, float(samples.t[-1]) - t0 + pause_s + ramp_s, dt)
    down = at_s - t0 - ramp_s / 2  # (slowing down passes ramp_s / 2 of real time)
    rate = 1 - min_jerk((t - down) / ramp_s) + min_jerk((t - down - ramp_s - pause_s) / ramp_s)
    real = t0 + np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * dt)])
    keep = real <= samples.t[-1]
    real, rate, t = real[keep], rate[keep], t[keep]
    acc = np.column_stack([np.interp(real, samples.t, samples.acc[:, i]) for i in range(3)])
    gyr = np.column_stack([np.interp(real, samples.t, samples.gyr[:, i]) for i in range(3)]) * rate[:, None]
    return Samples(t + t0, acc, gyr)


@pytest.mark.skipif(not UCI.exists(), reason=f"no real recording at {UCI}")
@pytest.mark.parametrize("rep_index, at_deg, target_rom_deg, paused", [
    (0, 30.0, 90.0, "still"),  # the first rep, prescribed 90 deg: a pause under half of it
    (1, 45.0, None, "hold"),  # the second (after a 78-deg rep): the rep's hold is at its top
    (1, 62.0, None, "hold"),  # ... over hold_level_fraction of the rep's 85 deg: the hold starts at the pause
])
def test_a_real_rep_paused_on_its_way_out_shows_out_when_it_goes_on_then_the_hold_the_rep_reports(
        rep_index, at_deg, target_rom_deg, paused):
    # UCI subject 1's template (25 Hz), fed a sample a packet, its rep paused 4 s on its way out.
    # It showed "hold" at the first pause (prescribed 90 deg); from the 45-deg pause, "hold" again
    # with the pause's 4.2 s on the way on (18.3 s, 57 deg); from the 62-deg one, "hold" all the
    # way on out 22 deg
    rec = read_recording(UCI)
    meta = rec.meta.to_dict() | ({"target_rom_deg": target_rom_deg} if target_rom_deg else {})
    unpaused = Pipeline(meta=meta, keep_angle=True)
    rep = [r for r in unpaused.run(rec.samples) if r.counted][rep_index]
    trace = unpaused.angle_trace()
    at_s = float(trace[(trace[:, 0] >= rep.start_s) & (trace[:, 1] >= at_deg), 0][0])
    pause_s = 4.0
    pipeline, reps, status = Pipeline(meta=meta), [], []
    for packet in paused_on_the_way_out(rec.samples, at_s, pause_s).chunks(1):
        reps += pipeline.update(packet)
        status.append((float(packet.t[-1]), pipeline.phase_, pipeline.hold_elapsed_s_))
    reps += pipeline.finish()
    rep = [r for r in reps if r.counted][rep_index]
    stopped_s, on_s = at_s + 0.2, at_s + 0.2 + pause_s  # (in the paused recording's time)
    assert phases(status, stopped_s + 0.6, on_s - 0.1) == {paused}
    assert "out" in phases(status, on_s, on_s + 1.0)
    # once on its way on, no hold shown longer than the one the rep reports so far
    went_on_s = min(t for t, phase, _ in status if t > on_s and phase == "out")
    for t, phase, held in status:
        if went_on_s <= t <= rep.end_s and phase == "hold":
            assert held <= max(0.0, t - rep.out_end_s) + 0.05, f"{held:.2f} s hold shown at {t:.2f} s"
    assert [held for t, phase, held in status if phase == "hold" and t <= rep.end_s][-1] == pytest.approx(
        rep.hold_s, abs=0.3)

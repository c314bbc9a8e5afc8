"""The live view (``phase_``, ``angle_deg_``, ``hold_elapsed_s_``) where the leg is still at a pose
the segmenter has not judged yet: a low rep's long hold, or a resting pose shifted between sets.

Knee extension on exact signals (tests/pipeline/synth.py), 50 Hz, fed 2 samples a packet (25 a
second, as a sensor notifies). The last counted rep went 60 deg out, so a pose under 30 deg out is
one the segmenter takes for a shifted rest after ``rest_still_s`` (15 s) still there; a rep held
there less long is counted, with its hold; until the segmenter decides, the view shows "still",
without a hold timer, not "hold". The reps are the same whatever the view shows
(tests/pipeline/test_live_equals_batch.py).
"""
from pathlib import Path

import numpy as np
import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from synth import random_setup, reps_then, samples_of_angle

META = {"exercise": "knee_extension"}
SETS = [(3.0, 60, 2.0), (10.0, 60, 2.0), (17.0, 60, 2.0)]  # three 60-deg reps held 2 s, then what each test adds
#: a rep's phases (reps_then): out 1.2 s, the hold, back 1.2 s
PHASE_S = 1.2


def shown(moves, t_end_s: float):
    """The reps, and after every packet: (the last sample analysed's time s, phase, angle deg, hold time s)."""
    t, theta = reps_then(moves, t_end_s)
    samples = samples_of_angle(theta, t, *random_setup(4))
    pipeline, reps, status = Pipeline(meta=META), [], []
    for packet in samples.chunks(2):
        reps += pipeline.update(packet)
        status.append((pipeline.time_s_, pipeline.phase_, pipeline.angle_deg_, pipeline.hold_elapsed_s_))
    return reps + pipeline.finish(), status


def between(status, t0: float, t1: float):
    return [s for s in status if t0 <= s[0] <= t1]


@pytest.mark.parametrize("hold_s", [3.0, 8.0, 12.0])
def test_a_low_rep_held_is_shown_still_and_counted_with_its_hold(hold_s):
    # a 25-deg rep held 3 to 12 s: the segmenter counts it, with its hold (it came back before
    # rest_still_s). Until it comes back it may as well be the foot put down there (next test):
    # the view shows "still", no hold timer (it showed "hold", timed; in session 26 "rest" after 5 s)
    rep_s = 24.0
    reps, status = shown(SETS + [(rep_s, 25, hold_s), (rep_s + hold_s + 6.0, 60, 2.0)], rep_s + hold_s + 12.0)
    low = next(r for r in reps if r.counted and rep_s - 0.5 < r.start_s < rep_s + 0.5)
    assert low.kind == "partial" and low.hold_s == pytest.approx(hold_s, abs=0.1)
    held = between(status, rep_s + PHASE_S + 0.5, rep_s + PHASE_S + hold_s - 0.2)
    assert {phase for _, phase, _, _ in held} == {"still"}
    during = [s for s in status if low.start_s <= s[0] < low.end_s]  # (at its end sample the rep is over: "rest")
    assert [phase for _, phase, _, _ in during if phase != "still"][-1] == "return"
    assert max(held_s for *_, held_s in during) == 0.0


def test_a_pose_shifted_out_shows_still_then_rest_as_soon_as_the_segmenter_takes_it():
    # the resting leg shifted 20 deg out (under half the last rep's 60) at 24 s, for 20 s: until
    # the leg has been still there rest_still_s, it may be a low rep's hold (test above): "still",
    # no hold timer (it showed "hold", timed up to 14.7 s: a hold the patient was not doing); at
    # that very packet the segmenter ends the movement there (unreturned: no rep) and takes the
    # pose for the rest: "rest", the angle from it (0, not 20)
    reps, status = shown(SETS + [(24.0, 20), (45.0, 60, 2.0)], 52.0)
    shift = next(r for r in reps if r.kind == "rejected" and 23.5 < r.start_s < 24.5)
    rest_still_s = Pipeline(meta=META).config.rest_still_s
    assert shift.end_s == pytest.approx(25.0 + rest_still_s, abs=0.3)  # (decided there: still rest_still_s)
    undecided = between(status, 25.5, shift.end_s - 0.1)
    assert {phase for _, phase, _, _ in undecided} == {"still"}
    assert max(held_s for *_, held_s in undecided) == 0.0
    rested = between(status, shift.end_s + 0.05, 44.9)
    assert {phase for _, phase, _, _ in rested} == {"rest"}
    assert max(abs(angle) for _, _, angle, _ in rested) < 1.0
    counted = [r for r in reps if r.counted]
    assert len(counted) == 4 and counted[-1].rom_deg == pytest.approx(60.0, abs=2.0)


@pytest.mark.parametrize("rest_s", [6.0, 20.0])
def test_a_leg_resting_behind_its_rest_pose_shows_rest_and_the_angle_from_where_it_rests(rest_s):
    # the resting leg shifted 20 deg back: no rep holds there, so the view shows "rest" once the
    # leg has been quiet there rest_min_s (0.5 s), before the segmenter takes that pose for the
    # rest (when the leg leaves it); the angle shown is from that pose (it read -19 deg, from the
    # old rest), and the next rep's from it too, up to its 60 deg
    next_s = 25.0 + rest_s
    reps, status = shown(SETS + [(24.0, -20), (next_s, 60, 2.0)], next_s + 7.0)
    rested = between(status, 25.6, next_s - 0.1)
    assert {phase for _, phase, _, _ in rested} == {"rest"}
    assert max(abs(angle) for _, _, angle, _ in rested) < 1.0
    peak = max(angle for _, _, angle, _ in between(status, next_s, next_s + 2 * PHASE_S + 2.0))
    assert peak == pytest.approx(60.0, abs=2.0)
    assert [round(r.rom_deg) for r in reps if r.counted] == [60, 60, 60, 60]


def test_a_rep_from_a_pose_shifted_out_is_read_from_it_once_the_segmenter_splits_them():
    # the leg shifted 20 deg out and rested there 6 s (less than rest_still_s), then a 60-deg rep
    # went out and came back there: only then does the segmenter know the pose was a rest (a rep
    # paused on its way out would have come back to the old rest). Until then the view shows the
    # pose as "still" (a low rep's hold or a rest) and the rep from the old rest; from then on, at
    # rest there, angle 0
    reps, status = shown(SETS + [(24.0, 20), (31.0, 60, 2.0), (38.0, 60, 2.0)], 45.0)
    assert [round(r.rom_deg) for r in reps if r.counted] == [60, 60, 60, 60, 60]
    assert {phase for _, phase, _, _ in between(status, 25.5, 30.9)} == {"still"}
    split = next(t for t, phase, _, _ in status if t > 35.0 and phase == "rest")
    assert split < 38.0
    assert max(abs(angle) for _, _, angle, _ in between(status, split, 38.0)) < 1.0
    peak = max(angle for _, _, angle, _ in between(status, 38.0, 42.0))
    assert peak == pytest.approx(60.0, abs=2.0)


DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
UCI = DATA / "uci-pt-knee-extension"
needs_real = pytest.mark.skipif(not (UCI / "labels.json").exists(), reason=f"no real recordings at {DATA}")


def shifted_rests(reps):
    """The rests ``rests_shifted`` shifts (between counted reps, ``MIN_SHIFT_REST_S`` or longer):
    when the shift ended (s), 1 s before the next rep, and the way it went (+1 out the way the
    reps go first, then -1 back, in turn)."""
    from sensorkit.robustness import DRIFT_MARGIN_S, MIN_SHIFT_REST_S, SHIFT_S
    counted, rests, sign = [r for r in reps if r.counted], [], 1.0
    for before, after in zip(counted, counted[1:]):
        if after.start_s - before.end_s >= MIN_SHIFT_REST_S:
            rests.append((before.end_s + DRIFT_MARGIN_S + SHIFT_S, after.start_s - 1.0, sign))
            sign = -sign
    return rests


@needs_real
@pytest.mark.parametrize("shift_deg", [20.0, -20.0])
def test_a_real_leg_resting_in_a_shifted_pose(shift_deg):
    """UCI subject 1's session, the resting leg put down 20 deg further out in its long rests (20-40
    s, between sets) and back at the next, or back first; fed 25 packets a second. Put back: "rest"
    once quiet there 0.5 s, the angle from that pose. Put out (under half the last rep's peak):
    "still", no hold timer (it may be a low rep's hold; it was timed as one, "hold" for up to 14 s),
    until the segmenter, the leg still there ``rest_still_s``, takes the pose for the rest; "rest"
    from then on, the angle from it."""
    from sensorkit.robustness import rests_shifted
    recording = read_recording(UCI / "uci_s1_test.csv")
    meta = recording.meta.to_dict()
    base = Pipeline(meta=meta).run(recording.samples)
    samples = rests_shifted(recording.samples, base, shift_deg)
    pipeline, reps, status = Pipeline(meta=meta), [], []
    per_packet = round(1.0 / (25.0 * float(np.median(np.diff(samples.t[:100])))))
    for packet in samples.chunks(per_packet):
        reps += pipeline.update(packet)
        status.append((pipeline.time_s_, pipeline.phase_, pipeline.angle_deg_, pipeline.hold_elapsed_s_))
    assert sum(r.counted for r in reps + pipeline.finish()) == 30
    cfg = pipeline.config
    rests = shifted_rests(base)
    assert len(rests) >= 2 and {sign for *_, sign in rests} == {1.0, -1.0}
    for shifted_s, next_s, sign in rests:
        out = sign * shift_deg > 0
        if out:
            held = between(status, shifted_s + 2.0, shifted_s + cfg.rest_still_s - 0.5)
            assert {phase for _, phase, _, _ in held} == {"still"}, f"{shifted_s:.1f}-{next_s:.1f} s"
            assert max(held_s for *_, held_s in held) == 0.0
        rested = between(status, shifted_s + (cfg.rest_still_s if out else cfg.rest_min_s) + 0.5, next_s)
        assert {phase for _, phase, _, _ in rested} == {"rest"}, f"{shifted_s:.1f}-{next_s:.1f} s"
        assert max(abs(angle) for _, _, angle, _ in rested) < cfg.start_deg

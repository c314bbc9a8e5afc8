"""A gap bridged during a leg shake: the straight fill misses part of the turn; once the leg is quiet
again the inclination is re-anchored to the accelerometer, so the next rep is read from the right rest."""
import math
import pickle

import numpy as np
import pytest

from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.motion import ANCHOR_PIECE_S, MotionTracker
from sensorkit.pipeline.pipeline import Pipeline
from sensorkit.samples import Samples

from synth import random_setup, reps_then, samples_of_angle

FS_HZ = 50.0


def _shake_then_reps(rep_at_s: float, lost_from: int, seed: int = 3, lost: int = 8) -> Samples:
    """Rest, a 5 Hz heel bounce of 4° from 3 to 5 s with ``lost`` samples lost from sample
    ``lost_from`` on (inside it), then two 30° reps held 1 s, the first at ``rep_at_s``."""
    t, theta = reps_then([(rep_at_s, 30.0, 1.0), (rep_at_s + 6.0, 30.0, 1.0)], rep_at_s + 12.0, FS_HZ)
    shake = np.where((t >= 3.0) & (t < 5.0), 4.0 * np.sin(2 * np.pi * 5.0 * (t - 3.0)), 0.0)
    axis, g_rest = random_setup(seed)
    samples = samples_of_angle(theta + shake, t, axis, g_rest)
    keep = np.ones(len(t), dtype=bool)
    keep[lost_from:lost_from + lost] = False
    return samples[np.flatnonzero(keep)]


def _vertical_off_deg(samples: Samples, at_s: float, tracker: MotionTracker | None = None) -> float:
    """How far (deg) the tracker's vertical is from the accelerometer's at ``at_s`` (the leg still)."""
    filler = GapFiller(FS_HZ, max_fill_s=1.0)
    filled = filler(samples)
    tracker = tracker or MotionTracker(FS_HZ, 5.0, 3.0)
    up = tracker.update(filled.t, filled.acc, filled.gyr, filler.inserted).up
    i = int(np.searchsorted(filled.t, at_s))
    acc = filled.acc[i] / np.linalg.norm(filled.acc[i])
    return float(np.degrees(np.arccos(np.clip(up[i] @ acc, -1.0, 1.0))))


@pytest.mark.parametrize("lost_from", [152, 160, 170])
def test_the_vertical_is_right_again_once_the_leg_is_quiet_after_a_shake_with_lost_samples(lost_from):
    # 8 samples (0.16 s) lost across a 5 Hz bounce: the straight fill misses 8-14 deg of turn, which
    # VQF's accelerometer low-pass (3 s) would carry for seconds (4.5 deg off 2 s after the shake);
    # re-anchored once quiet 0.3 s, it reads within 0.5 deg from then on
    samples = _shake_then_reps(rep_at_s=8.0, lost_from=lost_from)
    for at_s in (5.8, 7.0, 7.9):
        assert _vertical_off_deg(samples, at_s) < 0.5


def _told_of_the_gap(rep: tuple[float, float, float], lost_s: tuple[float, float]) -> tuple[MotionTracker, bool]:
    """One rep (start s, ROM deg, hold s) in 10 s with the samples in ``lost_s`` lost and bridged:
    the tracker told of the made-up rows, and whether its verticals equal one's not told."""
    t, theta = reps_then([rep], 10.0, FS_HZ)
    axis, g_rest = random_setup(3)
    samples = samples_of_angle(theta, t, axis, g_rest)
    lost = samples[np.flatnonzero((t < lost_s[0]) | (t >= lost_s[1]))]
    filler = GapFiller(FS_HZ, max_fill_s=1.0)
    filled = filler(lost)
    told, untold = MotionTracker(FS_HZ, 5.0, 3.0), MotionTracker(FS_HZ, 5.0, 3.0)
    with_gaps = told.update(filled.t, filled.acc, filled.gyr, filler.inserted)
    return told, np.array_equal(with_gaps.up, untold.update(filled.t, filled.acc, filled.gyr).up)


def test_a_gap_bridged_at_rest_changes_nothing():
    told, same = _told_of_the_gap((4.0, 30.0, 1.0), (2.0, 2.2))  # 0.2 s lost while the leg rests
    assert same and told.reanchored == 0


@pytest.mark.parametrize("rep_at_s, lost_from", [(5.6, 170), (6.0, 152), (6.0, 160)])
def test_a_rep_soon_after_a_shake_with_lost_samples_is_measured_from_the_right_rest(rep_at_s, lost_from):
    # before: the rest after the shake was read 8-14 deg off, and the first rep came out 27.5 deg
    # (the shake's end run into it) or a partial of 19.4 deg
    reps = Pipeline(meta={"exercise": "hip_external_rotation"}).run(_shake_then_reps(rep_at_s, lost_from))
    counted = [r for r in reps if r.kind != "rejected"]
    assert [r.kind for r in counted] == ["full", "full"]
    assert [r.rom_deg for r in counted] == pytest.approx([30.0, 30.0], abs=1.0)


@pytest.mark.parametrize("packet", [1, 7, 64])
def test_the_re_anchoring_is_the_same_packet_by_packet_and_after_a_pickle(packet):
    samples = _shake_then_reps(6.0, 160)
    batch = Pipeline(meta={"exercise": "hip_external_rotation"})
    expected = batch.run(samples)
    assert batch._motion.reanchored == 1
    live = Pipeline(meta={"exercise": "hip_external_rotation"})
    got = []
    for i, chunk in enumerate(samples.chunks(packet)):
        got += live.update(chunk)
        if i * packet < 260 <= (i + 1) * packet:  # mid-shake, the re-anchoring due: checkpointed and resumed
            live = pickle.loads(pickle.dumps(live))
    got += live.finish()
    assert list(map(repr, got)) == list(map(repr, expected))  # bit for bit (repr: nan == nan)


def test_a_gap_inside_an_ordinary_rep_leaves_the_vertical_to_the_filter():
    # a smooth rep's rate is near its straight fill: once quiet at the top, the vertical is well
    # within MIN_TURN_DEG of the accelerometer's, which its own bias could explain: no re-anchoring
    told, same = _told_of_the_gap((3.0, 40.0, 2.0), (3.5, 3.66))  # 8 samples lost on the way out
    assert same and told.reanchored == 0


def _rows_run(monkeypatch, samples: Samples) -> tuple[list[int], list[int], int]:
    """(the rows of each run of the orientation filter, of each block the pipeline gave stage 1,
    re-anchorings that turned the vertical) for a whole recording."""
    ran, given = [], []
    real, real_update = MotionTracker._update, MotionTracker.update
    monkeypatch.setattr(MotionTracker, "_update", lambda self, t, *a: (ran.append(len(t)), real(self, t, *a))[1])
    monkeypatch.setattr(MotionTracker, "update", lambda self, t, *a: (given.append(len(t)), real_update(self, t, *a))[1])
    pipeline = Pipeline(meta={"exercise": "hip_external_rotation"})
    pipeline.run(samples)
    return ran, given, pipeline._motion.reanchored


def _repeated(one: Samples, times: int) -> Samples:
    span_s = one.t[-1] - one.t[0] + 1.0 / FS_HZ
    return Samples.concat([Samples(one.t + i * span_s, one.acc, one.gyr) for i in range(times)])


def test_a_block_with_many_gaps_in_motion_runs_each_row_once_when_no_re_anchoring_turns(monkeypatch):
    # the search for the re-anchoring point ran the whole rest of the block again after each gap
    # bridged in motion (a 10-minute block with a gap in every rep: quadratic); later each gap's
    # anchor was foreseen and the block cut there (a piece and a filter pass per gap). An anchor at
    # which the vertical is already right (most: a gap in an ordinary rep) now costs no second run
    t, theta = reps_then([(3.0, 40.0, 2.0)], 10.0, FS_HZ)
    axis, g_rest = random_setup(3)
    one = samples_of_angle(theta, t, axis, g_rest)
    one = one[np.flatnonzero((t < 3.5) | (t >= 3.66))]  # 8 samples lost on the way out
    runs, given, turned = _rows_run(monkeypatch, _repeated(one, 30))
    assert turned == 0
    assert sum(runs) == sum(given) > 30 * len(one)  # (the lost rows filled in)
    # (pieces of ANCHOR_PIECE_S in each block given, at the rate the pipeline estimates, not one per gap)
    assert len(runs) <= sum(math.ceil(n / (0.99 * ANCHOR_PIECE_S * FS_HZ)) for n in given)


def test_a_block_with_many_re_anchorings_runs_again_at_most_a_piece_for_each(monkeypatch):
    # a re-anchoring that turns the vertical runs its piece again up to it: at most ANCHOR_PIECE_S
    # of rows run twice for each (12 in 3.6 minutes here), never the rest of the block
    runs, given, turned = _rows_run(monkeypatch, _repeated(_shake_then_reps(rep_at_s=6.0, lost_from=160), 12))
    assert turned == 12
    assert sum(runs) <= sum(given) + turned * ANCHOR_PIECE_S * FS_HZ

"""A series of quick reps without rests (sensorkit.pipeline.series): each rep's range is read from
the bottom of the swing before it, alike at every sample rate."""
import warnings

import numpy as np
import pytest

from sensorkit.accuracy import Truth, match
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.rep import COUNTED_KINDS
from sensorkit.pipeline.series import Chain, link
from sensorkit.sim import simulate_session
from synth import min_jerk, random_setup, samples_of_angle, samples_of_two_turns


def _rom_errors(seed, exercise, rate_hz):
    """Per counted rep matched to a true one: measured minus true ROM (deg; the simulator's truth is
    the peak above the angle the rep started at, the bottom of the swing before in a series)."""
    s = simulate_session(seed, exercise=exercise, sample_rate_hz=rate_hz)
    reps = Pipeline(meta=s.meta).run(s.samples)
    truth = [Truth(m.kind, m.start_s, m.end_s, m.rom_deg, m.hold_s) for m in s.truth]
    return np.array([reps[i].rom_deg - truth[j].rom_deg for i, j in match(reps, truth)
                     if reps[i].kind in COUNTED_KINDS and truth[j].kind in COUNTED_KINDS])


@pytest.mark.parametrize("rate_hz", [25.0, 50.0, 200.0])
def test_quick_knee_extensions_without_rests_read_their_range_at_any_rate(rate_hz):
    # seed 603: 21 quick reps in series, each swinging 5-12 deg behind the rest pose before the
    # next; read from the orientation filter's angle at each start they were 6.5 deg RMSE off at
    # 25 Hz and 1.2 at 200 Hz
    errors = _rom_errors(603, "knee_extension", rate_hz)
    assert len(errors) == 21
    assert np.sqrt(np.mean(errors**2)) < 1.5, errors.round(1)


def test_quick_hip_rotations_without_rests_read_their_range_at_50_hz():
    errors = _rom_errors(508, "hip_external_rotation", 50.0)  # (was 2.95 deg RMSE)
    assert len(errors) == 19
    assert np.sqrt(np.mean(errors**2)) < 1.5, errors.round(1)


# -- what the turn through a series must not carry (found by review) --

FS_HZ = 50.0


def _turns(t, moves, t0):
    """An angle (deg) at ``t`` from ``moves``: (turn in deg, duration in s, pause after in s), from ``t0``."""
    theta, at = np.zeros_like(t), t0
    for turn, duration, pause in moves:
        theta += turn * min_jerk((t - at) / duration)
        at += duration + pause
    return theta


def test_a_kick_about_another_axis_before_a_series_is_no_part_of_its_first_range():
    # the session opens with a 60-deg kick across the leg, rests 0.3 s, then quick reps of 40 deg
    # that swing 8 deg behind the rest before the next: 48 deg each from the swing's bottom
    t = np.arange(0.0, 40.0, 1.0 / FS_HZ)
    across = _turns(t, [(60, 0.8, 0.0), (-60, 0.8, 0.3)], 2.0)
    theta = _turns(t, [(40, 0.8, 0.2), (-48, 0.8, 0.0)] + [(48, 0.8, 0.2), (-48, 0.8, 0.0)] * 4 + [(8, 0.5, 4.0)],
                   3.9)
    reps = [r for r in Pipeline().run(samples_of_two_turns(theta, across, t, *random_setup(3))) if r.counted]
    assert len(reps) == 5
    assert [r.rom_deg for r in reps] == pytest.approx([40.0, 48.0, 48.0, 48.0, 48.0], abs=2.0)


def test_a_rejected_kick_does_not_lend_its_low_to_the_rep_after_it():
    # hip ER: 40-deg reps; a kick across the leg turning 30 deg behind the rest about the rep's axis
    # too (rejected: another axis), and straight into a 40-deg rep from rest
    t = np.arange(0.0, 36.0, 1.0 / FS_HZ)
    theta = _turns(t, [(40, 1.0, 1.5), (-40, 1.0, 3.0)] * 3, 2.0)
    theta += _turns(t, [(-30, 0.8, 0.0), (30, 0.8, 0.0)], 19.5)
    across = _turns(t, [(50, 0.8, 0.0), (-50, 0.8, 0.0)], 19.5)
    theta += _turns(t, [(40, 0.8, 0.2), (-40, 0.8, 4.0)], 21.1)
    reps = Pipeline().run(samples_of_two_turns(theta, across, t, *random_setup(3)))
    after = [r for r in reps if r.counted and r.start_s > 20.5]
    assert len(after) == 1 and after[0].rom_deg == pytest.approx(40.0, abs=2.0)


def test_nothing_is_integrated_across_a_reconnect():
    # knee extensions in series (1.5-s swings); the samples from mid-swing out to mid-swing out two
    # swings later lost (a reconnect, 3.1 s): no rep after it ranges over the turns the gap hid (the
    # chain once carried them across: 234 deg)
    t = np.arange(0.0, 50.0, 1.0 / FS_HZ)
    moves = ([(40, 1.0, 1.5), (-40, 1.0, 3.0)] * 2 + [(40, 1.5, 0.1), (-48, 1.5, 0.0)]
             + [(48, 1.5, 0.1), (-48, 1.5, 0.0)] * 5 + [(8, 0.5, 4.0)] + [(40, 1.0, 1.5), (-40, 1.0, 3.0)] * 2)
    theta = _turns(t, moves, 2.0)
    starts = 2.0 + np.cumsum([0.0] + [duration + pause for _, duration, pause in moves])
    lost = (t >= starts[6] + 0.75) & (t <= starts[8] + 0.75)
    s = samples_of_angle(theta, t, *random_setup(3))
    reps = Pipeline(meta={"exercise": "knee_extension"}).run(s[~lost])
    assert max(r.rom_deg for r in reps if r.counted) < 55.0


def test_after_a_reconnect_mid_series_the_swing_under_way_is_no_rep_and_the_next_ones_count():
    # the data stops mid-series and resumes 1.5 s later mid-swing. What began before the data
    # resumed is no rep ("began before the leg was seen at rest after a gap") and votes for no
    # axis. (Before session 13 the sample the data resumed at was the rest, its movements voted the
    # exercise's axis the other way round and every later rep of the session was "swung the other
    # way"; before session 15 nothing counted until the leg had rested: the series' three later
    # swings were lost. The rest before the gap is kept now: once the leg is back from the swing
    # under way, near it, the swings count.)
    t = np.arange(0.0, 40.0, 1.0 / FS_HZ)
    anchored = [(40, 1.0, 1.5), (-40, 1.0, 3.0)] * 2
    moves = anchored + [(40, 0.8, 0.1), (-48, 0.8, 0.0)] + [(48, 0.8, 0.1), (-48, 0.8, 0.0)] * 5 + [(8, 0.5, 4.0)] + anchored
    theta = _turns(t, moves, 2.0)
    starts = 2.0 + np.cumsum([0.0] + [duration + pause for _, duration, pause in moves])
    resumed = starts[7] + 1.85
    lost = (t >= starts[7] + 0.35) & (t <= resumed)
    reps = Pipeline(meta={"exercise": "knee_extension"}).run(samples_of_angle(theta, t, *random_setup(3))[~lost])
    resumed_in = [r for r in reps if resumed - 0.1 < r.start_s < starts[8] + 1.6]
    assert [r.reason for r in resumed_in] == ["began before the leg was seen at rest after a gap in the data"]
    swings = [r for r in reps if starts[10] - 0.5 < r.start_s < starts[16] - 0.5]
    assert [r.kind for r in swings] == ["full"] * 3
    assert all(abs(r.rom_deg - 48) < 4 for r in swings)
    after_rest = [r for r in reps if r.start_s > starts[-5] - 0.5]
    assert [(r.kind, round(r.rom_deg)) for r in after_rest] == [("full", 40), ("full", 40)]


def test_a_set_after_quick_reps_is_read_from_where_the_leg_rests_not_where_the_filter_stood():
    # seed 948 at 26 Hz: quick hip rotations in series end at 57 s; the orientation filter, pulled
    # 7 deg off by them, converges back over the next seconds while the leg rests (its rest pose
    # drifts 3.6 deg in 29 s). Taken for a small rep out in steps (each under start_deg), that
    # reached the knee-out set at 86 s: it was read from the pose where the filter stood at 58 s,
    # every rep "swung the other way". The accelerometer, read where the leg is quiet, says it
    # turned 3 deg: no step out, and the set counts.
    s = simulate_session(948, sample_rate_hz=26.0)
    reps = Pipeline(meta=s.meta).run(s.samples)
    truth = [m for m in s.truth if m.kind == "knee_out" and 86.0 <= m.start_s < 99.0]
    counted = [r for r in reps if r.kind == "knee_out" and 85.5 <= r.start_s < 99.0]
    assert len(truth) == len(counted) == 11


def _knee_out_set(seed, t0_s, t1_s, margin_s=0.5):
    """A simulated development session of knee-out sets: its true reps starting between ``t0_s``
    and ``t1_s`` (s), and the movements found starting within ``margin_s`` of that span."""
    s = simulate_session(seed, set_kinds=("knee_out", "knee_out"))
    truth = [m for m in s.truth if m.counted and t0_s <= m.start_s <= t1_s]
    found = [r for r in Pipeline(meta=s.meta).run(s.samples) if t0_s - margin_s <= r.start_s <= t1_s + margin_s]
    return truth, found


def test_a_knee_out_series_whose_reps_rise_at_once_from_where_the_last_ended_is_not_read_from_a_hold():
    # simulated development seed 460 (25 Hz), knee-out sets: from 110 s, twelve 8-14 deg knee-outs
    # with no rest between them. A rep ended quiet at its bottom, 2 deg past the pose it started
    # from, and the next rose at once, 5 deg from that pose: no movement yet, and the leg quiet at
    # the top took the rest pose along. Every later rep was read from a hold ("swung the other
    # way", 2 of 12 counted). The pose a movement ends at, quiet, is where the leg came back to:
    # the step out from there is a movement out and back (the rule for small reps out in steps).
    truth, found = _knee_out_set(460, 110.0, 136.5, margin_s=1.0)
    counted = [r for r in found if r.counted]
    assert len(truth) == 12
    assert len(counted) >= 10  # (the last two are still lost: the set ends with the leg not at rest)
    assert all(r.kind == "knee_out" for r in counted)


def test_a_knee_out_series_swinging_below_the_rest_pose_before_it_is_counted():
    # simulated development seed 719 (26 Hz), knee-out sets: from 40 s, eight 14-18 deg knee-outs
    # with no rest between them, whose bottoms lie 5-6 deg below the pose the leg rested at before
    # the set. Each rep swings back through that rest pose and on behind it, further than 0.6 of the
    # rep's peak above that pose (but not as far): that backswing was taken for the next rep (a swing
    # past rest that grows), read "swung the other way", and every later rep from a pose at a top (0
    # of 8 counted). Behind the rest pose, only a swing further than the rep went out is the next
    # movement; a smaller one is the rep's backswing.
    truth, found = _knee_out_set(719, 40.0, 52.0, margin_s=0.0)
    assert len(truth) == 8
    assert [r.kind for r in found] == ["knee_out"] * 8
    assert np.median([abs(r.rom_deg - t.rom_deg) for r, t in zip(found, truth)]) < 1.5


def test_a_resting_leg_drifting_back_is_no_small_rep_out_in_steps():
    # simulated development seed 494 (52 Hz), knee-out sets: after the rep at 74 s the resting leg
    # drifts 4.3 deg back (away from where the reps go) over 18 s, quiet all along. That drift was
    # taken for a small rep out in steps, and the next rep, pausing on its way out where the leg had
    # rested before the drift, for the way back: the rep was cut there, "too small". A step out is
    # out the way the last counted rep went.
    truth, found = _knee_out_set(494, 98.0, 99.0)
    counted = [r for r in found if r.counted]
    assert len(truth) == len(counted) == 1
    assert counted[0].kind == "knee_out"
    assert counted[0].rom_deg == pytest.approx(truth[0].rom_deg, abs=1.5)


def test_a_small_rep_returning_slower_than_still_gyr_dps_is_not_settled_part_way_down():
    # simulated development seed 469 (100 Hz), knee-out sets: a 13-deg knee-out whose hold sags
    # and whose return is slow (about 4 deg/s: "still" by speed) was taken, 1 s into the sag and
    # return, for a leg settled at a new pose under half its peak; the rest of the way down read
    # as "swung the other way", and the next three reps were read from there. A settled leg no
    # longer turns (under onset_deg in settle_s, by the vertical or by the rate summed).
    truth, found = _knee_out_set(469, 12.0, 40.0, margin_s=0.0)
    assert len(truth) == 4
    assert [r.kind for r in found] == ["knee_out"] * 4


def test_a_hold_sagging_past_a_pose_given_up_on_a_slow_way_back_is_still_a_rep():
    # simulated development seed 509 (26 Hz), knee-out sets: a rep's slow return (about 6 deg/s)
    # was quiet for a moment half way down, where the rep ended; the rest of the way down gave the
    # rest pose back and kept the half-way pose as one the leg might come back to (a hold shifted
    # sideways). The next rep's hold sagged past that pose, quiet, and was cut there ("did not
    # return to rest"). Coming back to a pose given up means going no further from the rest pose
    # than that pose lies.
    truth, found = _knee_out_set(509, 60.0, 61.0)
    counted = [r for r in found if r.counted]
    assert len(truth) == len(counted) == 1
    assert counted[0].kind == "knee_out"


def test_a_movement_of_one_sample_continues_the_chain_without_a_warning():
    # found by combining changes of the real recordings (strap, leg, tempo, rate, bias, noise): a
    # window of one sample has no sample period, and its median of no intervals warned "Mean of
    # empty slice" (the chain went on, as it does now)
    chain = Chain(np.array([1.0, 0.0, 0.0]), 10.0, np.zeros(3), 0.98)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = link(chain, np.array([1.0]), np.zeros((1, 3)), None, 0, None, np.zeros(1), np.zeros(1))
    assert one is not None and one.end.angle_deg == pytest.approx(10.0)


def test_a_series_begun_with_a_swing_behind_the_rest_pose_counts_from_its_first_swing_forward():
    # knee extension: a 42-deg swing behind the rest pose (a wind-up), then 6 swings forward to 70
    # deg above rest and back to 49 behind it, at 1.2 s a swing, then rest. The wind-up, the first
    # rep-shaped movement, set the exercise's axis the wrong way round: it was counted, and the
    # forward swings after it read "swung the other way" until their votes turned the axis
    t = np.arange(0.0, 20.0, 1.0 / FS_HZ)
    swings = [(-42, 0.5, 0.0), (112, 0.7, 0.0)] + [(-119, 0.6, 0.0), (119, 0.6, 0.0)] * 5 + [(-70, 0.7, 3.0)]
    theta = _turns(t, swings, 2.0)
    reps = Pipeline(meta={"exercise": "knee_extension"}).run(samples_of_angle(theta, t, *random_setup(5)))
    counted = [r for r in reps if r.counted]
    assert len(counted) == 6
    assert reps[0].kind == "rejected" and "the other way" in reps[0].reason  # the wind-up
    assert counted[0].start_s > 2.3  # (the wind-up ends at 2.5 s, the first swing forward peaks at 2.85 s)
    assert [r.rom_deg for r in counted] == pytest.approx([112.0] + [119.0] * 5, abs=4.0)


def test_the_angle_trace_of_such_a_series_is_drawn_the_way_the_exercise_goes_from_its_start():
    # (the trace was drawn about the axis in force at each sample: the wind-up up, the first swing
    # forward down, then a jump)
    t = np.arange(0.0, 20.0, 1.0 / FS_HZ)
    swings = [(-42, 0.5, 0.0), (112, 0.7, 0.0)] + [(-119, 0.6, 0.0), (119, 0.6, 0.0)] * 5 + [(-70, 0.7, 3.0)]
    theta = _turns(t, swings, 2.0)
    pipeline = Pipeline(meta={"exercise": "knee_extension"}, keep_angle=True)
    pipeline.run(samples_of_angle(theta, t, *random_setup(5)))
    trace = pipeline.angle_trace()
    assert np.array_equal(trace[:, 0], t)
    # within what the orientation filter is pulled by the swings' acceleration (8 deg at their ends)
    assert np.abs(trace[:, 1] - theta).max() < 10.0
    assert np.abs(trace[t < 2.6, 1] - theta[t < 2.6]).max() < 4.0  # the wind-up, drawn behind the rest

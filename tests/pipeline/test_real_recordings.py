"""Real recordings are the judge: every labelled real session counted exactly (issue 12 targets).

The recordings live in ``../shared/data`` beside the repository (UCI "Physical Therapy Exercises"
knee extension, 3 subjects, and PHYTMO continuous knee flexion-extension; each folder's README gives
source, licence and labels). Users of the package do not have them: the tests skip without them.
Targets: every session counted exactly (UCI: 30 per test session, 9 per template, 0 on the other
ankle; PHYTMO: 10 per series, 10 or 11 for the incorrect one, whose small 11th swing may count);
kind and tempo right on at least 95 % of the labelled UCI reps.
"""
from pathlib import Path

import numpy as np
import pytest

from sensorkit.accuracy import read_labels, score_real, score_real_folder
from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.robustness import (GapOutcome, combined_perturbations, compare_reps, done_with_range, holds_longer,
                                  holds_wobblier, label_in_time, rests_drifting, rests_shifted,
                                  returns_in_two_stages, reps_around_gap, reps_with_longer_holds,
                                  reps_with_shorter_rests, resampled, rests_shorter, standard_perturbations,
                                  with_gap, with_knocks)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
UCI, PHYTMO = DATA / "uci-pt-knee-extension", DATA / "phytmo-knee-flexion-extension"
pytestmark = pytest.mark.skipif(not (UCI / "labels.json").exists(), reason=f"no real recordings at {DATA}")


@pytest.fixture(scope="module")
def uci():
    return score_real_folder(UCI)


def test_every_uci_session_is_counted_exactly(uci):
    sessions, _ = uci
    assert len(sessions) == 9
    assert [(s["recording"], s["counted"]) for s in sessions] == [(s["recording"], s["truth"]) for s in sessions]


def test_every_uci_set_is_counted_and_its_kind_and_tempo_are_right(uci):
    _, sets = uci
    assert [s["counted"] for s in sets] == [s["truth"] for s in sets]
    labelled = sum(s["labelled"] for s in sets)
    assert labelled == 3 * 30 + 3 * 9
    assert sum(s["kind_ok"] for s in sets) >= 0.95 * labelled
    assert sum(s["tempo_ok"] for s in sets) >= 0.95 * labelled


def test_fast_reps_are_the_short_ones_and_low_amplitude_reps_are_held(uci):
    _, sets = uci
    for s in sets:
        if s["execution"] == "fast":
            assert s["hold_median_s"] < 1.5
        else:
            assert s["hold_median_s"] > 1.5


def test_continuous_series_are_split_into_their_reps():
    sessions, _ = score_real_folder(PHYTMO)
    for s in sessions:  # (10, or 11 for the incorrect one: sensorkit.accuracy.ALSO_RIGHT)
        assert s["exact"] and s["counted"] in (10, 11), s


def test_a_series_begun_with_a_swing_behind_the_rest_pose_counts_each_labelled_rep():
    # PHYTMO's incorrect series begins with a 42-deg swing behind the rest pose, then swings forward.
    # The swing behind, the first rep-shaped movement, set the exercise's axis the wrong way round:
    # it was counted, and the next two forward swings were read "swung the other way" (10 was
    # reached only with the small 11th swing). Each labelled rep now holds one counted rep.
    name = "phytmo_b05kfel1_1"
    reps = _reps(PHYTMO / f"{name}.csv")
    counted = [r for r in reps if r.counted]
    windows = read_labels(PHYTMO)[name]["reps"]
    for w in windows:
        assert sum(w["start_s"] <= 0.5 * (r.start_s + r.end_s) <= w["end_s"] for r in counted) == 1, w
    assert reps[0].kind == "rejected" and "the other way" in reps[0].reason
    assert reps[0].end_s < windows[0]["end_s"]



def test_the_small_incomplete_swing_after_the_incorrect_series_is_no_rep():
    # PHYTMO's incorrect series ends with an 11th swing that rises 14 deg above the rest pose (0.18
    # of the typical 79 deg; 51 deg from the backswing before it) and falls straight back: no hold,
    # under min_rep_fraction. It counted as partial (11, which the labels also accept); the
    # smallest real rep reaches 0.53 of its session's typical range
    name = "phytmo_b05kfel1_1"
    reps = _reps(PHYTMO / f"{name}.csv")
    last_labelled_end_s = read_labels(PHYTMO)[name]["reps"][-1]["end_s"]
    after = [r for r in reps if r.start_s > last_labelled_end_s]
    assert sum(r.counted for r in reps) == 10
    assert [r.reason.split(" (")[0] for r in after] == ["too small for a rep, not held"]

# -- the same sessions changed in ways that must not change what was done (sensorkit.robustness) --

def _reps(path, change=None):
    rec = read_recording(path)
    samples = rec.samples if change is None else change(rec.samples)
    return Pipeline(meta=rec.meta.to_dict() | {"sample_rate_hz": float(round(samples.sample_rate_hz))}).run(samples)


STRAP_AND_LEG = [p for p in standard_perturbations(rotations=3) if p.family in ("strap", "other leg")]


@pytest.mark.parametrize("change", STRAP_AND_LEG, ids=lambda p: p.name)
def test_how_the_strap_sits_and_which_leg_change_nothing(change):
    for folder in (UCI, PHYTMO):
        for name, label in read_labels(folder).items():
            base, turned = _reps(folder / f"{name}.csv"), _reps(folder / f"{name}.csv", change.apply)
            assert score_real(turned, label)[0]["exact"], name
            moved = compare_reps(base, turned)
            assert moved.counted_after == moved.counted_before and all(moved.same_kind) and all(moved.same_tempo), name
            assert max(map(abs, moved.rom_change_deg), default=0.0) < 3.0, name


@pytest.mark.parametrize("name", ["phytmo_b05kfel0_2", "phytmo_b05kfel1_1", "phytmo_e01kfer0_1"])
def test_a_continuous_series_has_one_tempo_from_its_first_rep_to_its_last(name):
    # 10 swings at one pace (1.2-1.6 s, no hold): the same verdict for each, "fast" (they skip the
    # hold a controlled knee extension has), not three "fast" and then seven "normal"
    reps = [r for r in _reps(PHYTMO / f"{name}.csv") if r.kind != "rejected"]
    assert len(reps) == 10 and {r.tempo for r in reps} == {"fast"}


@pytest.mark.parametrize("rate_hz", [50, 200])
def test_continuous_swings_are_read_alike_at_any_sample_rate(rate_hz):
    # a swing's turnaround behind the rest pose is quiet for 1-3 samples at 100-200 Hz, none at
    # 25 Hz, and is taken for the rest there: each swing's range is read through the series
    # (sensorkit.pipeline.series), not from whichever pose was taken for the rest
    for name in ("phytmo_b05kfel0_2", "phytmo_e01kfer0_1"):
        path = PHYTMO / f"{name}.csv"
        moved = compare_reps(_reps(path), _reps(path, lambda s: resampled(s, rate_hz)))
        assert moved.counted_after == moved.counted_before == 10
        assert max(map(abs, moved.rom_change_deg)) < 3.0, (name, moved.rom_change_deg)


def test_small_continuous_swings_whose_plane_passes_beside_the_rest_pose_split_at_it():
    # PHYTMO's incorrect series done with 0.4 x the range: forward swings of 30 deg, backswings of
    # 21 deg, the swings' plane passing 7 deg beside the rest pose. A backswing never came within
    # 0.3 x 21 deg of the rest pose, so it and the forward swing after it read as one movement,
    # "shaking": 9 of 10. It ends where the leg passes through the rest pose (session 24)
    name = "phytmo_b05kfel1_1"
    for factor in (0.3, 0.4):
        reps = _reps(PHYTMO / f"{name}.csv", lambda s: done_with_range(s, factor))
        assert sum(r.counted for r in reps) in (10, 11), factor
        assert not [r for r in reps if r.reason.startswith("shaking")], factor


@pytest.mark.parametrize("rate_hz", [52, 100])
def test_uci_sessions_resampled_are_still_counted_exactly(rate_hz):
    for name, label in read_labels(UCI).items():
        reps = _reps(UCI / f"{name}.csv", lambda s: resampled(s, rate_hz))
        session, sets = score_real(reps, label)
        assert session["exact"], name
        assert [s["counted"] for s in sets] == [s["reps"] for s in label.get("sets", [])], name


def test_sensor_errors_leave_every_real_session_counted_exactly():
    errors = [p for p in standard_perturbations(rotations=0, rates_hz=(), seeds=1, slower=(), ranges=())
              if p.family != "other leg"]
    assert {p.family for p in errors} == {"gyro bias", "noise", "scale", "lost samples", "time jitter", "glitches"}
    for change in errors:
        for folder in (UCI, PHYTMO):
            for name, label in read_labels(folder).items():
                assert score_real(_reps(folder / f"{name}.csv", change.apply), label)[0]["exact"], (change.name, name)


@pytest.mark.parametrize("change", combined_perturbations(3), ids=lambda p: p.name.split(":")[0])
def test_several_changes_at_once_leave_every_real_session_counted_exactly(change):
    # the other leg or not, a strap rotation, tempo, rate, gyro bias and noise together
    for folder in (UCI, PHYTMO):
        for name, label in read_labels(folder).items():
            reps = _reps(folder / f"{name}.csv", change.apply)
            assert score_real(reps, label_in_time(label, change.time_factor))[0]["exact"], (change.name, name)


def test_a_series_begun_without_a_quiet_rest_is_still_read_through_the_series():
    # combined draw 4 (a strap rotation, the motion 0.94 times as long, a gyro bias of 1.4 deg/s, 25
    # Hz, noise): PHYTMO's correct series e01 has no quiet sample in the 0.6 s before its first
    # swing, so no series reading started, and 9 of its 10 ranges were read from the rest pose,
    # 17-36 deg short of the swing from the bottom before. The series now starts at a movement's start
    # when no quiet rest precedes it.
    change = combined_perturbations(5)[4]
    path = PHYTMO / "phytmo_e01kfer0_1.csv"
    moved = compare_reps(_reps(path), _reps(path, change.apply), change.time_factor)
    assert moved.counted_after == moved.counted_before == 10
    assert max(map(abs, moved.rom_change_deg)) < 5.0, moved.rom_change_deg


def test_the_same_sessions_with_holds_three_times_as_long_are_counted_and_timed():
    # (a prescription with longer holds, held the way these were: wobble and sag slowed with them;
    # the longest 15 s, the rest_still_s of a pose under half the last rep's peak)
    for name, label in read_labels(UCI).items():
        rec = read_recording(UCI / f"{name}.csv")
        base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
        longer, moved = holds_longer(rec.samples, base, 3.0)
        reps = Pipeline(meta=rec.meta.to_dict()).run(longer)
        session, rows = score_real(reps, label_in_time(label, moved))
        assert session["exact"] and [r["counted"] for r in rows] == [r["truth"] for r in rows], name
        expected = [r.hold_s for r in reps_with_longer_holds(base, 3.0, moved) if r.counted]
        assert [r.hold_s for r in reps if r.counted] == pytest.approx(expected, abs=1.0), name


def _uci_counted_exactly_when(change):
    """(name, reps as recorded, reps of ``change(samples, reps as recorded)``) of each labelled UCI
    recording, each changed one asserted counted exactly, set by set, against its labels (the
    change keeps the recording's times)."""
    for name, label in read_labels(UCI).items():
        rec = read_recording(UCI / f"{name}.csv")
        base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
        reps = Pipeline(meta=rec.meta.to_dict()).run(change(rec.samples, base))
        session, rows = score_real(reps, label)
        assert session["exact"] and [r["counted"] for r in rows] == [r["truth"] for r in rows], name
        yield name, base, reps


def test_the_same_sessions_with_holds_wobbling_four_times_as_much_are_counted_and_timed():
    # (each hold's wobble above 0.5 Hz four times as large, as the orientation filter reads it:
    # UCI subject 2's 1.6 deg peak to peak becomes about 5.5 deg). The hold starts where it did: an
    # overshoot's settle ends where the leg stops coming down, and a hold that creeps up within its
    # band keeps its start, not the first calm moment of a wobbling hold (which came up to 1.4 s
    # later, 0.9 s for one rep in ten, before session 21)
    shift_s: list[float] = []
    for name, base, reps in _uci_counted_exactly_when(lambda samples, base: holds_wobblier(samples, base, 4.0)):
        held = [r for r in reps if r.counted]
        for before in (r for r in base if r.counted and r.hold_s >= 1.0):
            after = min(held, key=lambda r: abs(r.start_s - before.start_s))
            shift_s.append(abs(after.out_end_s - before.out_end_s))
    assert len(shift_s) > 70
    assert np.percentile(shift_s, 90) < 0.2 and max(shift_s) < 0.5, sorted(shift_s)[-8:]


def test_the_same_sessions_with_a_resting_pose_that_drifts_are_counted_exactly():
    # (the leg creeping 3 deg/s in every rest between counted reps, out and back in turn, at most
    # 15 deg a rest: a few degrees within a set, 15 between sets; the reps done from there)
    for name, base, reps in _uci_counted_exactly_when(lambda samples, base: rests_drifting(samples, base, 3.0)):
        change = compare_reps(base, reps)
        assert change.counted_after == change.counted_before and all(change.same_tempo), name
        assert max(map(abs, change.rom_change_deg), default=0.0) < 4.0, name


def test_the_same_sessions_with_knocks_as_the_foot_lands_are_counted_exactly():
    # (the motion done with half the range, and the foot knocking the floor as it lands after every
    # rep followed by a rest: UCI subject 2's knock, a ring of 275 deg/s across the knee's axis and a
    # 4-g jolt. The raw rate's principal direction, and the radius fit, once took the knock for the
    # turn: 5 of the 9 sessions lost a rep or two, session 23)
    rom_change_deg: list[float] = []
    for name, base, reps in _uci_counted_exactly_when(
            lambda samples, base: with_knocks(done_with_range(samples, 0.5), base)):
        change = compare_reps(base, reps, rom_factor=0.5)
        assert change.counted_after == change.counted_before and all(change.same_tempo), name
        rom_change_deg += change.rom_change_deg
    assert np.percentile(np.abs(rom_change_deg), 95) < 2.5  # (half the range alone: 1.6)


def test_the_same_sessions_with_returns_in_two_stages_are_counted_exactly():
    # (every return with room for it in the rest after it stopping 25 deg above rest for 0.5 s and
    # then settling over 0.5 s: the stop at a rest found part way back once ended a movement after
    # the next one had begun, and the pipeline crashed on subject 1's test session, session 22)
    for name, base, reps in _uci_counted_exactly_when(lambda samples, base: returns_in_two_stages(samples, base, 25.0, 0.5, 0.5)):
        change = compare_reps(base, reps)
        assert change.counted_after == change.counted_before and all(change.same_kind), name
        assert max(map(abs, change.rom_change_deg), default=0.0) < 4.0, name  # (at most 3.4: subject 2's test)


def test_the_same_sessions_with_the_resting_pose_shifted_between_sets_are_counted_exactly():
    # (the still moments of every rest cut to 5 s, and the resting leg turned 30 deg back in the
    # first long rest, out in the next: subject 1's fast set was one movement with the rep after it)
    for name, label in read_labels(UCI).items():
        rec = read_recording(UCI / f"{name}.csv")
        base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
        shorter, moved = rests_shorter(rec.samples, base, keep_s=5.0, max_rest_s=60.0)
        expected = reps_with_shorter_rests(base, moved)
        reps = Pipeline(meta=rec.meta.to_dict()).run(rests_shifted(shorter, expected, -30.0))
        session, rows = score_real(reps, label_in_time(label, moved))
        assert session["exact"] and [r["counted"] for r in rows] == [r["truth"] for r in rows], name
        change = compare_reps(expected, reps)
        assert np.percentile(list(map(abs, change.rom_change_deg)) or [0.0], 90) < 3.0, name


def test_the_same_sessions_done_with_no_pause_between_reps_are_counted_exactly():
    # (every still moment of a rest between two reps of a set cut out: UCI's rests of 0.04-1.4 s
    # keep only their settling, 0.9 s at most; the next rep starts as the leg settles)
    moved_deg: list[float] = []
    for name, label in read_labels(UCI).items():
        rec = read_recording(UCI / f"{name}.csv")
        base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
        shorter, moved = rests_shorter(rec.samples, base, keep_s=0.0)
        assert shorter.t[-1] < rec.samples.t[-1] - 0.5 or not any(r.counted for r in base), name
        reps = Pipeline(meta=rec.meta.to_dict()).run(shorter)
        session, rows = score_real(reps, label_in_time(label, moved))
        assert session["exact"] and [r["counted"] for r in rows] == [r["truth"] for r in rows], name
        change = compare_reps(reps_with_shorter_rests(base, moved), reps)
        assert change.counted_after == change.counted_before and all(change.same_tempo), name
        moved_deg += list(map(abs, change.rom_change_deg))
    assert np.percentile(moved_deg, 90) < 3.0, sorted(moved_deg)[-10:]  # (a rep begun while settling: up to 6 deg)


@pytest.mark.parametrize("factor", [0.5, 1.25])
def test_the_same_sessions_with_half_or_more_of_the_range_are_counted_exactly(factor):
    # (every turn factor times as large, the timing kept: a stiffer patient, or a freer one). At
    # 1.25, UCI subject 2's rest pose shifts 11-14 deg after the fast set, more than min_rom_deg:
    # that shift and the first low-amplitude rep 30 s later were one movement
    change = next(p for p in standard_perturbations(0, (), 0, (), ranges=(factor,)) if p.family == "range")
    kind_ok = labelled = 0
    for folder in (UCI, PHYTMO):
        for name, label in read_labels(folder).items():
            session, rows = score_real(_reps(folder / f"{name}.csv", change.apply), label)
            assert session["exact"], name
            assert [r["counted"] for r in rows] == [r["truth"] for r in rows], name
            kind_ok += sum(r["kind_ok"] for r in rows)
            labelled += sum(r["labelled"] for r in rows)
    assert kind_ok >= 0.95 * labelled


@pytest.mark.parametrize("factor", [0.8, 1.25])
def test_the_same_sessions_done_slower_or_quicker_are_counted_exactly(factor):
    # (every rep's movements, holds and rests take factor times as long)
    slower = next(p for p in standard_perturbations(0, (), 0, slower=(factor,)) if p.family == "tempo")
    for folder in (UCI, PHYTMO):
        for name, label in read_labels(folder).items():
            session, rows = score_real(_reps(folder / f"{name}.csv", slower.apply), label_in_time(label, factor))
            assert session["exact"], name
            assert [r["counted"] for r in rows] == [r["truth"] for r in rows], name
            assert sum(r["tempo_ok"] for r in rows) >= 0.95 * sum(r["labelled"] for r in rows), name


@pytest.mark.parametrize("path", [UCI / "uci_s1_test.csv", PHYTMO / "phytmo_b05kfel0_2.csv", PHYTMO / "phytmo_b05kfel1_1.csv"],
                         ids=lambda p: p.stem)
def test_live_in_packets_gives_the_reps_of_batch_to_the_bit(path):
    rec = read_recording(path)
    batch = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
    live, reps, i, rng = Pipeline(meta=rec.meta.to_dict()), [], 0, np.random.default_rng(1)
    while i < len(rec.samples):
        k = int(rng.integers(1, 41))  # packets of 1-40 samples
        reps += live.update(rec.samples[i:i + k])
        i += k
    assert repr(reps + live.finish()) == repr(batch)


@pytest.mark.parametrize("name", ["uci_s1_test", "uci_s2_test", "uci_s3_test"])
def test_a_reconnect_loses_only_the_reps_it_cuts(name):
    """3 s without data (a reconnect) every 20 s, one at a time, in each UCI test session: the reps
    that lie wholly outside the gap are counted again at their times. The data often resumes in a
    rep's hold, a quiet pose: taken for the rest, every later rep was read from its hold (before
    the rest before the gap was kept: 253 of 318 found again and 42 shifted ones counted in one
    session, 267 of 291 in another)."""
    rec = read_recording(UCI / f"{name}.csv")
    base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
    total = GapOutcome(0, 0, 0)
    for start_s in np.arange(15.0, rec.samples.t[-1] - 10.0, 20.0):
        reps = Pipeline(meta=rec.meta.to_dict()).run(with_gap(rec.samples, start_s, 3.0))
        total += reps_around_gap(base, reps, start_s, 3.0)
    assert total.expected > 250
    assert total.found >= 0.98 * total.expected and total.added <= 0.01 * total.expected, total


@pytest.mark.parametrize("name", ["uci_s1_test", "uci_s2_test", "uci_s3_test"])
def test_a_recording_begun_late_counts_every_rep_after_it_began(name):
    """Each UCI test session begun late (the sensor connected mid-set: its first 3, 13, 23, ... s
    cut, one at a time): the reps that begin after the cut are counted at their times. The data
    often begins in a rep's hold, a quiet pose: taken for the rest, every later rep was read from
    its hold (before: 58 % of such reps found again, over all real recordings)."""
    rec = read_recording(UCI / f"{name}.csv")
    base = Pipeline(meta=rec.meta.to_dict()).run(rec.samples)
    t0 = float(rec.samples.t[0])
    total = GapOutcome(0, 0, 0)
    for cut_s in np.arange(t0 + 3.0, rec.samples.t[-1] - 20.0, 10.0):
        reps = Pipeline(meta=rec.meta.to_dict()).run(with_gap(rec.samples, t0 - 1.0, cut_s - t0 + 1.0))
        total += reps_around_gap(base, reps, t0 - 1.0, cut_s - t0 + 1.0)
    assert total.expected > 250
    assert total.found >= 0.97 * total.expected and total.added <= 0.01 * total.expected, total


def test_the_outward_stop_exponent_is_the_one_the_real_held_reps_show():
    # measure.STOP_EXPONENT dates a hold's start (and the live timer's) from where the outward speed
    # falls under its threshold: speed ~ (time to the stop)^p, so the time left is p x speed /
    # deceleration. Here p is measured again on the real UCI test sessions' held reps, from the
    # speed (the angle's, smoothed as measure smooths it) falling from 50 % to 10 % of its peak
    from scipy import signal

    from sensorkit import RepDetector
    from sensorkit.pipeline.measure import STOP_EXPONENT

    exponents = []
    for path in sorted(UCI.glob("uci_s*_test.csv")):
        rec = read_recording(path)
        detector = RepDetector.for_recording(rec).detect(rec)
        t, angle = detector.angle_.t.to_numpy(), detector.angle_.angle_deg.to_numpy()
        fs = detector.sample_rate_hz_
        speed = np.gradient(signal.sosfiltfilt(signal.butter(4, detector.config.lowpass_hz, fs=fs, output="sos"), angle), t)
        for rep in detector.reps_[(detector.reps_.kind != "rejected") & (detector.reps_.hold_s >= 1.0)].itertuples():
            inside = np.flatnonzero((t >= rep.start_s) & (t <= rep.out_end_s + 0.3))
            peak = inside[int(np.argmax(speed[inside]))]
            falling = np.arange(peak, inside[-1] + 1)
            window = falling[(speed[falling] <= 0.5 * speed[peak]) & (speed[falling] >= max(5.0, 0.1 * speed[peak]))]
            window = window[:np.argmax(np.diff(window) > 1) + 1] if np.any(np.diff(window) > 1) else window
            decel = -np.gradient(speed, t)[window]
            if len(window) >= 4 and (decel > 0).sum() >= 4:
                slope = np.polyfit(t[window][decel > 0], speed[window][decel > 0] / decel[decel > 0], 1)[0]
                if slope < 0:
                    exponents.append(-1.0 / slope)
    assert len(exponents) >= 40
    assert np.percentile(exponents, 25) < STOP_EXPONENT < np.percentile(exponents, 75)
    assert abs(np.median(exponents) - STOP_EXPONENT) < 0.1

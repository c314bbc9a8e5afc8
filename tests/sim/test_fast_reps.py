"""Rushed reps: which reps, how fast, and that they change nothing else a seed draws."""
import numpy as np
import pytest

from tests.sim.conftest import truth_key, truth_sessions

SEEDS = range(9140, 9156)
EXERCISES = ("hip_external_rotation", "knee_extension")
#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [truth_key(seed, exercise=exercise, sample_rate_hz=25, **fast) for exercise in EXERCISES
            for fast in ({}, {"fast_reps": False}) for seed in SEEDS]


def _fast_runs(s):
    """The fast reps as (set index, positions within the set)."""
    runs = {}
    for m in s.reps:
        if m.tempo == "fast":
            in_set = [r for r in s.reps if r.set_index == m.set_index]
            runs.setdefault(m.set_index, []).append(in_set.index(m))
    return runs


@pytest.mark.parametrize("exercise", EXERCISES)
def test_about_half_the_sessions_rush_the_end_of_a_set_or_a_later_set(exercise):
    with_fast = 0
    for s in truth_sessions(SEEDS, exercise=exercise, sample_rate_hz=25):
        assert {m.tempo for m in s.reps} <= {"normal", "fast"} and all(m.tempo == "" for m in s.truth if not m.counted)
        assert all(m.tempo == "normal" for m in s.reps[:3])  # never among the first 3 reps
        runs = _fast_runs(s)
        if not runs:
            continue
        with_fast += 1
        assert len(runs) == 1  # one set
        (set_index, positions), = runs.items()
        size = sum(m.set_index == set_index for m in s.reps)
        assert positions == list(range(positions[0], size))  # the set's last reps, in a row
        whole_later_set = set_index > 0 and len(positions) == size
        assert whole_later_set or 2 <= len(positions) <= 4
    assert 0.25 * len(SEEDS) <= with_fast <= 0.75 * len(SEEDS)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_fast_rep_mostly_skips_its_hold_and_moves_only_somewhat_quicker(exercise):
    """As UCI's "fast" reps: the hold is what goes (here to 0–0.5 s); the outward and main return
    movements take 0.75–1 × what the same rep takes at the controlled tempo."""
    checked = 0
    for fast, plain in zip(truth_sessions(SEEDS, exercise=exercise, sample_rate_hz=25),
                           truth_sessions(SEEDS, exercise=exercise, sample_rate_hz=25, fast_reps=False)):
        for f, p in zip(fast.reps, plain.reps):
            if f.tempo != "fast":
                continue
            assert f.hold_s <= min(0.5, p.hold_s) + 1e-12
            assert 0.75 - 1e-9 <= (f.settled_s - f.start_s) / (p.settled_s - p.start_s) <= 1 + 1e-9
            assert f.end_s - f.return_start_s <= p.end_s - p.return_start_s + 1e-9  # no two-stage return
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("exercise", EXERCISES)
def test_fast_reps_change_only_the_rushed_reps(exercise):
    """Same seed with and without fast reps: same leg, sensor errors, metadata, distractors and reps
    (kinds, sets, the other reps' ROMs); only the rushed reps and the times after them differ (and, as
    the still time before a fast rep is shorter, the rest pose's slow wander after it, by tenths of a degree)."""
    differing = 0
    for fast, plain in zip(truth_sessions(SEEDS[:8], exercise=exercise, sample_rate_hz=25),
                           truth_sessions(SEEDS[:8], exercise=exercise, sample_rate_hz=25, fast_reps=False)):
        assert all(m.tempo == "normal" for m in plain.reps)
        a, b = fast.truth_json(), plain.truth_json()
        for key in ("geometry", "sensor_errors", "style", "motor", "distractors", "sensor_to_shank_quat_xyzw"):
            assert a[key] == b[key], key
        assert fast.meta == plain.meta
        assert [(m.kind, m.label, m.set_index) for m in fast.truth] == [(m.kind, m.label, m.set_index) for m in plain.truth]
        rushed = False
        for f, p in zip(fast.truth, plain.truth):
            rushed |= f.tempo == "fast"
            assert f.rest_angle_after_deg - f.rest_angle_before_deg == pytest.approx(
                p.rest_angle_after_deg - p.rest_angle_before_deg, abs=0.5 if rushed else 1e-9)
            if f.tempo == "fast":
                assert f.end_s - f.start_s < p.end_s - p.start_s and f.hold_s <= p.hold_s
            else:
                assert f.rom_deg == pytest.approx(p.rom_deg, abs=1e-9) or f.kind == "rejected"
                assert f.end_s - f.start_s == pytest.approx(p.end_s - p.start_s, abs=1e-9)
        differing += fast.truth != plain.truth
    assert differing >= 2


@pytest.mark.parametrize("exercise", EXERCISES)
def test_fast_reps_mostly_follow_the_previous_rep_at_once(exercise):
    """Real fast sets: 31 %–75 % of the reps with < 0.3 s still before them (controlled: 0 %–17 %)."""
    gaps = []
    for s in truth_sessions(SEEDS, exercise=exercise, sample_rate_hz=25):
        others = [m.start_s for m in s.truth if not m.counted]
        for a, b in zip(s.reps, s.reps[1:]):
            if b.tempo == "fast" and a.set_index == b.set_index and not any(a.end_s <= t <= b.start_s for t in others):
                gaps.append(b.start_s - a.end_s)
    assert len(gaps) >= 10
    assert 0.4 <= np.mean(np.array(gaps) == 0) <= 0.95 and max(gaps) <= 0.4 + 1e-9

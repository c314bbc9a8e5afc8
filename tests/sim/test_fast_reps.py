"""Rushed reps: which reps, how fast, and that they change nothing else a seed draws."""
import numpy as np
import pytest

from sensorkit.sim import simulate_session
from tests.sim.conftest import session

SEEDS = range(9140, 9156)
# seed 9104 at 25 Hz, as simulated before fast reps existed (commit bfa187a)
FIXED_9104_KINDS = ["full", "full", "full", "full"]
FIXED_9104_ROMS = [37.348959, 36.516758, 35.752742]
FIXED_9104_SAMPLES = 6733
EXERCISES = ("hip_external_rotation", "knee_extension")


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
    for seed in SEEDS:
        s = session(seed, exercise=exercise, sample_rate_hz=25)
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
def test_a_fast_rep_takes_at_most_half_the_sessions_controlled_phases(exercise):
    checked = 0
    for seed in SEEDS:
        s = session(seed, exercise=exercise, sample_rate_hz=25)
        controlled_out = [m.out_end_s - m.start_s for m in s.reps if m.tempo == "normal"]
        for m in s.reps:
            if m.tempo != "fast":
                continue
            out_s, return_s = m.out_end_s - m.start_s, m.end_s - m.return_start_s
            assert max(0.35, s.style.out_s / 3) - 1e-9 <= out_s <= s.style.out_s / 2 + 1e-9
            assert max(0.35, s.style.return_s / 3) - 1e-9 <= return_s <= s.style.return_s / 2 + 1e-9
            assert out_s < 0.7 * min(controlled_out)  # clearly quicker than every controlled rep
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("exercise", EXERCISES)
def test_fast_reps_change_only_the_rushed_reps_timing(exercise):
    """Same seed with and without fast reps: same leg, sensor errors, metadata, distractors and reps
    (kinds, ROMs, sets); only the rushed reps' durations (and so later times) differ."""
    differing = 0
    for seed in SEEDS[:8]:
        fast = session(seed, exercise=exercise, sample_rate_hz=25)
        plain = session(seed, exercise=exercise, sample_rate_hz=25, fast_reps=False)
        assert all(m.tempo == "normal" for m in plain.reps)
        a, b = fast.truth_json(), plain.truth_json()
        for key in ("geometry", "sensor_errors", "style", "distractors", "sensor_to_shank_quat_xyzw"):
            assert a[key] == b[key], key
        assert fast.meta == plain.meta
        assert [(m.kind, m.label, m.set_index) for m in fast.truth] == [(m.kind, m.label, m.set_index) for m in plain.truth]
        for f, p in zip(fast.truth, plain.truth):
            assert f.rom_deg == p.rom_deg or f.kind == "rejected"
            assert f.rest_angle_after_deg - f.rest_angle_before_deg == pytest.approx(
                p.rest_angle_after_deg - p.rest_angle_before_deg, abs=1e-9)
            if f.tempo == "fast":
                assert f.end_s - f.start_s < p.end_s - p.start_s and f.hold_s <= p.hold_s
            else:
                assert f.end_s - f.start_s == pytest.approx(p.end_s - p.start_s, abs=1e-9)
        differing += fast.truth != plain.truth
    assert differing >= 2


def test_without_fast_reps_the_hip_er_session_is_what_it_was_before_tempo():
    """Fixed figures of seed 9104 recorded before fast reps existed (the seed rushes 3 reps now)."""
    s = simulate_session(9104, sample_rate_hz=25, fast_reps=False)
    assert sum(m.tempo == "fast" for m in simulate_session(9104, sample_rate_hz=25).reps) == 3
    assert [m.kind for m in s.truth][:4] == FIXED_9104_KINDS
    np.testing.assert_allclose([m.rom_deg for m in s.reps][:3], FIXED_9104_ROMS, atol=1e-6)
    assert len(s.samples) == FIXED_9104_SAMPLES

"""The truth list describes a plausible session and is internally consistent."""
import numpy as np
import pytest

from sensorkit.sim import simulate_session
from sensorkit.sim.truth import TRUTH_KINDS, TRUTH_LABELS
from tests.sim.conftest import session_key, sessions, truth_key, truth_sessions

SEEDS = range(9100, 9112)
TARGETS = dict(sample_rate_hz=25, targets=True, distractors=False, max_duration_s=60)
#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [*(truth_key(seed, sample_rate_hz=25) for seed in SEEDS),
            *(truth_key(seed, **TARGETS) for seed in range(9600, 9640)),
            *(key(9148, exercise=exercise, sample_rate_hz=25) for exercise in ("hip_external_rotation", "knee_extension")
              for key in (session_key, truth_key))]


def _sessions():
    return truth_sessions(SEEDS, sample_rate_hz=25)


def test_times_are_ordered_and_movements_never_overlap():
    for s in _sessions():
        previous_end = 0.0
        for m in s.truth:
            assert previous_end <= m.start_s < m.out_end_s <= m.return_start_s < m.end_s  # reps may follow at once
            assert m.hold_s == pytest.approx(m.return_start_s - m.out_end_s, abs=1e-9)
            previous_end = m.end_s
        assert s.truth[0].start_s >= 3.0 and s.timeline.end_s - s.truth[-1].end_s >= 3.0  # idle lead-in/out


def test_kinds_labels_and_ranges():
    seen = set()
    for s in _sessions():
        usual = s.style.usual_rom_deg
        assert 25 <= usual <= 45
        assert 0 <= sum(not m.counted for m in s.truth) <= 4
        for m in s.truth:
            assert m.kind in TRUTH_KINDS and m.label in TRUTH_LABELS
            seen.add((m.kind, m.label))
            if m.counted:
                assert m.tempo in ("normal", "fast") and 0 <= m.hold_s <= 8
                assert 0.4 <= m.out_end_s - m.start_s <= 2.5 + 1e-9 and 0.4 <= m.end_s - m.return_start_s <= 6
            if m.tempo == "fast":
                assert m.hold_s <= 0.5
            # ROM: the held level (full: usual ± 3°; partial 45 %–80 %; knee_out 8°–25°) plus the
            # overshoot (≤ 10.5 %) and the hold's wobble and sway on top (continuous swings start below rest)
            extra = 0.18 * usual if s.motor.continuous else 0.0
            if m.kind == "full":
                assert usual - 3 - 2 <= m.rom_deg <= 1.105 * (usual + 3) + 3 + extra
            elif m.kind == "partial":
                assert 0.45 * usual - 2 <= m.rom_deg <= 1.105 * 0.8 * usual + 3 + extra
            elif m.kind == "knee_out":
                assert m.label == "knee_out" and 6 <= m.rom_deg <= 1.105 * 25 + 3 + extra
            else:
                assert m.rest_angle_before_deg == m.rest_angle_after_deg  # distractors leave the rest angle
    assert {("full", "hip_er"), ("rejected", "fidget")} <= seen
    holds = [m.hold_s for s in _sessions() for m in s.reps]
    assert min(holds) == 0 and max(holds) > 4  # zero-length holds happen, long ones too


def test_sets_and_rests_follow_the_schedule():
    no_rest = rests = 0
    for s in _sessions():
        sets = sorted({m.set_index for m in s.reps})
        assert 1 <= len(sets) <= 3
        for index in sets:
            reps = [m for m in s.reps if m.set_index == index]
            assert 5 <= len(reps) <= 12
            others = [m.start_s for m in s.truth if not m.counted]
            gaps = [b.start_s - a.end_s for a, b in zip(reps, reps[1:])
                    if not any(a.end_s <= t <= b.start_s for t in others)]  # without a distractor in between
            assert min(gaps) >= 0 and max(gaps) <= 3.0 * 1.6 + 1e-9  # the session's typical rest x U(0.5, 1.6)
            no_rest += sum(g == 0 for g in gaps)
            rests += len(gaps)
        first_of_next = [next(m for m in s.reps if m.set_index == i) for i in sets[1:]]
        last_of_prev = [[m for m in s.reps if m.set_index == i][-1] for i in sets[:-1]]
        assert all(10 <= b.start_s - a.end_s for a, b in zip(last_of_prev, first_of_next))
    assert 0 < no_rest < 0.5 * rests  # some reps follow the previous one at once, most after a rest


def test_a_target_rom_is_sometimes_above_full_reps():
    """As for real patients: the prescribed range is not always reached (nor always exceeded)."""
    above = below = 0
    for s in truth_sessions(range(9600, 9640), **TARGETS):
        target = s.style.target_rom_deg
        assert target % 5 == 0 and s.meta["target_rom_deg"] == target
        fulls = [m.rom_deg for m in s.reps if m.kind == "full"]
        above += any(r < target for r in fulls)
        below += bool(fulls) and all(r >= target for r in fulls)
    assert above >= 5 and below >= 5


def test_simulated_sidecars_are_marked_as_demo_data():
    for s in _sessions():
        assert s.meta["simulated"] is True and s.meta["patient"].startswith("demo-p")


def test_fixed_options_shape_the_session():
    s = simulate_session(9200, side="left", sample_rate_hz=26, set_kinds=("knee_out", "partial"),
                         reps_per_set=(5, 5), distractors=False, imperfections=False)
    assert s.meta["side"] == "left" and s.meta["sample_rate_hz"] == 26
    assert [m.kind for m in s.truth] == ["knee_out"] * 5 + ["partial"] * 5
    short = simulate_session(9200, max_duration_s=60, distractors=False)
    assert short.timeline.end_s <= 60 and len(short.reps) >= 1


def test_truth_is_independent_of_sample_rate_and_sensor_quality():
    a = simulate_session(9300, sample_rate_hz=25)
    b = simulate_session(9300, sample_rate_hz=200, imperfections=False)
    assert a.truth == b.truth
    np.testing.assert_allclose(a.angle_at([10.0, 20.0, 30.0]), b.angle_at([10.0, 20.0, 30.0]))


@pytest.mark.parametrize("exercise", ["hip_external_rotation", "knee_extension"])
def test_a_truth_only_session_has_the_full_sessions_truth(exercise):
    """What tests.sim.conftest.truth_sessions gives (a coarse sensor grid, no samples) is, but for the
    samples, the session the other tests would otherwise simulate: same truth, timeline and metadata."""
    (full,), (coarse,) = sessions([9148], exercise=exercise, sample_rate_hz=25), truth_sessions(
        [9148], exercise=exercise, sample_rate_hz=25)
    assert any(m.tempo == "fast" for m in full.reps) and len(full.reps) >= 5
    assert coarse.truth == full.truth and coarse.meta == full.meta
    document, expected = coarse.truth_json(), full.truth_json()
    assert document.pop("options")["fine_rate_hz"] == 50 and expected.pop("options")["fine_rate_hz"] is None
    assert document == expected
    t = np.linspace(0.0, full.timeline.end_s, 20_000)
    np.testing.assert_array_equal(coarse.angle_at(t), full.angle_at(t))
    with pytest.raises(AssertionError, match="no samples"):
        coarse.samples.t


def test_each_seed_is_reproducible_and_seeds_differ():
    a, b, c = simulate_session(9400), simulate_session(9400), simulate_session(9401)
    np.testing.assert_array_equal(a.samples.to_array(), b.samples.to_array())
    assert a.truth == b.truth and a.meta == b.meta
    assert a.truth != c.truth

"""Knee-extension sessions: plausible, internally consistent truth that never straightens the knee."""
import numpy as np
import pytest

from sensorkit.errors import ConfigError
from sensorkit.samples import GRAVITY_MS2
from sensorkit.sim import simulate_session
from sensorkit.sim.exercises import exercise_names, get_exercise
from tests.sim.conftest import KE_DISTRACTORS, truth_key, truth_sessions

SEEDS = range(9120, 9132)
#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [truth_key(seed, exercise="knee_extension", sample_rate_hz=25) for seed in SEEDS]


def _sessions():
    return truth_sessions(SEEDS, exercise="knee_extension", sample_rate_hz=25)


def test_both_exercises_are_registered():
    assert set(exercise_names()) >= {"hip_external_rotation", "knee_extension"}
    assert get_exercise("knee_extension").rep_kinds == ("full", "partial")
    with pytest.raises(KeyError, match="knee_extension"):
        get_exercise("squat")


def test_kinds_labels_ranges_and_tempo():
    seen_kinds, seen_labels, seen_tempos = set(), set(), set()
    for s in _sessions():
        assert s.meta["exercise"] == "knee_extension" and s.exercise == "knee_extension"
        usual, flexion = s.style.usual_rom_deg, s.geometry.knee_flexion_deg
        assert 45 <= usual <= min(85, flexion - 15)
        assert 1.2 <= s.style.out_s <= 2.2 and 1.0 <= s.style.return_s <= 2.0
        for m in s.truth:
            seen_kinds.add(m.kind)
            if not m.counted:
                assert m.label in KE_DISTRACTORS and m.tempo == ""
                assert m.rest_angle_before_deg == m.rest_angle_after_deg
                continue
            seen_labels.add(m.label)
            seen_tempos.add(m.tempo)
            extra = 0.18 * usual if s.motor.continuous else 0.0  # a swing starts below the set's rest
            room = flexion - 3 - m.rest_angle_before_deg  # never past straight: the level may come down
            if m.kind == "full":
                assert min(usual - 5, room - 1) <= m.rom_deg <= 1.105 * (usual + 3) + 3 + extra
            else:
                assert m.kind == "partial" and 0.45 * usual - 2 <= m.rom_deg <= 1.105 * 0.8 * usual + 3 + extra
            if m.tempo == "normal" and not s.motor.continuous:
                assert 0.9 - 1e-9 <= m.settled_s - m.start_s <= 3.0 + 1e-9 and 0.9 - 1e-9 <= m.end_s - m.return_start_s <= 6
            assert 0 <= m.hold_s <= 8 and abs(m.rest_angle_after_deg - m.rest_angle_before_deg) <= 0.4 * usual
            if s.style.target_rom_deg is not None:
                assert s.style.target_rom_deg % 5 == 0
    assert seen_kinds == {"full", "partial", "rejected"}
    assert seen_labels == {"knee_extension"} and seen_tempos == {"normal", "fast"}


def test_the_knee_never_straightens():
    for s in _sessions():
        flexion = s.geometry.knee_flexion_deg
        t = np.linspace(0.0, s.timeline.end_s, 50_000)
        assert s.angle_at(t).max() <= flexion - 3  # overshoot, wobble and sway at the top included
        for m in s.reps:
            assert m.rest_angle_before_deg + m.rom_deg <= flexion - 3


def test_a_25_hz_session_with_a_realistic_sensor():
    s = simulate_session(9133, exercise="knee_extension", sample_rate_hz=25)
    t = s.samples.t
    assert s.meta["sample_rate_hz"] == 25 and np.all(np.diff(t) > 0)
    assert 0.9 * 25 < len(t) / t[-1] <= 25.01  # a few lost samples at most
    lead_in = t < s.truth[0].start_s - 0.5
    assert abs(np.median(np.linalg.norm(s.samples.acc[lead_in], axis=1)) - GRAVITY_MS2) < 0.8
    assert len(s.reps) >= 5
    rate = s.samples.gyr @ s.exercise_axis_sensor
    for m in s.reps:  # each rep shows up as a positive then negative turn about the exercise axis
        out = (t > m.start_s) & (t < m.out_end_s)
        back = (t > m.return_start_s) & (t < m.end_s)
        assert rate[out].mean() > 10 and rate[back].mean() < -10


@pytest.mark.parametrize("options, message", [
    (dict(kinds=("full", "knee_out")), "kinds"),
    (dict(set_kinds=("knee_out",)), "set_kinds"),
    (dict(distractor_labels=("knee_extension",)), "distractor_labels"),
])
def test_hip_only_options_are_refused_for_knee_extension(options, message):
    with pytest.raises(ConfigError, match=message):
        simulate_session(1, exercise="knee_extension", **options)
    simulate_session(1, max_duration_s=30, distractors=False, **options)  # fine for hip ER


def test_unknown_exercise_is_refused():
    with pytest.raises(ConfigError, match="exercise must be one of"):
        simulate_session(1, exercise="squat")

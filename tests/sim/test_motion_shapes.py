"""What real reps have and minimum-jerk curves lack, checked on the exact angle of simulated sessions."""
import numpy as np
import pytest

from tests.sim.conftest import MIXED_KE, continuous_ke_session, session_key, truth_key, truth_sessions

SEEDS = range(9700, 9708)
OPTIONS = dict(sample_rate_hz=25, distractors=False, n_sets=3)
#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [*(truth_key(seed, exercise=exercise, **OPTIONS) for exercise in ("knee_extension", "hip_external_rotation")
              for seed in SEEDS), session_key(4340, **MIXED_KE)]


def _sessions(exercise="knee_extension"):
    return truth_sessions(SEEDS, exercise=exercise, **OPTIONS)


@pytest.mark.parametrize("exercise", ["knee_extension", "hip_external_rotation"])
def test_many_reps_overshoot_the_held_angle_and_settle_back(exercise):
    """The peak (the ROM) falls in the outward movement, before it settles, in a good share of reps."""
    overshooting = held = 0
    for s in _sessions(exercise):
        for m in s.reps:
            if m.hold_s < 0.5:
                continue
            held += 1
            t = np.arange(m.start_s, m.end_s, 1e-3)
            angle = s.angle_at(t) - m.rest_angle_before_deg
            assert angle.max() == pytest.approx(m.rom_deg, abs=1e-3)
            level = s.angle_at([m.settled_s])[0] - m.rest_angle_before_deg  # the settled level
            overshooting += t[np.argmax(angle)] < m.settled_s and m.rom_deg - level > 0.5
    assert held >= 30 and 0.2 * held <= overshooting < 0.9 * held  # some patients barely overshoot


def test_holds_wobble_at_1_to_4_hz_and_are_not_flat():
    peaks = []
    for s in _sessions():
        for m in s.reps:
            if m.hold_s < 2.0:
                continue
            t = np.arange(m.out_end_s + 0.3, m.return_start_s - 0.3, 0.01)
            angle = s.angle_at(t)
            wobble = angle - np.polyval(np.polyfit(t, angle, 2), t)  # sway and sag removed
            spectrum = np.abs(np.fft.rfft(wobble * np.hanning(len(t)), 4096))
            freqs = np.fft.rfftfreq(4096, 0.01)
            band = (freqs >= 1.0) & (freqs < 6)
            peaks.append(freqs[band][np.argmax(spectrum[band])])
            assert np.std(wobble) > 0.005  # degrees: never a perfectly still plateau
    assert len(peaks) >= 20 and np.mean((np.array(peaks) >= 1.0) & (np.array(peaks) <= 3.6)) > 0.9


def test_the_rest_pose_moves_between_sets():
    moves = []
    for s in _sessions():
        firsts = [next(m for m in s.reps if m.set_index == i) for i in sorted({m.set_index for m in s.reps})]
        moves += [abs(b.rest_angle_before_deg - a.rest_angle_before_deg) for a, b in zip(firsts, firsts[1:])]
    assert len(moves) >= 10 and max(moves) > 8 and np.median(moves) > 2


def test_a_continuous_series_swings_past_rest_without_hold_or_pause():
    s = continuous_ke_session()
    others = [m.start_s for m in s.truth if not m.counted]
    swings = 0
    for a, b in zip(s.reps, s.reps[1:]):
        assert a.hold_s == 0
        if a.set_index != b.set_index or any(a.end_s <= t <= b.start_s for t in others):
            continue
        assert b.start_s == a.end_s  # the next swing starts at the bottom of this one
        set_rest = next(m for m in s.reps if m.set_index == a.set_index).rest_angle_before_deg
        assert a.rest_angle_after_deg < set_rest - 2  # the foot passes behind its resting pose
        swings += 1
    assert swings >= 5
    periods = [m.end_s - m.start_s for m in s.reps]
    assert 1.0 < np.median(periods) < 1.7  # PHYTMO: 1.25-1.41 s a swing

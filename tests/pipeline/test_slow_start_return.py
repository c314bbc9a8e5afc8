"""A small rep whose hold sags and whose return sets off slowly: one movement to the end of its
return, not a leg settled part way down (sensorkit.pipeline.segment, the settle rule's pose test)."""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session
from synth import min_jerk, random_setup, samples_of_angle


def _sagging_reps(fs_hz: float) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Six 14-deg hip external rotations (out in 0.8 s, held 3 s, back in 1.2 s, 2 s of rest between);
    the third one's hold sags 4.9 deg (to 65 % of its peak) and its return, 9.1 deg, takes 1.5 s,
    setting off from the sag at rest. Times (s), angle (deg) and each rep's (start, end) (s)."""
    t = np.arange(0.0, 45.0, 1.0 / fs_hz)
    theta, spans, t0 = np.zeros_like(t), [], 3.0
    for i in range(6):
        sag_deg, back_s = (4.9, 1.5) if i == 2 else (0.0, 1.2)
        theta += (14.0 * min_jerk((t - t0) / 0.8) - sag_deg * min_jerk((t - t0 - 0.8) / 3.0)
                  - (14.0 - sag_deg) * min_jerk((t - t0 - 3.8) / back_s))
        spans.append((t0, t0 + 3.8 + back_s))
        t0 += 3.8 + back_s + 2.0
    return t, theta, spans


@pytest.mark.parametrize("fs_hz", [50.0, 100.0, 200.0])
def test_a_return_setting_off_slowly_from_a_sagging_hold_is_not_a_leg_settled_part_way_down(fs_hz):
    # 0.5 s into the slow return the leg is under half the rep's peak, still by its speed (under
    # still_gyr_dps since the hold began) and has turned under onset_deg in the second before:
    # the settle rule took it for a leg come to rest at a new pose there, 1 s before the return's
    # end, and the rest of the way down for a movement of its own ("too small"). Setting off, the
    # leg turned more than half of that second's turn in its last half: it is speeding up.
    t, theta, spans = _sagging_reps(fs_hz)
    reps = Pipeline(meta={"exercise": "hip_external_rotation"}).run(samples_of_angle(theta, t, *random_setup(3)))
    assert [r.counted for r in reps] == [True] * 6  # (no movement for the rest of the way down)
    start, end = spans[2]
    assert reps[2].start_s == pytest.approx(start, abs=0.2)
    assert end - 0.5 < reps[2].end_s < end + 0.3  # (it ended 1.0 s early: part way down)
    assert reps[2].hold_s == pytest.approx(3.0, abs=0.5)


def test_a_knee_out_set_after_a_slow_small_return_is_read_from_the_rest_it_came_back_to():
    # simulated development seed 261 (52 Hz), knee-out sets: an 8-deg knee-out held 6 s whose
    # return (108.97-111.12 s) set off slowly, turning 1.6 deg in the second before 109.48 s, 1.1 of
    # it in the last half, was taken there for a leg settled at a new rest under half its peak.
    # The rest of the way down read "swung the other way (behind the resting pose)", and so did
    # the next four reps' returns, read from that pose: 3 of the 7 reps from 101.9 s were lost.
    s = simulate_session(261, set_kinds=("knee_out", "knee_out"))
    truth = [m for m in s.truth if m.counted and 100.0 <= m.start_s <= 170.0]
    found = [r for r in Pipeline(meta=s.meta).run(s.samples) if 100.0 <= r.start_s <= 170.0]
    assert len(truth) == 7
    assert [r.kind for r in found] == ["knee_out"] * 7
    assert found[0].end_s == pytest.approx(truth[0].end_s, abs=1.0)  # (109.48 s: part way down)


@pytest.mark.parametrize("max_packet", [7, 250])
def test_such_a_return_fed_packet_by_packet_gives_the_batch_reps(max_packet):
    # (the pose test reads the history back over settle_s: where the packets end must not matter)
    t, theta, _ = _sagging_reps(100.0)
    samples = samples_of_angle(theta, t, *random_setup(3))
    batch = Pipeline(meta={"exercise": "hip_external_rotation"}).run(samples)
    live, reps, rng, i = Pipeline(meta={"exercise": "hip_external_rotation"}), [], np.random.default_rng(max_packet), 0
    while i < len(samples):
        n = int(rng.integers(1, max_packet))
        reps += live.update(samples[i:i + n])
        i += n
    reps += live.finish()
    assert len(batch) == 6
    assert list(map(repr, reps)) == list(map(repr, batch))  # bit for bit (repr: nan == nan)

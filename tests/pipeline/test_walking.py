"""Walking between sets (the simulator's stand_up: up, 2-4 steps, back, sit): each step's swing
turns the shank about the knee like a knee extension, between stances that turn it about the foot."""
import pytest

from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session


@pytest.mark.parametrize("seed, rate_hz", [(403, 52.0), (432, 26.0)])
def test_a_steps_swing_straight_after_a_stance_is_no_knee_extension(seed, rate_hz):
    # development seeds whose walk had one swing counted as a partial rep (0.5-0.6 s, 25-30 deg,
    # begun at the very sample a stance "turned about the foot" or "did not turn about the knee"
    # ended): it went on straight from a movement foreign to the exercise, so it is no rep
    s = simulate_session(seed, exercise="knee_extension", sample_rate_hz=rate_hz)
    reps = Pipeline(meta=s.meta).run(s.samples)
    walks = [m for m in s.truth if m.label == "stand_up"]
    assert walks
    for walk in walks:
        inside = [r for r in reps if walk.start_s <= r.start_s < walk.end_s]
        assert inside and not [r for r in inside if r.counted]
        assert any(r.reason.startswith("went on straight from a movement foreign") for r in inside)
    assert sum(r.counted for r in reps) == sum(m.kind != "rejected" for m in s.truth)

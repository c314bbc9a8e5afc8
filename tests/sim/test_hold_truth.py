"""The simulator's truth times a hold as sensorkit defines one (docs/exercises.md, "Hold"): an
overshoot's settle back to the held level belongs to the outward movement only where it comes
down faster than the hold's speed threshold; a slower settle is part of the hold, as a sag is."""
import dataclasses

import pytest

from sensorkit.pipeline import PipelineConfig
from sensorkit.sim.reps import HOLD_MIN_SPEED_DPS, HOLD_SPEED_FRACTION, RepShape, RepSpec, outward_end_s, peak_deg


def _rep(overshoot_deg: float, overshoot_s: float) -> RepSpec:
    """A 30° rep out in 1.2 s (peak speed about 48 deg/s: the stop threshold is 2.4 deg/s), held 3 s."""
    return RepSpec(kind="full", rom_deg=30.0, out_s=1.2, hold_s=3.0, return_s=1.2, rest_change_deg=0.0,
                   shape=RepShape(overshoot_deg=overshoot_deg, overshoot_s=overshoot_s))


def test_the_truth_uses_the_pipelines_default_stop_threshold():
    defaults = {f.name: f.default for f in dataclasses.fields(PipelineConfig)}
    assert (HOLD_SPEED_FRACTION, HOLD_MIN_SPEED_DPS) == (defaults["hold_speed_fraction"], defaults["hold_min_speed_dps"])


def test_without_an_overshoot_the_hold_starts_where_the_outward_movement_ends():
    assert outward_end_s(_rep(0.0, 0.0), t0_s=10.0) == 11.2


def test_a_settle_slower_than_the_stop_threshold_is_part_of_the_hold():
    """0.6° back in 0.6 s (at most 1.9 deg/s): the hold starts at the top, over 0.4 s before the
    settle is over (the truth's hold used to start at 11.2 s, when it was)."""
    rep = _rep(0.6, 0.6)
    top_s = peak_deg(dataclasses.replace(rep, hold_s=0.0), 10.0)[1]
    assert outward_end_s(rep, 10.0) == pytest.approx(top_s, abs=2e-3)
    assert 10.7 < outward_end_s(rep, 10.0) < 10.8


def test_a_settle_faster_than_the_stop_threshold_is_part_of_the_outward_movement():
    """4° back in 0.4 s (up to 19 deg/s): the outward movement ends where the settle falls back
    under the threshold, a little before its piece ends (its last 2.4 deg/s)."""
    end = outward_end_s(_rep(4.0, 0.4), 10.0)
    assert 11.1 < end < 11.2

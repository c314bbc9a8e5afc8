"""A series of quick reps without rests (sensorkit.pipeline.series): each rep's range is read from
the bottom of the swing before it, alike at every sample rate."""
import numpy as np
import pytest

from sensorkit.accuracy import Truth, match
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.rep import COUNTED_KINDS
from sensorkit.sim import simulate_session


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

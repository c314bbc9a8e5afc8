"""Short gaps are filled by linear interpolation, the same for any chunking; long ones are left."""
import numpy as np

from sensorkit.pipeline.gaps import GapFiller
from sensorkit.samples import Samples


def _samples(t: np.ndarray) -> Samples:
    values = np.column_stack([t, 2 * t, -t, t + 1, 3 * t, t * t, np.ones_like(t)])
    return Samples.from_array(values)


def test_missing_samples_are_interpolated_between_their_neighbours():
    t = np.array([0.0, 0.1, 0.4, 0.5, 0.7])  # 10 Hz: two missing after 0.1, one after 0.5
    out = GapFiller(10.0, max_fill_s=0.5)(_samples(t))
    assert np.allclose(out.t, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    assert np.allclose(out.acc[:, 0], 2 * out.t)  # linear channels stay on their line
    assert np.allclose(out.gyr[:, 1], [0.0, 0.01, 0.06, 0.11, 0.16, 0.25, 0.37, 0.49])  # t² interpolated between samples


def test_long_gap_is_left_and_any_chunking_gives_the_same_samples():
    rng = np.random.default_rng(0)
    steps = rng.choice([1, 1, 1, 2, 3, 30], size=300)
    t = np.cumsum(steps) / 50.0
    whole = GapFiller(50.0, max_fill_s=0.2)(_samples(t))
    assert np.all(np.isin(np.round(np.diff(whole.t) * 50), [1, 30]))  # a 30-period gap (0.6 s) is over the limit: left
    for size in (1, 7, 64):
        filler = GapFiller(50.0, max_fill_s=0.2)
        chunked = Samples.concat([filler(c) for c in _samples(t).chunks(size)])
        assert np.array_equal(chunked.to_array(), whole.to_array())

"""A glitch of the gyro (one sample far off, the accelerometer untouched) is mended before the
orientation filter integrates it (``pipeline.spikes.SpikeFilter``): one 300-deg/s sample is 12° of
false turn at 25 Hz. A real impact (the foot striking the floor), which jolts the accelerometer too,
is real motion and kept."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.spikes import SpikeFilter
from sensorkit.robustness import with_glitches
from sensorkit.samples import Samples
from glitching import mended, still_leg

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def counted(samples: Samples, meta: dict) -> list:
    return [r for r in Pipeline(meta=meta).run(samples) if r.kind != "rejected"]


def test_a_lone_gyro_glitch_is_mended_to_its_neighbours_mean():
    leg = still_leg()
    gyr = leg.gyr.copy()
    gyr[20] = [250.0, -40.0, 30.0]
    out, replaced = mended(Samples(leg.t, leg.acc, gyr))
    assert replaced == 1
    np.testing.assert_allclose(out.gyr, leg.gyr)
    np.testing.assert_array_equal(out.t, leg.t)


def test_a_sample_waits_for_the_next_only_after_a_step_that_may_be_a_glitch():
    # live, the view shows every sample as it comes, but one a step over 150 deg/s from the one
    # before, which may be a glitch (or a foot striking the floor): it waits for the sample after it
    leg = still_leg(6)
    leg.gyr[3] = [250.0, -40.0, 30.0]
    spikes = SpikeFilter(150.0, period_s=0.04)
    given = [len(spikes(leg[i:i + 1])) for i in range(6)]
    assert given == [1, 1, 1, 0, 2, 1]
    assert spikes.replaced == 1 and len(spikes.flush()) == 0


def test_the_samples_given_are_never_changed():
    leg = still_leg()
    leg.gyr[20] = [250.0, -40.0, 30.0]
    before = leg.to_array().copy()
    for chunk in (None, 1, 7):
        mended(leg, chunk)
    np.testing.assert_array_equal(leg.to_array(), before)


def test_a_foot_strike_that_jolts_the_accelerometer_is_kept():
    leg = still_leg()
    gyr, acc = leg.gyr.copy(), leg.acc.copy()
    gyr[20], acc[20] = [273.6, -58.4, 39.0], [-13.7, 50.2, 8.9]  # (UCI subject 2's landing at 20.0 s)
    out, replaced = mended(Samples(leg.t, acc, gyr))
    assert replaced == 0
    np.testing.assert_array_equal(out.gyr, gyr)


def test_a_steep_but_smooth_turn_is_not_a_glitch():
    t = np.arange(60) * 0.04
    rate = 400.0 * np.sin(2 * np.pi * 1.5 * t)  # deg/s: a swing faster than any real rep
    leg = Samples(t, np.tile([0.0, 9.8, 0.0], (60, 1)), np.column_stack([rate, 0 * t, 0 * t]))
    assert mended(leg)[1] == 0


def test_mending_does_not_depend_on_how_the_stream_is_cut():
    rec = read_recording(REAL)
    glitched = with_glitches(rec.samples, every_s=3.0, seed=4)
    whole, replaced = mended(glitched)
    assert replaced >= 60
    for chunk in (1, 2, 7, 333):
        np.testing.assert_array_equal(mended(glitched, chunk)[0].to_array(), whole.to_array())


@pytest.mark.parametrize("seed", [0, 1])
def test_glitches_every_few_seconds_cost_no_real_rep(seed):
    rec = read_recording(REAL)
    meta = rec.meta.to_dict()
    clean = counted(rec.samples, meta)
    again = counted(with_glitches(rec.samples, every_s=5.0, seed=seed), meta)
    assert len(clean) == 30
    assert len(again) == 30  # (9 of 30 with seed 0 before the spike filter)
    assert [r.kind for r in again] == [r.kind for r in clean]
    assert max(abs(a.rom_deg - c.rom_deg) for a, c in zip(again, clean)) < 1.0


def test_glitches_side_by_side_are_judged_the_same_in_any_cutting():
    # glitches next to each other or two apart: each judged against the sample before it as given
    # out (mended, maybe); the samples and the count mended must not depend on where packets end
    rng = np.random.default_rng(1)
    for _ in range(100):
        leg = still_leg(40)
        at = rng.choice(np.arange(1, 39), rng.integers(2, 8), replace=False)
        leg.gyr[at] += rng.uniform(200, 2000, (len(at), 1)) * rng.normal(size=(len(at), 3)) / 1.7
        whole, replaced = mended(leg)
        for chunk in (1, 2, 3, 5):
            again, replaced_again = mended(leg, chunk)
            assert replaced_again == replaced
            np.testing.assert_array_equal(again.to_array(), whole.to_array())


def test_two_glitches_in_a_row_count_two_however_the_stream_is_cut():
    # fed one sample at a time, the second glitch waits for the sample after it while the first
    # is already mended: it is judged once, as in one block
    leg = still_leg()
    leg.gyr[20] = [250.0, -40.0, 30.0]
    leg.gyr[21] = [-200.0, 240.0, 30.0]
    whole, _ = mended(leg)
    assert (whole.gyr != leg.gyr).any(axis=1).nonzero()[0].tolist() == [20, 21]
    for chunk in (None, 1, 21):
        out, replaced = mended(leg, chunk)
        assert replaced == 2
        np.testing.assert_array_equal(out.to_array(), whole.to_array())

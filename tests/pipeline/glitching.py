"""Helpers of the glitch tests (test_gyro_glitches.py, test_more_glitches.py): the spike filter run
over samples whole or in packets, and a still leg at 25 Hz to put glitches on."""
from __future__ import annotations

import numpy as np

from sensorkit.pipeline.spikes import SpikeFilter
from sensorkit.samples import Samples


def mended(samples: Samples, chunk: int | None = None) -> tuple[Samples, int]:
    """The samples the spike filter (150 deg/s, 25 Hz) gives out, fed whole or ``chunk`` at a time,
    and how many it mended."""
    spikes = SpikeFilter(150.0, period_s=0.04)
    blocks = [samples] if chunk is None else list(samples.chunks(chunk))
    return Samples.concat([spikes(b) for b in blocks] + [spikes.flush()]), spikes.replaced


def still_leg(n: int = 50) -> Samples:
    """``n`` samples at 25 Hz of a leg at rest (a little gyro bias)."""
    t = np.arange(n) * 0.04
    return Samples(t, np.tile([0.3, 9.7, 1.2], (n, 1)), np.tile([0.5, -0.2, 0.8], (n, 1)))

"""Compile the pipeline's numba kernels before a live session needs them.

The kernels are compiled on first use (Stage 1's at import) and cached on disk (see
:mod:`sensorkit.pipeline.jit` for where): the first run after an install takes some seconds,
later ones load the cache in well under one. A live session would otherwise stall at its first
rep; :func:`warm_up` runs the whole pipeline once on a short exact signal instead.
"""
from __future__ import annotations

import numpy as np

from sensorkit.samples import GRAVITY_MS2, Samples


def one_rep_signal(fs_hz: float = 100.0) -> Samples:
    """Rest, a 40° turn about the sensor's x axis (1.5 s out, 2 s hold, 1.5 s back), rest again."""
    t = np.arange(0.0, 12.0, 1.0 / fs_hz)
    phase = np.clip((t - 3.0) / 1.5, 0.0, 1.0) - np.clip((t - 6.5) / 1.5, 0.0, 1.0)
    angle_deg = 40.0 * (3 * phase**2 - 2 * phase**3)  # smooth out and back
    gyr = np.zeros((len(t), 3))
    gyr[:, 0] = np.gradient(angle_deg, t)
    theta = np.radians(angle_deg)  # gravity turns against the sensor
    acc = np.column_stack([np.zeros_like(t), GRAVITY_MS2 * np.sin(theta), GRAVITY_MS2 * np.cos(theta)])
    return Samples(t, acc, gyr)


def warm_up() -> None:
    """Run the pipeline once so every kernel is compiled (or loaded from the cache)."""
    from sensorkit.pipeline import Pipeline

    Pipeline().run(one_rep_signal())

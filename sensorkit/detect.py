"""The library surface: one rep detector per exercise, in the style of scikit-learn and gaitmap.

    >>> from sensorkit import KneeExtension
    >>> detector = KneeExtension(target_rom_deg=70).detect(frame)   # a DataFrame t, acc_*, gyr_*
    >>> detector.reps_          # one row per movement, the reps.csv columns
    >>> detector.angle_         # t (s), angle_deg above rest, per sample
    >>> detector.axis_          # the learned rotation axis in the sensor frame (unit vector)

Parameters are given at construction and checked there (a bad value is a ``ValueError`` naming
it); :meth:`RepDetector.detect` runs the causal pipeline over a whole recording and can be called
again with the same result; :meth:`RepDetector.update` feeds it live, a packet at a time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sensorkit import exercises
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.pipeline import Pipeline
from sensorkit.pipeline.rep import REP_COLUMNS, Rep
from sensorkit.samples import ACC_COLUMNS, COLUMNS, GYR_COLUMNS, T, Samples


def as_samples(data: Any) -> Samples:
    """``Samples`` from a DataFrame with the recording's columns, an (n, 7) array in that order, a
    ``(t, acc, gyr)`` tuple of arrays (s, m/s², deg/s), or ``Samples`` itself."""
    if isinstance(data, Samples):
        return data
    if hasattr(data, "columns"):
        missing = [c for c in COLUMNS if c not in data.columns]
        if missing:
            raise ValueError(f"the DataFrame lacks the columns {', '.join(missing)} (needs {', '.join(COLUMNS)})")
        return Samples(data[T].to_numpy(float), data[list(ACC_COLUMNS)].to_numpy(float),
                       data[list(GYR_COLUMNS)].to_numpy(float))
    if isinstance(data, tuple) and len(data) == 3:
        return Samples(*data)
    array = np.asarray(data, dtype=float)
    if array.ndim != 2 or array.shape[1] != 7:
        raise ValueError(f"expected an (n, 7) array with columns {', '.join(COLUMNS)}, got shape {array.shape}")
    return Samples.from_array(array)


class RepDetector:
    """Reps of one exercise in an ankle-IMU recording (see the module doc).

    Parameters
    ----------
    target_rom_deg, target_hold_s, target_movement_s
        The prescription, when known: ROM (deg), hold (s) and the outward plus return movement
        time (s) of one rep. Each is optional.
    side
        ``"left"`` or ``"right"`` (copied to ``reps_``).
    **params
        Any :class:`~sensorkit.pipeline.PipelineConfig` parameter (``lowpass_hz=2.5``, ...).

    Attributes (after :meth:`detect`)
    ---------------------------------
    reps_ : pandas.DataFrame
        One row per movement, the ``reps.csv`` columns.
    angle_ : pandas.DataFrame
        ``t`` (s) and ``angle_deg`` (the exercise angle above the rest before it, about ``axis_``)
        per sample.
    axis_ : numpy.ndarray
        The learned exercise axis (unit vector, sensor frame; NaN when no rep was seen).
    radius_m_ : float
        The sensor's distance from the rotation axis (m): the median over the counted reps.
    sample_rate_hz_ : float
        The sample rate measured on the recording.
    """

    exercise: str = ""

    def __init__(self, *, target_rom_deg: float | None = None, target_hold_s: float | None = None,
                 target_movement_s: float | None = None, side: str = "", **params: float) -> None:
        for name, value in (("target_rom_deg", target_rom_deg), ("target_hold_s", target_hold_s),
                            ("target_movement_s", target_movement_s)):
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}")
        self.target_rom_deg, self.target_hold_s, self.target_movement_s = target_rom_deg, target_hold_s, target_movement_s
        self.side = side
        try:
            self.config = PipelineConfig(**params).resolved(exercises.get(self.exercise))
        except TypeError as exc:
            raise ValueError(f"unknown parameter: {exc}") from None
        self._live: Pipeline | None = None

    @property
    def meta(self) -> dict:
        """The sidecar keys the pipeline is given: ``exercise`` and the prescription's
        ``target_rom_deg`` (deg), ``target_hold_s`` (s), ``target_movement_s`` (s) where set."""
        meta: dict[str, Any] = {"exercise": self.exercise}
        for key in ("target_rom_deg", "target_hold_s", "target_movement_s"):
            if getattr(self, key) is not None:
                meta[key] = getattr(self, key)
        return meta

    def detect(self, data: Any, recording: str = "") -> "RepDetector":
        """Analyse a whole recording (DataFrame, array or ``Samples``); returns ``self``."""
        import pandas as pd

        pipeline = Pipeline(self.config, meta=self.meta, keep_angle=True)
        reps = pipeline.run(as_samples(data))
        self.reps_ = pd.DataFrame([r.row(recording, self.side) for r in reps], columns=list(REP_COLUMNS))
        trace = pipeline.angle_trace()
        self.angle_ = pd.DataFrame({"t": trace[:, 0], "angle_deg": trace[:, 1]})
        axis = pipeline.classifier.axes.axis
        self.axis_ = np.array(axis, dtype=float) if axis is not None else np.full(3, np.nan)
        self.radius_m_ = pipeline.radius_m_
        self.sample_rate_hz_ = pipeline.fs_hz_
        return self

    def update(self, packet: Any) -> list[Rep]:
        """Live: feed a packet of samples; returns the movements that ended in it."""
        if self._live is None:
            self._live = Pipeline(self.config, meta=self.meta)
        return self._live.update(as_samples(packet))

    def finish(self) -> list[Rep]:
        """Live: the end of the stream (closes an open movement); the next ``update`` starts afresh."""
        live, self._live = self._live, None
        return live.finish() if live is not None else []

    def get_params(self) -> Mapping[str, Any]:
        """The parameters in force (the pipeline's and the prescription's)."""
        return {**{f: getattr(self.config, f) for f in PipelineConfig.names()}, **self.meta}


class HipExternalRotation(RepDetector):
    """Seated hip external rotation (see :mod:`sensorkit.exercises.hip_external_rotation`)."""

    exercise = "hip_external_rotation"


class KneeExtension(RepDetector):
    """Seated knee extension (see :mod:`sensorkit.exercises.knee_extension`)."""

    exercise = "knee_extension"

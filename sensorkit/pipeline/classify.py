"""Stage 4b: is a measured movement a rep of the exercise, and which kind?

Order of the tests (the first that applies decides):

1. shape — it must leave rest and come back (``returned``), reach ``min_rom_deg``, stay within
   the exercise's ``max_rom_deg``, have outward and return phases of at least ``min_phase_s``,
   turn back at most ``max_reversals`` times (shaking) and turn about an axis within
   ``max_axis_tilt_deg`` of horizontal at rest (the exercises turn the hanging shank forward or
   sideways, never about itself);
2. axis — it must turn about the learned exercise axis (within ``max_axis_offset_deg``), the
   usual way;
3. kind — for an exercise with a pivot modification (hip ER's ``knee_out``), a rotation radius
   below ``knee_out_max_radius_m``: the shank pivots about the foot; else ``partial`` below the
   target ROM when the recording has one, otherwise below ``partial_fraction`` of the typical
   full ROM; else ``full``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sensorkit.exercises import Exercise
from sensorkit.pipeline.axis import AxisModel, axis_offset_deg
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.filters import norm3
from sensorkit.pipeline.measure import MovementFeatures
from sensorkit.pipeline.segment import CUT_OFF_AXIS
from sensorkit.pipeline.stats import percentile


@dataclass(frozen=True)
class Verdict:
    kind: str
    reason: str
    rom_deg: float
    axis_offset_deg: float


def shape_problem(f: MovementFeatures, cfg: PipelineConfig) -> str:
    """Why the movement cannot be a rep whatever its axis ('' when it can)."""
    if not f.returned:
        return f"did not return to rest ({f.cut_reason})"
    return outward_problem(f, cfg, with_return=True)


def outward_problem(f: MovementFeatures, cfg: PipelineConfig, with_return: bool = False) -> str:
    """Why the movement (or only its outward half) is not rep-shaped ('' when it is)."""
    if f.excursion_deg < cfg.min_rom_deg:
        return f"too small ({f.excursion_deg:.1f} deg)"
    if f.excursion_deg > cfg.max_rom_deg:
        return f"beyond the exercise's range ({f.excursion_deg:.0f} deg)"
    if min(f.out_duration_s, f.return_duration_s if with_return else np.inf) < cfg.min_phase_s:
        return "too abrupt"
    if f.reversals > cfg.max_reversals:
        return f"shaking ({f.reversals} reversals)"
    tilt = axis_tilt_deg(f.axis, f.g_rest)
    if tilt > cfg.max_axis_tilt_deg:
        return f"turned about the shank ({tilt:.0f} deg from horizontal)"
    return ""


def axis_tilt_deg(axis: np.ndarray, gravity: np.ndarray) -> float:
    """Angle (0–90°) between rotation ``axis`` and the plane perpendicular to ``gravity``."""
    g = gravity / max(1e-9, norm3(gravity))
    return math.degrees(math.asin(min(1.0, abs(float(axis @ g)))))


class RepClassifier:
    """Learns the axis and the typical full ROM as reps come, and classifies each movement.

    ``config`` must be resolved for ``exercise`` (:meth:`PipelineConfig.resolved`).
    """

    def __init__(self, config: PipelineConfig, exercise: Exercise, target_rom_deg: float | None = None) -> None:
        self.config = config
        self.exercise = exercise
        self.target_rom_deg = target_rom_deg
        self.axes = AxisModel(config.axis_cluster_deg)
        self._knee_pivot_roms: list[float] = []

    @property
    def typical_full_rom_deg(self) -> float:
        cfg = self.config
        if not self._knee_pivot_roms:
            return cfg.typical_rom_floor_deg
        recent = self._knee_pivot_roms[-cfg.typical_rom_history:]
        return max(cfg.typical_rom_floor_deg, percentile(recent, cfg.typical_rom_percentile))

    def classify(self, f: MovementFeatures) -> Verdict:
        cfg = self.config
        problem = shape_problem(f, cfg)
        if not problem:
            self.axes.observe(f.axis, 2 if f.hold_s >= cfg.min_still_hold_for_gravity_s else 1)
        elif f.cut_reason == CUT_OFF_AXIS and not outward_problem(f, cfg):
            # half a movement cut short for turning about another axis than the learned one still
            # votes once: if the learned axis was wrong (kicks first), real reps win it back
            self.axes.observe(f.axis, 1)
        axis = self.axes.axis
        offset = axis_offset_deg(f.axis, axis) if axis is not None else float("nan")
        rom = f.rom_about(axis) if axis is not None else f.excursion_deg
        if problem:
            return Verdict("rejected", problem, rom, offset)
        if offset > cfg.max_axis_offset_deg:
            return Verdict("rejected", f"rotation about another axis ({offset:.0f} deg off)", rom, offset)
        if float(f.axis @ axis) < 0:
            return Verdict("rejected", "turned the other way", rom, offset)
        pivot = self.exercise.pivot_kind
        if pivot is not None and f.radius_m < cfg.knee_out_max_radius_m:
            return Verdict(pivot, "", rom, offset)
        self._knee_pivot_roms.append(rom)
        if self.target_rom_deg is not None:
            partial = rom < self.target_rom_deg
        else:
            partial = rom < cfg.partial_fraction * self.typical_full_rom_deg
        return Verdict("partial" if partial else "full", "", rom, offset)

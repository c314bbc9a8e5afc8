"""Seated hip external rotation: full and partial reps turn the whole leg about the thigh's long
axis (through the hip); knee_out reps turn the shank about a parallel axis through the foot.

Style: usual full range 25°–45°, knee_out range 10°–22° (each rep ±3°, within 8°–25°), controlled
out 0.9–1.8 s and return 0.9–2.0 s per session (each rep 0.7–2.5 s). The foot pivot of a knee_out
rep sits 0–4 cm below the ankle.
"""
from __future__ import annotations

import numpy as np

from sensorkit.sim.exercises import ExerciseMotion
from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.reps import RepSpec
from sensorkit.sim.style import SessionStyle, draw_targets_and_hold, draw_usual_range_rom_deg
from sensorkit.sim.timeline import Timeline


class HipExternalRotation(ExerciseMotion):
    name = "hip_external_rotation"
    rep_kinds = ("full", "partial", "knee_out")
    set_kind_weights = {"full": 0.6, "partial": 0.13, "knee_out": 0.13, "mixed": 0.14}
    mixed_rep_weights = {"full": 0.6, "partial": 0.25, "knee_out": 0.15}
    distractor_labels = ("fidget", "leg_shake", "knee_extension", "stand_up")
    phase_limits_s = (0.7, 2.5)

    def axis(self, geometry: LegGeometry) -> np.ndarray:
        return geometry.er_axis

    def center_m(self, geometry: LegGeometry) -> np.ndarray:
        return geometry.hip_m

    def draw_style(self, rng: np.random.Generator, targets: bool | None, geometry: LegGeometry) -> SessionStyle:
        usual = float(rng.uniform(25, 45))
        target_rom, target_hold, hold = draw_targets_and_hold(rng, usual, targets)
        return SessionStyle(usual, float(rng.uniform(10, 22)), hold, float(rng.uniform(0.9, 1.8)),
                            float(rng.uniform(0.9, 2.0)), target_rom, target_hold)

    def draw_rom_deg(self, rng: np.random.Generator, style: SessionStyle, kind: str) -> float:
        if kind == "knee_out":
            return float(np.clip(style.knee_out_rom_deg + rng.uniform(-3, 3), 8, 25))
        return draw_usual_range_rom_deg(rng, style, kind)

    def draw_pivot_m(self, rng: np.random.Generator, kind: str) -> float:
        return float(rng.uniform(0.0, 0.04)) if kind == "knee_out" else 0.0

    def place_rep(self, timeline: Timeline, spec: RepSpec) -> tuple[RepSpec, np.ndarray, str]:
        geometry = timeline.geometry
        if spec.kind == "knee_out":  # the shank turns about an axis parallel to the thigh, through the foot pivot
            ankle = timeline.point(geometry.ankle_m)
            return spec, ankle + spec.pivot_below_ankle_m * timeline.direction(geometry.shank_dir), "knee_out"
        return spec, geometry.hip_m, "hip_er"  # the whole leg turns about the thigh's long axis


MOTION = HipExternalRotation()

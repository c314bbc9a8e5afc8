"""Seated knee extension ("long-arc quad"): the shank turns about the knee's flexion axis through the
knee, foot forward and up, holds, and returns; the thigh stays on the chair.

The exercise axis is minus the flexion axis (which points to the patient's left), so a positive
angle lifts the foot on both sides. ROM is the peak extension gained above the angle at the rep's
start. Style: usual full range U(45°, min(85°, knee flexion − 15°)) (each full rep's held level
±3°, partial 45 %–80 % of usual), controlled out 1.2–2.2 s and main return 1.0–2.0 s per session
(each rep 0.9–3.0 s; real reps take 0.8–1.0 s from 10 % to 80 % of the way, about 0.4 of a whole
minimum-jerk movement). No rep ever straightens the knee past 3° of flexion, overshoot and wobble
included: the held level comes down when the peak would.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from sensorkit.sim.exercises import ExerciseMotion
from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.reps import RepSpec, peak_deg
from sensorkit.sim.style import SessionStyle, draw_targets_and_hold
from sensorkit.sim.timeline import Timeline

#: the knee's flexion at the top of a rep is never below this (degrees), overshoot and wobble included
MIN_FLEXION_DEG = 3.0
#: the usual full range stays this far below straight, leaving room for rep scatter and rest drift
USUAL_MARGIN_DEG = 15.0


class KneeExtension(ExerciseMotion):
    name = "knee_extension"
    rep_kinds = ("full", "partial")
    set_kind_weights = {"full": 0.7, "partial": 0.15, "mixed": 0.15}
    mixed_rep_weights = {"full": 0.7, "partial": 0.3}
    distractor_labels = ("fidget", "leg_shake", "stand_up", "hip_rotation")
    phase_limits_s = (0.9, 3.0)

    def axis(self, geometry: LegGeometry) -> np.ndarray:
        return -geometry.flexion_axis

    def center_m(self, geometry: LegGeometry) -> np.ndarray:
        return geometry.knee_m

    def draw_style(self, rng: np.random.Generator, targets: bool | None, geometry: LegGeometry) -> SessionStyle:
        usual = float(rng.uniform(45, min(85.0, geometry.knee_flexion_deg - USUAL_MARGIN_DEG)))
        target_rom, target_hold, hold = draw_targets_and_hold(rng, usual, targets)
        return SessionStyle(usual, None, hold, float(rng.uniform(1.2, 2.2)), float(rng.uniform(1.0, 2.0)),
                            target_rom, target_hold)

    def place_rep(self, timeline: Timeline, spec: RepSpec) -> tuple[RepSpec, np.ndarray, str]:
        room = timeline.geometry.knee_flexion_deg - MIN_FLEXION_DEG - timeline.angle_deg
        excess = peak_deg(spec)[0] - room
        if excess > 0:  # never past straight: the held level comes down by what the peak would pass it
            spec = replace(spec, rom_deg=float(spec.rom_deg - excess - 1e-6))
        return spec, timeline.point(timeline.geometry.knee_m), "knee_extension"


MOTION = KneeExtension()

"""Seated hip external rotation (the default exercise).

Sitting, the thigh stays on the chair and turns about its own long axis; the foot slides towards
the opposite knee, holds, returns. The ankle sensor turns about the thigh's axis, which is
horizontal (the shank hangs along gravity at rest, so the axis is perpendicular to it), on an arc
of radius ≈ the shank's length (0.3–0.45 m). Its easier modification, ``knee_out``, keeps both
feet on the floor: the shank turns about the foot, an axis *below* the sensor (about the thigh's
axis it lies above it).
"""
from sensorkit.exercises.base import Exercise

EXERCISE = Exercise(
    name="hip_external_rotation",
    title="seated hip external rotation",
    rom_definition="peak external-rotation angle above the rest angle just before the rep",
    kinds=("full", "partial", "knee_out"),
    pivot_kind="knee_out",
    defaults={
        "min_rom_deg": 5.0,  # knee_out reps can be as small as 8°
        "max_rom_deg": 60.0,  # seated hip ER rarely passes 45°; more is another movement
        "typical_rom_floor_deg": 25.0,
        "max_axis_tilt_deg": 35.0,  # thigh pitched ±10°, shank within ±25° of vertical at rest
        "controlled_rep_s": 5.0,  # out, a 2-s hold and return of a controlled rep, before any is seen
    },
)

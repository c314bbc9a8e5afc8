"""Seated knee extension ("long-arc quad").

Sitting with the knee flexed about 90°, the patient straightens the knee so the foot rises
forward, holds, and lowers it. The ankle sensor turns about the knee's flexion axis (horizontal,
pointing sideways: perpendicular to the shank and to gravity at rest) on an arc of radius ≈ the
shank's length. ``rom_deg`` is the extension gained from the resting flexed position: up to about
90° (a straight knee). There is no pivot modification; the easier one is a reduced range
(``partial``).

To the sensor this looks like hip ER turned by 90° about the vertical (the same radius, an axis
perpendicular to the shank): which one a recording holds comes from its sidecar, and movements
about the other axis are rejected once the exercise's axis is learned.
"""
from sensorkit.exercises.base import Exercise

EXERCISE = Exercise(
    name="knee_extension",
    title="seated knee extension",
    rom_definition="knee extension gained from the resting (about 90° flexed) position",
    kinds=("full", "partial"),
    pivot_kind=None,
    defaults={
        "min_rom_deg": 12.0,  # even a reduced-range extension lifts the foot by 15° or more
        "max_rom_deg": 150.0,  # the knee's whole flexion range (about 140°); PHYTMO's fast swings reach 121°
        "typical_rom_floor_deg": 30.0,  # a limited-range patient's 30° reps must still be full
        "max_axis_tilt_deg": 35.0,
        "controlled_rep_s": 6.0,  # out, a 2-s hold and return; real correct reps: 4.6–7.5 s
    },
)

"""The exercises the simulator performs: one module each, found by name.

Each module here defines ``MOTION``, an :class:`ExerciseMotion` that says which rep kinds it
simulates, how a session's style and each rep's ROM are drawn, the axis and centre of its rep
rotation (which is also the rest drift and the angle coordinate ``angle_deg``), where each rep
kind pivots, and which distractors interrupt it. A new exercise is one new module; the schedule
(sets, rests, holds, tempo, distractor placement) and the sensor model are shared.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import numpy as np

from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.reps import RepSpec
from sensorkit.sim.style import SessionStyle, draw_usual_range_rom_deg
from sensorkit.sim.timeline import Timeline


class ExerciseMotion:
    """The simulator's model of one exercise (class attributes set by each subclass)."""

    name: str = ""  # the metadata's "exercise" value
    rep_kinds: tuple[str, ...] = ()  # counted kinds it simulates
    set_kind_weights: dict[str, float] = {}  # how often a set is each kind (or "mixed")
    mixed_rep_weights: dict[str, float] = {}  # kinds within a mixed set
    distractor_labels: tuple[str, ...] = ()  # movements in its sessions that are not its reps
    phase_limits_s: tuple[float, float] = (0.7, 2.5)  # a controlled out/return phase, per rep

    def axis(self, geometry: LegGeometry) -> np.ndarray:
        """Unit world axis of the rep rotation; positive angles are the exercise direction."""
        raise NotImplementedError

    def center_m(self, geometry: LegGeometry) -> np.ndarray:
        """A world point on the rep rotation's axis (the leg's rest pose turns about it too)."""
        raise NotImplementedError

    def draw_style(self, rng: np.random.Generator, targets: bool | None, geometry: LegGeometry) -> SessionStyle:
        raise NotImplementedError

    def draw_rom_deg(self, rng: np.random.Generator, style: SessionStyle, kind: str) -> float:
        return draw_usual_range_rom_deg(rng, style, kind)

    def draw_pivot_m(self, rng: np.random.Generator, kind: str) -> float:
        """Where a rep kind pivots away from the exercise centre, if it does (drawn after the phases)."""
        return 0.0

    def place_rep(self, timeline: Timeline, spec: RepSpec) -> tuple[RepSpec, np.ndarray, str]:
        """(the rep as performed, its rotation centre in world m now, its truth label)."""
        raise NotImplementedError


@lru_cache(maxsize=None)
def _motions() -> dict[str, ExerciseMotion]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        motion = getattr(importlib.import_module(f"{__name__}.{module.name}"), "MOTION", None)
        if isinstance(motion, ExerciseMotion):
            found[motion.name] = motion
    return dict(sorted(found.items()))


def exercise_names() -> tuple[str, ...]:
    """The exercises the simulator can perform (its ``sim/exercises`` modules)."""
    return tuple(_motions())


def get_exercise(name: str) -> ExerciseMotion:
    """The simulator's exercise called ``name``; KeyError naming the known ones otherwise."""
    try:
        return _motions()[name]
    except KeyError:
        raise KeyError(f"unknown exercise {name!r}; known: {', '.join(_motions())}") from None

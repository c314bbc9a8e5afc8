"""The exercise catalogue: one module per exercise, each defining ``EXERCISE`` (an :class:`Exercise`).

The pipeline's stages (gap filling, motion, segmentation, measurement) know nothing of any
exercise: they find movements that leave rest and come back, and learn the exercise's rotation
axis from the movements themselves. The exercise model says what to expect of its reps: the
ROM range, which kinds exist, the radius test for a pivot modification, the axis's relation to
gravity and the tempo of a controlled rep. A recording's sidecar ``exercise`` key picks the model
(default ``hip_external_rotation``).

Adding an exercise
------------------
1. ``sensorkit/exercises/<name>.py`` with a docstring describing the movement as the ankle
   sensor sees it, and ``EXERCISE = Exercise(name="<name>", ...)`` (see :class:`Exercise`);
   it is found by its module name, nothing else to register. Its kinds come from ``full``,
   ``partial`` and ``knee_out``; a new kind name is a new output value (add it to
   ``sensorkit/pipeline/rep.py`` and, for a count column, to the tables).
2. Its simulator motion: one module in ``sensorkit/sim/exercises/`` defining ``MOTION``, an
   ``ExerciseMotion`` whose ``name`` is the same (its axis and centre on the leg, how ROMs and
   tempo are drawn, which distractors interrupt it; see that package). Then
   ``sensorkit simulate --exercise <name>`` makes sessions with truth and
   ``python benchmarks/accuracy.py --exercise <name>`` measures the pipeline on them.
3. If its defaults need tuning, tune them on development seeds (below 1000), then report the
   figures on fresh seeds.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from sensorkit.errors import ConfigError
from sensorkit.exercises.base import Exercise

DEFAULT_EXERCISE = "hip_external_rotation"
_NOT_EXERCISES = {"base"}

__all__ = ["Exercise", "DEFAULT_EXERCISE", "get", "names", "check_name", "target_rom_problem"]


@cache
def names() -> tuple[str, ...]:
    """Every exercise in the catalogue, sorted."""
    found = (m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return tuple(sorted(n for n in found if n not in _NOT_EXERCISES))


def check_name(name: str) -> str:
    """``name`` if the catalogue has it, else ValueError: "'x' is not one of a, b"."""
    if name not in names():
        raise ValueError(f"{name!r} is not one of {', '.join(names())}")
    return name


@cache
def get(name: str | None) -> Exercise:
    """The exercise called ``name`` (None or empty: the default); ConfigError if unknown."""
    name = name or DEFAULT_EXERCISE
    if name not in names():
        raise ConfigError(f"unknown exercise {name!r}; known: {', '.join(names())}")
    exercise = importlib.import_module(f"{__name__}.{name}").EXERCISE
    if exercise.name != name:
        raise ConfigError(f"sensorkit/exercises/{name}.py defines exercise {exercise.name!r}")
    return exercise


def target_rom_problem(exercise: str, target_rom_deg: float | None, max_rom_deg: float | None = None) -> str | None:
    """Why a prescribed ``target_rom_deg`` (deg; None: no target) cannot be ``exercise``'s, or None:
    over ``max_rom_deg`` (deg; None: the exercise's own), the largest movement the exercise takes (a
    larger one is rejected as beyond its range), no rep could reach it. E.g. ``90 is over
    hip_external_rotation's max_rom_deg 60 (a larger movement is rejected as beyond its range): no
    rep could reach it``."""
    own = get(exercise).defaults["max_rom_deg"]
    limit = own if max_rom_deg is None else max_rom_deg
    if target_rom_deg is None or target_rom_deg <= limit:
        return None
    whose = f"{exercise}'s max_rom_deg {limit:g}" if limit == own else f"the max_rom_deg {limit:g} given for {exercise}"
    return f"{target_rom_deg:g} is over {whose} (a larger movement is rejected as beyond its range): no rep could reach it"

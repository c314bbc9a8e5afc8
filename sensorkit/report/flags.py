"""Sessions a report flags: probably another exercise, or a sensor turned on the leg.

    flags, stray_from_s = session_flags("hip_external_rotation", reps)

The two warnings ``analyze`` gives such a recording (:func:`sensorkit.batch.exercise_misfit_warning`,
:func:`sensorkit.batch.moved_sensor_warning`), as the report carries them: a flag per warning, and
the time from which its reps are stray (no measure of the prescribed exercise's range): every rep
of a recording of another exercise; those from the first movement rejected after the sensor turned
(or from the first rep counted but resting where no seated leg rests, read about the stale axis).
Stray reps stay counted (``reps_total``, adherence), but are left out of the ROM columns.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from sensorkit.batch import exercise_misfit_warning, moved_sensor_evidence
from sensorkit.pipeline import Rep

#: the flag of a recording whose movements went beyond its exercise's range: another exercise?
ANOTHER_EXERCISE = "another_exercise"
#: the flag of a recording whose reps, after counted ones, were rejected as turning about another axis
SENSOR_MOVED = "sensor_moved"
#: each flag in words, as the dashboard and plots say it
FLAG_WORDS = {ANOTHER_EXERCISE: "another exercise?", SENSOR_MOVED: "sensor moved?"}


def session_flags(exercise: str, reps: Sequence[Rep]) -> tuple[tuple[str, ...], float | None]:
    """(the flags of a recording of ``exercise`` whose movements are ``reps``, the start (s) from which
    its reps are stray: ``-inf`` for all, None for none). The same tests as the warnings ``analyze``
    says (their words are not parsed: a path or a threshold in them may change)."""
    flags: list[str] = []
    stray_from_s: float | None = None
    # (the range only words the warning: whether there is one depends on the reps alone)
    if exercise_misfit_warning("", exercise, list(reps), math.nan) is not None:
        flags.append(ANOTHER_EXERCISE)
        stray_from_s = -math.inf
    evidence = moved_sensor_evidence(list(reps))  # (rejected after it, or counted but read about the stale axis)
    if evidence is not None:
        flags.append(SENSOR_MOVED)
        stray_from_s = evidence[2].start_s if stray_from_s is None else stray_from_s
    return tuple(flags), stray_from_s


def is_stray(rep: Rep, stray_from_s: float | None) -> bool:
    """Whether ``rep`` is stray in a session whose stray reps start at ``stray_from_s`` (s; None: none)."""
    return stray_from_s is not None and rep.start_s >= stray_from_s

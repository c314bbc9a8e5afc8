"""What an exercise looks like to an ankle sensor: the :class:`Exercise` model."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sensorkit.pipeline.rep import COUNTED_KINDS


@dataclass(frozen=True)
class Exercise:
    """One catalogue entry. Angles in degrees, times in seconds.

    name: the sidecar's ``exercise`` value and the ``exercise`` column of ``reps.csv``.
    title: a human name for messages and plots.
    rom_definition: what ``rom_deg`` means for this exercise.
    kinds: the counted kinds it has (``rejected`` always exists besides), from
        :data:`sensorkit.pipeline.rep.COUNTED_KINDS`: a new kind is a new output value, so it
        also needs its name there (and a count column in the tables if it should have one).
    pivot_kind: the kind of a rep whose rotation axis lies below the sensor (past
        ``foot_pivot_min_height_m``: the shank turning about the foot rather than about the
        hip or knee), or None when the exercise
        has no such modification.
    defaults: values of the exercise-dependent :class:`~sensorkit.pipeline.PipelineConfig`
        parameters (those that are None there): ``min_rom_deg``, ``max_rom_deg``, ``typical_rom_floor_deg``,
        ``max_axis_tilt_deg``, ``controlled_rep_s``.
    """

    name: str
    title: str
    rom_definition: str
    kinds: tuple[str, ...]
    pivot_kind: str | None
    defaults: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(COUNTED_KINDS)
        if unknown:
            raise ValueError(f"exercise {self.name}: kinds {sorted(unknown)} are not in {COUNTED_KINDS} "
                             "(sensorkit/pipeline/rep.py)")
        if self.pivot_kind is not None and self.pivot_kind not in self.kinds:
            raise ValueError(f"exercise {self.name}: pivot_kind {self.pivot_kind!r} is not one of its kinds")
        if not {"full", "partial"} <= set(self.kinds):
            raise ValueError(f"exercise {self.name}: kinds must include full and partial")
        from sensorkit.pipeline.config import check_exercise_defaults  # (the pipeline's stages import this module)

        check_exercise_defaults(self.name, self.defaults)

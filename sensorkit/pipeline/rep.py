"""The rep event the pipeline emits, and the ``reps.csv`` column names (defined once, here)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What a movement was: a counted rep (``FULL``, ``PARTIAL``, ``KNEE_OUT``) or ``REJECTED``."""

    FULL = "full"
    PARTIAL = "partial"
    KNEE_OUT = "knee_out"
    REJECTED = "rejected"


class Tempo(StrEnum):
    """A counted rep's tempo: ``NORMAL`` or ``FAST`` (rushed: see :mod:`sensorkit.pipeline.tempo`)."""

    NORMAL = "normal"
    FAST = "fast"


KINDS = tuple(k.value for k in Kind)
COUNTED_KINDS = (Kind.FULL.value, Kind.PARTIAL.value, Kind.KNEE_OUT.value)
#: a rep's whole arc (``rom_deg``) and how far it got from rest (``peak_deg``) are shown apart (live,
#: dashboard) when they differ by more than this (deg): beyond the rounding of the shown figures
SHOWN_APART_DEG = 0.5

#: reps.csv columns, in order (the original ten first, then extras; meanings: docs/formats.md).
REP_COLUMNS = (
    "recording", "rep", "side", "kind", "start_s", "end_s", "rom_deg", "hold_s", "exercise", "tempo",
    "out_end_s", "return_start_s", "peak_speed_dps", "out_duration_s", "return_duration_s",
    "rest_angle_deg", "radius_m", "axis_offset_deg", "reason", "set", "peak_deg", "path",
)


@dataclass(frozen=True)
class Rep:
    """One detected movement. Times in the recording's ``t`` seconds, angles in degrees.

    ``rep`` is the 1-based count among counted reps (None for ``rejected``); ``kind`` a
    :class:`Kind` and ``tempo`` a :class:`Tempo` (given as either, or as their string values);
    ``reason`` says why a movement was rejected (empty otherwise); ``set`` is the 1-based set a
    counted rep belongs to (a pause of ``set_break_s`` or more since the last counted rep starts a
    new one; None for ``rejected``); ``peak_deg`` the peak angle about the exercise's axis above the
    rest pose the movement was read from, which its kind is judged on (``rom_deg`` except for a
    rep begun with no quiet rest before it, whose ``rom_deg`` is its range from the swing's bottom).
    """

    rep: int | None
    kind: Kind
    start_s: float
    end_s: float
    rom_deg: float
    hold_s: float
    out_end_s: float
    return_start_s: float
    peak_speed_dps: float
    out_duration_s: float
    return_duration_s: float
    rest_angle_deg: float
    radius_m: float
    axis_offset_deg: float
    exercise: str = "hip_external_rotation"
    tempo: Tempo | str = ""  # counted reps: Tempo.NORMAL | Tempo.FAST; "" for rejected movements
    reason: str = ""
    set: int | None = None
    peak_deg: float = float("nan")

    def __post_init__(self) -> None:  # the enums, from their values too ("full" is Kind.FULL)
        object.__setattr__(self, "kind", Kind(self.kind))
        if self.tempo:
            object.__setattr__(self, "tempo", Tempo(self.tempo))

    @property
    def counted(self) -> bool:
        """True for a counted rep (``full``, ``partial``, ``knee_out``), False for ``rejected``."""
        return self.kind in COUNTED_KINDS

    @property
    def reached_deg(self) -> float:
        """How far the leg got from rest (deg): ``peak_deg``, which the kind is judged on and a
        prescribed ROM is met by, and which the ROM summaries (``sessions.csv``, reports) average;
        ``rom_deg`` where it is unknown (NaN). The two differ only for a rep begun at the bottom of
        a swing past rest (a series without rests), whose ``rom_deg`` adds the swing behind rest."""
        return self.rom_deg if math.isnan(self.peak_deg) else self.peak_deg

    def row(self, recording: str, side: str = "", path: str = "") -> dict:
        """This rep as a ``reps.csv`` row (keys :data:`REP_COLUMNS`); ``path``: the recording's file as
        given (the row's identity across runs: ``recording`` may change with the files beside it)."""
        given = {"recording": recording, "side": side, "path": path}  # the fields are plain values: no deep copy needed
        return {c: given[c] if c in given else getattr(self, c) for c in REP_COLUMNS}

"""Stage 4b: is a measured movement a rep of the exercise, and which kind?

Order of the tests (the first that applies decides):

1. shape — it must come back to rest (not be cut at ``max_movement_s``), reach ``min_rom_deg``,
   stay within ``max_rom_deg``, have outward and return phases of at least ``min_phase_s``, turn
   back at most ``max_reversals`` times by a large swing (shaking), and turn about an axis within
   ``max_axis_tilt_deg`` of horizontal at rest (never about the shank itself); in an exercise
   without a pivot kind, turn about a point above the sensor (the knee), not below it (the foot:
   ``foot_pivot_min_height_m``);
2. axis — it must turn about the learned exercise axis (within ``max_axis_offset_deg``);
3. kind — for an exercise with a pivot modification (hip ER's ``knee_out``), a rotation axis
   below the sensor (``foot_pivot_min_height_m``): the shank pivots about the foot; else no rep
   below ``min_rep_fraction`` of the typical full ROM and not held at the top on purpose
   (``DELIBERATE_HOLD_S``: a fidget of the exercise's own turn, "too small for a rep"); else
   ``partial`` below ``partial_fraction`` of it
   (the target ROM, when the recording gives one, stands in for it until reps show the patient's
   own range); else ``full``;
4. a rep begun at the bottom of the swing before (a series without rests,
   :mod:`sensorkit.pipeline.series`), whose range from there (the ROM it reports) is under
   ``min_rom_deg``, is no rep after all: "too small", however high above rest it went (a bump on a
   return stopped part way up). It votes for the axis as the rep it looked like.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sensorkit.exercises import Exercise
from sensorkit.pipeline.axis import AxisModel, axis_offset_deg
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.measure import Features, axis_tilt_deg, signed_angle_deg
from sensorkit.pipeline.stats import percentile


#: a movement that stays this long at the top held it (s): a rep's hold, not a swing's turnaround
#: (UCI median hold per set: fast reps 0.0–0.5 s, correct reps 2.6–4.4 s)
HELD_S = 0.5
#: the reason of a movement rejected as turning about another axis than the exercise's (its start)
ANOTHER_AXIS = "rotation about another axis"
#: the reason of a movement rejected as turning about the exercise's axis the other way
OTHER_WAY = "swung the other way (behind the resting pose)"
#: a movement held this long at the top was held on purpose (s): a small one is a (very) partial
#: rep, not a fidget (``min_rep_fraction``). Real reps held on purpose (UCI's correct and
#: low-amplitude ones) hold 1.78 s and more; real reps held shorter are fast full ones (up to 0.80 s
#: at the top), and the one real small movement held over HELD_S is no rep (UCI subject 1's
#: template: 5.8°, 0.07 of the typical ROM, held 0.56 s). 1.2 s lies between
DELIBERATE_HOLD_S = 1.2


#: the reason of a movement that did not come back to rest (but see ``segment.CUT_BY_END``)
NOT_RETURNED = "did not return to rest"


@dataclass(frozen=True)
class Verdict:
    kind: str
    reason: str
    rom_deg: float
    axis_offset_deg: float
    #: not the leg turning about the exercise's axis at the knee or hip (standing up, a step): see
    #: :func:`foreign`
    foreign: bool = False


def shape_problem(f: Features, cfg: PipelineConfig, pivot_kind: str | None = None) -> str:
    """Why the movement cannot be a rep whatever its axis ('' when it can)."""
    if not f.returned:
        return NOT_RETURNED
    if f.rom_deg < cfg.min_rom_deg:
        return f"too small ({f.rom_deg:.1f} deg)"
    if f.rom_deg > cfg.max_rom_deg:
        return f"beyond the exercise's range ({f.rom_deg:.0f} deg)"
    if min(f.out_duration_s, f.return_duration_s) < cfg.min_phase_s:
        return "too abrupt"
    if f.reversals > cfg.max_reversals:
        return f"shaking ({f.reversals} swings back and forth)"
    return pivot_problem(f, cfg, pivot_kind)


def pivot_problem(f: Features, cfg: PipelineConfig, pivot_kind: str | None = None) -> str:
    """Why the movement was no turn of the leg at the knee or hip, whatever its shape ('' when it
    was): a radius no knee or hip has, about the foot where the exercise has no foot-pivot kind
    (``pivot_kind``), or about an axis far from horizontal (standing up, walking, a step)."""
    if f.radius_m > cfg.max_radius_m:
        return f"moved as a whole, not about the knee or hip (radius {f.radius_m:.1f} m)"
    if pivot_kind is None and f.radius_m < cfg.min_knee_radius_m:
        return f"did not turn about the knee (radius {f.radius_m:.2f} m)"
    if pivot_kind is None and f.pivot_height_m > cfg.foot_pivot_min_height_m:
        return f"turned about the foot, not the knee (pivot {f.pivot_height_m:.2f} m below the sensor)"
    tilt = axis_tilt_deg(f.axis, f.rest_up)
    if tilt > cfg.max_axis_tilt_deg:
        return f"turned about the shank ({tilt:.0f} deg from horizontal)"
    return ""


def foreign(f: Features, cfg: PipelineConfig, pivot_kind: str | None, axis_offset: float) -> bool:
    """Whether the movement was something other than the leg turning about the exercise's axis at
    the knee or hip, whatever else was wrong with it: about another axis (``axis_offset``, deg), with
    a radius no knee or hip has, about the foot where the exercise has no foot-pivot kind, or about
    an axis far from horizontal (standing up, walking, a step)."""
    return bool(axis_offset > cfg.max_axis_offset_deg) or bool(pivot_problem(f, cfg, pivot_kind))


class RepClassifier:
    """Learns the axis and the typical full ROM as reps come, and classifies each movement."""

    def __init__(self, config: PipelineConfig, exercise: Exercise, target_rom_deg: float | None = None) -> None:
        self.config = config
        self.exercise = exercise
        self.target_rom_deg = target_rom_deg
        self.axes = AxisModel(config.axis_cluster_deg)
        self._roms: list[float] = []

    @property
    def typical_full_rom_deg(self) -> float:
        cfg = self.config
        if not self._roms:
            return self.target_rom_deg if self.target_rom_deg is not None else cfg.typical_rom_floor_deg
        recent = self._roms[-cfg.typical_rom_history:]
        return max(cfg.typical_rom_floor_deg, percentile(recent, cfg.typical_rom_percentile))

    def classify(self, f: Features, learn: bool = True) -> Verdict:
        """The verdict on a measured movement; unless ``learn`` is False (a movement the segmenter
        already knows is no rep: cut by a gap, a way back to rest, begun before the rest was seen),
        it also votes for the exercise's axis and adds to the typical ROM."""
        cfg = self.config
        problem = shape_problem(f, cfg, self.exercise.pivot_kind)
        verdict = self._judge(f, problem)
        if verdict.kind != "rejected" and f.link is not None and f.link.range_deg < cfg.min_rom_deg:
            # a rep begun at the bottom of the swing before (a series) ranges from there: one that
            # rose less than the smallest rep from there is no rep, however high above rest it went
            # (a bump on a return stopped part way, in two stages)
            verdict = Verdict("rejected", f"too small ({f.link.range_deg:.1f} deg from the swing before)",
                              verdict.rom_deg, verdict.axis_offset_deg)
        # its vote counts for the movements after it, not for its own verdict
        votes = self._votes(f) if not problem and learn else 0
        if votes:
            before = self.axes.axis
            self.axes.observe(f.axis, votes, f.rom_deg)
            after = self.axes.axis
            if before is not None and after is not None and axis_offset_deg(before, after) > cfg.max_axis_offset_deg:
                self._roms = []  # another axis won: the reps counted so far were of another movement
        if verdict.kind != "rejected" and verdict.kind != self.exercise.pivot_kind and learn:
            self._roms.append(verdict.rom_deg)
        if verdict.kind == "rejected" and foreign(f, cfg, self.exercise.pivot_kind, verdict.axis_offset_deg):
            verdict = replace(verdict, foreign=True)
        return verdict

    def _votes(self, f: Features) -> int:
        """A rep-shaped movement's votes for its axis: 2 when it held at the top (a rep holds, a
        sit-down or a kick mostly does not), else 1. But a movement about the foot that did not
        hold votes only for the axis in force (or when there is none yet): the shank rocking over
        the foot while standing up or stepping turns about another axis, and must not take over
        between two sets; knee out (hip ER's axis) may come first, and is what it strengthens."""
        held = f.hold_s >= HELD_S
        axis = self.axes.axis
        if (f.pivot_height_m > self.config.foot_pivot_min_height_m and not held and axis is not None
                and axis_offset_deg(f.axis, axis) > self.config.max_axis_offset_deg):
            return 0
        return 2 if held else 1

    def _judge(self, f: Features, problem: str) -> Verdict:
        cfg = self.config
        axis = self.axes.axis
        if axis is None and not problem:  # the first rep-shaped movement sets the axis
            axis = f.axis
        offset = axis_offset_deg(f.axis, axis) if axis is not None else float("nan")
        rom = f.rom_deg
        if problem:
            return Verdict("rejected", problem, rom, offset)
        if offset > cfg.max_axis_offset_deg:
            return Verdict("rejected", f"{ANOTHER_AXIS} ({offset:.0f} deg off)", rom, offset)
        if float(f.axis @ axis) < 0:
            return Verdict("rejected", OTHER_WAY, rom, offset)
        pivot = self.exercise.pivot_kind
        if pivot is not None and f.pivot_height_m > cfg.foot_pivot_min_height_m:
            return Verdict(pivot, "", rom, offset)
        typical = self.typical_full_rom_deg
        if rom < cfg.min_rep_fraction * typical and f.hold_s < DELIBERATE_HOLD_S:  # (one held on purpose is meant)
            held = f"; held {f.hold_s:.1f} s, under {DELIBERATE_HOLD_S:g} s" if f.hold_s >= HELD_S else ""
            return Verdict("rejected", f"too small for a rep, not held ({rom:.1f} deg, {rom / typical:.0%} of the "
                                       f"typical {typical:.0f} deg{held})", rom, offset)
        partial = rom < cfg.partial_fraction * typical
        return Verdict("partial" if partial else "full", "", rom, offset)


def rest_angle_deg(first_rest_up: np.ndarray, rest_up: np.ndarray, axis: np.ndarray | None) -> float:
    """Rest pose of a movement relative to the recording's first rest, about ``axis`` (deg)."""
    if axis is None:
        return float("nan")
    return float(signed_angle_deg(first_rest_up, rest_up[None, :], axis)[0])

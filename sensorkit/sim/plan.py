"""The session schedule: idle lead-in, 1–3 sets of 5–12 reps, rests, distractors, idle lead-out.

The exercise (:mod:`sensorkit.sim.exercises`) draws the session's style (usual full range, typical
hold, controlled out/return durations, targets) and each rep's ROM level and pivot; the patient's
motor habits (:mod:`sensorkit.sim.motor`: wobble, sag, overshoot, staged movements, rests) and the
rep shapes (:mod:`sensorkit.sim.reps`) are shared. Each rep: a hold (about one in eight without;
else the typical hold ± 0.8 s, 0–8 s), main out and return pieces jittered around the session's
(× 0.75–1.35, within the exercise's limits), an end angle within ±2° of its start (pulled back
towards the set's rest angle), except that in 15 % of reps the foot settles lower or higher by up to
−15 %/+5 % of the rep's range (UCI subject 1 stays 12° past rest after a rep). Still time before a
controlled rep: the session's typical rest × U(0.5, 1.6), or none (the session's ``no_rest_p``);
between sets 10–40 s, while the rest pose moves by N(0, 8 % of the usual range), within ±18 % (real
rest-to-rest spread 10°–16° per session of 72°–92° reps); idle lead-in and lead-out 3–10 s; the rest
angle also drifts slowly while sitting (~0.15°/√s, at most ±1.5° per rest).

Continuous sessions (``MotorStyle.continuous``, PHYTMO): every set is a series of swings with no
hold and no still time between them, each swing's return passing 6 %–18 % of the usual range past
the set's rest pose (where the next swing starts), the last one settling back to it; no fast reps
and no target hold.

Most sets are full reps; a set may be partial, knee_out (hip ER) or mixed. 0–4 distractors (labels
in a shuffled cycle: each once before any repeats) sit in rests between reps, 1–3 s or more from
either rep. Fast reps (:mod:`sensorkit.sim.tempo`) come from a separate random stream.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sensorkit.sim.distractors import DistractorSpec, build_distractor, draw_distractor
from sensorkit.sim.exercises import ExerciseMotion
from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.motor import MotorStyle, draw_axis_spread_deg, draw_axis_tilt, draw_motor_style
from sensorkit.sim.reps import RepShape, RepSpec, build_rep, build_rest, draw_shape
from sensorkit.sim.style import SessionStyle, draw_controlled_phase_s, draw_rep_hold_s
from sensorkit.sim.tempo import draw_fast_reps, rest_before_fast_s, rush
from sensorkit.sim.timeline import Timeline
from sensorkit.sim.truth import TruthMovement

__all__ = ["PlanLimits", "SessionStyle", "build_session", "draw_rep"]


@dataclass(frozen=True)
class PlanLimits:
    """What the caller constrains (see ``SimOptions``)."""

    n_sets: int | None
    set_kinds: tuple[str, ...] | None  # fixes each set's kind (one of the exercise's kinds, or mixed)
    reps_per_set: tuple[int, int]
    max_duration_s: float | None
    kinds: tuple[str, ...]
    n_distractors: int  # already drawn (0 when distractors are off)
    distractor_labels: tuple[str, ...]
    targets: bool | None
    fast_reps: bool = True
    continuous: bool | None = None  # a continuous-swing session (None: drawn)


def _weighted_choice(rng: np.random.Generator, weights: dict[str, float], allowed: tuple[str, ...]) -> str:
    names = [k for k in weights if k in allowed or (k == "mixed" and len(allowed) > 1)]
    p = np.array([weights[k] for k in names])
    return names[rng.choice(len(names), p=p / p.sum())]


def draw_rep(rng: np.random.Generator, exercise: ExerciseMotion, style: SessionStyle, motor: MotorStyle, kind: str,
             set_index: int, off_set_rest_deg: float, last_in_set: bool) -> RepSpec:
    """One controlled rep (``off_set_rest_deg``: the angle now minus the set's rest angle)."""
    usual = style.usual_rom_deg
    rom = exercise.draw_rom_deg(rng, style, kind)
    hold = draw_rep_hold_s(rng, style)
    rest_change = float(np.clip(rng.uniform(-2, 2) - 0.3 * off_set_rest_deg, -2, 2))
    if rng.random() < 0.15:  # the foot settles elsewhere (UCI subject 1: 12° past rest after a 72° rep)
        rest_change = float(rom * rng.uniform(-0.15, 0.05))
    out_s = draw_controlled_phase_s(rng, style.out_s, exercise.phase_limits_s)
    return_s = draw_controlled_phase_s(rng, style.return_s, exercise.phase_limits_s)
    pivot = exercise.draw_pivot_m(rng, kind)
    if motor.continuous:  # a swing: no hold, from where the last one ended to past the set's rest
        hold = 0.0
        out_s = motor.swing_out_s * float(rng.uniform(0.9, 1.1))
        return_s = motor.swing_return_s * float(rng.uniform(0.9, 1.1))
        past = 0.0 if last_in_set else usual * float(rng.uniform(0.06, 0.18))
        rest_change = -off_set_rest_deg - past
        rom = rom - off_set_rest_deg  # the level is above the set's rest; the swing starts below it
        split, first, lag = rng.uniform(0.5, 0.9), rng.uniform(0.4, 0.9), rng.uniform(0.0, 0.3)
        shape = RepShape(out_split=float(split), out_first_frac=float(first), out_lag_frac=float(lag))
    else:
        shape = draw_shape(rng, motor, rom, hold, out_s, return_s)
    return RepSpec(kind=kind, rom_deg=float(rom), out_s=out_s, hold_s=hold, return_s=return_s,
                   rest_change_deg=rest_change, shape=shape, pivot_below_ankle_m=pivot, set_index=set_index)


def _rest(timeline: Timeline, rng: np.random.Generator, duration_s: float, set_rest_deg: float,
          shift_deg: float = 0.0) -> None:
    drift = rng.normal(0, 0.15 * np.sqrt(duration_s)) - 0.1 * (timeline.angle_deg - set_rest_deg)
    build_rest(timeline, duration_s, float(np.clip(drift, -1.5, 1.5)) + shift_deg)


def build_session(
    geometry: LegGeometry, exercise: ExerciseMotion, limits: PlanLimits, rng: np.random.Generator,
    fast_rng: np.random.Generator, axis_rng: np.random.Generator | None = None,
) -> tuple[Timeline, list[TruthMovement], SessionStyle, MotorStyle, list[DistractorSpec]]:
    """Draw the whole schedule and chain its motions; returns the timeline and the truth in time order.
    ``rng`` draws everything but the fast reps, which come from ``fast_rng`` alone, and each rep's
    axis tilt, which comes from ``axis_rng`` alone (None: every rep about the exercise axis)."""
    style = exercise.draw_style(rng, limits.targets, geometry)
    motor = draw_motor_style(rng, limits.continuous)
    if axis_rng is not None:
        motor = replace(motor, axis_spread_deg=draw_axis_spread_deg(axis_rng))
    if motor.continuous and style.target_hold_s is not None:
        style = replace(style, target_hold_s=None, typical_hold_s=0.0)
    first_angle = float(rng.uniform(-3, 3))
    timeline = Timeline(geometry, first_angle, exercise.axis(geometry), exercise.center_m(geometry))
    n_sets = limits.n_sets if limits.n_sets is not None else int(rng.integers(1, 4))
    lo, hi = limits.reps_per_set
    set_sizes = [int(rng.integers(lo, hi + 1)) for _ in range(n_sets)]
    set_kinds = [_weighted_choice(rng, exercise.set_kind_weights, limits.kinds) for _ in range(n_sets)]
    if n_sets > 1 and "full" in limits.kinds:
        set_kinds[0] = "full"
    if limits.set_kinds is not None:
        set_kinds = list(limits.set_kinds)
    fast = draw_fast_reps(fast_rng, set_sizes) if limits.fast_reps else set()
    if motor.continuous:
        fast = set()
    n_gaps = sum(set_sizes) - 1
    distractor_gaps = set(rng.choice(n_gaps, size=min(limits.n_distractors, n_gaps), replace=False).tolist())
    labels = [str(x) for x in rng.permutation(limits.distractor_labels)]  # each label once before repeats
    lead_out = rng.uniform(3, 10)
    truth: list[TruthMovement] = []
    distractors: list[DistractorSpec] = []
    set_rest = first_angle
    _rest(timeline, rng, rng.uniform(3, 10), set_rest)
    usual = style.usual_rom_deg
    gap = -1
    for set_index, (size, set_kind) in enumerate(zip(set_sizes, set_kinds)):
        for rep_in_set in range(size):
            kind = set_kind if set_kind != "mixed" else _weighted_choice(rng, exercise.mixed_rep_weights, limits.kinds)
            new_set = gap >= 0 and rep_in_set == 0
            shift = float(np.clip(rng.normal(0, 0.08 * usual), -0.18 * usual, 0.18 * usual)) if new_set else 0.0
            if new_set:
                set_rest = timeline.angle_deg + shift
            off_set_rest = 0.0 if new_set else timeline.angle_deg - set_rest  # the set's first rest gets there
            rep = draw_rep(rng, exercise, style, motor, kind, set_index, off_set_rest, rep_in_set == size - 1)
            rests, distractor = [], None
            if gap >= 0:
                if new_set:
                    rests = [rng.uniform(10, 40)]
                elif motor.continuous or rng.random() < motor.no_rest_p:
                    rests = [0.0]
                    rng.uniform(0.5, 1.6)  # keeps the draws in step
                else:
                    rests = [motor.rest_s * rng.uniform(0.5, 1.6)]
                if (set_index, rep_in_set) in fast:
                    rep = rush(fast_rng, rep)
                    if not new_set:
                        rests = [rest_before_fast_s(fast_rng)]
                if gap in distractor_gaps:
                    label = labels[len(distractors) % len(labels)]
                    distractor = draw_distractor(rng, label, geometry.knee_flexion_deg)
                    rests = [max(rng.uniform(1, 3), rests[0] / 2), max(rng.uniform(1, 3), rests[0] / 2)]
            elif (set_index, rep_in_set) in fast:
                rep = rush(fast_rng, rep)
            planned = sum(rests) + (distractor.duration_s if distractor else 0) + rep.duration_s + lead_out
            if limits.max_duration_s is not None and truth and timeline.end_s + planned > limits.max_duration_s:
                break
            if rests:
                _rest(timeline, rng, rests[0], set_rest, shift)
            if distractor:
                truth.append(build_distractor(timeline, distractor))
                distractors.append(distractor)
                _rest(timeline, rng, rests[1], set_rest)
            if axis_rng is not None:
                tilt, direction = draw_axis_tilt(axis_rng, motor.axis_spread_deg)
                direction += 180.0 if geometry.side == "left" else 0.0  # the mirror image of the right leg's
                rep = replace(rep, axis_tilt_deg=tilt, axis_tilt_dir_deg=direction)
            rep, center_m, label = exercise.place_rep(timeline, rep)
            truth.append(build_rep(timeline, rep, center_m, label))
            gap += 1
        else:
            continue
        break
    _rest(timeline, rng, lead_out, set_rest)
    return timeline, truth, style, motor, distractors

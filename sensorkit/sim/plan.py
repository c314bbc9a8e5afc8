"""The session schedule: idle lead-in, 1–3 sets of 5–12 reps, rests, distractors, idle lead-out.

The exercise (:mod:`sensorkit.sim.exercises`) draws the session's style (usual full range, typical
hold, controlled out/return durations, targets) and each rep's ROM and pivot; the rest is shared.
Each rep: a hold (about one in eight without; else the typical hold ± 0.8 s, 0–8 s), out and return
phases jittered around the session's (× 0.75–1.35, within the exercise's limits), a return that
lands within ±2° of where it started (pulled back towards the session's first rest angle). Rests
between reps 0.8–4 s, between sets 10–40 s, idle lead-in and lead-out 3–10 s; the rest angle drifts
slowly while sitting (min-jerk about the exercise axis, ~0.15°/√s, at most ±1.5° per rest). Most
sets are full reps; a set may be partial, knee_out (hip ER) or mixed. 0–4 distractors (labels in a
shuffled cycle: each once before any repeats) sit in rests between reps, 1–3 s or more from either
rep. Fast reps (:mod:`sensorkit.sim.tempo`) come from a separate random stream.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.sim.distractors import DistractorSpec, build_distractor, draw_distractor
from sensorkit.sim.exercises import ExerciseMotion
from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.reps import RepSpec, build_rep, build_rest, draw_hold_waves
from sensorkit.sim.style import SessionStyle, draw_controlled_phase_s, draw_rep_hold_s
from sensorkit.sim.tempo import draw_fast_reps, rush
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


def _weighted_choice(rng: np.random.Generator, weights: dict[str, float], allowed: tuple[str, ...]) -> str:
    names = [k for k in weights if k in allowed or (k == "mixed" and len(allowed) > 1)]
    p = np.array([weights[k] for k in names])
    return names[rng.choice(len(names), p=p / p.sum())]


def draw_rep(rng: np.random.Generator, exercise: ExerciseMotion, style: SessionStyle, kind: str, set_index: int,
             drift_deg: float) -> RepSpec:
    """One controlled rep (``drift_deg``: the rest angle now minus the session's first rest angle)."""
    rom = exercise.draw_rom_deg(rng, style, kind)
    hold = draw_rep_hold_s(rng, style)
    tremor, sway = draw_hold_waves(rng)
    rest_change = float(np.clip(rng.uniform(-2, 2) - 0.3 * drift_deg, -2, 2))
    out_s = draw_controlled_phase_s(rng, style.out_s, exercise.phase_limits_s)
    return_s = draw_controlled_phase_s(rng, style.return_s, exercise.phase_limits_s)
    return RepSpec(kind=kind, rom_deg=float(rom), out_s=out_s, hold_s=hold, return_s=return_s,
                   rest_change_deg=rest_change, tremor=tremor, sway=sway,
                   pivot_below_ankle_m=exercise.draw_pivot_m(rng, kind), set_index=set_index)


def _rest(timeline: Timeline, rng: np.random.Generator, duration_s: float, first_angle_deg: float) -> None:
    drift = rng.normal(0, 0.15 * np.sqrt(duration_s)) - 0.1 * (timeline.angle_deg - first_angle_deg)
    build_rest(timeline, duration_s, float(np.clip(drift, -1.5, 1.5)))


def build_session(
    geometry: LegGeometry, exercise: ExerciseMotion, limits: PlanLimits, rng: np.random.Generator,
    fast_rng: np.random.Generator,
) -> tuple[Timeline, list[TruthMovement], SessionStyle, list[DistractorSpec]]:
    """Draw the whole schedule and chain its motions; returns the timeline and the truth in time order.
    ``rng`` draws everything but the fast reps, which come from ``fast_rng`` alone."""
    style = exercise.draw_style(rng, limits.targets, geometry)
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
    n_gaps = sum(set_sizes) - 1
    distractor_gaps = set(rng.choice(n_gaps, size=min(limits.n_distractors, n_gaps), replace=False).tolist())
    labels = [str(x) for x in rng.permutation(limits.distractor_labels)]  # each label once before repeats
    lead_out = rng.uniform(3, 10)
    truth: list[TruthMovement] = []
    distractors: list[DistractorSpec] = []
    _rest(timeline, rng, rng.uniform(3, 10), first_angle)
    gap = -1
    for set_index, (size, set_kind) in enumerate(zip(set_sizes, set_kinds)):
        for rep_in_set in range(size):
            kind = set_kind if set_kind != "mixed" else _weighted_choice(rng, exercise.mixed_rep_weights, limits.kinds)
            rep = draw_rep(rng, exercise, style, kind, set_index, timeline.angle_deg - first_angle)
            if (set_index, rep_in_set) in fast:
                rep = rush(fast_rng, rep, style)
            rests, distractor = [], None
            if gap >= 0:
                rests = [rng.uniform(10, 40) if rep_in_set == 0 else rng.uniform(0.8, 4)]
                if gap in distractor_gaps:
                    label = labels[len(distractors) % len(labels)]
                    distractor = draw_distractor(rng, label, geometry.knee_flexion_deg)
                    rests = [max(rng.uniform(1, 3), rests[0] / 2), max(rng.uniform(1, 3), rests[0] / 2)]
            planned = sum(rests) + (distractor.duration_s if distractor else 0) + rep.duration_s + lead_out
            if limits.max_duration_s is not None and truth and timeline.end_s + planned > limits.max_duration_s:
                break
            if rests:
                _rest(timeline, rng, rests[0], first_angle)
            if distractor:
                truth.append(build_distractor(timeline, distractor))
                distractors.append(distractor)
                _rest(timeline, rng, rests[1], first_angle)
            rep, center_m, label = exercise.place_rep(timeline, rep)
            truth.append(build_rep(timeline, rep, center_m, label))
            gap += 1
        else:
            continue
        break
    _rest(timeline, rng, lead_out, first_angle)
    return timeline, truth, style, distractors

"""The session schedule: idle lead-in, 1–3 sets of 5–12 reps, rests, distractors, idle lead-out.

Per session (:class:`SessionStyle`): a usual full-rep range 25°–45° (per rep ±3°), partial reps at
35 %–65 % of it, knee_out reps 8°–25°, a typical hold (0–7 s; each rep 0–8 s, about one in eight
without a hold), typical out/return durations (each rep 0.7–2.5 s). Rests between reps 0.8–4 s,
between sets 10–40 s, idle lead-in and lead-out 3–10 s. Each rep's return lands within ±2° of
where it started (pulled back towards the session's first rest angle) and the rest angle drifts
slowly while sitting (min-jerk, ~0.15°/√s, at most ±1.5° per rest). Most sets are full reps; a set
may be partial, knee_out or mixed. 0–4 distractors (labels in a shuffled cycle: each once before any repeats) sit in rests
between reps, 1–3 s or more from either rep.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sensorkit.sim.distractors import DistractorSpec, build_distractor, draw_distractor
from sensorkit.sim.geometry import LegGeometry
from sensorkit.sim.reps import RepSpec, build_rep, build_rest, draw_hold_waves
from sensorkit.sim.timeline import Timeline
from sensorkit.sim.truth import TruthMovement

SET_KIND_WEIGHTS = {"full": 0.6, "partial": 0.13, "knee_out": 0.13, "mixed": 0.14}
MIXED_REP_WEIGHTS = {"full": 0.6, "partial": 0.25, "knee_out": 0.15}


@dataclass(frozen=True)
class SessionStyle:
    usual_rom_deg: float
    knee_out_rom_deg: float
    typical_hold_s: float
    out_s: float
    return_s: float
    target_rom_deg: float | None
    target_hold_s: float | None

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class PlanLimits:
    """What the caller constrains (see ``SimOptions``)."""

    n_sets: int | None
    set_kinds: tuple[str, ...] | None  # fixes each set's kind (full, partial, knee_out, mixed)
    reps_per_set: tuple[int, int]
    max_duration_s: float | None
    kinds: tuple[str, ...]
    n_distractors: int  # already drawn (0 when distractors are off)
    distractor_labels: tuple[str, ...]
    targets: bool | None


def draw_style(rng: np.random.Generator, targets: bool | None) -> SessionStyle:
    usual = rng.uniform(25, 45)
    with_targets = rng.random() < 0.4 if targets is None else targets
    # CONTRACTS: with a target, "partial" means below it; a clinician's target is one the patient's
    # full reps reach (full reps are usual ± 3°), so it is a multiple of 5 in (usual − 8, usual − 3].
    target_rom = None
    if with_targets:
        rng.uniform(-5, 3)  # keeps the seed's later draws where they were
        target_rom = float(5 * np.floor((usual - 3) / 5))
    target_hold = float(rng.choice([3, 5, 5, 8])) if with_targets else None
    if target_hold is not None:
        hold = target_hold + rng.uniform(-0.5, 1.5)
    else:
        hold = [rng.uniform(0, 2), rng.uniform(2, 5), rng.uniform(4, 7)][rng.integers(3)]
    return SessionStyle(float(usual), float(rng.uniform(10, 22)), float(min(hold, 7.5)), float(rng.uniform(0.9, 1.8)),
                        float(rng.uniform(0.9, 2.0)), target_rom, target_hold)


def _weighted_choice(rng: np.random.Generator, weights: dict[str, float], allowed: tuple[str, ...]) -> str:
    names = [k for k in weights if k in allowed or (k == "mixed" and len(allowed) > 1)]
    p = np.array([weights[k] for k in names])
    return names[rng.choice(len(names), p=p / p.sum())]


def draw_rep(rng: np.random.Generator, style: SessionStyle, kind: str, set_index: int, drift_deg: float) -> RepSpec:
    if kind == "full":
        rom = style.usual_rom_deg + rng.uniform(-3, 3)
    elif kind == "partial":
        rom = style.usual_rom_deg * rng.uniform(0.35, 0.65)
    else:
        rom = float(np.clip(style.knee_out_rom_deg + rng.uniform(-3, 3), 8, 25))
    hold = 0.0 if rng.random() < 0.12 else float(np.clip(style.typical_hold_s + rng.normal(0, 0.8), 0, 8))
    tremor, sway = draw_hold_waves(rng)
    rest_change = float(np.clip(rng.uniform(-2, 2) - 0.3 * drift_deg, -2, 2))
    return RepSpec(
        kind=kind, rom_deg=float(rom),
        out_s=float(np.clip(style.out_s * rng.uniform(0.75, 1.35), 0.7, 2.5)), hold_s=hold,
        return_s=float(np.clip(style.return_s * rng.uniform(0.75, 1.35), 0.7, 2.5)),
        rest_change_deg=rest_change, tremor=tremor, sway=sway,
        pivot_below_ankle_m=float(rng.uniform(0.0, 0.04)) if kind == "knee_out" else 0.0, set_index=set_index,
    )


def _rest(timeline: Timeline, rng: np.random.Generator, duration_s: float, first_angle_deg: float) -> None:
    drift = rng.normal(0, 0.15 * np.sqrt(duration_s)) - 0.1 * (timeline.angle_deg - first_angle_deg)
    build_rest(timeline, duration_s, float(np.clip(drift, -1.5, 1.5)))


def build_session(
    geometry: LegGeometry, limits: PlanLimits, rng: np.random.Generator
) -> tuple[Timeline, list[TruthMovement], SessionStyle, list[DistractorSpec]]:
    """Draw the whole schedule and chain its motions; returns the timeline and the truth in time order."""
    style = draw_style(rng, limits.targets)
    first_angle = float(rng.uniform(-3, 3))
    timeline = Timeline(geometry, first_angle)
    n_sets = limits.n_sets if limits.n_sets is not None else int(rng.integers(1, 4))
    lo, hi = limits.reps_per_set
    set_sizes = [int(rng.integers(lo, hi + 1)) for _ in range(n_sets)]
    set_kinds = [_weighted_choice(rng, SET_KIND_WEIGHTS, limits.kinds) for _ in range(n_sets)]
    if n_sets > 1 and "full" in limits.kinds:
        set_kinds[0] = "full"
    if limits.set_kinds is not None:
        set_kinds = list(limits.set_kinds)
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
            kind = set_kind if set_kind != "mixed" else _weighted_choice(rng, MIXED_REP_WEIGHTS, limits.kinds)
            rep = draw_rep(rng, style, kind, set_index, timeline.angle_deg - first_angle)
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
            truth.append(build_rep(timeline, rep))
            gap += 1
        else:
            continue
        break
    _rest(timeline, rng, lead_out, first_angle)
    return timeline, truth, style, distractors

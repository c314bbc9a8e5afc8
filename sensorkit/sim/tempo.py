"""Rushed (fast) reps, drawn from their own random stream so every other number of a seed stays put.

In about half the sessions some reps are rushed: the last 2–4 reps of one set, or (with two sets or
more, 40 % of those sessions) a whole later set — never among the first 3 reps of the session.
A fast rep's out and return phases are each the session's controlled phase × U(1/3, 1/2), at least
0.35 s (so at most half a controlled phase); half of them also cut the hold to 20 %–70 % of it.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from sensorkit.sim.reps import RepSpec
from sensorkit.sim.style import SessionStyle

MIN_FAST_PHASE_S = 0.35
PROTECTED_REPS = 3  # the first reps of a session are never rushed


def draw_fast_reps(rng: np.random.Generator, set_sizes: list[int]) -> set[tuple[int, int]]:
    """The (set index, rep index within the set) of the reps to rush; empty in about half the sessions."""
    first_rep = np.cumsum([0, *set_sizes[:-1]])
    eligible = [[(s, r) for r in range(size) if first_rep[s] + r >= PROTECTED_REPS] for s, size in enumerate(set_sizes)]
    if rng.random() >= 0.5 or not any(eligible):
        return set()
    later_sets = [s for s in range(1, len(set_sizes)) if eligible[s]]
    if later_sets and rng.random() < 0.4:
        return set(eligible[int(rng.choice(later_sets))])
    candidates = [s for s, reps in enumerate(eligible) if reps]
    chosen = eligible[int(rng.choice(candidates))]
    return set(chosen[-int(rng.integers(2, 5)):])


def rush(rng: np.random.Generator, rep: RepSpec, style: SessionStyle) -> RepSpec:
    """The same rep done fast: out/return = the session's controlled phase × U(1/3, 1/2), ≥ 0.35 s."""
    out_s = max(MIN_FAST_PHASE_S, style.out_s * rng.uniform(1 / 3, 1 / 2))
    return_s = max(MIN_FAST_PHASE_S, style.return_s * rng.uniform(1 / 3, 1 / 2))
    hold_s = rep.hold_s * rng.uniform(0.2, 0.7) if rng.random() < 0.5 else rep.hold_s
    return replace(rep, out_s=float(out_s), return_s=float(return_s), hold_s=float(hold_s), tempo="fast")

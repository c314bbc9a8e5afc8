"""Rushed (fast) reps, drawn from their own random stream so every other number of a seed stays put.

In about half the sessions some reps are rushed: the last 2–4 reps of one set, or (with two sets or
more, 40 % of those sessions) a whole later set — never among the first 3 reps of the session.
What makes a rep fast is mostly the hold it skips: real "fast" reps (UCI subjects 1–3) hold
0.8–1.2 s by the estimator of :mod:`sensorkit.sim.realism` against 1.1–5.1 s for the correct ones,
while their outward movement takes 0.83–0.98 × as long and the return about as long. So a fast rep
holds U(0, 0.5) s (never more than its controlled hold), its out and return phases are × U(0.75, 1.0),
it has no overshoot and no two-stage return, and it follows the previous rep with no still time in 85 %
of cases, else after U(0.05, 0.4) s (real: 31 %–75 % of fast reps per subject with < 0.3 s still before).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from sensorkit.sim.reps import RepSpec

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


def rush(rng: np.random.Generator, rep: RepSpec) -> RepSpec:
    """The same rep done fast (see the module doc); ROM level, rest change and hold waves are kept."""
    hold_s = min(rep.hold_s, float(rng.uniform(0.0, 0.5)))
    shape = replace(rep.shape, overshoot_deg=0.0, overshoot_s=0.0, stop_deg=0.0, stop_pause_s=0.0, settle_s=0.0,
                    sag_deg=rep.shape.sag_deg * hold_s / rep.hold_s if rep.hold_s > 0 else 0.0)
    return replace(rep, out_s=float(rep.out_s * rng.uniform(0.75, 1.0)), hold_s=hold_s,
                   return_s=float(rep.return_s * rng.uniform(0.75, 1.0)), shape=shape, tempo="fast")


def rest_before_fast_s(rng: np.random.Generator) -> float:
    """Still time before a fast rep (within a set)."""
    return 0.0 if rng.random() < 0.85 else float(rng.uniform(0.05, 0.4))

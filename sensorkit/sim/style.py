"""A session's style (the patient's habits that day) and the per-rep draws every exercise shares.

Targets and holds (both exercises): with a target (40 % of sessions unless fixed), the target ROM is
the multiple of 5 nearest usual × U(0.85, 1.1): as for real patients, it may lie above some or all of
the full reps (who fall short of it) or below them all; the target hold is 3, 5 or 8 s; the typical
hold is then target + U(−1.5, 1) s, else 0.5–2, 1.5–3.5 or 3–5.5 s.
Partial reps: 45 %–80 % of the usual range (the real "low-amplitude" reps of UCI subjects 1–3 reach
75 %–80 % of their correct ones).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class SessionStyle:
    """Degrees and seconds. ``out_s`` / ``return_s``: the session's controlled phase durations."""

    usual_rom_deg: float
    knee_out_rom_deg: float | None  # hip ER only
    typical_hold_s: float
    out_s: float
    return_s: float
    target_rom_deg: float | None
    target_hold_s: float | None

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def draw_targets_and_hold(
    rng: np.random.Generator, usual_rom_deg: float, targets: bool | None
) -> tuple[float | None, float | None, float]:
    """(target_rom_deg, target_hold_s, typical_hold_s) for a session whose usual full range is given."""
    with_targets = rng.random() < 0.4 if targets is None else targets
    target_rom = None
    if with_targets:
        target_rom = float(5 * np.round(usual_rom_deg * rng.uniform(0.85, 1.1) / 5))
    target_hold = float(rng.choice([3, 5, 5, 8])) if with_targets else None
    if target_hold is not None:
        hold = target_hold + rng.uniform(-1.5, 1.0)  # patients fall short of the target hold too
    else:  # real correct reps hold 1–5 s (UCI subjects 1–3)
        hold = [rng.uniform(0.5, 2), rng.uniform(1.5, 3.5), rng.uniform(3, 5.5)][rng.integers(3)]
    return target_rom, target_hold, float(min(hold, 7.5))


def draw_usual_range_rom_deg(rng: np.random.Generator, style: SessionStyle, kind: str) -> float:
    """A full rep's held level: usual ± 3°; a partial rep's: 45 %–80 % of usual."""
    if kind == "full":
        return float(style.usual_rom_deg + rng.uniform(-3, 3))
    if kind == "partial":
        return float(style.usual_rom_deg * rng.uniform(0.45, 0.8))
    raise ValueError(f"no usual-range ROM for kind {kind!r}")


def draw_rep_hold_s(rng: np.random.Generator, style: SessionStyle) -> float:
    """About one rep in eight without a hold; else the typical hold ± 0.8 s (sd), within 0–8 s."""
    return 0.0 if rng.random() < 0.12 else float(np.clip(style.typical_hold_s + rng.normal(0, 0.8), 0, 8))


def draw_controlled_phase_s(rng: np.random.Generator, style_phase_s: float, limits_s: tuple[float, float]) -> float:
    """A controlled out or return phase: the session's × U(0.75, 1.35), within ``limits_s``."""
    return float(np.clip(style_phase_s * rng.uniform(0.75, 1.35), *limits_s))

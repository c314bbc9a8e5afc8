"""A rep as a rotation about the exercise axis (hip ER, knee_out, knee extension: see ``exercises``).

Angle profile of a rep (the exercise angle above the rest angle just before it):

    rest ──min-jerk out (out_s)──> plateau rom_deg ──hold (hold_s, tremor + sway)──
         ──min-jerk return (return_s)──> rest + rest_change_deg

Tremor is 3 sines in 8–12 Hz and sway 1–2 sines in 0.1–0.6 Hz, both faded in and out with min-jerk
ramps inside the hold, so the plateau value is exactly the commanded one at the hold's ends.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.sim.profiles import MinJerk, Profile, Sine, total, window
from sensorkit.sim.timeline import Motion, Timeline
from sensorkit.sim.truth import TruthMovement

Wave = tuple[float, float, float]  # (amplitude_deg, freq_hz, phase_rad)


@dataclass(frozen=True)
class RepSpec:
    """One rep, all numbers drawn. ``kind``: full | partial | knee_out; ``tempo``: normal | fast."""

    kind: str
    rom_deg: float
    out_s: float
    hold_s: float
    return_s: float
    rest_change_deg: float  # rest angle after minus rest angle before
    tremor: tuple[Wave, ...] = ()
    sway: tuple[Wave, ...] = ()
    pivot_below_ankle_m: float = 0.0  # knee_out only: the foot pivot sits this far below the ankle
    set_index: int = 0
    tempo: str = "normal"

    @property
    def duration_s(self) -> float:
        return self.out_s + self.hold_s + self.return_s


def draw_hold_waves(rng: np.random.Generator) -> tuple[tuple[Wave, ...], tuple[Wave, ...]]:
    """Physiological tremor (8–12 Hz, 0.05–0.15° peak in total) and slow sway (0.1–0.6 Hz, 0.1–0.4°)."""
    tremor_deg = rng.uniform(0.05, 0.15)
    weights = rng.dirichlet(np.ones(3))
    tremor = tuple((float(tremor_deg * w), float(rng.uniform(8, 12)), float(rng.uniform(0, 2 * np.pi))) for w in weights)
    n_sway = int(rng.integers(1, 3))
    sway_deg = rng.uniform(0.1, 0.4)
    sway = tuple(
        (float(sway_deg / n_sway), float(rng.uniform(0.1, 0.6)), float(rng.uniform(0, 2 * np.pi))) for _ in range(n_sway)
    )
    return tremor, sway


def rep_angle_profile(spec: RepSpec, t0_s: float) -> Profile:
    """The rep's exercise angle above the pre-rep rest angle, radians, as a profile of absolute time."""
    out_end = t0_s + spec.out_s
    return_start = out_end + spec.hold_s
    parts: list[Profile] = [
        MinJerk(t0_s, spec.out_s, np.radians(spec.rom_deg)),
        MinJerk(return_start, spec.return_s, np.radians(spec.rest_change_deg - spec.rom_deg)),
    ]
    if spec.hold_s > 0:
        waves = total([Sine(np.radians(a), f, p, out_end) for a, f, p in (*spec.tremor, *spec.sway)])
        parts.append(waves * window(out_end, return_start, ramp_s=min(0.3, spec.hold_s / 2)))
    return total(parts)


def build_rep(timeline: Timeline, spec: RepSpec, center_m: np.ndarray, label: str) -> TruthMovement:
    """Append the rep, a rotation about the timeline's exercise axis through ``center_m`` (world m),
    to ``timeline`` (starting at its end) and return its truth."""
    t0 = timeline.end_s
    before = timeline.angle_deg
    t1 = t0 + spec.duration_s
    timeline.append(Motion(t0, t1, timeline.exercise_axis, center_m, rep_angle_profile(spec, t0), tracked=True))
    return TruthMovement(
        kind=spec.kind,
        label=label,
        start_s=t0,
        end_s=t1,
        out_end_s=t0 + spec.out_s,
        return_start_s=t0 + spec.out_s + spec.hold_s,
        rom_deg=spec.rom_deg,
        hold_s=spec.hold_s,
        rest_angle_before_deg=before,
        rest_angle_after_deg=timeline.angle_deg,
        set_index=spec.set_index,
        tempo=spec.tempo,
    )


def build_rest(timeline: Timeline, duration_s: float, drift_deg: float) -> None:
    """Sit still for ``duration_s`` while the rest angle wanders slowly by ``drift_deg`` (about the
    exercise axis through the exercise centre)."""
    t0 = timeline.end_s
    profile = MinJerk(t0, duration_s, np.radians(drift_deg))
    timeline.append(Motion(t0, t0 + duration_s, timeline.exercise_axis, timeline.exercise_center_m, profile,
                           tracked=True))

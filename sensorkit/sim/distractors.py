"""Movements that are not reps of the session's exercise (truth kind ``rejected``). Each returns to the
exact rest pose. Which ones a session may contain is the exercise's ``distractor_labels``.

- ``fidget``: 2°–8° about a random axis through the knee plus a 0.5–2 cm shift, out and back, 0.3–1.5 s.
- ``leg_shake``: heel bouncing, 3–6 Hz, 1.5°–5° about the ankle's medio-lateral axis, 2–6 s.
- ``knee_extension``: the shank turns about the knee's flexion axis, foot forward and up by 40°–85°
  (never past straight), hold 0–3 s, return.
- ``stand_up``: the shank pivots forward about the ankle 15°–25° (lean), then to vertical while the
  heel lifts 1–3 cm (rise); standing 2–10 s with 2–4 gait cycles (shank swinging ±20°–30° about the
  medio-lateral axis at 0.8–1.0 Hz, walking 0.3–1 m away and back, a heel-strike impact of 10–30 m/s²
  per cycle); then sits back down (lean 10°–20°, settle) to the same rest pose. The shank itself
  barely rises when the body stands: its vertical motion is the heel lift, the arc and the impacts.
- ``hip_rotation`` (knee-extension sessions): the whole leg turns 15°–40° about the ER axis through
  the hip (foot medially), out 0.8–1.8 s, a hold of 0 (40 %) or 0.3–2 s, back 0.8–1.8 s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.sim.geometry import Z_UP, signed_angle_rad, unit
from sensorkit.sim.profiles import Impact, MinJerk, Profile, Sine, total, window
from sensorkit.sim.timeline import Motion, Timeline
from sensorkit.sim.truth import TruthMovement

DISTRACTOR_LABELS = ("fidget", "leg_shake", "knee_extension", "stand_up", "hip_rotation")
X_FORWARD = np.array([1.0, 0.0, 0.0])


def _bump(t0_s: float, duration_s: float, peak: float) -> Profile:
    """0 -> peak -> 0 with two min-jerk halves."""
    half = duration_s / 2
    return MinJerk(t0_s, half, peak) + MinJerk(t0_s + half, half, -peak)


@dataclass(frozen=True)
class DistractorSpec:
    """A distractor with every random number drawn (``params``); ``duration_s`` is known in advance."""

    label: str
    duration_s: float
    params: dict

    def to_json(self) -> dict:
        return {"label": self.label, "duration_s": round(self.duration_s, 6), **self.params}


def draw_distractor(rng: np.random.Generator, label: str, knee_flexion_deg: float) -> DistractorSpec:
    u = rng.uniform
    if label == "fidget":
        p = {"angle_deg": u(2, 8), "axis": unit(rng.normal(size=3)).tolist(), "shift_m": u(0.005, 0.02),
             "shift_dir": unit(rng.normal(size=3)).tolist()}
        return DistractorSpec(label, u(0.3, 1.5), p)
    if label == "leg_shake":
        return DistractorSpec(label, u(2, 6), {"amplitude_deg": u(1.5, 5), "freq_hz": u(3, 6)})
    if label == "knee_extension":
        p = {"angle_deg": min(u(40, 85), knee_flexion_deg - 5), "out_s": u(0.5, 1.5), "hold_s": u(0, 3),
             "return_s": u(0.6, 1.5)}
        return DistractorSpec(label, p["out_s"] + p["hold_s"] + p["return_s"], p)
    if label == "hip_rotation":
        p = {"angle_deg": u(15, 40), "out_s": u(0.8, 1.8), "hold_s": 0.0 if rng.random() < 0.4 else u(0.3, 2.0),
             "return_s": u(0.8, 1.8)}
        return DistractorSpec(label, p["out_s"] + p["hold_s"] + p["return_s"], p)
    if label == "stand_up":
        cycles = int(rng.integers(2, 5))
        freq = u(0.8, 1.0)
        walk_lead_s = u(0.5, 1.0)
        p = {"lean_deg": u(15, 25), "lean_s": u(0.8, 1.5), "rise_s": u(0.8, 1.5), "heel_lift_m": u(0.01, 0.03),
             "walk_lead_s": walk_lead_s, "cycles": cycles, "step_freq_hz": freq, "swing_deg": u(20, 30),
             "walk_m": u(0.3, 1.0), "impact_ms2": [u(10, 30) for _ in range(cycles)],
             "impact_freq_hz": u(15, 25), "impact_tau_s": u(0.015, 0.03),
             "sit_lean_deg": u(10, 20), "sit_s": u(1.0, 2.0), "settle_s": u(0.6, 1.2)}
        p["stand_s"] = max(u(2, 10), walk_lead_s + cycles / freq + u(0.5, 1.5))
        return DistractorSpec(label, p["lean_s"] + p["rise_s"] + p["stand_s"] + p["sit_s"] + p["settle_s"], p)
    raise ValueError(f"unknown distractor {label!r}")


def build_distractor(timeline: Timeline, spec: DistractorSpec) -> TruthMovement:
    """Append the distractor to ``timeline`` and return its truth (kind ``rejected``)."""
    geo, p, t0 = timeline.geometry, spec.params, timeline.end_s
    t1 = t0 + spec.duration_s
    ml_axis = timeline.direction(geo.flexion_axis)
    translations: tuple = ()
    out_end = return_start = t0 + spec.duration_s / 2
    if spec.label == "fidget":
        axis, center = np.array(p["axis"]), timeline.point(geo.knee_m)
        angle = _bump(t0, spec.duration_s, np.radians(p["angle_deg"]))
        translations = ((np.array(p["shift_dir"]), _bump(t0, spec.duration_s, p["shift_m"])),)
    elif spec.label == "leg_shake":
        axis, center = ml_axis, timeline.point(geo.ankle_m)
        ramp = min(0.3, spec.duration_s / 4)
        angle = Sine(np.radians(p["amplitude_deg"]), p["freq_hz"], 0.0, t0) * window(t0, t1, ramp)
        out_end, return_start = t0 + ramp, t1 - ramp
    elif spec.label in ("knee_extension", "hip_rotation"):
        out_end, return_start = t0 + p["out_s"], t0 + p["out_s"] + p["hold_s"]
        turn = np.radians(p["angle_deg"])
        if spec.label == "knee_extension":  # negative about the left-pointing axis = foot forward
            axis, center, turn = ml_axis, timeline.point(geo.knee_m), -turn
        else:  # the thigh stays on its own long axis in every session, so the rest geometry's axis holds
            axis, center = geo.er_axis, geo.hip_m
        angle = MinJerk(t0, p["out_s"], turn) + MinJerk(return_start, p["return_s"], -turn)
    elif spec.label == "stand_up":
        axis, center = ml_axis, timeline.point(geo.ankle_m)
        angle, translations, out_end, return_start = _stand_up(timeline, spec, axis, t0)
    else:
        raise ValueError(f"unknown distractor {spec.label!r}")
    timeline_angle = timeline.angle_deg
    timeline.append(Motion(t0, t1, axis, center, angle, translations))
    dense = np.linspace(t0, t1, max(2, int((t1 - t0) * 2000)))
    return TruthMovement(
        kind="rejected", label=spec.label, start_s=t0, end_s=t1, out_end_s=out_end, return_start_s=return_start,
        rom_deg=float(np.degrees(np.abs(angle.value(dense)).max())), hold_s=return_start - out_end,
        rest_angle_before_deg=timeline_angle, rest_angle_after_deg=timeline.angle_deg,
    )


def _stand_up(timeline: Timeline, spec: DistractorSpec, ml_axis: np.ndarray, t0: float):
    p, geo = spec.params, timeline.geometry
    up_the_shank = -timeline.direction(geo.shank_dir)
    upright = signed_angle_rad(up_the_shank, Z_UP, ml_axis)  # turning this far makes the shank vertical
    lean, sit_lean = np.radians(p["lean_deg"]), np.radians(p["sit_lean_deg"])
    rise_t0 = t0 + p["lean_s"]
    stand_t0 = rise_t0 + p["rise_s"]
    sit_t0 = stand_t0 + p["stand_s"]
    settle_t0 = sit_t0 + p["sit_s"]
    walk_t0 = stand_t0 + p["walk_lead_s"]
    walk_s = p["cycles"] / p["step_freq_hz"]
    parts: list[Profile] = [
        MinJerk(t0, p["lean_s"], lean),  # knee forward over the toes (top of the shank forward)
        MinJerk(rise_t0, p["rise_s"], upright - lean),
        Sine(np.radians(p["swing_deg"]), p["step_freq_hz"], 0.0, walk_t0) * window(walk_t0, walk_t0 + walk_s, 0.4),
        MinJerk(sit_t0, p["sit_s"], sit_lean - upright),
        MinJerk(settle_t0, p["settle_s"], -sit_lean),
    ]
    # heel strike when the foot is furthest forward (swing angle at its minimum)
    impacts = [Impact.with_peak_acc(walk_t0 + (k + 0.75) / p["step_freq_hz"], peak, p["impact_freq_hz"],
                                    p["impact_tau_s"]) for k, peak in enumerate(p["impact_ms2"])]
    vertical = total([_bump(rise_t0, p["rise_s"], p["heel_lift_m"]), *impacts])
    forward = _bump(walk_t0, walk_s, p["walk_m"])
    return total(parts), ((Z_UP, vertical), (X_FORWARD, forward)), stand_t0, sit_t0

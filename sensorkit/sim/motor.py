"""How the patient moves that day (:class:`MotorStyle`), drawn around what real recordings show.

Every range below comes from the real seated knee-extension recordings in ``shared/data``
(UCI "Physical Therapy Exercises" subjects 1–3, PHYTMO KFE series), measured with the
pipeline-independent estimator of :mod:`sensorkit.sim.realism` (``benchmarks/sim_vs_real.py``
prints real against simulated figures). "Per subject" figures are the three UCI subjects' medians;
degrees are knee-extension degrees. Amplitudes that scale with the movement are kept as fractions
of the session's usual range (a real full knee extension is 70°–90°), so hip ER (25°–45°) gets
the same shapes at its own scale; the hold wobble is in absolute degrees for both exercises.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class MotorStyle:
    """Seconds, degrees, probabilities (0–1) and fractions of the session's usual range (``*_frac``)."""

    wobble_rms_deg: float  # rms of the 1–4 Hz wobble during a hold
    sway_deg: float  # amplitude of the slow (0.2–0.6 Hz) sway during a hold
    sag_deg: float  # typical change of the held angle over a hold (mostly down)
    overshoot_frac: float  # the outward movement passes the held angle by this share of the range, then settles
    stepped_out_p: float  # share of reps whose outward movement comes in two stages (a pause part way)
    two_stage_return_p: float  # share of reps whose return stops part way above rest, then settles
    stop_frac: float  # where a two-stage return stops: this share of the range above rest
    undershoot_frac: float  # the return swings past the rest pose by this share of the range (then recovers)
    rest_s: float  # typical still time between controlled reps
    no_rest_p: float  # share of controlled reps started straight after the previous one (no still time)
    continuous: bool  # the session's sets are continuous swings: no hold, no rest, past rest at the bottom
    swing_out_s: float  # continuous sessions: outward movement of a swing
    swing_return_s: float  # continuous sessions: return of a swing (to the bottom, past rest)
    axis_spread_deg: float = 0.0  # each rep's axis tilts from the exercise axis by a Rayleigh draw of this scale

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def draw_motor_style(rng: np.random.Generator, continuous: bool | None = None) -> MotorStyle:
    """One session's habits; comments name the real figure each range comes from. ``continuous``:
    force (or forbid) a continuous-swing session; ``None``: 12 % of sessions."""
    drawn_continuous = rng.random()  # drawn either way: fixing it leaves the session's other draws alone
    return MotorStyle(
        # hold wobble rms of the accelerometer tilt after removing the hold's trend: 0.78–0.80° per
        # subject, single holds 0.4–1.6°; dominant frequency 1–4.5 Hz in about 60 % of holds. At 1–4 Hz
        # the tilt reads the shank's tangential acceleration too (r (2πf)² / g = 1.4–25 × the angle at
        # r = 0.35 m), so the angle itself wobbles by a fraction of that: 0.03°–0.25° rms here
        wobble_rms_deg=float(rng.uniform(0.03, 0.25)),
        # the other holds peak at 0.5–0.6 Hz: slow sway
        sway_deg=float(rng.uniform(0.1, 0.8)),
        # |trend change| over a hold: 0.55°, 1.8°, 1.9° per subject (single holds up to 7°)
        sag_deg=float(rng.uniform(0.2, 2.2)),
        # peak minus late-hold level: 0.5°, 8°, 3.3° per subject of 72°–92° ranges (0.7 %–9 %):
        # a third of the patients barely overshoot
        overshoot_frac=float(rng.choice([0.0, rng.uniform(0.015, 0.09), rng.uniform(0.015, 0.09)])),
        # outward speed peak at 75 %, 55 %, 26 % of the 10–80 % span per subject (a minimum-jerk
        # movement: 81 %); subject 3 climbs in steps (0 -> 25° -> 55° -> 78°), subject 2 often in
        # two, subject 1 smoothly
        stepped_out_p=float(rng.choice([0.0, 0.5, 0.9])),
        # returns that stop 30°–45° above rest before settling (subjects 2 and 3), none in subject 1
        two_stage_return_p=float(rng.choice([0.0, 0.3, 0.7])),
        stop_frac=float(rng.uniform(0.15, 0.5)),
        # subject 1 swings 10°–15° past rest at the bottom (12 %–18 % of 72°); PHYTMO series 5°–15°
        undershoot_frac=float(rng.choice([0.0, 0.0, rng.uniform(0.03, 0.18)])),
        # still time before a controlled rep: 0.76, 2.6, 2.4 s per subject medians
        rest_s=float(rng.uniform(0.6, 3.0)),
        # controlled reps with < 0.3 s still before them: 0–20 % per subject
        no_rest_p=float(rng.uniform(0.0, 0.2)),
        # PHYTMO: series of 10 swings with no rest and no hold, 1.25–1.41 s start to start
        continuous=bool(drawn_continuous < 0.12) if continuous is None else continuous,
        swing_out_s=float(rng.uniform(0.6, 0.85)),
        swing_return_s=float(rng.uniform(0.5, 0.7)),
    )


def draw_axis_spread_deg(rng: np.random.Generator) -> float:
    """The scale (deg) of the Rayleigh draw by which each rep's axis tilts from the exercise axis
    (:func:`draw_axis_tilt`). Real reps' gyro axes (principal direction over the rep, sensor frame)
    lie from their session's median axis: median 0.75, 0.84, 1.91, 1.50, 1.80, 1.75° per UCI
    recording, 0.64 and 1.21° in PHYTMO's correct series (all reps: median 1.2°, 90th percentile
    2.8°, at most 5.1°). A scale of 0.5–1.8° gives, through the same estimator, median 1.3° and 90th
    percentile 3.0° on simulated 25-Hz knee-extension sessions (``benchmarks/sim_vs_real.py``)."""
    return float(rng.uniform(0.5, 1.8))


def draw_axis_tilt(rng: np.random.Generator, spread_deg: float) -> tuple[float, float]:
    """One rep's axis tilt (deg, at most 6°) and its direction about the exercise axis (deg)."""
    return float(min(rng.rayleigh(spread_deg), 6.0)), float(rng.uniform(0.0, 360.0))

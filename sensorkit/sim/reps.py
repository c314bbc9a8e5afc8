"""A rep as a rotation about the exercise axis (hip ER, knee_out, knee extension: see ``exercises``).

Angle profile of a rep (the exercise angle above the angle at its start), built from overlapping
minimum-jerk pieces so that the sum is smooth but not itself minimum-jerk (real reps are not):

    out (out_s):     one piece, or two overlapping or staged pieces (a skewed speed profile, or
                     a pause part way), aimed ``overshoot_deg`` past the held level, then a settle
                     back to it that ends exactly at ``out_s``
    hold (hold_s):   the held level plus wobble (1–4 Hz), slow sway, tremor (faded in and out inside
                     the hold) and a sag (the level drifts by ``-sag_deg`` over the hold)
    return:          one piece (``return_s``), or a stop ``stop_deg`` above the final rest, a pause,
                     and a settle; optionally swinging ``undershoot_deg`` past the final rest and
                     recovering; it ends at ``rest_change_deg``

Truth (:class:`~sensorkit.sim.truth.TruthMovement`): ``out_end_s`` = where the outward movement
ends as sensorkit defines a hold's start (docs/exercises.md, :func:`outward_end_s`): where the leg
stops going out, or where an overshoot's settle back, if it comes down faster than the hold's speed
threshold, falls back under it (a settle slower than that belongs to the hold, as a sag does);
``return_start_s`` = start + ``out_s`` + ``hold_s`` (the return's first piece begins);
``end_s`` = when the last return piece ends; ``rom_deg`` = the largest angle of the rep above the
angle at its start (overshoot and wobble included), found on the exact profile.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from sensorkit.sim.geometry import unit
from sensorkit.sim.motor import MotorStyle
from sensorkit.sim.profiles import MinJerk, Profile, Sine, total, window
from sensorkit.sim.timeline import Motion, Timeline
from sensorkit.sim.truth import TruthMovement

Wave = tuple[float, float, float]  # (amplitude_deg, freq_hz, phase_rad)
Piece = tuple[float, float, float]  # (start offset s, duration s, change deg)
PEAK_GRID_S = 2e-3  # grid for finding a rep's peak, refined to 1e-10 s
#: sensorkit's definition of a stop at the top (docs/exercises.md, "Hold"; the defaults of
#: ``PipelineConfig.hold_speed_fraction`` and ``hold_min_speed_dps``, which a test keeps equal): the
#: leg has stopped once it turns slower than this share of the outward movement's peak speed ...
HOLD_SPEED_FRACTION = 0.05
#: ... and at least slower than this (deg/s)
HOLD_MIN_SPEED_DPS = 2.0
#: grid for finding where the outward movement ends (s)
OUT_GRID_S = 1e-3


@dataclass(frozen=True)
class RepShape:
    """The drawn shape of one rep beyond its level and durations (degrees, seconds, fractions)."""

    out_split: float = 1.0  # share of the outward change in the first piece (1: a single piece)
    out_first_frac: float = 1.0  # first piece's duration, share of the main outward time
    out_lag_frac: float = 0.0  # second piece's start, share of the main outward time
    overshoot_deg: float = 0.0
    overshoot_s: float = 0.0  # the settle back to the held level, ending at out_s
    waves: tuple[Wave, ...] = ()  # wobble, sway and tremor during the hold
    sag_deg: float = 0.0  # the held level drops by this over the hold (negative: rises)
    stop_deg: float = 0.0  # a two-stage return stops this far above the final rest (0: one stage)
    stop_pause_s: float = 0.0  # from the end of the first return piece to the settle (negative: overlapping)
    settle_s: float = 0.0
    undershoot_deg: float = 0.0  # the return swings this far past the final rest, then recovers
    undershoot_s: float = 0.0


@dataclass(frozen=True)
class RepSpec:
    """One rep, all numbers drawn. ``kind``: full | partial | knee_out; ``tempo``: normal | fast.
    ``rom_deg`` here is the held level above the angle at the start (the truth's ROM is the peak)."""

    kind: str
    rom_deg: float
    out_s: float
    hold_s: float
    return_s: float  # the main return piece
    rest_change_deg: float  # angle at the end minus angle at the start
    shape: RepShape = RepShape()
    pivot_below_ankle_m: float = 0.0  # knee_out only: the foot pivot sits this far below the ankle
    set_index: int = 0
    tempo: str = "normal"
    #: the rep turns about the exercise axis tilted by this much (deg) towards ``axis_tilt_dir_deg``
    #: (the direction about the exercise axis, deg): no two real reps turn about quite the same axis
    axis_tilt_deg: float = 0.0
    axis_tilt_dir_deg: float = 0.0

    def out_pieces(self) -> list[Piece]:
        s = self.shape
        top = self.rom_deg + s.overshoot_deg
        main_s = self.out_s - 0.7 * s.overshoot_s if s.overshoot_deg > 0 else self.out_s
        if s.out_split >= 1:
            pieces = [(0.0, main_s, top)]
        else:
            lag = s.out_lag_frac * main_s
            pieces = [(0.0, s.out_first_frac * main_s, s.out_split * top), (lag, main_s - lag, (1 - s.out_split) * top)]
        if s.overshoot_deg > 0:
            pieces.append((self.out_s - s.overshoot_s, s.overshoot_s, -s.overshoot_deg))
        return pieces

    def return_pieces(self) -> list[Piece]:
        """Offsets from the start of the return."""
        s = self.shape
        drop = self.rom_deg - held_scale(self.hold_s) * s.sag_deg - self.rest_change_deg  # (the sag the hold carried)
        if s.stop_deg > 0:
            pieces = [(0.0, self.return_s, -(drop - s.stop_deg)),
                      (self.return_s + s.stop_pause_s, s.settle_s, -(s.stop_deg + s.undershoot_deg))]
        else:
            pieces = [(0.0, self.return_s, -(drop + s.undershoot_deg))]
        if s.undershoot_deg > 0:
            bottom = pieces[-1][0] + pieces[-1][1]
            pieces.append((bottom - 0.3 * s.undershoot_s, s.undershoot_s, s.undershoot_deg))
        return pieces

    @property
    def return_total_s(self) -> float:
        return max(offset + duration for offset, duration, _ in self.return_pieces())

    @property
    def duration_s(self) -> float:
        return self.out_s + self.hold_s + self.return_total_s


def draw_hold_waves(rng: np.random.Generator, motor: MotorStyle) -> tuple[Wave, ...]:
    """Wobble: 3 sines in 1–3.5 Hz with rms = the session's × U(0.6, 1.4); sway: one sine 0.2–0.6 Hz of
    the session's amplitude × U(0.5, 1.5); tremor: 3 sines in 8–12 Hz, 0.05–0.15° in total."""
    power = rng.dirichlet(np.ones(3)) * (motor.wobble_rms_deg * rng.uniform(0.6, 1.4)) ** 2
    wobble = [(float(np.sqrt(2 * p)), float(rng.uniform(1.0, 3.5)), float(rng.uniform(0, 2 * np.pi))) for p in power]
    sway = [(float(motor.sway_deg * rng.uniform(0.5, 1.5)), float(rng.uniform(0.2, 0.6)), float(rng.uniform(0, 2 * np.pi)))]
    tremor_deg = rng.uniform(0.05, 0.15)
    tremor = [(float(tremor_deg * w), float(rng.uniform(8, 12)), float(rng.uniform(0, 2 * np.pi)))
              for w in rng.dirichlet(np.ones(3))]
    return tuple(wobble + sway + tremor)


#: share of stepped outward movements that stop part way rather than slow down: real controlled
#: reps are still (under 12 deg/s) for 0.3 s or more inside their outward movement in 2.7 % of
#: reps (UCI, :mod:`sensorkit.sim.realism`'s ``out_pause_share``; subject 3 climbs in steps but
#: slows down between them), and about half the simulated reps are stepped
STOPPED_STEP_P = 0.06


def draw_out_split(rng: np.random.Generator, motor: MotorStyle) -> tuple[float, float, float]:
    """(out_split, out_first_frac, out_lag_frac): a stepped outward movement (the session's
    ``stepped_out_p``), else two overlapping pieces whose speed peaks early or late (real outward speed
    peaks at 26 %–75 % of the 10–80 % span per subject, median 59 %, earlier than a minimum-jerk
    movement's 81 % as the same estimator sees it: the accelerometer tilt lags while the shank
    speeds up and leads while it slows down; only staged movements bring the median down)."""
    if rng.random() < motor.stepped_out_p:  # a first stage, a slowdown part way, a second stage
        split, first, v = float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.3, 0.5)), float(rng.uniform(0.0, 1.0))
        if v < STOPPED_STEP_P:  # a stop part way, up to 0.3 of the outward movement long
            return split, first, first + 0.3 * v / STOPPED_STEP_P
        return split, first, first * (0.6 + 0.35 * (v - STOPPED_STEP_P) / (1.0 - STOPPED_STEP_P))
    if rng.random() < 0.3:  # late peak: a slow start, then a quicker last piece
        return float(rng.uniform(0.3, 0.6)), float(rng.uniform(0.8, 1.0)), float(rng.uniform(0.15, 0.4))
    # early peak: a quick first piece with most of the way, then a slower approach
    return float(rng.uniform(0.6, 0.9)), float(rng.uniform(0.35, 0.7)), float(rng.uniform(0.0, 0.2))


def draw_shape(rng: np.random.Generator, motor: MotorStyle, rom_deg: float, hold_s: float,
               out_s: float, return_s: float) -> RepShape:
    """A controlled rep's shape; the figures kept as fractions of the range scale with the rep's own
    ``rom_deg`` (a knee_out rep of 10° swings past rest by a degree, not by a full rep's ten)."""
    split, first, lag = draw_out_split(rng, motor)
    overshoot = overshoot_s = 0.0
    if hold_s >= 0.5:
        overshoot = motor.overshoot_frac * rom_deg * rng.uniform(0.5, 1.5)
        overshoot_s = min(rng.uniform(0.3, 0.7), 0.5 * out_s)
    waves = draw_hold_waves(rng, motor) if hold_s > 0 else ()
    sag = motor.sag_deg * rng.uniform(-0.5, 1.5) if hold_s > 0 else 0.0
    stop = pause = settle = 0.0
    if rng.random() < motor.two_stage_return_p:
        stop = motor.stop_frac * rom_deg * rng.uniform(0.7, 1.3)
        # real two-stage returns slow down part way without coming to a full stop (no still time)
        pause, settle = -rng.uniform(0.2, 0.5) * return_s, rng.uniform(0.5, 0.9) * return_s
    under = under_s = 0.0
    if motor.undershoot_frac > 0:
        under = motor.undershoot_frac * rom_deg * rng.uniform(0.5, 1.2)
        under_s = rng.uniform(0.4, 1.0)
    return RepShape(float(split), float(first), float(lag), float(overshoot), float(overshoot_s), waves, float(sag),
                    float(stop), float(pause), float(settle), float(under), float(under_s))


#: a hold's wobble fades in and out over 0.3 s at each end, and its sag takes the whole hold: in a
#: hold shorter than this (s) both are scaled by (hold / WOBBLE_FADE_S)², so that their angular
#: acceleration stays that of a hold this long (tens of deg/s²). Unscaled, a 2-ms hold's fades and
#: sag turned the shank at 10⁵ deg/s² and more: 2,000 m/s² at the sensor for a millisecond, a
#: 40 m/s² sample after the sensor's low-pass (seed 82039, a knee-out rep), which no leg makes
WOBBLE_FADE_S = 0.6


def held_scale(hold_s: float) -> float:
    """The share of its wobble and sag a hold of ``hold_s`` (s) carries: (hold / WOBBLE_FADE_S)², at most 1."""
    return min(1.0, hold_s / WOBBLE_FADE_S) ** 2


def rep_angle_profile(spec: RepSpec, t0_s: float) -> Profile:
    """The rep's exercise angle above the angle at its start, radians, as a profile of absolute time."""
    out_end = t0_s + spec.out_s
    return_start = out_end + spec.hold_s
    parts: list[Profile] = [MinJerk(t0_s + offset, duration, np.radians(change))
                            for offset, duration, change in spec.out_pieces()]
    parts += [MinJerk(return_start + offset, duration, np.radians(change))
              for offset, duration, change in spec.return_pieces()]
    if spec.hold_s > 0:
        # (a hold shorter than WOBBLE_FADE_S carries its wobble and sag scaled down: see there)
        scale = held_scale(spec.hold_s)
        if spec.shape.waves:
            waves = total([Sine(scale * np.radians(a), f, p, out_end) for a, f, p in spec.shape.waves])
            parts.append(waves * window(out_end, return_start, ramp_s=min(0.3, spec.hold_s / 2)))
        if spec.shape.sag_deg:
            parts.append(MinJerk(out_end, spec.hold_s, -scale * np.radians(spec.shape.sag_deg)))
    return total(parts)


def outward_end_s(spec: RepSpec, t0_s: float = 0.0) -> float:
    """When the rep's outward movement ends (s), as sensorkit defines a hold's start: ``t0_s`` +
    ``out_s`` without an overshoot; with one, where the leg stops going out (the top of the outward
    pieces), or, where the settle back to the held level comes down faster than the stop threshold
    (:data:`HOLD_SPEED_FRACTION` of the outward peak speed, at least :data:`HOLD_MIN_SPEED_DPS`),
    where it falls back under it. A slower settle is, to the sensor and to the definition, the
    hold's own sag: it took 0.3-0.7 s, and counting it as outward movement made every measured hold
    read about 0.2 s long on reps that overshoot (0.1 s over all reps)."""
    if spec.shape.overshoot_deg <= 0:
        return t0_s + spec.out_s
    t = np.arange(0.0, spec.out_s + OUT_GRID_S / 2, OUT_GRID_S)
    angle = np.degrees(total([MinJerk(offset, duration, np.radians(change))
                              for offset, duration, change in spec.out_pieces()]).value(t))
    speed = np.gradient(angle, t)
    threshold = max(HOLD_MIN_SPEED_DPS, HOLD_SPEED_FRACTION * float(speed.max()))
    top = int(angle.argmax())
    fast_down = (-speed[top:] > threshold).nonzero()[0]
    end = top + int(fast_down[-1]) + 1 if len(fast_down) else top
    return t0_s + float(t[min(end, len(t) - 1)])


def peak_deg(spec: RepSpec, t0_s: float = 0.0) -> tuple[float, float]:
    """(largest angle of the rep above its start in degrees, its time in s), from the exact profile."""
    profile = rep_angle_profile(spec, t0_s)
    t = np.arange(t0_s, t0_s + spec.duration_s + PEAK_GRID_S, PEAK_GRID_S)
    values = profile.value(t)
    best_t, best_value = float(t[int(np.argmax(values))]), float(values.max())
    for i in np.argsort(values)[-3:]:  # refine the three best grid points (wobble may make near-equal peaks)
        lo, hi = t[max(i - 1, 0)], t[min(i + 1, len(t) - 1)]
        found = minimize_scalar(lambda x: -float(profile.value(x)[0]), bounds=(lo, hi), method="bounded",
                                options={"xatol": 1e-10})
        if -found.fun > best_value:
            best_t, best_value = float(found.x), float(-found.fun)
    return float(np.degrees(best_value)), best_t


def tilted_axis(axis: np.ndarray, tilt_deg: float, direction_deg: float) -> np.ndarray:
    """``axis`` (unit) tilted by ``tilt_deg`` towards the perpendicular direction ``direction_deg``
    about it (0° towards the perpendicular nearest world up, or world x when ``axis`` is vertical)."""
    if tilt_deg == 0.0:
        return axis
    ref = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = unit(ref - (ref @ axis) * axis)
    e2 = np.cross(axis, e1)
    phi, tilt = np.radians(direction_deg), np.radians(tilt_deg)
    return unit(np.cos(tilt) * axis + np.sin(tilt) * (np.cos(phi) * e1 + np.sin(phi) * e2))


def build_rep(timeline: Timeline, spec: RepSpec, center_m: np.ndarray, label: str) -> TruthMovement:
    """Append the rep, a rotation about the timeline's exercise axis (tilted by the spec's
    ``axis_tilt_deg``) through ``center_m`` (world m),
    to ``timeline`` (starting at its end) and return its truth."""
    t0 = timeline.end_s
    before = timeline.angle_deg
    t1 = t0 + spec.duration_s
    axis = tilted_axis(timeline.exercise_axis, spec.axis_tilt_deg, spec.axis_tilt_dir_deg)
    timeline.append(Motion(t0, t1, axis, center_m, rep_angle_profile(spec, t0), tracked=True))
    out_end, return_start = outward_end_s(spec, t0), t0 + spec.out_s + spec.hold_s
    return TruthMovement(
        kind=spec.kind,
        label=label,
        start_s=t0,
        end_s=t1,
        out_end_s=out_end,
        return_start_s=return_start,
        rom_deg=peak_deg(spec, t0)[0],
        hold_s=return_start - out_end,
        rest_angle_before_deg=before,
        rest_angle_after_deg=timeline.angle_deg,
        set_index=spec.set_index,
        tempo=spec.tempo,
        axis_tilt_deg=spec.axis_tilt_deg,
        settled_s=t0 + spec.out_s,
    )


def build_rest(timeline: Timeline, duration_s: float, drift_deg: float) -> None:
    """Sit still for ``duration_s`` while the rest angle wanders slowly by ``drift_deg`` (about the
    exercise axis through the exercise centre). A zero duration adds nothing."""
    if duration_s <= 0:
        return
    t0 = timeline.end_s
    profile = MinJerk(t0, duration_s, np.radians(drift_deg))
    timeline.append(Motion(t0, t0 + duration_s, timeline.exercise_axis, timeline.exercise_center_m, profile,
                           tracked=True))

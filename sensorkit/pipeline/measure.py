"""Stage 4a: measure one movement once it has ended (timing, ROM, axis, radius, shape).

A movement is measured on its own samples, all of them known when it ends, so zero-phase
smoothing is used here (it is still causal at the movement's scale: live and batch agree).

- **axis**: the principal direction of the angular rate over the movement, low-passed (the
  motion stage's causal filter: a knock's spike is no turn of the leg), signed so that the
  outward phase turns positively;
- **angle** about that axis: the signed angle, in the plane perpendicular to the axis, from the
  vertical at the rest before the movement to the vertical now (gravity turns by exactly the
  rotation angle about any axis: drift-free);
- **from the accelerometer** (:mod:`sensorkit.pipeline.gravity_fit`): where a gap inside the
  movement was filled by a straight line, the turn the line missed; with no quiet rest before
  (continuous reps), the angle at the start (the filter's is pulled by the swings' acceleration);
- **ROM**: the peak of that angle, smoothed at ``lowpass_hz`` (tremor out, the hold's level in);
- **timing**: the outward movement ends where the angular speed about the axis, after the outward
  peak speed, first falls below ``hold_speed_fraction`` of it (at least ``hold_min_speed_dps``);
  the return starts where it last rises above that before the first descent at half the
  return's peak speed that takes the leg below ``hold_level_fraction`` of its level; the hold
  is between them (0 for a swing without one). A pause part way out (slow below
  ``hold_level_fraction`` of where the leg goes on to) is no hold, nor is a stop part way down;
  an overshoot's settle belongs to the outward movement, a slow sag to the hold. Wobble inside a
  hold does not move either end (:func:`outward_end`; the live hold timer applies the same rule
  to the movement so far, :func:`hold_so_far`);
- **reversals**: turns of the angle back by more than ``reversal_fraction`` of the ROM (a rep has
  one, at the top; shaking has many);
- **radius**: ``|ρ|`` from ``lin_acc = α × ρ + ω × (ω × ρ)`` over the movement's moving samples
  (those near a knock left out: ``KNOCK_MS2``), and the **pivot height** ``ρ · up`` (up: the
  resting vertical): negative when the axis lies above the sensor (the knee's, the hip's),
  positive when below (the foot's: knee out).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.samples import GRAVITY_MS2
from sensorkit.pipeline.circle import MOVING_DPS, circle_terms, fit_radius
from sensorkit.pipeline.gravity_fit import filled_runs, fit_turns, turn_about, worth_fitting
from sensorkit.pipeline.limits import QUIET_DPS, QUIET_DPS2, gravity_mean, gravity_quiet_samples
from sensorkit.pipeline.series import Chain, Link, integral_deg, link, unstarted
from sensorkit.pipeline.smallarray import (butter_lowpass_sos, butter_lowpass_zi, eigh, einsum, gradient, gradient_at,
                                           lfilter_zi as _filter, spacing, true_runs)


#: a hold has begun once the leg has turned slower than the hold threshold for this long (s)
SETTLED_S = 0.25
#: the longest a movement's end may be extrapolated past its speed threshold (s)
MAX_TAIL_S = 0.3
#: how an outward movement's speed (smoothed at ``lowpass_hz``) approaches its stop: as the time
#: to the stop to this power p, so that the time left is p × speed ÷ deceleration (1: a linear
#: end). Measured on the real UCI recordings' held reps (speed 10-50 % of its peak; the slope of
#: speed ÷ deceleration against time is -1/p): p = 1.33, median of 52 (quartiles 0.96-1.85).
#: (Return starts go as p = 1.97 there, 50 reps, quartiles 1.51-2.31, but they stay dated back
#: linearly: the live timer cannot date a return back before it sees it, and a cue "hold 3 s
#: reached" must not come more than a packet before a rep that reports less; with 1.97 it came
#: up to 0.19 s before, on 13 of 78 real holds)
STOP_EXPONENT = 1.33
#: a knock (the foot hitting the floor or the chair): the raw accelerometer off its low-passed self by
#: more than this (m/s²). Real recordings without one stay under 4.1 (PHYTMO's fast swings at
#: 100 Hz; UCI under 2.8); their knocks reach 10-35 (UCI subject 2, PHYTMO's incorrect series)
KNOCK_MS2 = 8.0


@dataclass(frozen=True)
class Window:
    """A movement's samples, with ``pre`` rest samples before ``start`` (relative indices)."""

    t: np.ndarray
    up: np.ndarray
    omega_dps: np.ndarray
    smooth_omega_dps: np.ndarray
    alpha_dps2: np.ndarray
    lin_acc_ms2: np.ndarray
    start: int
    end: int
    rest_up: np.ndarray
    returned: bool
    rest_gravity: np.ndarray | None = None  # the accelerometer's at the still rest before, if any
    acc_ms2: np.ndarray | None = None  # the raw accelerometer (for gravity where the leg is quiet)
    filled: np.ndarray | None = None  # per sample: made up in a gap (a straight line, no measurement)
    chain: Chain | None = None  # the turn through a series without rests, up to the window's first sample


@dataclass(frozen=True)
class Features:
    """What :func:`measure` finds; angles in degrees, times in seconds, radius in m."""

    start_s: float
    end_s: float
    out_end_s: float
    return_start_s: float
    rom_deg: float
    hold_s: float
    out_duration_s: float
    return_duration_s: float
    peak_speed_dps: float
    reversals: int
    axis: np.ndarray
    rest_up: np.ndarray
    radius_m: float
    pivot_height_m: float  # ρ along the rest vertical: < 0 when the axis lies above the sensor
    returned: bool
    link: Link | None = None  # its part of the turn through a series (range_deg: a continuous rep's range)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def signed_angle_deg(reference: np.ndarray, up: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The sensor's rotation (deg) about ``axis`` from where the vertical read ``reference`` to where
    it reads each ``up``, in the plane perpendicular to the axis (the vertical, fixed in the world,
    turns the other way in the sensor's frame: hence the minus)."""
    a0, a1, a2 = axis.tolist()
    if len(up) == 1:  # one vertical: the same arithmetic on Python floats, the dot products by numpy
        d = float(reference @ axis)
        r0, r1, r2 = (x - d * a for x, a in zip(reference.tolist(), (a0, a1, a2)))
        u = float((up @ axis)[0])
        v0, v1, v2 = (x - u * a for x, a in zip(up[0].tolist(), (a0, a1, a2)))
        cross_dot = a0 * (r1 * v2 - r2 * v1) + a1 * (r2 * v0 - r0 * v2) + a2 * (r0 * v1 - r1 * v0)
        along = np.array([[v0, v1, v2]]) @ np.array([r0, r1, r2])
        return np.arctan2(np.array([cross_dot]), along) * -_DEG_PER_RAD
    ref = reference - (reference @ axis) * axis
    vec = up - (up @ axis)[:, None] * axis[None, :]
    # (ref × vec) · axis, written out: np.cross costs more than the rest of this function
    r0, r1, r2 = ref.tolist()
    v0, v1, v2 = vec.T
    cross_dot = a0 * (r1 * v2 - r2 * v1) + a1 * (r2 * v0 - r0 * v2) + a2 * (r0 * v1 - r1 * v0)
    return -np.degrees(np.arctan2(cross_dot, vec @ ref))


#: np.degrees' factor
_DEG_PER_RAD = 180.0 / math.pi


@functools.lru_cache(maxsize=16)
def _lowpass(cutoff_hz: float, fs_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sos = butter_lowpass_sos(cutoff_hz, fs_hz)  # one second-order section
    b, a = sos[0, :3], sos[0, 3:]
    return b, a, butter_lowpass_zi(cutoff_hz, fs_hz)[0]  # lfilter_zi(b, a)


PAD = 9  # samples of odd extension at each end (sosfiltfilt's default for one section)


def smooth_zero_phase(columns: list[np.ndarray], cutoff_hz: float, fs_hz: float) -> np.ndarray:
    """Zero-phase low-pass of ``np.column_stack(columns)`` (columns: 1-D or 2-D, of one length)
    along the samples: ``scipy.signal.sosfiltfilt``'s method (odd extension by PAD samples,
    forward and backward passes from steady state) for the one-section Butterworth, its design and
    state cached (lfilter: a tenth of sosfilt's call overhead), the columns written straight into
    the padded array."""
    n = len(columns[0])
    if n <= PAD or cutoff_hz >= 0.45 * fs_hz:
        return np.column_stack(columns)
    widths = [1 if c.ndim == 1 else c.shape[1] for c in columns]
    ext = np.empty((n + 2 * PAD, sum(widths)))
    at = 0
    for column, width in zip(columns, widths):
        ext[PAD:-PAD, at:at + width] = column if column.ndim == 2 else column[:, None]
        at += width
    pad = PAD
    x0, x1 = ext[pad], ext[-pad - 1]  # the first and last sample
    ext[:pad], ext[-pad:] = 2 * x0 - ext[2 * pad:pad:-1], 2 * x1 - ext[-pad - 2:-2 * pad - 2:-1]
    b, a, zi = _lowpass(cutoff_hz, fs_hz)
    y = _filter(b, a, ext, zi[:, None] * ext[0])
    y = _filter(b, a, y[::-1], zi[:, None] * y[-1])
    return y[::-1][pad:-pad]


def _derivative(f: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``np.gradient(f, t, axis=0)`` of ``f`` (n, 3) at times ``t`` (s); zeros for under 3 samples."""
    return gradient(f, *spacing(t)) if len(t) > 2 else np.zeros((len(t), 3))


def count_reversals(angle: np.ndarray, min_swing: float) -> int:
    """Direction changes of ``angle`` whose swing on both sides is at least ``min_swing``.

    The zigzag takes its first direction where the angle has moved ``min_swing`` from its lowest
    (up) or highest (down) value so far; a rep (out, back) has one reversal, at the top.
    """
    if len(angle) < 3 or not min_swing > 0:
        return 0
    a = np.asarray(angle, dtype=float)
    rose = (a - np.minimum.accumulate(a) >= min_swing).nonzero()[0]
    fell = (np.maximum.accumulate(a) - a >= min_swing).nonzero()[0]
    if not len(rose) and not len(fell):
        return 0
    if len(fell) == 0 or (len(rose) and rose[0] < fell[0]):
        start, direction = int(rose[0]), 1
    else:
        start, direction = int(fell[0]), -1
    rest = a[start + 1:]
    if len(rest) > 2:  # only the turning points can trigger or move a reversal: the same count
        step = rest[1:] - rest[:-1]  # (np.diff's, without its wrapper)
        turning = (step[:-1] * step[1:] <= 0).nonzero()[0] + 1
        rest = [float(rest[0])] + rest.take(turning).tolist() + [float(rest[-1])]
        return _zigzag(rest, min_swing, direction, float(a[start]))
    return _zigzag(rest.tolist(), min_swing, direction, float(a[start]))


def _zigzag(values: list[float], min_swing: float, direction: int, extreme: float) -> int:
    """:func:`count_reversals`' zigzag over ``values`` from a direction (±1) and its extreme."""
    turns = 0
    for value in values:  # short arrays (one movement); a zigzag with a threshold
        if direction > 0:
            if value > extreme:
                extreme = value
            elif extreme - value >= min_swing:
                turns += 1
                direction, extreme = -1, value
        else:
            if value < extreme:
                extreme = value
            elif value - extreme >= min_swing:
                turns += 1
                direction, extreme = 1, value
    return turns


def measure(w: Window, cfg: PipelineConfig, fs_hz: float) -> Features:
    """Features of the movement in ``w`` (see the module doc)."""
    s, e = w.start, w.end
    omega = w.omega_dps[s:e + 1]
    t = w.t[s:e + 1]
    # axis: principal direction of the rate, signed by the outward turn (below); of the low-passed
    # rate: a knock's spike (hundreds of deg/s for a sample or two) is no turn of the leg, and
    # outweighs a small slow rep's turn in the raw rate
    smooth = w.smooth_omega_dps[s:e + 1]
    m = smooth if len(smooth) else w.smooth_omega_dps[-1:]
    _, vecs = eigh(m.T @ m)
    axis = vecs[:, -1]
    # the turn about the axis from rest: the bias-corrected rate integrated (drift over one
    # movement: VQF's bias residue × seconds) from the last quiet rest sample before the start,
    # where the accelerometer's gravity is exact; anchored to gravity again below at a quiet top
    sm, al = w.smooth_omega_dps, w.alpha_dps2
    speed_all = np.sqrt(einsum("ni,ni->n", sm, sm))
    quiet_all = (speed_all < QUIET_DPS) & (einsum("ni,ni->n", al, al) < QUIET_DPS2 ** 2)
    before = quiet_all[:s + 1].nonzero()[0]
    if len(before):  # quiet at rest, not at the top of a hold before (either sign of the axis)
        at_rest = np.abs(signed_angle_deg(w.rest_up, w.up[before], axis)) <= cfg.start_deg
        before = before[at_rest]
    s0 = int(before[-1]) if len(before) else s
    rate = w.omega_dps[s0:e + 1] @ axis
    tt = w.t[s0:e + 1]
    turned = integral_deg(tt, rate, 0.0)
    if turned[s - s0:].sum() < 0:  # outward turn positive
        axis, rate, turned = -axis, -rate, -turned
    # 0 at a quiet rest sample; without one (continuous reps) the filter's angle at the start
    at_s0 = 0.0 if len(before) else float(signed_angle_deg(w.rest_up, w.up[s0:s0 + 1], axis)[0])
    angle_from_s0 = at_s0 + turned
    # from the accelerometer (the lever arm's acceleration taken out): the turn a straight fill
    # missed where samples were lost, and without a quiet rest before, the angle at the start (the
    # filter's is pulled by the swings' acceleration and carries the turns lost in earlier gaps)
    filled = w.filled[s0:e + 1] if w.filled is not None else np.zeros(e + 1 - s0, dtype=bool)
    # (the start's fit needs the movement to last a period of the smoothing's cut-off: it fits the
    # lever arm and the start together, and shorter, smoothed, it holds too few independent values
    # to tell them apart; a leg shake's 0.1-s half-swing fitted a start 39° off, read "-37.2°")
    fit_start = not len(before) and bool(tt[-1] - tt[0] >= 1.0 / cfg.lowpass_hz)
    unfitted = angle_from_s0
    smooth_rate = None  # the rate from s0 smoothed at zero phase and its derivative, once formed
    smooth_acc = None  # ... and the accelerometer
    gaps = filled_runs(filled) if w.acc_ms2 is not None else []
    # (with a quiet rest's gravity, the radius below takes it out of the accelerometer turned back
    # by the angle: formed once, and the fit starts from the same, unless it puts the angle right)
    gravity_turned = w.rest_gravity is not None and w.acc_ms2 is not None and len(before) > 0
    g_turned = None
    if w.acc_ms2 is not None and (fit_start or worth_fitting(tt, filled, gaps)):
        reference = w.rest_gravity if len(before) and w.rest_gravity is not None else w.rest_up
        smooth = smooth_zero_phase([w.omega_dps[s0:e + 1], w.acc_ms2[s0:e + 1]], cfg.lowpass_hz, fs_hz)
        smooth_rate, smooth_acc = (smooth[:, :3], _derivative(smooth[:, :3], tt)), smooth[:, 3:]
        if gravity_turned:  # (reference is the rest's gravity)
            g_turned = turn_about(w.rest_gravity * GRAVITY_MS2, axis, -np.radians(angle_from_s0))
        angle_from_s0 = fit_turns(tt, angle_from_s0, filled, reference, axis, *smooth_rate, smooth_acc,
                                  fit_start, edge_s=0.25 / cfg.lowpass_hz, gaps=gaps, turned_ms2=g_turned)
        if angle_from_s0 is not unfitted:  # (put right: gravity turns by the new angle)
            g_turned = None
    angle = angle_from_s0[s - s0:]
    # (with no quiet rest's gravity to take out, the radius below reads knocks off the raw
    # accelerometer smoothed over these samples: smoothed here with them, each column on its own)
    raw_acc = w.acc_ms2[s:e + 1] if w.acc_ms2 is not None and not gravity_turned else None
    # (from the start itself, the fit has smoothed these samples already: each column on its own)
    formed = raw_acc is not None and smooth_acc is not None and s0 == s
    both = smooth_zero_phase([angle, rate[s - s0:]] + ([raw_acc] if raw_acc is not None and not formed else []),
                             cfg.lowpass_hz, fs_hz)
    smooth_raw_acc = smooth_acc if formed else both[:, 2:]
    angle_s, speed = both[:, 0].copy(), both[:, 1]
    # where the leg is still, the accelerometer reads gravity alone: its angle is exact there, while
    # the orientation filter still carries what the movement's own acceleration pulled it by.
    # The filter's trace is shifted by their mean difference over the still samples near the top.
    gravity = w.acc_ms2[s:e + 1] if w.acc_ms2 is not None else w.lin_acc_ms2[s:e + 1] + GRAVITY_MS2 * w.up[s:e + 1]
    quiet = quiet_all[s:e + 1]
    top = quiet & (angle_s > 0.7 * angle_s.max())
    n_top = np.count_nonzero(top)
    if w.rest_gravity is not None and n_top >= gravity_quiet_samples(fs_hz):
        # the mean: the accelerometer's noise averages out; a glitch is left out (GRAVITY_SPREAD_MS2)
        g_top, kept = gravity_mean(gravity[top])
        if kept is not None:  # (the angle's mean over the same samples)
            top[top] = kept
            n_top = np.count_nonzero(top)
        if n_top >= gravity_quiet_samples(fs_hz):
            # (means and norm written out as numpy computes them: sum / count, sqrt of the dot)
            exact = float(signed_angle_deg(w.rest_gravity, g_top[None, :] / math.sqrt(g_top.dot(g_top)), axis)[0])
            angle_s = angle_s + exact - float(np.add.reduce(angle[top]) / n_top)
    p = int(angle_s.argmax())
    rom = float(angle_s[p])
    # timing: the outward movement ends, the return starts
    out_peak = int(speed[:p + 1].argmax()) if p > 0 else 0
    ret_peak = p + int(speed[p:].argmin())
    ret_thr = hold_threshold_dps(-speed[ret_peak], cfg)
    out_end, runs = outward_end(angle_s, speed, out_peak, ret_peak, cfg, fs_hz)
    out_end = p if out_end is None else out_end
    cut = _leaves_hold(angle_s, speed, out_end, ret_peak, cfg.hold_level_fraction)
    slow_ret = (-speed[out_peak:cut + 1] <= ret_thr).nonzero()[0]
    ret_start = out_peak + int(slow_ret[-1]) if len(slow_ret) else p
    if len(runs) and runs[0] == runs[-1] and out_end >= ret_start - int(round(SETTLED_S * fs_hz)):
        out_end = ret_start = p  # one short calm spell at the top: a turnaround, no hold
    if ret_start < out_end:  # no hold: a swing turning at the top
        out_end = ret_start = p
    t_out_end, t_ret_start = float(t[out_end]), float(t[ret_start])
    if ret_start > out_end:
        # the movement goes on below the threshold: extrapolate the speed to zero at its rate of
        # change there (a linear end, the least a smooth stop takes), at most to the other end
        # (np.gradient(speed, t) at the two ends only)
        dt, step = spacing(t) if len(t) > 2 else (None, None)
        t_out_end += slowing_tail_s(speed, t, out_end, dt, step)
        accel = gradient_at(speed, t, ret_start, dt, step) if len(t) > 2 else 0.0
        if accel < 0:
            t_ret_start -= min(float(speed[ret_start] / accel), MAX_TAIL_S)
        if t_ret_start < t_out_end:
            t_out_end = t_ret_start = 0.5 * (t_out_end + t_ret_start)
    # the turn through a series without rests (sensorkit.pipeline.series): a continuous rep's range
    # (before the exercise's axis is known, a chain starts about the movement's own: at a quiet rest,
    # or at its start with none before it and no series to go on)
    chain = w.chain if w.chain is not None else unstarted(axis)
    link_ = link(chain, w.t, w.omega_dps, w.filled, s, s0 if len(before) else None,
                 angle_from_s0, angle_from_s0 - unfitted)
    # radius over the moving samples. Where the rest before is quiet, gravity is taken out of the
    # raw accelerometer along the turn itself (the rest's gravity turned back by the integrated
    # rate: exact over a movement), rate and acceleration smoothed alike at zero phase; else the
    # causal signals with the orientation filter's gravity.
    if gravity_turned:
        if g_turned is None:
            g_turned = turn_about(w.rest_gravity * GRAVITY_MS2, axis, -np.radians(angle_from_s0))
        raw_lin = w.acc_ms2[s0:e + 1] - g_turned
        if smooth_rate is not None:  # (the smoothing filters each column alone: the fit's rate is this one's)
            (om, al), lin = smooth_rate, smooth_zero_phase([raw_lin], cfg.lowpass_hz, fs_hz)
        else:
            smooth = smooth_zero_phase([w.omega_dps[s0:e + 1], raw_lin], cfg.lowpass_hz, fs_hz)
            om, lin = smooth[:, :3], smooth[:, 3:]
            al = _derivative(om, tt)
        moving = np.sqrt(einsum("ni,ni->n", om, om)) > MOVING_DPS
        jolt = raw_lin - lin  # (the accelerometer off its low-passed self: gravity is smooth)
    else:
        sl = slice(s, e + 1)
        om, al, lin = w.smooth_omega_dps[sl], w.alpha_dps2[sl], w.lin_acc_ms2[sl]
        moving = speed_all[sl] > MOVING_DPS
        jolt = raw_acc - smooth_raw_acc if raw_acc is not None else None
    # ... but not within a cut-off period of a knock: its jolt and rate spike, smoothed, are no turn
    # about an axis, and outweigh a small slow rep's lever-arm acceleration
    knocked = near_knocks(jolt, fs_hz / cfg.lowpass_hz) if jolt is not None else None
    if knocked is not None and np.count_nonzero(moving & ~knocked) >= 5:
        moving = moving & ~knocked
    measured = moving & ~filled[len(filled) - len(moving):]  # made-up samples are no measurement,
    if np.count_nonzero(measured) >= 5:  # unless too few others are left (a short swing through a gap)
        moving = measured
    radius = pivot_height = float("nan")
    if np.count_nonzero(moving) >= 5:
        terms = circle_terms(om[moving], al[moving], lin[moving])
        rho = fit_radius(terms)
        if rho is not None:
            radius = math.sqrt(rho.dot(rho))  # np.linalg.norm's
            pivot_height = float(rho @ w.rest_up)
    # the start: the last quiet rest sample before the movement (the angle's onset threshold is
    # crossed later); the end: where the segmenter found the leg quiet again (or the swing's bottom)
    start_s = float(w.t[s0]) if len(before) and s0 < s else float(t[0])
    end_s = float(t[-1])
    return Features(
        start_s=start_s, end_s=end_s, out_end_s=t_out_end, return_start_s=t_ret_start,
        rom_deg=rom, hold_s=t_ret_start - t_out_end,
        out_duration_s=t_out_end - start_s, return_duration_s=end_s - t_ret_start,
        peak_speed_dps=float(np.abs(speed).max()) if len(speed) else 0.0,
        reversals=count_reversals(angle_s, max(cfg.reversal_fraction * max(rom, 1e-9), cfg.reversal_floor_deg)),
        axis=axis, rest_up=w.rest_up, radius_m=radius, pivot_height_m=pivot_height,
        returned=w.returned, link=link_,
    )


def near_knocks(jolt_ms2: np.ndarray, reach_samples: float) -> np.ndarray | None:
    """Which samples lie within ``reach_samples`` of a knock: the accelerometer off its low-passed self
    (``jolt_ms2``, (n, 3)) by more than ``KNOCK_MS2``; None when there is none."""
    knocks = einsum("ni,ni->n", jolt_ms2, jolt_ms2) > KNOCK_MS2 ** 2
    if not knocks.any():
        return None
    reach = int(round(reach_samples))
    return np.convolve(knocks, np.ones(2 * reach + 1), "full")[reach:reach + len(knocks)] > 0.5


def hold_threshold_dps(peak_speed_dps: float, cfg: PipelineConfig) -> float:
    """The speed (deg/s) below which a movement whose peak speed is ``peak_speed_dps`` (the outward
    one's, or the return's) is taken to have stopped: ``hold_speed_fraction`` of it, at least
    ``hold_min_speed_dps``."""
    return max(cfg.hold_min_speed_dps, cfg.hold_speed_fraction * max(peak_speed_dps, 0.0))


def top_band_deg(level_deg: float) -> float:
    """The band above a hold's level (deg) that its wobble and creep stay in: a leg that goes
    further has gone on out (the live timer's hold, too, ends there)."""
    return max(3.0, 0.15 * level_deg)


def outward_end(angle_s: np.ndarray, speed: np.ndarray, out_peak: int, last: int, cfg: PipelineConfig,
                fs_hz: float) -> tuple[int | None, list[tuple[int, int]]]:
    """Where the outward movement ends (index), or None while the leg has not slowed at the top;
    and the calm spells after ``out_peak`` (relative (first, last) runs of at least SETTLED_S).

    ``angle_s``, ``speed``: the smoothed angle about the movement's axis (deg) and its rate (deg/s),
    up to index ``last``. The outward movement ends at the first sample after its peak speed
    ``out_peak`` slower than the hold threshold (``hold_speed_fraction`` of that peak, at least
    ``hold_min_speed_dps``) at or above ``hold_level_fraction`` of the highest angle the leg
    reaches from there on (a pause part way out is no hold); an overshoot's settle back to the held
    level belongs to it: the hold starts no earlier than the first spell of SETTLED_S turning
    slower than that threshold either way (a hold that wobbles faster keeps the first crossing),
    or where the leg stops coming down if it came straight back down from the crossing (the
    overshoot's settle, however the hold wobbles after it); a leg that turned up first keeps the
    calm spell only if it went on out beyond :func:`top_band_deg` (after a pause: a wobble or a
    creep inside the hold keeps the crossing).
    Measured reps and the live hold timer both take it from here."""
    out_thr = hold_threshold_dps(speed[out_peak], cfg)
    level = angle_s[out_peak:last + 1]
    high = level >= cfg.hold_level_fraction * np.maximum.accumulate(level[::-1])[::-1]
    slow_out = ((speed[out_peak:last + 1] <= out_thr) & high).nonzero()[0]
    calm = (np.abs(speed[out_peak:last + 1]) <= out_thr) & high
    runs = true_runs(calm, max(1, int(round(SETTLED_S * fs_hz))))
    if not len(slow_out):
        return None, runs
    out_end = out_peak + int(slow_out[0])
    if len(runs):  # (a run that begins at the first crossing is the hold itself, or a turnaround)
        calm_at = out_peak + int(runs[0][0])
        if calm_at > out_end:
            # an overshoot comes back down at once: its settle ends where that first descent stops,
            # whatever the hold does after it (a wobble need not be calm for SETTLED_S until much later)
            after = speed[out_end:last + 1]
            down, up = (after < -out_thr).nonzero()[0], (after > out_thr).nonzero()[0]
            if len(down) and (not len(up) or down[0] < up[0]):
                stopped = (after[down[0]:] >= -out_thr).nonzero()[0]
                if len(stopped):
                    calm_at = min(calm_at, out_end + int(down[0]) + int(stopped[0]))
            elif angle_s[out_end:last + 1].max() <= angle_s[out_end] + top_band_deg(angle_s[out_end]):
                # it went on up, but within the band a hold wobbles or creeps in: no movement on out
                calm_at = out_end
        out_end = max(out_end, calm_at)
    return out_end, runs


def slowing_tail_s(speed: np.ndarray, t: np.ndarray, i: int, dt: np.ndarray | None, step: float | None) -> float:
    """How long after sample ``i`` the slowing movement stops (s): ``STOP_EXPONENT`` × its speed
    there ÷ its rate of change (the way real outward movements stop), at most MAX_TAIL_S; 0 when it
    is not slowing, or not moving out. ``dt``, ``step``: :func:`spacing` of ``t``."""
    if not speed[i] > 0:  # (not moving out: nothing to extrapolate)
        return 0.0
    accel = gradient_at(speed, t, i, dt, step) if len(t) > 2 else 0.0
    return min(STOP_EXPONENT * float(speed[i] / -accel), MAX_TAIL_S) if accel < 0 else 0.0


@dataclass(frozen=True)
class HoldSoFar:
    """The live hold timer's span (s): from ``out_end_s`` (the end of the outward movement) to
    ``held_to_s`` (the last moment later samples confirm the leg was held); ``ended`` once the leg
    has come down below ``hold_level_fraction`` of its highest angle since (the return, or its
    first stage: the hold is over for good, as a measured rep's)."""

    out_end_s: float
    held_to_s: float
    ended: bool
    #: the newest sure sample turns on out faster than the outward movement's hold threshold (on
    #: out from a pause, or a wobble up: the hold the rep will report is known once it stops again)
    going_on: bool = False
    #: ... and lies beyond :func:`top_band_deg` above the highest the leg had been when the hold
    #: began (a hold's wobble or creep stays inside, its crest too when it first swung down from
    #: the level the leg came to, and the hold began at its trough): the leg has gone on out of
    #: the pause, which is the rep's hold only if it stops again near enough
    gone_on: bool = False

    @property
    def held_s(self) -> float:
        return self.held_to_s - self.out_end_s


#: the newest samples of a zero-phase smoothing (the odd extension stands in for the samples not
#: yet come) are not trusted for the live hold timer: this many cut-off periods' worth (0.17 s at 3 Hz)
EDGE_PERIODS = 0.5


def hold_so_far(t: np.ndarray, angle_s: np.ndarray, speed: np.ndarray, cfg: PipelineConfig,
                fs_hz: float) -> HoldSoFar | None:
    """The live hold timer's span from a movement's samples so far (angle and rate about its
    axis, smoothed at zero phase), or None while no hold has begun.

    The same rule as a measured rep's (:func:`outward_end`, :func:`slowing_tail_s`), so that a
    hold the timer shows reached is one the rep reports. The hold goes on while the leg turns back
    slower than ``hold_min_speed_dps``, or slower than the outward movement's hold threshold and
    not speeding up (the return's own threshold is not known yet; a steady sag is held, the start
    of a return speeds up), and has not gone on out past :func:`top_band_deg` above where the hold
    began (a pause part way out), up to the newest sample the smoothing is sure of (EDGE_PERIODS
    before the last).
    While the leg comes down faster, the span waits at its last sample held, dated back to where
    that descent's speed extrapolates to zero (a wobble's downswing, or the return, which the
    measured rep dates from there too); once a descent has taken the leg below
    ``hold_level_fraction`` of its highest angle since the hold began, the hold has ended.
    Past the band, the leg turning on out faster than the outward threshold is not held; stopped
    again further out, it is, with all the time since the hold began: so the measured rep dates
    it, unless the leg went on to where :func:`outward_end` no longer takes the pause for the
    hold's start (it then dates the hold from where the leg stopped further out)."""
    n = len(angle_s)
    p = int(angle_s.argmax())
    if p == 0 or n < 3:
        return None
    out_peak = int(speed[:p + 1].argmax())
    out_thr = hold_threshold_dps(speed[out_peak], cfg)
    out_end, _ = outward_end(angle_s, speed, out_peak, n - 1, cfg, fs_hz)
    if out_end is None:
        return None
    dt, step = spacing(t)
    t_out_end = float(t[out_end]) + slowing_tail_s(speed, t, out_end, dt, step)
    level = angle_s[out_end:]
    below = (level < cfg.hold_level_fraction * np.maximum.accumulate(level)).nonzero()[0]
    ended = bool(len(below))
    sure = n - max(1, int(round(EDGE_PERIODS * fs_hz / cfg.lowpass_hz)))  # (samples before it are sure)
    stop = min(out_end + int(below[0]) if ended else n, sure)
    if stop <= out_end:
        return HoldSoFar(t_out_end, t_out_end, ended)
    top = angle_s[out_end]
    v = speed[out_end:stop]
    # (held: turning back slower than hold_min_speed_dps, or slower than the outward threshold
    # and not speeding up: a steady sag is held, the start of a return speeds up)
    slow = (-v <= cfg.hold_min_speed_dps) | ((-v <= out_thr) & (np.diff(v, prepend=v[0]) >= 0))
    # (and within the band above where the hold began, or stopped again further out)
    within, stopped = angle_s[out_end:stop] <= top + top_band_deg(top), v <= out_thr
    going_on = not stopped[-1]
    reached = float(angle_s[:out_end + 1].max())
    gone_on = going_on and float(angle_s[stop - 1]) > reached + top_band_deg(reached)
    held = (slow & (within | stopped)).nonzero()[0]
    if not len(held):  # (the first slow sample is already on the way down)
        return HoldSoFar(t_out_end, t_out_end, ended, going_on, gone_on)
    last = out_end + int(held[-1])
    t_held = float(t[last])
    if last < stop - 1:  # (came down faster after it)
        accel = gradient_at(speed, t, last, dt, step)
        if accel < 0 and speed[last] < 0:
            t_held -= min(float(speed[last] / accel), MAX_TAIL_S)
    elif -speed[last] > 0.5 * cfg.hold_min_speed_dps:
        # the newest sure sample coming down, and faster and faster: a descent under way (the
        # return, or a wobble's downswing) is dated back the same way while it lasts (a steady
        # sag does not speed up, and noise at a still hold stays under half hold_min_speed_dps)
        accel = gradient_at(speed, t, last, dt, step)
        if accel < 0:
            t_held -= min(float(speed[last] / accel), MAX_TAIL_S)
    return HoldSoFar(t_out_end, max(t_out_end, t_held), ended, going_on, gone_on)


def _leaves_hold(angle: np.ndarray, speed: np.ndarray, start: int, ret_peak: int, level_fraction: float) -> int:
    """The first sample from ``start`` on at which the leg turns back at half the return's peak
    speed in a descent that takes it below ``level_fraction`` of its highest angle since
    ``start``: the return (or its first stage). A wobble's downswing, however quick, stays above
    that and ends; the return's peak speed itself, ``ret_peak``, at the latest."""
    half = 0.5 * max(-float(speed[ret_peak]), 0.0)
    for first, last in true_runs(speed[start:ret_peak + 1] < 0, 1):  # each descent
        fast = (-speed[start + first:start + last + 1] >= half).nonzero()[0]
        if len(fast) and angle[start + last] < level_fraction * angle[start:start + first + 1].max():
            return start + first + int(fast[0])
    return ret_peak


def axis_tilt_deg(axis: np.ndarray, up: np.ndarray) -> float:
    """Angle (0–90°) between a rotation ``axis`` and the horizontal plane of vertical ``up``."""
    return math.degrees(math.asin(min(1.0, abs(float(axis @ up)))))

"""Stage 3: measure one finished movement (timing, rotation axis, range, radius, shape).

Works on a :class:`~sensorkit.pipeline.segment.MovementWindow`, which ends when the movement has
ended, so anything here may look at the whole window (it is still causal for the stream).

Timing: the 25/50/75 % crossings of the outward and return phases, extrapolated with the
minimum-jerk profile (a symmetric S-curve): a phase of amplitude A and duration T crosses A/2 at
its midpoint, and its 25–75 % crossing time is a fixed fraction of T. This keeps the hold, which
is bounded by the phase ends, free of threshold bias and of tremor.

Rotation radius: see :mod:`sensorkit.pipeline.radius` (computed only when a rep needs it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sensorkit.pipeline.jit import njit  # numba's njit with numpy's error model (see jit.py)
from sensorkit.pipeline.radius import fit_radius
from sensorkit.pipeline.segment import MovementWindow


def _min_jerk_position(tau: np.ndarray) -> np.ndarray:
    return 10 * tau**3 - 15 * tau**4 + 6 * tau**5


def _min_jerk_crossing(fraction: float) -> float:
    """Normalised time at which a minimum-jerk movement covers ``fraction`` of its amplitude."""
    tau = np.linspace(0.0, 1.0, 200001)
    return float(np.interp(fraction, _min_jerk_position(tau), tau))


#: (75 % − 25 % crossing time) / duration, for a minimum-jerk phase.
QUARTILE_SPAN = _min_jerk_crossing(0.75) - _min_jerk_crossing(0.25)


@dataclass(eq=False)
class MovementFeatures:
    """What was measured on one movement. Angles in degrees, times in the recording's s."""

    start_s: float
    end_s: float
    out_end_s: float
    return_start_s: float
    axis: np.ndarray  # unit rotation axis (sensor frame), signed towards the excursion
    excursion_deg: float  # peak rotation away from the rest orientation
    peak_speed_dps: float
    reversals: int
    hold_still_s: float
    returned: bool
    cut_reason: str
    # kept for measuring the angle about another axis (the learned exercise axis)
    rot_rel_deg: np.ndarray  # rotation vector relative to rest, per sample
    g_rest: np.ndarray  # mean low-passed accelerometer at rest before, m/s²
    g_hold: np.ndarray | None  # mean over the still hold at the top, if long enough
    top_slice: slice | None = None  # the top hold within ``rot_rel_deg``
    radius_inputs: tuple = ()  # (block, end, g_rest, axis, smooth_hz, fs_hz) for radius_m

    @cached_property
    def radius_m(self) -> float:
        """Distance from the sensor to the rotation axis, m (fitted on first use: it is costly)."""
        return _fit_radius(self, *self.radius_inputs)

    @property
    def hold_s(self) -> float:
        return max(0.0, self.return_start_s - self.out_end_s)

    @property
    def out_duration_s(self) -> float:
        return self.out_end_s - self.start_s

    @property
    def return_duration_s(self) -> float:
        return self.end_s - self.return_start_s

    def rom_about(self, axis: np.ndarray) -> float:
        """Peak rotation about ``axis`` above the rest just before, degrees.

        When the hold was still long enough, the mean of two independent estimates of the held
        angle: from gravity (free of gyro scale error and drift, but not of accelerometer bias:
        ±0.3 m/s² moves it by up to 2–3° at 60–80°) and from the integrated gyro (the median over
        the hold: free of accelerometer errors, not of gyro scale error). Else the peak of the
        integrated gyro.
        """
        if self.g_hold is not None and self.top_slice is not None:
            return float(_rom_about(self.rot_rel_deg, axis, self.g_rest, self.g_hold, self.top_slice.start,
                                    self.top_slice.stop))
        return float(_rom_about(self.rot_rel_deg, axis, self.g_rest, self.g_rest, -1, -1))


@njit(cache=True)
def _rom_about(rel: np.ndarray, axis: np.ndarray, g_rest: np.ndarray, g_hold: np.ndarray, top_from: int,
               top_to: int) -> float:
    """:meth:`MovementFeatures.rom_about` in one compiled call (``top_from`` -1: no still hold)."""
    x = _along(rel, axis)
    if top_from >= 0:
        return 0.5 * (gravity_angle_deg(g_rest, g_hold, axis) + upper_median(x[top_from:top_to]))
    return x.max()


@njit(cache=True)
def gravity_angle_deg(g_from: np.ndarray, g_to: np.ndarray, axis: np.ndarray) -> float:
    """Sensor rotation about ``axis`` (deg) that turns the gravity reading ``g_from`` into ``g_to``.

    Gravity, fixed in the world, turns *against* the sensor: hence the minus sign.
    """
    a_from = g_from[0] * axis[0] + g_from[1] * axis[1] + g_from[2] * axis[2]
    a_to = g_to[0] * axis[0] + g_to[1] * axis[1] + g_to[2] * axis[2]
    p0 = g_from - a_from * axis  # the readings' parts perpendicular to the axis
    p1 = g_to - a_to * axis
    sin = (p0[1] * p1[2] - p0[2] * p1[1]) * axis[0] + (p0[2] * p1[0] - p0[0] * p1[2]) * axis[1] \
        + (p0[0] * p1[1] - p0[1] * p1[0]) * axis[2]
    cos = p0[0] * p1[0] + p0[1] * p1[1] + p0[2] * p1[2]
    return -math.degrees(math.atan2(sin, cos))


@njit(cache=True)
def upper_median(x: np.ndarray) -> float:
    """The ``len(x) // 2``-th smallest value (the median; the upper middle one for even lengths),
    by quickselect on a copy (it compiles much faster than ``np.sort``)."""
    a = x.copy()
    k = len(a) // 2
    lo, hi = 0, len(a) - 1
    while lo < hi:
        pivot = a[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return a[k]


@njit(cache=True)
def _first_crossings(t: np.ndarray, x: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Interpolated times at which rising ``x`` first reaches each of ``levels``."""
    times = np.empty(len(levels))
    for j in range(len(levels)):
        # the first sample at or above the level (the start when at it from the start or never)
        i = 0
        while i < len(x) and not x[i] >= levels[j]:
            i += 1
        if i == 0 or i == len(x):
            times[j] = t[0]
        else:
            times[j] = t[i - 1] + (levels[j] - x[i - 1]) / (x[i] - x[i - 1]) * (t[i] - t[i - 1])
    return times


@njit(cache=True)
def _phase_bounds(t: np.ndarray, x: np.ndarray, base: float, top: float) -> tuple[float, float]:
    """(start, end) of a rising minimum-jerk-like phase of ``x`` from ``base`` to ``top``."""
    span = top - base
    t25, t50, t75 = _first_crossings(t, x, np.array([base + 0.25 * span, base + 0.5 * span, base + 0.75 * span]))
    half = 0.5 * (t75 - t25) / QUARTILE_SPAN
    return t50 - half, t50 + half


@njit(cache=True)
def _count_reversals(v: np.ndarray, threshold: float) -> int:
    """Sign changes of ``v`` counting only samples beyond ``threshold`` in size."""
    count, last = 0, 0.0
    for value in v:
        if abs(value) > threshold:
            sign = 1.0 if value > 0 else -1.0
            if last != 0.0 and sign != last:
                count += 1
            last = sign
    return count


@njit(cache=True)
def _interp_rows(t: np.ndarray, rows: np.ndarray, at_s: float) -> np.ndarray:
    """``rows`` (one per time of increasing ``t``) linearly interpolated at ``at_s``: column by
    column what ``np.interp`` gives (the same bracketing pair and arithmetic)."""
    j = np.searchsorted(t, at_s, side="right") - 1
    if j < 0:
        return rows[0].copy()
    if j == len(t) - 1 or t[j] == at_s:
        return rows[j].copy()
    out = np.empty(rows.shape[1])
    for c in range(rows.shape[1]):
        slope = (rows[j + 1, c] - rows[j, c]) / (t[j + 1] - t[j])
        out[c] = slope * (at_s - t[j]) + rows[j, c]
        if np.isnan(out[c]):  # np.interp's fallbacks for non-finite slopes
            out[c] = slope * (at_s - t[j + 1]) + rows[j + 1, c]
            if np.isnan(out[c]) and rows[j, c] == rows[j + 1, c]:
                out[c] = rows[j, c]
    return out


@njit(cache=True)
def _mean_rows(x: np.ndarray) -> np.ndarray:
    """``x.mean(axis=0)`` (the same sums, row after row, in the same order)."""
    total = np.zeros(x.shape[1])
    for i in range(x.shape[0]):
        for c in range(x.shape[1]):
            total[c] += x[i, c]
    return total / x.shape[0]


@njit(cache=True)
def _along(rows: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Each row's component along ``axis``."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        out[i] = rows[i, 0] * axis[0] + rows[i, 1] * axis[1] + rows[i, 2] * axis[2]
    return out


@njit(cache=True)
def _measure_core(t, rot_deg, acc_lp, omega_lp, acc, s: int, e: int, holds: np.ndarray, returned: bool,
                  min_still_hold_s: float):
    """The numbers of :func:`measure` (see there), compiled: the top hold (index into ``holds``,
    -1 for none), times, axis, excursion, peak speed, reversals, gravity at rest (low-passed and
    raw), gravity in the hold (NaN when not still long enough) and the rotation relative to rest
    from ``s`` on."""
    # the hold at the top: the still period farthest from where the movement started
    start_rot = rot_deg[max(s - 1, 0)]
    top, best = -1, -1.0
    for h in range(len(holds)):
        d = rot_deg[(holds[h, 0] + holds[h, 1]) // 2] - start_rot
        dist = math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
        if dist > best:
            top, best = h, dist
    h0, h1 = (holds[top, 0], holds[top, 1]) if top >= 0 else (0, 0)
    hold_still_s = t[h1] - t[h0] if top >= 0 else 0.0

    # The still flag lags the true start (the first moments are slow), so the rotation is
    # referenced twice: first to the last still sample, then to the extrapolated start.
    lo = max(s - 1, 0)  # the last still sample: the rotation is needed only from there on
    rot = rot_deg[lo:]
    ref = rot[0].copy()
    rel = rot - ref
    axis = np.array([1.0, 0.0, 0.0])
    excursion, k, top_deg = 0.0, s, 0.0
    start_s = end_s = out_end_s = return_start_s = 0.0
    x = rel[:, 0].copy()
    for _ in range(2):
        rel = rot - ref  # rel[i - lo] is sample i
        excursion, k = -1.0, s
        for i in range(s, len(t)):
            r = rel[i - lo]
            norm = math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
            if norm > excursion or (norm != norm and excursion == excursion):  # NaN wins, as np.argmax
                excursion, k = norm, i
        axis = rel[k - lo] / excursion if excursion > 0 else np.array([1.0, 0.0, 0.0])
        x = _along(rel, axis)  # angle along the movement's own axis, degrees
        top_deg = upper_median(x[h0 - lo:h1 + 1 - lo]) if top >= 0 else excursion
        if not returned:
            start_s, end_s = t[s], t[e]
            out_end_s = return_start_s = t[k]
            break
        start_s, out_end_s = _phase_bounds(t[lo:k + 1], x[:k + 1 - lo], 0.0, top_deg)
        start_s = min(max(start_s, t[0]), t[s])
        ref = _interp_rows(t, rot_deg, start_s)
    if returned:
        rev_t, rev_x = (-t[k:e + 1])[::-1].copy(), x[k - lo:e + 1 - lo][::-1].copy()
        neg_end, neg_rs = _phase_bounds(rev_t, rev_x, x[e - lo], top_deg)
        end_s, return_start_s = min(-neg_end, t[e]), -neg_rs

    rest = max(1, np.searchsorted(t, start_s))  # the block begins at rest
    g_rest, g_rest_raw = _mean_rows(acc_lp[:rest]), _mean_rows(acc[:rest])
    g_hold = np.full(3, np.nan)
    if top >= 0 and hold_still_s >= min_still_hold_s:
        g_hold = _mean_rows(acc_lp[h0:h1 + 1])
    speed = _along(omega_lp[s:e + 1], axis)
    peak_speed = np.abs(speed).max()
    reversals = _count_reversals(speed, max(5.0, 0.2 * peak_speed))
    return (top, hold_still_s, start_s, end_s, out_end_s, return_start_s, axis, excursion, peak_speed,
            reversals, g_rest, g_rest_raw, g_hold, rel[s - lo:])


def _fit_radius(f: MovementFeatures, b, e: int, g_rest: np.ndarray, axis: np.ndarray,
                smooth_hz: float, fs_hz: float) -> float:
    """:func:`fit_radius` on the block's samples up to ``e`` (from the rest before the movement),
    its still hold at the top condensed."""
    return fit_radius(b.t[:e + 1], b.omega[:e + 1], b.acc[:e + 1], g_rest, axis, smooth_hz, fs_hz,
                      hold_s=(f.out_end_s, f.return_start_s))


def measure(window: MovementWindow, min_still_hold_s: float, fs_hz: float,
            radius_smooth_hz: float = 2.0) -> MovementFeatures:
    """Measure a finished movement (see module doc)."""
    b = window.block
    holds = np.array([(h0, h1) for h0, h1 in window.holds if h1 > h0], dtype=np.int64).reshape(-1, 2)
    (top, hold_still_s, start_s, end_s, out_end_s, return_start_s, axis, excursion, peak_speed, reversals,
     g_rest, g_rest_raw, g_hold, rel) = _measure_core(
        *(np.ascontiguousarray(x) for x in (b.t, b.rot_deg, b.acc_lp, b.omega_lp, b.acc)),  # one compiled version
        window.start, window.end, holds, window.returned, float(min_still_hold_s))  # a float: one version
    s = window.start
    return MovementFeatures(
        start_s=start_s, end_s=end_s, out_end_s=out_end_s, return_start_s=return_start_s,
        axis=axis, excursion_deg=excursion, peak_speed_dps=peak_speed, reversals=reversals,
        hold_still_s=hold_still_s, returned=window.returned, cut_reason=window.cut_reason,
        rot_rel_deg=rel, g_rest=g_rest, g_hold=None if np.isnan(g_hold[0]) else g_hold,
        top_slice=slice(holds[top, 0] - s, holds[top, 1] + 1 - s) if top >= 0 else None,
        radius_inputs=(b, window.end, g_rest_raw, axis, radius_smooth_hz, fs_hz),
    )

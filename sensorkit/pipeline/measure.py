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

import numpy as np
from functools import cached_property


from sensorkit.pipeline.filters import cross3, norm3, row_norms
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
        x = self.rot_rel_deg @ axis
        if self.g_hold is not None and self.top_slice is not None:
            return 0.5 * (gravity_angle_deg(self.g_rest, self.g_hold, axis) + _median(x[self.top_slice]))
        return float(x.max())


def gravity_angle_deg(g_from: np.ndarray, g_to: np.ndarray, axis: np.ndarray) -> float:
    """Sensor rotation about ``axis`` (deg) that turns the gravity reading ``g_from`` into ``g_to``.

    Gravity, fixed in the world, turns *against* the sensor: hence the minus sign.
    """
    p0 = g_from - (g_from @ axis) * axis
    p1 = g_to - (g_to @ axis) * axis
    return -math.degrees(math.atan2(float(cross3(p0, p1) @ axis), float(p0 @ p1)))


def _first_crossings(t: np.ndarray, x: np.ndarray, levels: list[float]) -> list[float]:
    """Interpolated times at which rising ``x`` first reaches each of ``levels``."""
    times = []
    # the first sample at or above a level is the first where the running maximum is (one search)
    reached = np.maximum.accumulate(x).searchsorted(levels, side="left").tolist()
    for level, i in zip(levels, reached):
        if i == 0 or i == len(x):  # at the level from the start, or never reaching it: the start
            times.append(float(t[0]))
            continue
        x0, x1, t0, t1 = float(x[i - 1]), float(x[i]), float(t[i - 1]), float(t[i])
        times.append(t0 + (level - x0) / (x1 - x0) * (t1 - t0))
    return times


def _phase_bounds(t: np.ndarray, x: np.ndarray, base: float, top: float) -> tuple[float, float]:
    """(start, end) of a rising minimum-jerk-like phase of ``x`` from ``base`` to ``top``."""
    span = top - base
    t25, t50, t75 = _first_crossings(t, x, [base + f * span for f in (0.25, 0.5, 0.75)])
    half = 0.5 * (t75 - t25) / QUARTILE_SPAN
    return t50 - half, t50 + half


def _count_reversals(v: np.ndarray, threshold: float) -> int:
    signs = np.sign(v[np.abs(v) > threshold])
    return int(np.count_nonzero(np.diff(signs))) if len(signs) else 0


def _median(x: np.ndarray) -> float:
    """Median (upper middle for even lengths) by partition: cheaper than np.median on short arrays."""
    k = len(x) // 2
    return float(np.partition(x, k)[k])


def _interp_rows(t: np.ndarray, rows: np.ndarray, at_s: float) -> np.ndarray:
    """``rows`` (one per time of increasing ``t``) linearly interpolated at ``at_s``.

    Column by column what ``np.interp`` gives (the same bracketing pair and arithmetic:
    ``slope * (at_s - t[j]) + rows[j]``), in one step for all columns.
    """
    j = int(np.searchsorted(t, at_s, side="right")) - 1
    if j < 0:
        return rows[0].copy()
    t0 = float(t[j])
    if j == len(t) - 1 or t0 == at_s:
        return rows[j].copy()
    slope = (rows[j + 1] - rows[j]) / (float(t[j + 1]) - t0)
    value = slope * (at_s - t0) + rows[j]
    if np.isnan(value).any():  # np.interp's fallback for non-finite slopes
        return np.array([np.interp(at_s, t, rows[:, i]) for i in range(rows.shape[1])])
    return value


def _mean_rows(x: np.ndarray) -> np.ndarray:
    """``x.mean(axis=0)`` (the same sums, in the same order) without ``np.mean``'s overhead."""
    return np.add.reduce(x, axis=0) / len(x)


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
    t = b.t
    s, e = window.start, window.end
    moving = slice(s, e + 1)
    holds = [(h0, h1) for h0, h1 in window.holds if h1 > h0]
    # the hold at the top: the still period farthest from where the movement started
    start_rot = b.rot_deg[max(s - 1, 0)]
    top_hold = max(holds, key=lambda h: norm3(b.rot_deg[(h[0] + h[1]) // 2] - start_rot),
                   default=None)
    hold_still_s = float(t[top_hold[1]] - t[top_hold[0]]) if top_hold else 0.0

    # The still flag lags the true start (the first moments are slow), so the rotation is
    # referenced twice: first to the last still sample, then to the extrapolated start.
    lo = max(s - 1, 0)  # the last still sample: the rotation is needed only from there on
    rot = b.rot_deg[lo:]
    ref = rot[0]
    for _ in range(2):
        rel = rot - ref  # rel[i - lo] is sample i
        norm = row_norms(rel[s - lo:])
        k = s + int(np.argmax(norm))
        excursion = float(norm[k - s])
        axis = rel[k - lo] / excursion if excursion > 0 else np.array([1.0, 0.0, 0.0])
        x = rel @ axis  # angle along the movement's own axis, degrees (x[i - lo] is sample i)
        top = _median(x[top_hold[0] - lo:top_hold[1] + 1 - lo]) if top_hold else excursion
        if not window.returned:
            start_s, end_s = float(t[s]), float(t[e])
            out_end_s = return_start_s = float(t[k])
            break
        start_s, out_end_s = _phase_bounds(t[lo:k + 1], x[:k + 1 - lo], 0.0, top)
        start_s = min(max(start_s, float(t[0])), float(t[s]))
        ref = _interp_rows(t, b.rot_deg, start_s)
    if window.returned:
        rev_t, rev_x = -t[k:e + 1][::-1], x[k - lo:e + 1 - lo][::-1]
        neg_end, neg_rs = _phase_bounds(rev_t, rev_x, float(x[e - lo]), top)
        end_s, return_start_s = min(-neg_end, float(t[e])), -neg_rs

    rest = slice(0, max(1, int(np.searchsorted(t, start_s))))  # the block begins at rest
    g_rest = _mean_rows(b.acc_lp[rest])
    g_hold = None
    if top_hold and hold_still_s >= min_still_hold_s:
        g_hold = _mean_rows(b.acc_lp[top_hold[0]:top_hold[1] + 1])

    speed = b.omega_lp[moving] @ axis
    peak_speed = float(np.abs(speed).max())
    reversals = _count_reversals(speed, max(5.0, 0.2 * peak_speed))
    g_rest_raw = _mean_rows(b.acc[rest])
    return MovementFeatures(
        start_s=start_s, end_s=end_s, out_end_s=out_end_s, return_start_s=return_start_s,
        axis=axis, excursion_deg=excursion, peak_speed_dps=peak_speed, reversals=reversals,
        hold_still_s=hold_still_s,
        returned=window.returned, cut_reason=window.cut_reason,
        rot_rel_deg=rel[s - lo:], g_rest=g_rest, g_hold=g_hold,
        top_slice=slice(top_hold[0] - s, top_hold[1] + 1 - s) if top_hold else None,
        radius_inputs=(b, e, g_rest_raw, axis, radius_smooth_hz, fs_hz),
    )

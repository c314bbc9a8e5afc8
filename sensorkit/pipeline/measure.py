"""Stage 3: measure one finished movement (timing, rotation axis, range, radius, shape).

Works on a :class:`~sensorkit.pipeline.segment.MovementWindow`, which ends when the movement has
ended, so anything here may look at the whole window (it is still causal for the stream).

Timing: the 25/50/75 % crossings of the outward and return phases, extrapolated with the
minimum-jerk profile (a symmetric S-curve): a phase of amplitude A and duration T crosses A/2 at
its midpoint, and its 25–75 % crossing time is a fixed fraction of T. This keeps the hold, which
is bounded by the phase ends, free of threshold bias and of tremor.

Rotation radius: for a rotation about a fixed axis through a pivot, the linear acceleration seen
by the sensor is ``alpha * e1 + omega**2 * e2`` with constant vectors whose length is the distance
from the sensor to the axis; fitted by least squares. Gravity is removed with the rotation from
the gyro; accelerometer bias, scale error and misalignment leave a residue of the form
``c + sin(theta) * v1 + (1 - cos(theta)) * v2`` (Rodrigues' formula), fitted alongside.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, signal
from scipy.spatial.transform import Rotation

from sensorkit.pipeline.segment import MovementWindow


def _min_jerk_position(tau: np.ndarray) -> np.ndarray:
    return 10 * tau**3 - 15 * tau**4 + 6 * tau**5


def _min_jerk_crossing(fraction: float) -> float:
    """Normalised time at which a minimum-jerk movement covers ``fraction`` of its amplitude."""
    tau = np.linspace(0.0, 1.0, 200001)
    return float(np.interp(fraction, _min_jerk_position(tau), tau))


#: (75 % − 25 % crossing time) / duration, for a minimum-jerk phase.
QUARTILE_SPAN = _min_jerk_crossing(0.75) - _min_jerk_crossing(0.25)


@dataclass
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
    radius_m: float
    max_linear_acc_ms2: float
    hold_still_s: float
    returned: bool
    cut_reason: str
    # kept for measuring the angle about another axis (the learned hip-ER axis)
    rot_rel_deg: np.ndarray  # rotation vector relative to rest, per sample
    g_rest: np.ndarray  # mean low-passed accelerometer at rest before, m/s²
    g_hold: np.ndarray | None  # mean over the longest still hold, if long enough

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

        From gravity when the hold was still long enough (drift- and scale-error-free), else from
        the integrated gyro.
        """
        if self.g_hold is not None:
            return gravity_angle_deg(self.g_rest, self.g_hold, axis)
        return float(np.max(self.rot_rel_deg @ axis))


def gravity_angle_deg(g_from: np.ndarray, g_to: np.ndarray, axis: np.ndarray) -> float:
    """Sensor rotation about ``axis`` (deg) that turns the gravity reading ``g_from`` into ``g_to``.

    Gravity, fixed in the world, turns *against* the sensor: hence the minus sign.
    """
    p0 = g_from - (g_from @ axis) * axis
    p1 = g_to - (g_to @ axis) * axis
    return float(-np.degrees(np.arctan2(np.cross(p0, p1) @ axis, p0 @ p1)))


def _first_crossing(t: np.ndarray, x: np.ndarray, level: float) -> float:
    """Interpolated time at which rising ``x`` first reaches ``level``."""
    i = int(np.argmax(x >= level))
    if i == 0:
        return float(t[0])
    x0, x1 = x[i - 1], x[i]
    return float(t[i - 1] + (level - x0) / (x1 - x0) * (t[i] - t[i - 1]))


def _phase_bounds(t: np.ndarray, x: np.ndarray, base: float, top: float) -> tuple[float, float]:
    """(start, end) of a rising minimum-jerk-like phase of ``x`` from ``base`` to ``top``."""
    span = top - base
    t25, t50, t75 = (_first_crossing(t, x, base + f * span) for f in (0.25, 0.5, 0.75))
    half = 0.5 * (t75 - t25) / QUARTILE_SPAN
    return t50 - half, t50 + half


def _count_reversals(v: np.ndarray, threshold: float) -> int:
    signs = np.sign(v[np.abs(v) > threshold])
    return int(np.count_nonzero(np.diff(signs))) if len(signs) else 0


def _fit_radius(t, omega_dps, acc, g_rest, axis, smooth_hz: float) -> tuple[float, float]:
    """(radius_m, max linear acceleration m/s²) from the fixed-axis rigid-body model.

    Inputs are unfiltered and start at rest (where ``g_rest`` was measured). Gravity, rotated by
    the integrated gyro, is removed *before* any smoothing (smoothing a turning gravity vector
    would itself look like a tangential acceleration); then every term of the model, being
    linear, is smoothed alike (zero-phase, ``smooth_hz``) so tremor stays out of the fit.
    """
    rot = np.radians(integrate.cumulative_trapezoid(omega_dps, t, axis=0, initial=0.0))
    lin = acc - Rotation.from_rotvec(-rot).apply(g_rest)
    w = np.radians(omega_dps @ axis)
    theta = rot @ axis
    terms = np.column_stack([lin, w, w**2, np.sin(theta), 1 - np.cos(theta), t - t[0]])
    fs = 1.0 / np.median(np.diff(t))
    if len(t) > 30 and smooth_hz < 0.45 * fs:
        sos = signal.butter(2, smooth_hz, fs=fs, output="sos")
        terms = signal.sosfiltfilt(sos, terms, axis=0, padtype="constant")
    lin, w, w2, sin_t, cos_t, elapsed = (terms[:, :3], terms[:, 3], terms[:, 4], terms[:, 5],
                                         terms[:, 6], terms[:, 7])
    max_lin = float(np.max(np.linalg.norm(lin, axis=1)))
    moving = np.abs(w) > 0.05 * np.max(np.abs(w))
    if np.count_nonzero(moving) < 8:
        return float("nan"), max_lin
    alpha = np.gradient(w, t)
    # rho (sensor offset from the axis) = p1 b1 + p2 b2 with b1, b2 spanning the plane ⊥ axis;
    # each p contributes alpha (axis × b) − omega² b; the rest is accelerometer-error residue
    # and, growing with time, the gravity error from a gyro-bias error.
    b1 = np.cross(axis, [1.0, 0.0, 0.0] if abs(axis[0]) < 0.9 else [0.0, 1.0, 0.0])
    b1 /= np.linalg.norm(b1)
    b2 = np.cross(axis, b1)
    m = np.count_nonzero(moving)
    cols = [np.outer(alpha, np.cross(axis, b)) - np.outer(w2, b) for b in (b1, b2)]
    nuisance = (sin_t, cos_t, np.ones_like(w), elapsed)
    design = np.zeros((3 * m, 2 + 3 * len(nuisance)))
    for j, c in enumerate(cols):
        design[:, j] = c[moving].reshape(-1)
    for j, n in enumerate(nuisance):
        for k in range(3):
            block = np.zeros((m, 3))
            block[:, k] = n[moving]
            design[:, 2 + 3 * j + k] = block.reshape(-1)
    target = lin[moving].reshape(-1)
    weights = np.ones(m)
    for _ in range(4):  # Huber-weighted least squares: gaps and jolts are outliers here
        wrow = np.repeat(np.sqrt(weights), 3)
        coef, *_ = np.linalg.lstsq(design * wrow[:, None], target * wrow, rcond=None)
        residual = np.linalg.norm((target - design @ coef).reshape(m, 3), axis=1)
        scale = 1.5 * np.median(residual) + 1e-9
        weights = np.minimum(1.0, scale / np.maximum(residual, 1e-12))
    return float(np.hypot(coef[0], coef[1])), max_lin


def _interp_rows(t: np.ndarray, rows: np.ndarray, at_s: float) -> np.ndarray:
    return np.array([np.interp(at_s, t, rows[:, i]) for i in range(rows.shape[1])])


def measure(window: MovementWindow, min_still_hold_s: float, radius_smooth_hz: float = 2.0) -> MovementFeatures:
    """Measure a finished movement (see module doc)."""
    b = window.block
    t = b.t
    s, e = window.start, window.end
    moving = slice(s, e + 1)
    holds = [(h0, h1) for h0, h1 in window.holds if h1 > h0]
    longest = max(holds, key=lambda h: h[1] - h[0], default=None)
    hold_still_s = float(t[longest[1]] - t[longest[0]]) if longest else 0.0

    # The still flag lags the true start (the first moments are slow), so the rotation is
    # referenced twice: first to the last still sample, then to the extrapolated start.
    ref = b.rot_deg[max(s - 1, 0)]
    for _ in range(2):
        rel = b.rot_deg - ref
        norm = np.linalg.norm(rel[moving], axis=1)
        k = s + int(np.argmax(norm))
        excursion = float(norm[k - s])
        axis = rel[k] / excursion if excursion > 0 else np.array([1.0, 0.0, 0.0])
        x = rel @ axis  # angle along the movement's own axis, degrees
        top = float(np.median(x[longest[0]:longest[1] + 1])) if longest else excursion
        if not window.returned:
            start_s, end_s = float(t[s]), float(t[e])
            out_end_s = return_start_s = float(t[k])
            break
        lo = max(s - 1, 0)
        start_s, out_end_s = _phase_bounds(t[lo:k + 1], x[lo:k + 1], 0.0, top)
        start_s = min(max(start_s, float(t[window.rest_start])), float(t[s]))
        ref = _interp_rows(t, b.rot_deg, start_s)
    if window.returned:
        rev_t, rev_x = -t[k:e + 1][::-1], x[k:e + 1][::-1]
        neg_end, neg_rs = _phase_bounds(rev_t, rev_x, float(x[e]), top)
        end_s, return_start_s = min(-neg_end, float(t[e])), -neg_rs

    rest = slice(window.rest_start, max(window.rest_start + 1, int(np.searchsorted(t, start_s))))
    g_rest = b.acc_lp[rest].mean(axis=0)
    g_hold = None
    if longest and hold_still_s >= min_still_hold_s:
        g_hold = b.acc_lp[longest[0]:longest[1] + 1].mean(axis=0)

    speed = b.omega_lp[moving] @ axis
    peak_speed = float(np.max(np.abs(speed)))
    reversals = _count_reversals(speed, max(5.0, 0.2 * peak_speed))
    fit = slice(window.rest_start, e + 1)
    omega_fit, acc_fit = b.omega[fit].copy(), b.acc[fit].copy()
    if return_start_s > out_end_s:  # a hold is still: its tremor only adds what smoothing cannot undo
        h = (t[fit] > out_end_s) & (t[fit] < return_start_s)
        if h.any():
            omega_fit[h], acc_fit[h] = omega_fit[h].mean(axis=0), acc_fit[h].mean(axis=0)
    g_rest_raw = b.acc[rest].mean(axis=0)
    radius, max_lin = _fit_radius(t[fit], omega_fit, acc_fit, g_rest_raw, axis, radius_smooth_hz)
    return MovementFeatures(
        start_s=start_s, end_s=end_s, out_end_s=out_end_s, return_start_s=return_start_s,
        axis=axis, excursion_deg=excursion, peak_speed_dps=peak_speed, reversals=reversals,
        radius_m=radius, max_linear_acc_ms2=max_lin, hold_still_s=hold_still_s,
        returned=window.returned, cut_reason=window.cut_reason,
        rot_rel_deg=rel[moving], g_rest=g_rest, g_hold=g_hold,
    )

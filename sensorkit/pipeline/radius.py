"""Rotation radius of a movement: knee pivot (hip ER) or foot pivot (knee_out)?

For a rotation about a fixed axis through a pivot, the linear acceleration seen by the sensor is
``alpha * (axis × rho) - omega**2 * rho``, where ``rho`` (perpendicular to the axis) is the offset
of the sensor from the axis: its length is the radius. About 0.25–0.4 m when the shank turns about
the knee (the thigh's axis), 0.05–0.2 m when it turns about the foot.

Gravity, rotated by the integrated gyro, is removed *before* any smoothing (smoothing a turning
gravity vector would itself look like a tangential acceleration); then every term of the model,
being linear, is smoothed alike (zero-phase moving averages) so tremor stays out of the fit.
Accelerometer bias, scale error and misalignment leave a residue
``c + sin(theta) v1 + (1 - cos(theta)) v2`` (Rodrigues' formula) and a gyro-bias error one growing
with time: both are fitted alongside, and samples that fit badly (lost packets, jolts) are
down-weighted (Huber). Those twelve nuisance coefficients are eliminated in closed form, so each
reweighting solves a 4 × 4 and a 2 × 2 system, and reweighting stops once the offset has settled.

The arithmetic is compiled (numba): a movement's fit is a few hundred samples and some hundred
small steps, which numpy would spend mostly in per-call overhead.
"""
from __future__ import annotations

import math

import numpy as np

from sensorkit.pipeline.jit import njit

#: what ``np.radians`` multiplies by (the same double)
_RAD_PER_DEG = np.pi / 180.0
#: model terms, one row each: 3 acceleration components less gravity, omega, omega², sin theta,
#: 1 − cos theta, time since the start
_TERMS = 8


@njit(cache=True)
def _rotate(v: np.ndarray, rotvec: np.ndarray) -> np.ndarray:
    """``v`` turned by each rotation vector (rows of ``rotvec``, radians): Rodrigues' formula."""
    n = rotvec.shape[0]
    out = np.empty((n, 3))
    for i in range(n):
        r0, r1, r2 = rotvec[i, 0], rotvec[i, 1], rotvec[i, 2]
        angle = math.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
        safe = angle if angle > 1e-12 else 1.0
        k0, k1, k2 = r0 / safe, r1 / safe, r2 / safe
        cos, sin = math.cos(angle), math.sin(angle)
        kv = (k0 * v[0] + k1 * v[1] + k2 * v[2]) * (1.0 - cos)
        out[i, 0] = v[0] * cos + (k1 * v[2] - k2 * v[1]) * sin + k0 * kv
        out[i, 1] = v[1] * cos + (k2 * v[0] - k0 * v[2]) * sin + k1 * kv
        out[i, 2] = v[2] * cos + (k0 * v[1] - k1 * v[0]) * sin + k2 * kv
    return out


@njit(cache=True)
def _gradient_at(f: np.ndarray, t: np.ndarray, dt: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``np.gradient(f, t)[at]`` (edge order 1, the same arithmetic), only at the indices ``at``."""
    n = len(f)
    uniform = True
    for j in range(len(dt)):
        if dt[j] != dt[0]:
            uniform = False
            break
    out = np.empty(len(at))
    for j in range(len(at)):
        i = at[j]
        if i == 0:
            out[j] = (f[1] - f[0]) / dt[0]
        elif i == n - 1:
            out[j] = (f[n - 1] - f[n - 2]) / dt[n - 2]
        elif uniform:  # numpy's uniform-spacing branch
            out[j] = (f[i + 1] - f[i - 1]) / (2.0 * dt[0])
        else:
            dx1, dx2 = dt[i - 1], dt[i]
            a = -dx2 / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            out[j] = a * f[i - 1] + b * f[i] + c * f[i + 1]
    return out


@njit(cache=True)
def _boxcar(rows: np.ndarray, width: int) -> np.ndarray:
    """Moving average of ``width`` samples along each row, edges extended (``mode="nearest"``):
    output ``i`` averages inputs ``i - width // 2`` to ``i - width // 2 + width - 1``, as
    ``scipy.ndimage.uniform_filter1d`` places it."""
    n_rows, n = rows.shape
    out = np.empty_like(rows)
    lo = width // 2
    for r in range(n_rows):
        x = rows[r]
        total = 0.0
        for j in range(-lo, width - lo):
            total += x[min(max(j, 0), n - 1)]
        out[r, 0] = total / width
        for i in range(1, n):
            total += x[min(i - lo + width - 1, n - 1)] - x[max(i - lo - 1, 0)]
            out[r, i] = total / width
    return out


def _boxcar_width(fs_hz: float, smooth_hz: float) -> int:
    """Samples in each of the two moving averages that smooth the model terms."""
    return max(1, int(round(fs_hz / (2.0 * smooth_hz))))


def hold_margin(fs_hz: float, smooth_hz: float) -> int:
    """Samples at each end of a still stretch whose smoothed terms see only that stretch's own
    side: two boxcars reach ``width - 1`` samples away, so a stretch cut out of its middle
    changes nothing within this margin of its ends."""
    return 2 * _boxcar_width(fs_hz, smooth_hz)


@njit(cache=True)
def _terms(t: np.ndarray, omega_dps: np.ndarray, acc: np.ndarray, g_rest: np.ndarray,
           axis: np.ndarray) -> np.ndarray:
    """The model's terms (rows, see ``_TERMS``), unsmoothed; ``omega`` in rad/s."""
    n = len(t)
    rot = np.zeros((n, 3))  # integrated rotation, trapezoid rule, radians
    for i in range(1, n):
        dt = t[i] - t[i - 1]
        for c in range(3):
            rot[i, c] = rot[i - 1, c] + 0.5 * (omega_dps[i, c] + omega_dps[i - 1, c]) * _RAD_PER_DEG * dt
    gravity = _rotate(g_rest, -rot)  # gravity turns against the sensor
    terms = np.empty((_TERMS, n))
    for i in range(n):
        for c in range(3):
            terms[c, i] = acc[i, c] - gravity[i, c]
        w = (omega_dps[i, 0] * axis[0] + omega_dps[i, 1] * axis[1] + omega_dps[i, 2] * axis[2]) * _RAD_PER_DEG
        theta = rot[i, 0] * axis[0] + rot[i, 1] * axis[1] + rot[i, 2] * axis[2]
        terms[3, i] = w
        terms[4, i] = w * w
        terms[5, i] = math.sin(theta)
        terms[6, i] = 1.0 - math.cos(theta)
        terms[7, i] = t[i] - t[0]
    return terms


@njit(cache=True)
def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


@njit(cache=True)
def _fit(t: np.ndarray, omega_dps: np.ndarray, acc: np.ndarray, g_rest: np.ndarray, axis: np.ndarray,
         width: int, step: int) -> float:
    """:func:`fit_radius` once the smoothing ``width`` (0: none) and the ``step`` are known."""
    n = len(t)
    if n < 3:  # no derivative to take
        return np.nan
    terms = _terms(t, omega_dps, acc, g_rest, axis)
    if width > 0:
        terms = _boxcar(_boxcar(terms, width), width)
    kept = np.arange(0, n, step)  # smoothed: a few samples per cutoff period do
    alpha_all = _gradient_at(terms[3], t, t[1:] - t[:-1], kept)
    peak = 0.0
    for i in kept:
        peak = max(peak, abs(terms[3, i]))
    moving = np.empty(len(kept), dtype=np.int64)
    m = 0
    for j in range(len(kept)):
        if abs(terms[3, kept[j]]) > 0.05 * peak:
            moving[m] = j
            m += 1
    if m < 8:
        return np.nan
    # rho (sensor offset from the axis) = p1 b1 + p2 b2 with b1, b2 spanning the plane ⊥ axis;
    # each p contributes alpha (axis × b) − omega² b; the rest is accelerometer-error residue
    # (sin theta, 1 − cos theta, constant) and, growing with time, a gyro-bias gravity error:
    # four nuisance terms per component, eliminated in closed form (see _huber_offset).
    other = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    b1 = _cross(axis, other)
    b1 /= math.sqrt(b1[0] * b1[0] + b1[1] * b1[1] + b1[2] * b1[2])
    b2 = _cross(axis, b1)
    ab1, ab2 = _cross(axis, b1), _cross(axis, b2)
    columns = np.empty((m, 9))  # per component k: the p1 term, the p2 term, the measured value
    nuisance = np.empty((m, 4))
    for j in range(m):
        i = kept[moving[j]]
        alpha, w2 = alpha_all[moving[j]], terms[4, i]
        for k in range(3):
            columns[j, 3 * k] = alpha * ab1[k] - w2 * b1[k]
            columns[j, 3 * k + 1] = alpha * ab2[k] - w2 * b2[k]
            columns[j, 3 * k + 2] = terms[k, i]
        nuisance[j, 0] = terms[5, i]
        nuisance[j, 1] = terms[6, i]
        nuisance[j, 2] = 1.0
        nuisance[j, 3] = terms[7, i]
    if not (np.isfinite(columns).all() and np.isfinite(nuisance).all()):
        return np.nan  # a NaN sample or a repeated timestamp: no fit, rather than a made-up radius
    p1, p2 = _huber_offset(columns, nuisance, 4, 5e-4)
    return math.hypot(p1, p2)


@njit(cache=True)
def _solve_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x`` with ``a @ x = b`` (``a`` (k, k), ``b`` (k, r)): Gaussian elimination with partial
    pivoting. An unknown whose pivot vanishes (a degenerate movement) is set to 0."""
    k = a.shape[0]
    a, b = a.copy(), b.copy()
    scale = 0.0
    for i in range(k):
        scale = max(scale, abs(a[i, i]))
    tiny = 1e-12 * scale
    dead = np.zeros(k, dtype=np.bool_)
    for col in range(k):
        pivot = col
        for row in range(col + 1, k):
            if abs(a[row, col]) > abs(a[pivot, col]):
                pivot = row
        if pivot != col:
            for j in range(k):
                a[col, j], a[pivot, j] = a[pivot, j], a[col, j]
            for j in range(b.shape[1]):
                b[col, j], b[pivot, j] = b[pivot, j], b[col, j]
        if not abs(a[col, col]) > tiny:
            dead[col] = True
            continue
        for row in range(col + 1, k):
            factor = a[row, col] / a[col, col]
            for j in range(col, k):
                a[row, j] -= factor * a[col, j]
            for j in range(b.shape[1]):
                b[row, j] -= factor * b[col, j]
    x = np.zeros(b.shape)
    for col in range(k - 1, -1, -1):
        if dead[col]:
            continue
        for j in range(b.shape[1]):
            total = b[col, j]
            for i in range(col + 1, k):
                total -= a[col, i] * x[i, j]
            x[col, j] = total / a[col, col]
    return x


@njit(cache=True)
def _huber_offset(columns: np.ndarray, nuisance: np.ndarray, max_solves: int = 4,
                  tol_m: float = 5e-4) -> tuple[float, float]:
    """Huber-weighted least squares of the rigid-body model: the two offset coefficients (m).

    ``columns`` (m, 9): for each component k, the p1 term, the p2 term and the measured
    acceleration in columns 3k, 3k+1, 3k+2; ``nuisance`` (m, 4): terms fitted to each component
    separately. Minimising over the nuisance coefficients first (they are per component, with a
    4 × 4 normal matrix shared by all three) leaves the weighted residuals of every column after
    its projection on the nuisance terms; the offset then solves a 2 × 2 system. Sample weights
    (all three components alike) follow Huber (1.5 × the median residual norm); reweighting
    stops when the offset moves less than ``tol_m`` or after ``max_solves`` solves.
    """
    m = columns.shape[0]
    weights = np.ones(m)
    r = np.empty((m, 9))
    residual = np.empty(m)
    p1 = p2 = 0.0
    for solve in range(max_solves):
        normal_n = np.zeros((4, 4))
        rhs = np.zeros((4, 9))
        for i in range(m):
            w = weights[i]
            for a in range(4):
                wa = w * nuisance[i, a]
                for b in range(4):
                    normal_n[a, b] += wa * nuisance[i, b]
                for c in range(9):
                    rhs[a, c] += wa * columns[i, c]
        projection = _solve_small(normal_n, rhs)  # (4, 9)
        a = b = d = e = f = 0.0
        for i in range(m):
            for c in range(9):
                r[i, c] = columns[i, c] - (nuisance[i, 0] * projection[0, c] + nuisance[i, 1] * projection[1, c]
                                           + nuisance[i, 2] * projection[2, c] + nuisance[i, 3] * projection[3, c])
            w = weights[i]
            for k in range(3):
                x1, x2, y = r[i, 3 * k], r[i, 3 * k + 1], r[i, 3 * k + 2]
                a += w * x1 * x1
                b += w * x1 * x2
                d += w * x2 * x2
                e += w * x1 * y
                f += w * x2 * y
        det = a * d - b * b
        if not det > 0.0:  # degenerate movement: least squares still answers
            q = _solve_small(np.array([[a, b], [b, d]]), np.array([[e], [f]]))
            q1, q2 = q[0, 0], q[1, 0]
        else:
            q1, q2 = (d * e - b * f) / det, (a * f - b * e) / det
        converged = solve > 0 and abs(q1 - p1) < tol_m and abs(q2 - p2) < tol_m
        p1, p2 = q1, q2
        if converged or solve == max_solves - 1:
            break
        for i in range(m):
            total = 0.0
            for k in range(3):
                res = r[i, 3 * k + 2] - r[i, 3 * k] * p1 - r[i, 3 * k + 1] * p2
                total += res * res
            residual[i] = math.sqrt(total)
        scale = 1.5 * np.sort(residual)[m // 2] + 1e-9  # 1.5 × the (upper) median
        for i in range(m):
            weights[i] = min(1.0, scale / max(residual[i], 1e-12))
    return p1, p2


@njit(cache=True)
def _still_hold_replaced(t: np.ndarray, omega_dps: np.ndarray, acc: np.ndarray, hold_from_s: float,
                         hold_to_s: float, margin: int):
    """The samples strictly inside (``hold_from_s``, ``hold_to_s``) replaced by their mean, and
    only ``margin`` of them kept at each end (the rest of a long hold does not move)."""
    n = len(t)
    h0 = np.searchsorted(t, hold_from_s, side="right")
    h1 = np.searchsorted(t, hold_to_s, side="left")
    if h0 >= h1:
        return t.copy(), omega_dps.copy(), acc.copy()
    mean_omega, mean_acc = np.zeros(3), np.zeros(3)
    for i in range(h0, h1):
        for c in range(3):
            mean_omega[c] += omega_dps[i, c]
            mean_acc[c] += acc[i, c]
    mean_omega /= h1 - h0
    mean_acc /= h1 - h0
    left_out = max(0, h1 - h0 - 2 * margin)  # from the middle of a long hold
    size = n - left_out
    t_out, omega_out, acc_out = np.empty(size), np.empty((size, 3)), np.empty((size, 3))
    for j in range(size):
        i = j if j < h0 + margin else j + left_out
        t_out[j] = t[i]
        inside = h0 <= j < h1 - left_out
        for c in range(3):
            omega_out[j, c] = mean_omega[c] if inside else omega_dps[i, c]
            acc_out[j, c] = mean_acc[c] if inside else acc[i, c]
    return t_out, omega_out, acc_out


@njit(cache=True)
def _fit_held(t: np.ndarray, omega_dps: np.ndarray, acc: np.ndarray, g_rest: np.ndarray, axis: np.ndarray,
              hold_from_s: float, hold_to_s: float, margin: int, width: int, step: int) -> float:
    """:func:`fit_radius` in one compiled call: the hold condensed, then the fit (smoothed with
    ``width`` only when more than 30 samples are left)."""
    if hold_to_s > hold_from_s:
        t, omega_dps, acc = _still_hold_replaced(t, omega_dps, acc, hold_from_s, hold_to_s, margin)
    return _fit(t, omega_dps, acc, g_rest, axis, width if len(t) > 30 else 0, step)


def fit_radius(t, omega_dps, acc, g_rest, axis, smooth_hz: float, fs_hz: float,
               hold_s: tuple[float, float] | None = None) -> float:
    """Distance (m) from the sensor to the rotation axis, by the fixed-axis rigid-body model.

    Inputs (``t`` s, ``omega_dps`` (n, 3) deg/s, ``acc`` (n, 3) m/s², sensor frame) are
    unfiltered and start at rest, where ``g_rest`` (m/s²) was measured; ``axis`` is the unit
    rotation axis. The model's terms are smoothed with two boxcars of ``1 / (2 smooth_hz)``
    (zero-phase, no ripple, nulls at multiples of ``2 smooth_hz``: tremor is 8–12 Hz), then a few
    samples per cutoff period are kept. NaN when the movement is too short to fit, or its samples
    are not all finite and increasing.

    ``hold_s``: (end of the outward phase, start of the return), s. A hold is still: its tremor
    only adds what smoothing cannot undo, so the samples between are replaced by their mean, and
    only :func:`hold_margin` of them are kept at each end (the smoothed terms near its ends stay
    as they were): the rest of a long hold does not move and is left out of the fit.
    """
    hold_from_s, hold_to_s = hold_s if hold_s is not None else (0.0, 0.0)
    width = _boxcar_width(fs_hz, smooth_hz) if smooth_hz < 0.45 * fs_hz else 0
    step = max(1, int(fs_hz // (8 * smooth_hz)))
    # C-contiguous float64 throughout: one compiled version of each kernel, whatever the layouts
    c = np.ascontiguousarray
    return float(_fit_held(c(t, dtype=np.float64), c(omega_dps, dtype=np.float64), c(acc, dtype=np.float64),
                           c(g_rest, dtype=np.float64), c(axis, dtype=np.float64), float(hold_from_s),
                           float(hold_to_s), hold_margin(fs_hz, smooth_hz), width, step))

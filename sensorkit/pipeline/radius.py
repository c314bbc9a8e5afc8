"""Rotation radius of a movement: knee pivot (hip ER) or foot pivot (knee_out)?

For a rotation about a fixed axis through a pivot, the linear acceleration seen by the sensor is
``alpha * (axis × rho) - omega**2 * rho``, where ``rho`` (perpendicular to the axis) is the offset
of the sensor from the axis: its length is the radius. About 0.25–0.4 m when the shank turns about
the knee (the thigh's axis), 0.05–0.2 m when it turns about the foot.

Gravity, rotated by the integrated gyro, is removed *before* any smoothing (smoothing a turning
gravity vector would itself look like a tangential acceleration); then every term of the model,
being linear, is smoothed alike (zero-phase moving averages) so tremor stays out of the fit. Accelerometer bias,
scale error and misalignment leave a residue ``c + sin(theta) v1 + (1 - cos(theta)) v2``
(Rodrigues' formula) and a gyro-bias error one growing with time: both are fitted alongside, and
samples that fit badly (lost packets, jolts) are down-weighted (Huber). Those twelve nuisance
coefficients are eliminated in closed form, so each reweighting solves a 4 × 4 and a 2 × 2 system,
and reweighting stops once the offset has settled.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from sensorkit.pipeline.filters import cross3


#: what ``np.radians`` multiplies by (the same double), without the ufunc's call overhead
_RAD_PER_DEG = np.pi / 180.0


def _solve(normal: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(normal, rhs)
    except np.linalg.LinAlgError:  # degenerate movement: least squares still answers
        return np.linalg.lstsq(normal, rhs, rcond=None)[0]


def _rotate(v: np.ndarray, rotvec: np.ndarray) -> np.ndarray:
    """``v`` turned by each rotation vector (rows of ``rotvec``, radians): Rodrigues' formula."""
    return _rotate_rows(v, rotvec).T


def _rotate_rows(v: np.ndarray, rotvec: np.ndarray) -> np.ndarray:
    """:func:`_rotate` as a (3, n) array (component rows: cheaper to compute and to use)."""
    angle = np.sqrt(np.einsum("ij,ij->i", rotvec, rotvec))
    safe = angle.copy()
    safe[angle <= 1e-12] = 1.0
    k_rows = np.empty((3, len(rotvec)))  # C order: each component contiguous
    np.divide(rotvec.T, safe, out=k_rows)
    k = np.ascontiguousarray(k_rows.T)  # (n, 3) C order: ``k @ v`` as before (same BLAS call)
    cos, sin = np.cos(angle), np.sin(angle)
    k0, k1, k2 = k_rows
    k_cross_v = np.empty_like(k_rows)
    np.subtract(k1 * v[2], k2 * v[1], out=k_cross_v[0])
    np.subtract(k2 * v[0], k0 * v[2], out=k_cross_v[1])
    np.subtract(k0 * v[1], k1 * v[0], out=k_cross_v[2])
    k_cross_v *= sin
    out = np.multiply.outer(v, cos)
    out += k_cross_v
    k_rows *= k @ v
    k_rows *= 1.0 - cos
    out += k_rows
    return out


def _gradient_at(f: np.ndarray, t: np.ndarray, dt: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``np.gradient(f, t)[at]`` (edge order 1), computed only at the indices ``at`` (ascending)."""
    n = len(f)
    out = np.empty(len(at))
    inner = at[(at > 0) & (at < n - 1)]
    first = 1 if at[0] == 0 else 0
    last = first + len(inner)
    if (dt == dt[0]).all():  # numpy's uniform-spacing branch
        out[first:last] = (f[inner + 1] - f[inner - 1]) / (2.0 * dt[0])
    else:
        dx1, dx2 = dt[inner - 1], dt[inner]
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        out[first:last] = a * f[inner - 1] + b * f[inner] + c * f[inner + 1]
    if first:
        out[0] = (f[1] - f[0]) / dt[0]
    if last < len(at):
        out[last] = (f[-1] - f[-2]) / dt[-1]
    return out


def _boxcar_width(fs_hz: float, smooth_hz: float) -> int:
    """Samples in each of the two moving averages that smooth the model terms."""
    return max(1, int(round(fs_hz / (2.0 * smooth_hz))))


def hold_margin(fs_hz: float, smooth_hz: float) -> int:
    """Samples at each end of a still stretch whose smoothed terms see only that stretch's own
    side: two boxcars reach ``width - 1`` samples away, so a stretch cut out of its middle
    changes nothing within this margin of its ends."""
    return 2 * _boxcar_width(fs_hz, smooth_hz)


def fit_radius(t, omega_dps, acc, g_rest, axis, smooth_hz: float, fs_hz: float) -> float:
    """Distance (m) from the sensor to the rotation axis, by the fixed-axis rigid-body model.

    Inputs are unfiltered and start at rest (where ``g_rest`` was measured). Gravity, rotated by
    the integrated gyro, is removed *before* any smoothing (smoothing a turning gravity vector
    would itself look like a tangential acceleration); then every term of the model, being
    linear, is smoothed alike (zero-phase, ``smooth_hz``) so tremor stays out of the fit.
    Terms are kept as rows (one per model term): filtering along the last axis is cheaper.
    """
    n = len(t)
    dt = t[1:] - t[:-1]
    rot = np.zeros((n, 3))  # trapezoid rule, radians
    np.cumsum((0.5 * (omega_dps[1:] + omega_dps[:-1])) * _RAD_PER_DEG * dt[:, None], axis=0, out=rot[1:])
    theta = rot @ axis
    terms = np.empty((8, n))
    np.subtract(acc.T, _rotate_rows(g_rest, -rot), out=terms[:3])
    w = terms[3]
    np.multiply(omega_dps @ axis, _RAD_PER_DEG, out=w)
    np.multiply(w, w, out=terms[4])
    np.sin(theta, out=terms[5])
    np.subtract(1, np.cos(theta), out=terms[6])
    np.subtract(t, t[0], out=terms[7])
    if n > 30 and smooth_hz < 0.45 * fs_hz:
        width = _boxcar_width(fs_hz, smooth_hz)  # two passes of a 1/(2 f) boxcar:
        for _ in range(2):  # zero-phase, no ripple, nulls at multiples of 2 f (tremor is 8–12 Hz)
            terms = ndimage.uniform_filter1d(terms, width, axis=-1, mode="nearest")
    step = max(1, int(fs_hz // (8 * smooth_hz)))  # smoothed: a few samples per cutoff period do
    kept = np.arange(0, n, step)
    alpha = _gradient_at(terms[3], t, dt, kept)
    terms = terms[:, ::step]
    w = terms[3]
    abs_w = np.abs(w)
    moving = abs_w > 0.05 * abs_w.max()
    m = int(np.count_nonzero(moving))
    if m < 8:
        return float("nan")
    # rho (sensor offset from the axis) = p1 b1 + p2 b2 with b1, b2 spanning the plane ⊥ axis;
    # each p contributes alpha (axis × b) − omega² b; the rest is accelerometer-error residue
    # (sin theta, 1 − cos theta, constant) and, growing with time, a gyro-bias gravity error:
    # four nuisance terms per component, eliminated in closed form (see _huber_offset).
    b1 = cross3(axis, np.array([1.0, 0.0, 0.0] if abs(axis[0]) < 0.9 else [0.0, 1.0, 0.0]))
    b1 /= np.sqrt(b1 @ b1)
    b2 = cross3(axis, b1)
    used = terms[:, moving]
    alpha, w2 = alpha[moving], used[4]
    columns = np.empty((m, 3, 3))  # per sample and component: the p1 and p2 terms, the target
    columns[:, :, 0] = np.multiply.outer(alpha, cross3(axis, b1)) - np.multiply.outer(w2, b1)
    columns[:, :, 1] = np.multiply.outer(alpha, cross3(axis, b2)) - np.multiply.outer(w2, b2)
    columns[:, :, 2] = used[:3].T
    nuisance = np.empty((m, 4))
    nuisance[:, :2] = used[5:7].T
    nuisance[:, 2] = 1.0
    nuisance[:, 3] = used[7]
    p1, p2 = _huber_offset(columns.reshape(m, 9), nuisance)
    return float(np.hypot(p1, p2))


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
    m = len(columns)
    weights = np.ones(m)
    p1 = p2 = 0.0
    for solve in range(max_solves):
        weighted_nuisance = nuisance.T * weights
        projection = _solve(weighted_nuisance @ nuisance, weighted_nuisance @ columns)
        r = columns - nuisance @ projection  # (m, 9): every column minus its nuisance fit
        normal = (r.T * weights) @ r
        a = normal[0, 0] + normal[3, 3] + normal[6, 6]
        b = normal[0, 1] + normal[3, 4] + normal[6, 7]
        d = normal[1, 1] + normal[4, 4] + normal[7, 7]
        e = normal[0, 2] + normal[3, 5] + normal[6, 8]
        f = normal[1, 2] + normal[4, 5] + normal[7, 8]
        det = a * d - b * b
        if not det > 0.0:  # degenerate movement: least squares still answers
            q1, q2 = np.linalg.lstsq(np.array([[a, b], [b, d]]), np.array([e, f]), rcond=None)[0]
        else:
            q1, q2 = (d * e - b * f) / det, (a * f - b * e) / det
        converged = solve > 0 and abs(q1 - p1) < tol_m and abs(q2 - p2) < tol_m
        p1, p2 = float(q1), float(q2)
        if converged or solve == max_solves - 1:
            break
        res = r[:, 2::3] - r[:, 0::3] * p1 - r[:, 1::3] * p2  # (m, 3) full-model residuals
        residual = np.sqrt(np.einsum("ij,ij->i", res, res))
        scale = 1.5 * np.partition(residual, m // 2)[m // 2] + 1e-9  # 1.5 × median
        weights = np.minimum(1.0, scale / np.maximum(residual, 1e-12))
    return p1, p2

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
samples that fit badly (lost packets, jolts) are down-weighted (Huber).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage


def _cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of two 3-vectors (np.cross costs more than the arithmetic here)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def _solve(normal: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(normal, rhs)
    except np.linalg.LinAlgError:  # degenerate movement: least squares still answers
        return np.linalg.lstsq(normal, rhs, rcond=None)[0]


def _rotate(v: np.ndarray, rotvec: np.ndarray) -> np.ndarray:
    """``v`` turned by each rotation vector (rows of ``rotvec``, radians): Rodrigues' formula."""
    angle = np.sqrt(np.einsum("ij,ij->i", rotvec, rotvec))
    k = rotvec / np.where(angle > 1e-12, angle, 1.0)[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    k_cross_v = np.column_stack([k[:, 1] * v[2] - k[:, 2] * v[1], k[:, 2] * v[0] - k[:, 0] * v[2],
                                 k[:, 0] * v[1] - k[:, 1] * v[0]])
    return v * cos + k_cross_v * sin + k * (k @ v)[:, None] * (1.0 - cos)


def fit_radius(t, omega_dps, acc, g_rest, axis, smooth_hz: float, fs_hz: float) -> float:
    """Distance (m) from the sensor to the rotation axis, by the fixed-axis rigid-body model.

    Inputs are unfiltered and start at rest (where ``g_rest`` was measured). Gravity, rotated by
    the integrated gyro, is removed *before* any smoothing (smoothing a turning gravity vector
    would itself look like a tangential acceleration); then every term of the model, being
    linear, is smoothed alike (zero-phase, ``smooth_hz``) so tremor stays out of the fit.
    """
    rot = np.zeros((len(t), 3))  # trapezoid rule, radians
    np.cumsum(np.radians(0.5 * (omega_dps[1:] + omega_dps[:-1])) * np.diff(t)[:, None], axis=0, out=rot[1:])
    lin = acc - _rotate(g_rest, -rot)
    w = np.radians(omega_dps @ axis)
    theta = rot @ axis
    terms = np.column_stack([lin, w, w**2, np.sin(theta), 1 - np.cos(theta), t - t[0]])
    if len(t) > 30 and smooth_hz < 0.45 * fs_hz:
        width = max(1, int(round(fs_hz / (2.0 * smooth_hz))))  # two passes of a 1/(2 f) boxcar:
        for _ in range(2):  # zero-phase, no ripple, nulls at multiples of 2 f (tremor is 8–12 Hz)
            terms = ndimage.uniform_filter1d(terms, width, axis=0, mode="nearest")
    alpha = np.gradient(terms[:, 3], t)
    step = max(1, int(fs_hz // (8 * smooth_hz)))  # smoothed: a few samples per cutoff period do
    terms, alpha = terms[::step], alpha[::step]
    lin, w, w2 = terms[:, :3], terms[:, 3], terms[:, 4]
    moving = np.abs(w) > 0.05 * np.max(np.abs(w))
    m = int(np.count_nonzero(moving))
    if m < 8:
        return float("nan")
    # rho (sensor offset from the axis) = p1 b1 + p2 b2 with b1, b2 spanning the plane ⊥ axis;
    # each p contributes alpha (axis × b) − omega² b; the rest is accelerometer-error residue
    # (sin theta, 1 − cos theta, constant) and, growing with time, a gyro-bias gravity error.
    b1 = _cross3(axis, np.array([1.0, 0.0, 0.0] if abs(axis[0]) < 0.9 else [0.0, 1.0, 0.0]))
    b1 /= np.sqrt(b1 @ b1)
    b2 = _cross3(axis, b1)
    design = np.zeros((m, 3, 14))
    for j, b in enumerate((b1, b2)):
        design[:, :, j] = alpha[moving, None] * _cross3(axis, b) - w2[moving, None] * b
    nuisance = np.column_stack([terms[moving, 5], terms[moving, 6], np.ones(m), terms[moving, 7]])
    for k in range(3):
        design[:, k, 2 + k::3] = nuisance
    design = design.reshape(3 * m, 14)
    target = lin[moving].reshape(-1)
    weights = np.ones(m)
    for _ in range(4):  # Huber-weighted least squares: gaps and jolts are outliers here
        weighted = design.T * np.repeat(weights, 3)
        coef = _solve(weighted @ design, weighted @ target)
        residual = np.linalg.norm((target - design @ coef).reshape(m, 3), axis=1)
        scale = 1.5 * np.partition(residual, m // 2)[m // 2] + 1e-9  # 1.5 × median
        weights = np.minimum(1.0, scale / np.maximum(residual, 1e-12))
    return float(np.hypot(coef[0], coef[1]))

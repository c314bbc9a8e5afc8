"""The circle the sensor moves on: its radius about the rotation axis, from the accelerometer.

A sensor on the shank turning about a fixed axis (the knee's, the hip's, or the foot's for
``knee_out``) feels a linear acceleration ``α × ρ + ω × (ω × ρ)``, with ``ρ`` its position from
the axis (perpendicular to it). A least-squares fit of the linear acceleration over a movement's
moving samples (plus a constant: the accelerometer's bias) gives ``ρ``; its length is the rotation
radius: 0.24–0.48 m for an ankle or shin sensor about the knee in the real recordings, under 0.2 m
about the foot.
"""
from __future__ import annotations

import numpy as np

from sensorkit.pipeline.smallarray import eigh

#: rate (deg/s) above which a sample counts as moving for the fit: above a resting real leg (99th
#: percentile 3.0–7.1 deg/s raw, in the UCI other-ankle recordings), low enough to keep the slow
#: knee-out reps (peaks of 10–15 deg/s) measurable
MOVING_DPS = 8.0


def _skew(v: np.ndarray) -> np.ndarray:
    """(n, 3, 3): each row's cross-product matrix ``[[0, -z, y], [z, 0, -x], [-y, x, 0]]`` (+0 on the
    diagonal), taken from ``[x, y, z, 0]`` in one gather and signed (× -1 negates exactly)."""
    ext = np.zeros((len(v), 4))
    ext[:, :3] = v
    out = ext.take(_SKEW_FROM, axis=1)
    out *= _SKEW_SIGN
    return out.reshape(-1, 3, 3)


#: where each entry of a cross-product matrix (3 i + k) comes from in ``[x, y, z, 0]``, and its sign
_SKEW_FROM = np.array([3, 2, 1, 2, 3, 0, 1, 0, 3])
_SKEW_SIGN = np.array([1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0])


def circle_terms(omega_dps: np.ndarray, alpha_dps2: np.ndarray, lin_acc_ms2: np.ndarray) -> np.ndarray:
    """The normal equations of ``lin_acc = A ρ + c`` (``c``: a constant accelerometer bias) summed
    over the samples (42,): the 6×6 matrix, then the 6-vector.

    Per sample the design is ``B = [A | I]``, so ``BᵀB = [[AᵀA, Aᵀ], [A, I]]`` and ``Bᵀy = [Aᵀy; y]``:
    only ``AᵀA`` and ``Aᵀy`` are multiplied out (each entry as the sum over the rows of ``B`` in
    order, as ``np.einsum`` forms it), then every entry is summed over the samples in order.
    """
    sw = _skew(np.radians(omega_dps))
    A = sw @ sw
    n = len(A)
    flat = A.reshape(n, 9)  # A[:, j, i] at 3 j + i
    # A = skew(α) + ω×ω×, entry by entry as the sum of the two matrices gives it (0 + x on the
    # diagonal: a -0 turns +0; x + (-y) is x - y exactly)
    flat += _skew(np.radians(alpha_dps2)).reshape(n, 9)
    # (AᵀA)[i, k] = Σ_j A[j, i] A[j, k]: the 27 products side by side, then the rows j added in order
    # (C order throughout: a column sum over the samples is then sequential, as before, where an
    # F-ordered array would be summed pairwise; fancy indexing gives F order, take gives C)
    products = flat.take(_ATA_LEFT, axis=1)
    products *= flat.take(_ATA_RIGHT, axis=1)
    ata = products[:, 0:9] + products[:, 9:18]
    ata += products[:, 18:27]
    y = lin_acc_ms2
    products = flat * y.take(_ROW_OF, axis=1)  # A[j, i] y[j]
    aty = products[:, 0:3] + products[:, 3:6]
    aty += products[:, 6:9]
    out = np.empty(42)
    m = out[:36].reshape(6, 6)
    m[:3, :3] = np.add.reduce(ata, axis=0).reshape(3, 3)
    sum_a = np.add.reduce(A, axis=0)
    m[3:, :3] = sum_a
    m[:3, 3:] = sum_a.T
    m[3:, 3:] = _EYE * n
    out[36:39] = np.add.reduce(aty, axis=0)
    out[39:42] = np.add.reduce(np.ascontiguousarray(y), axis=0)
    return out


_EYE = np.eye(3)
#: flat indices of A's entries (3 j + i) for the products A[j, i] A[j, k], ordered j, i, k
_ATA_LEFT = np.array([3 * j + i for j in range(3) for i in range(3) for _ in range(3)])
_ATA_RIGHT = np.array([3 * j + k for j in range(3) for _ in range(3) for k in range(3)])
_ROW_OF = np.repeat(np.arange(3), 3)  # j of flat index 3 j + i


def fit_radius(terms: np.ndarray) -> np.ndarray | None:
    """ρ (m) from summed normal-equation terms (42,), or None when they do not fix it.

    A turn about one axis cannot tell where along the axis the sensor sits (both terms of ``A ρ``
    ignore that component): the solution is the pseudo-inverse's, directions of the normal matrix
    with eigenvalues under ``_RCOND`` of the largest left out, so ``ρ`` is the perpendicular
    distance from the axis.
    """
    m, v = terms[:36].reshape(6, 6), terms[36:42]
    if not np.isfinite(terms[:42]).all():
        return None
    eig, vecs = eigh(m)
    if not eig[-1] > 0:
        return None
    keep = eig > _RCOND * eig[-1]
    if np.count_nonzero(keep) < 2:  # at least a plane
        return None
    kept = vecs[:, keep]
    x = kept @ ((kept.T @ v) / eig[keep])
    return x[:3]


#: relative eigenvalue below which a direction of the radius fit is left out (see fit_radius)
_RCOND = 2e-3


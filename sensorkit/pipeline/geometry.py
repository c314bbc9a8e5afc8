"""Stage 2: where the shank is vertical and which way it turns, learned from the motion itself.

Both exercises turn the shank about a horizontal axis from a hanging rest. Two things fix the
angle of the exercise absolutely, whatever way the strap sits:

- the **axis** ``k``: the principal direction of the angular rate over moving samples;
- the **shank's upward direction** ``s`` in the sensor frame: the sensor moves on a circle about
  the axis, so its linear acceleration is ``α × ρ + ω × (ω × ρ)`` with ``ρ`` the sensor's position
  from the axis. A least-squares fit over moving samples gives ``ρ`` (its length is the rotation
  radius: 0.27–0.44 m at the ankle in the real recordings). ``s`` is the line of ``ρ``, pointing up
  (the side of the mean vertical): the hanging shank's vertical pose, which is where rest is.

The angle of the exercise is then the signed angle from ``s`` to the measured vertical, in the
plane perpendicular to ``k``, positive the way the leg mostly goes. It is anchored to gravity: no
rest has to be detected, so none can be misjudged.

The sums behind the fit are cumulative; estimates are refreshed at data-defined moments (each
time the moving time crosses the next step of ``_schedule``), so a recording fed whole or in
packets gives the same estimates at the same samples. Before the first estimate, the angle is the
unsigned tilt from the first sample's vertical.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.pipeline.motion import MotionBlock

#: moving-time steps (s) at which the estimates are refreshed: often at first, then every 10 s
_SCHEDULE_S = (0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0)
_LATER_EVERY_S = 10.0
#: rate (deg/s) above which a sample counts as moving for the fit (well above a resting leg)
MOVING_DPS = 20.0
#: plausible radii (m) of an ankle or shin sensor about a knee or foot axis
RADIUS_RANGE_M = (0.03, 1.0)


@dataclass(frozen=True)
class Geometry:
    """``shank_up`` and ``axis`` (unit, sensor frame) and the fitted ``radius_m``; ``axis`` is None
    before the first estimate (the angle is then the unsigned tilt from ``shank_up``)."""

    shank_up: np.ndarray
    axis: np.ndarray | None
    radius_m: float = float("nan")

    def angle_deg(self, up: np.ndarray) -> np.ndarray:
        """The shank's tilt (degrees) from its vertical pose, for vertical vectors ``up`` (n, 3).

        Unsigned and about any axis: a swing the other way (behind the resting pose) or about
        another axis (a kick in hip ER) is a movement too, which the classifier then rejects by its
        axis; a wrong axis estimate can never hide a rep from the segmenter."""
        return np.degrees(np.arccos(np.clip(up @ self.shank_up, -1.0, 1.0)))


def _skew(v: np.ndarray) -> np.ndarray:
    out = np.zeros((len(v), 3, 3))
    out[:, 0, 1], out[:, 0, 2] = -v[:, 2], v[:, 1]
    out[:, 1, 0], out[:, 1, 2] = v[:, 2], -v[:, 0]
    out[:, 2, 0], out[:, 2, 1] = -v[:, 1], v[:, 0]
    return out


def circle_terms_of(omega_dps: np.ndarray, alpha_dps2: np.ndarray, lin_acc_ms2: np.ndarray) -> np.ndarray:
    """Per-sample terms (n, 42) of the normal equations of ``lin_acc = A ρ + c`` (``c``: a constant
    accelerometer bias): the 6×6 matrix, then the 6-vector."""
    w = np.radians(omega_dps)
    sw = _skew(w)
    A = _skew(np.radians(alpha_dps2)) + sw @ sw
    n = len(A)
    B = np.concatenate([A, np.broadcast_to(np.eye(3), (n, 3, 3))], axis=2)  # (n, 3, 6)
    btb = np.einsum("nji,njk->nik", B, B).reshape(n, 36)
    btb_y = np.einsum("nji,nj->ni", B, lin_acc_ms2)
    return np.hstack([btb, btb_y])


def fit_radius(terms: np.ndarray) -> np.ndarray | None:
    """ρ (m) from summed normal-equation terms (42,), or None when they do not fix it.

    A turn about one axis cannot tell where along the axis the sensor sits (both terms of ``A ρ``
    ignore that component): the solution is the pseudo-inverse's, directions of the normal matrix
    with eigenvalues under ``_RCOND`` of the largest left out, so ``ρ`` is the perpendicular
    distance from the axis.
    """
    m, v = terms[:36].reshape(6, 6), terms[36:42]
    if not np.all(np.isfinite(m)) or not np.all(np.isfinite(v)):
        return None
    eig, vecs = np.linalg.eigh(m)
    if not eig[-1] > 0:
        return None
    keep = eig > _RCOND * eig[-1]
    if keep.sum() < 2:  # at least a plane
        return None
    x = vecs[:, keep] @ ((vecs[:, keep].T @ v) / eig[keep])
    return x[:3]


#: relative eigenvalue below which a direction of the radius fit is left out (see fit_radius)
_RCOND = 2e-3


class GeometryModel:
    """The sums behind the estimates and the current :class:`Geometry`.

    Until the first counted rep it bootstraps on every moving sample (refreshed on the moving-time
    schedule); from then on only counted reps feed it (:meth:`add_rep`), so standing up, walking
    or a kick can never bend the angle of the reps.
    """

    def __init__(self, fs_hz: float) -> None:
        self.fs_hz = fs_hz
        self._boot = np.zeros(_TERMS)
        self._reps = np.zeros(_TERMS)
        self._moving = 0  # moving samples so far (bootstrap)
        self._next_step = 0
        self.bootstrapping = True
        self.geometry: Geometry | None = None  # None until the first sample
        self._seen = 0  # samples taken in
        self._up_total = np.zeros(3)
        self._up_before = np.zeros(3)
        self._up_index = np.zeros(0, dtype=np.int64)
        self._up_cum = np.zeros((0, 3))

    def _threshold(self, step: int) -> int:
        if step < len(_SCHEDULE_S):
            seconds = _SCHEDULE_S[step]
        else:
            seconds = _SCHEDULE_S[-1] + _LATER_EVERY_S * (step - len(_SCHEDULE_S) + 1)
        return int(round(seconds * self.fs_hz))

    def advance(self, block: MotionBlock) -> list[tuple[int, Geometry]]:
        """Take a block in; returns (index, geometry) for every refresh: the geometry holds for the
        samples after ``index`` (the first is (-1, initial) at the very first sample)."""
        changes: list[tuple[int, Geometry]] = []
        if self.geometry is None:
            self.geometry = Geometry(block.up[0].copy(), None)
            changes.append((-1, self.geometry))
        moving = block.speed_dps > MOVING_DPS
        idx = np.flatnonzero(moving)
        # Σup over every moving sample, kept per sample of this block: which way the leg mostly
        # goes signs the angle (the side is read where a rep is decided: see add_rep)
        self._up_before = self._up_total
        self._up_index = self._seen + idx
        self._up_cum = self._up_total + np.cumsum(block.up[moving], axis=0) if len(idx) else np.zeros((0, 3))
        self._up_total = self._up_cum[-1] if len(idx) else self._up_total
        self._seen += len(block)
        if not self.bootstrapping or len(idx) == 0:
            return changes
        terms = sample_terms(block.smooth_omega_dps[moving], block.alpha_dps2[moving],
                             block.lin_acc_ms2[moving], block.up[moving])
        cum = np.cumsum(np.vstack([self._boot[None, :], terms]), axis=0)[1:]
        count = self._moving + np.arange(1, len(idx) + 1)
        while True:
            need = self._threshold(self._next_step)
            if need > count[-1]:
                break
            j = int(need - self._moving - 1)  # the moving sample at which the step is reached
            self._next_step += 1
            estimate = estimate_geometry(cum[j])
            if estimate is not None:
                self.geometry = estimate
                changes.append((int(idx[j]), estimate))
        self._boot = cum[-1]
        self._moving = int(count[-1])
        return changes

    def add_rep(self, terms: np.ndarray, decided: int) -> Geometry | None:
        """A counted rep's summed terms, decided at absolute sample ``decided`` (of the current
        block); returns the refreshed geometry (None if unchanged). The axis and the shank come
        from the reps; the sign from all the motion up to ``decided`` (a first rep may be a swing
        behind the resting pose)."""
        self.bootstrapping = False
        self._reps = self._reps + terms
        j = int(np.searchsorted(self._up_index, decided, side="right")) - 1
        side = self._up_cum[j] if j >= 0 else self._up_before
        estimate = estimate_geometry(self._reps, side)
        if estimate is not None:
            self.geometry = estimate
        return estimate


_TERMS = 42 + 9 + 3  # normal equations, Σωωᵀ, Σup


def sample_terms(omega_dps: np.ndarray, alpha_dps2: np.ndarray, lin_acc_ms2: np.ndarray,
                 up: np.ndarray) -> np.ndarray:
    """Per-sample terms (n, 54) behind :func:`estimate_geometry` (moving samples only)."""
    ww = (omega_dps[:, :, None] * omega_dps[:, None, :]).reshape(-1, 9)
    return np.hstack([circle_terms_of(omega_dps, alpha_dps2, lin_acc_ms2), ww, up])


def estimate_geometry(sums: np.ndarray, side_up: np.ndarray | None = None) -> Geometry | None:
    """The geometry from summed :func:`sample_terms`, or None when they do not fix it; the angle
    is positive toward ``side_up`` (a sum of verticals; default the one in ``sums``)."""
    rho = fit_radius(sums[:42])
    if rho is None:
        return None
    radius = float(np.linalg.norm(rho))
    if not RADIUS_RANGE_M[0] <= radius <= RADIUS_RANGE_M[1]:
        return None
    _, vecs = np.linalg.eigh(sums[42:51].reshape(3, 3))
    k = vecs[:, -1]
    side = sums[51:54] if side_up is None else side_up
    mean_up = side / max(1e-12, np.linalg.norm(side))
    line = rho / radius
    s = line if line @ mean_up >= 0 else -line
    s = s - (s @ k) * k
    s /= np.linalg.norm(s)
    side = float(np.cross(s, mean_up) @ k)
    if abs(side) < _MIN_SIDE:  # the motion so far has not shown which way the leg goes: unsigned
        return Geometry(s, None, radius)
    return Geometry(s, k if side > 0 else -k, radius)


#: sin(5°): the mean vertical over the motion must lie this far off the shank's to sign the angle
_MIN_SIDE = float(np.sin(np.radians(5.0)))

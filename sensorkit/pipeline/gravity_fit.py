"""The angle put right from the accelerometer, the lever arm's acceleration taken out.

The angle of a movement is the gyro's rate integrated from where it was last known. Two things
can leave that whole trace off by a constant:

- **lost samples**: a lost packet inside a movement is filled by a straight line
  (:mod:`sensorkit.pipeline.gaps`), so the rate integrated across it misses whatever the rate did
  in between: at 25 Hz, 8 lost samples are 0.32 s, in which a quick knee extension turns 40° and
  peaks at 300 deg/s between two samples read at 60 and 110 deg/s;
- **no quiet rest before** (continuous reps): the angle starts from the orientation filter's,
  which the swings' acceleration pulls (the accelerometer is then no gravity sensor) and which
  carries the turns lost in earlier gaps for seconds after them.

Every sample still says where the leg is. A sensor turning about a fixed axis reads

    acc = g(θ) + A ρ,   A = [α]× + [ω]×²,

gravity ``g`` turned back by the angle ``θ`` about the axis, plus the lever arm ``ρ`` (the
sensor's position from the axis) under the angular acceleration and rate. A constant error ``δ``
turns ``g`` by ``δ`` on every sample it applies to. :func:`fit_turns` finds, for the start and
then gap by gap, the ``δ`` that best explains the measured samples, ``ρ`` fitted with it by least
squares (``δ`` enters through ``cos δ`` and ``sin δ``: the sum of squares is a quadratic form on
the unit circle, evaluated in closed form on a 1° grid, refined by a parabola). A correction is
kept only when it is larger than the model's own error (:data:`MIN_TURN_DEG`) and explains most
of the squared residual left without it (:data:`MIN_EXPLAINED`).

No accelerometer bias is fitted: over the short span of angles of a movement, a constant bias and
a small turn of gravity look alike, and the fit would trade one for the other.
"""
from __future__ import annotations

import math

import numpy as np

from sensorkit.pipeline.limits import MAX_ALPHA_DPS2, MIN_TURN_DEG
from sensorkit.pipeline.smallarray import cross, eigh, einsum, true_runs
from sensorkit.samples import GRAVITY_MS2

#: the correction must explain at least this share of the squared residual left without it (a
#: statistical bar, not a measured figure: a turn that explains less is trading for model error,
#: the shank not turning about one fixed axis)
MIN_EXPLAINED = 0.75
#: turns searched (deg): a turn of 90° or more is no error of a straight fill or of the filter's
#: angle but a fit gone astray
MAX_TURN_DEG = 90.0
_GRID = np.radians(np.arange(-MAX_TURN_DEG, MAX_TURN_DEG + 0.5, 1.0))  # then refined by a parabola
_COS, _SIN = np.cos(_GRID), np.sin(_GRID)
_COS_COS, _SIN_SIN, _COS_SIN = _COS * _COS, _SIN * _SIN, _COS * _SIN  # (as the fit's sum of squares multiplies them)


def fit_turns(t_s: np.ndarray, angle_deg: np.ndarray, filled: np.ndarray, gravity: np.ndarray, axis: np.ndarray,
              omega_dps: np.ndarray, alpha_dps2: np.ndarray, acc_ms2: np.ndarray, start: bool = False,
              edge_s: float = 0.08, gaps: list[tuple[int, int]] | None = None,
              turned_ms2: np.ndarray | None = None) -> np.ndarray:
    """``angle_deg`` (n,) with its start (when ``start``) and the turn missed in each run of
    ``filled`` samples put right from the accelerometer (see the module doc).

    ``t_s``: the sample times; ``angle_deg``: the angle about the unit ``axis`` (sensor frame)
    from the pose where the vertical read ``gravity`` (unit, sensor frame); ``omega_dps``,
    ``alpha_dps2``, ``acc_ms2`` (n, 3): the rate, angular acceleration and raw accelerometer,
    smoothed alike. A gap's turn is spread over its filled samples as a straight line; filled
    samples and those within ``edge_s`` of them (where the smoothing spreads the straight fill:
    about a quarter period of its cut-off) are no evidence. What is not found is left as it is.
    ``gaps``: :func:`filled_runs` of ``filled``, when the caller has them (``t_s`` increases);
    ``turned_ms2``: ``turn_about(gravity * GRAVITY_MS2, axis, -np.radians(angle_deg))`` (n, 3), when
    the caller has it. Returns ``angle_deg`` itself when nothing was put right.
    """
    n = len(angle_deg)
    if gaps is None:
        gaps = filled_runs(filled)
    limits = [(a, b, _limit_deg(t_s, a, b)) for a, b in gaps]
    runs = [(-1, -1, MAX_TURN_DEG - 0.5)] * start + [run for run in limits if run[2] > MIN_TURN_DEG]
    if not runs:  # (-1, -1): the start (δ on every sample); gaps too short to miss MIN_TURN_DEG left
        return angle_deg
    use = np.ones(n, dtype=bool)
    for a, b in gaps:  # (t_s increases: the samples within edge_s of the gap are one slice)
        use[t_s.searchsorted(t_s[a] - edge_s, "left"):t_s.searchsorted(t_s[b] + edge_s, "right")] = False
    m = int(np.count_nonzero(use))
    if m < 8:
        return angle_deg
    w, al = np.radians(omega_dps[use]), np.radians(alpha_dps2[use])
    # A = [α]× + ω ωᵀ - |ω|² I per sample (α × ρ + ω × (ω × ρ) = A ρ), as (m, 3, 3)
    design = w[:, :, None] * w[:, None, :]
    diagonal = design.reshape(m, 9)[:, ::4]  # (a view)
    diagonal -= einsum("ni,ni->n", w, w)[:, None]
    design[:, 0, 1] -= al[:, 2]
    design[:, 0, 2] += al[:, 1]
    design[:, 1, 0] += al[:, 2]
    design[:, 1, 2] -= al[:, 0]
    design[:, 2, 0] -= al[:, 1]
    design[:, 2, 1] += al[:, 0]
    # what ρ explains is projected out through the 3×3 normal matrix: <Πx, Πy> = x·y - (Aᵀx)ᵀ N⁺ (Aᵀy)
    normal = einsum("nji,njk->ik", design, design)
    eig, vecs = eigh(normal)
    if not eig[-1] > 0:  # no turn to tell ρ by
        return angle_deg
    keep = eig > 1e-12 * eig[-1]  # about one axis ρ's part along it does not show: a plane
    inverse = (vecs[:, keep] / eig[keep]) @ vecs[:, keep].T
    angle = angle_deg.copy()
    used = np.flatnonzero(use)
    acc = acc_ms2[use]
    g0 = gravity * GRAVITY_MS2
    along = axis * float(axis @ g0)
    terms, corrected = None, False
    # (the used samples up to each run's last: the split; runs come in order, so the last split
    # short of m is as far as the sums before a split go)
    afters = used.searchsorted([b for _, b, _ in runs], "right").tolist()
    for i, (a, b, limit) in enumerate(runs):
        first_after = afters[i]
        if first_after == m:  # no sample after it (those before it need not be many: gravity is absolute)
            continue
        if terms is None:  # (again after each correction)
            splits = max(f for f in afters[i:] if f < m)
            v = (turned_ms2[used] if turned_ms2 is not None and not corrected  # (the same rows, turned alike)
                 else turn_about(g0, axis, -np.radians(angle[used])))
            terms = _terms(acc, v, along, axis, design, splits)
            total = np.add.reduce(terms, axis=0)
        before = np.add.reduce(terms[:first_after + 1], axis=0)  # (row by row, in order: a running sum's)
        after = total - before
        # the residual acc - gravity, gravity turned by a further -δ after the gap:
        # along + cos δ (v - along) - sin δ (axis × v), so residual = base + cos δ · C + sin δ · S
        gram = after.take(_GRAM_AFTER)  # [[y·y, y·C, y·S], [y·C, C·C, C·S], [y·S, C·S, S·S]], then x·x added
        gram[0, 0] += before[0]
        at = after[10:19].reshape(3, 3)  # Aᵀ x for each of the three (y, C, S), then x's added to y's
        at[0] += before[1:4]
        gram -= at @ inverse @ at.T  # what ρ explains taken out
        (bb, bc, bs), (cc, cs, ss) = gram[0], (gram[1, 1], gram[1, 2], gram[2, 2])
        sse = bb + _COS_COS * cc + _SIN_SIN * ss + 2 * (_COS * bc + _SIN * bs + _COS_SIN * cs)
        k = int(sse.argmin())
        turn = math.degrees(_GRID[k])
        if 0 < k < len(sse) - 1:  # the vertex of the parabola through the three grid values about the least
            curve = sse[k - 1] - 2 * sse[k] + sse[k + 1]
            turn += 0.5 * float(sse[k - 1] - sse[k + 1]) / curve if curve > 0 else 0.0
        sse_none = bb + cc + 2 * bc  # δ = 0
        if abs(turn) < MIN_TURN_DEG or abs(turn) >= limit or sse[k] > (1 - MIN_EXPLAINED) * sse_none:
            continue
        angle += turn * np.clip((np.arange(n) - a + 1) / (b - a + 2), 0.0, 1.0)
        terms, corrected = None, True
    return angle if corrected else angle_deg


#: where :func:`fit_turns` takes the base (y after the split: x·x is added), C and S terms from
#: :func:`_terms`' columns for its 3×3 Gram matrix
_GRAM_AFTER = np.array([[4, 5, 6], [5, 7, 8], [6, 8, 9]])


def filled_runs(filled: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of ``filled`` samples (a gap's straight fill)."""
    return true_runs(filled, 1) if filled.any() else []


def worth_fitting(t_s: np.ndarray, filled: np.ndarray, gaps: list[tuple[int, int]] | None = None) -> bool:
    """Whether a run of ``filled`` samples is long enough to miss :data:`MIN_TURN_DEG` (``gaps``:
    :func:`filled_runs` of ``filled``, when known)."""
    gaps = filled_runs(filled) if gaps is None else gaps
    return any(_limit_deg(t_s, a, b) > MIN_TURN_DEG for a, b in gaps)


def _limit_deg(t_s: np.ndarray, a: int, b: int) -> float:
    """The largest turn (deg) a straight fill of samples ``a``..``b`` can miss (MAX_ALPHA_DPS2)."""
    span_s = float(t_s[min(b + 1, len(t_s) - 1)] - t_s[max(a - 1, 0)])  # the sample before to the one after
    return min(MAX_TURN_DEG - 0.5, 0.5 * MAX_ALPHA_DPS2 * span_s ** 2)


def _terms(acc: np.ndarray, v: np.ndarray, along: np.ndarray, axis: np.ndarray, design: np.ndarray,
           splits: int) -> np.ndarray:
    """(m + 1, 19): a row of zeros, then per sample what a split needs summed on either side:
    before it ``x = acc - v`` (x·x, Aᵀx), for the first ``splits`` samples only (no split lies
    further: zeros after them, which no sum reads); after it ``y = acc - along``, ``C = along - v``,
    ``S = axis × v`` (y·y, y·C, y·S, C·C, C·S, S·S, Aᵀy, AᵀC, AᵀS). ``np.add.reduce`` of the
    first j + 1 rows along axis 0 adds them one row at a time from the zeros, as ``np.cumsum``
    did for every j (the same bits; only the splits' sums are formed)."""
    y, c, s = acc - along, along - v, cross(axis, v)
    per = np.empty((len(acc) + 1, 19))
    per[0] = 0.0
    row = per[1:]
    row[splits:, 0:4] = 0.0
    if splits:
        x = acc[:splits] - v[:splits]
        einsum("ni,ni->n", x, x, out=row[:splits, 0])
        einsum("nji,nj->ni", design[:splits], x, out=row[:splits, 1:4])
    for at, (z1, z2) in ((4, (y, y)), (5, (y, c)), (6, (y, s)), (7, (c, c)), (8, (c, s)), (9, (s, s))):
        einsum("ni,ni->n", z1, z2, out=row[:, at])
    for at, z in ((10, y), (13, c), (16, s)):
        einsum("nji,nj->ni", design, z, out=row[:, at:at + 3])
    return per


def turn_about(v: np.ndarray, axis: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """``v`` (3,) turned by each of ``angle_rad`` (n,) about the unit ``axis`` (Rodrigues), (n, 3)."""
    c, s = np.cos(angle_rad)[:, None], np.sin(angle_rad)[:, None]
    a0, a1, a2 = axis.tolist()
    v0, v1, v2 = v.tolist()
    cross = np.array([a1 * v2 - a2 * v1, a2 * v0 - a0 * v2, a0 * v1 - a1 * v0])  # np.cross(axis, v)
    return v * c + cross * s + axis * float(axis @ v) * (1 - c)

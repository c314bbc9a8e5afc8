"""Compiled per-sample kernels behind :mod:`~sensorkit.pipeline.filters`, Stage 1 and gap filling.

Each kernel walks the samples in time order and keeps its state in small arrays owned by the
Python object that calls it, so a recording fed whole or one sample at a time gives the same
bits. The arithmetic is written in the order of the numpy/scipy calls these kernels replace
(IEEE double, no fastmath, no reassociation), so their outputs are bit-identical too:

- :func:`sosfilt_block`: ``scipy.signal.sosfilt`` with carried ``zi``;
- :func:`trailing_range_block`: ``ndimage.maximum_filter1d − minimum_filter1d`` over the
  trailing window (a max or a min is exact whatever the algorithm; here van Herk / Gil-Werman);
- :func:`masked_average_block`: ``scipy.signal.lfilter([w], [1, -(1 - w)])`` over the accepted
  samples, held in between;
- :func:`running_sum_block`: ``np.cumsum`` continued from a total;
- :func:`motion_block`: :meth:`MotionTracker.update` fused (the same steps, in three passes);
- :func:`count_gap_fill`, :func:`fill_gaps`: :class:`~sensorkit.pipeline.gaps.GapFiller`.

The steps (``_section``, ``_average_step``) and :func:`trailing_range_block` are shared.
Hot loops keep their state in local scalars and 3-tuples (registers), not in the state arrays.
Inputs are finite (the readers reject NaN): with NaN the trailing ranges could differ from ndimage's.
"""
from __future__ import annotations

import math

import numpy as np

from sensorkit.pipeline.jit import njit

INLINE = {"cache": True, "inline": "always"}  # scalar steps: inlined into the kernels that call them

# Kernels are compiled for one signature each, when this module is first imported (or loaded from
# numba's cache): one machine-code version whatever the input layout ([:] accepts any strides;
# [::1] is contiguous, the state arrays the callers own), and no compile pause in a live stream.
_F1, _F2, _F3 = "float64[:]", "float64[:, :]", "float64[:, :, :]"  # any layout
_C1, _C2, _C3 = "float64[::1]", "float64[:, ::1]", "float64[:, :, ::1]"  # C-contiguous
_B1, _I1 = "boolean[::1]", "int64[::1]"


def _signature(result: str, *arguments: str) -> str:
    """A numba signature string, e.g. ``_signature("void", _F1, "float64")``."""
    return f"{result}({', '.join(arguments)})"


# -- scalar steps ---------------------------------------------------------------------------------
@njit(**INLINE)
def _coefficients(sos, s):
    """Section ``s`` of an (S, 6) sos array as (b0, b1, b2, a1, a2) (a0 = 1)."""
    return sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]


@njit(**INLINE)
def _section(k, x, z0, z1):
    """One second-order section, direct form II transposed in scipy's ``_sosfilt`` order.

    y = b0·x + z0;  z0' = (b1·x − a1·y) + z1;  z1' = b2·x − a2·y.  Returns (y, z0', z1').
    """
    y = k[0] * x + z0
    return y, k[1] * x - k[3] * y + z1, k[2] * x - k[4] * y


@njit(**INLINE)
def _section3(k, x, z0, z1):
    """:func:`_section` on three channels at once (``x``, ``z0``, ``z1`` are 3-tuples)."""
    y0, p0, p1 = _section(k, x[0], z0[0], z1[0])
    y1, q0, q1 = _section(k, x[1], z0[1], z1[1])
    y2, r0, r1 = _section(k, x[2], z0[2], z1[2])
    return (y0, y1, y2), (p0, q0, r0), (p1, q1, r1)


@njit(**INLINE)
def _average_step(weight, x, z):
    """One accepted sample of the average: ``lfilter([w], [1, -(1 - w)])`` in direct form II
    transposed, scipy's order with b padded to [w, 0]: y = z + w·x;  z' = 0·x − (−(1 − w))·y.
    Returns (y, z'). The first accepted sample seeds z = (1 − w)·x (see callers).
    """
    y = z + weight * x
    return y, x * 0.0 - y * -(1.0 - weight)


@njit(**INLINE)
def _row3(a, i):
    """Row ``i`` of an (n, 3) array as a 3-tuple."""
    return a[i, 0], a[i, 1], a[i, 2]


@njit(**INLINE)
def _state3(zi, first):
    """The first-section state (z0, z1) of channels first..first+2 of ``zi`` (C, S, 2), as 3-tuples."""
    return _row3(zi[first:first + 3, 0, :].T, 0), _row3(zi[first:first + 3, 0, :].T, 1)


@njit(**INLINE)
def _vec3(a):
    """A (3,) array as a 3-tuple."""
    return a[0], a[1], a[2]


# -- building blocks over a block (the filters.py classes) ---------------------------------------
@njit(_signature("void", _C2, _F2, _C3, _F2), cache=True)
def sosfilt_block(sos, x, zi, out):
    """``out`` (n, C) = ``x`` (n, C) through the sections ``sos``; ``zi`` (C, S, 2) carried."""
    for i in range(x.shape[0]):
        for c in range(x.shape[1]):
            v = x[i, c]
            for s in range(sos.shape[0]):
                v, zi[c, s, 0], zi[c, s, 1] = _section(_coefficients(sos, s), v, zi[c, s, 0], zi[c, s, 1])
            out[i, c] = v


@njit(_signature("void", _F2, _C2, _C3, _C2, _I1, _F2), cache=True)
def trailing_range_block(x, blocks, suffix, prefix, count, out):
    """``out`` (n, C) = per-channel max − min of ``x`` (n, C) over the trailing w samples.

    Van Herk / Gil-Werman, streaming: samples fall into blocks of w = len(``blocks``); the
    window ending at position p of a block is positions 0..p of it (running max and min,
    ``prefix`` (2, C)) plus positions p+1.. of the block before (``suffix[0 / 1, j]``: max /
    min of that block from position j on; ∓inf before the first full block, which makes the
    window the samples seen, as ndimage's "nearest"). ``blocks`` (w, C) keeps the current
    block; ``count[0]`` is the number of samples seen before this block. Channels are the
    inner loops (independent, so the compiler vectorises them).
    """
    w, channels = blocks.shape[0], x.shape[1]
    p, hi, lo = count[0] % w, prefix[0].copy(), prefix[1].copy()  # local copies: measured faster
    for i in range(x.shape[0]):
        if p == 0:
            for c in range(channels):
                hi[c], lo[c] = x[i, c], x[i, c]
        else:
            for c in range(channels):
                hi[c], lo[c] = max(hi[c], x[i, c]), min(lo[c], x[i, c])
        for c in range(channels):
            blocks[p, c] = x[i, c]
        if p < w - 1:
            for c in range(channels):
                out[i, c] = max(hi[c], suffix[0, p + 1, c]) - min(lo[c], suffix[1, p + 1, c])
            p += 1
            continue
        for c in range(channels):  # the block is complete: its suffixes, for the next block
            out[i, c] = hi[c] - lo[c]
            suffix[0, w - 1, c], suffix[1, w - 1, c] = x[i, c], x[i, c]
        for j in range(w - 2, -1, -1):
            for c in range(channels):
                suffix[0, j, c] = max(blocks[j, c], suffix[0, j + 1, c])
                suffix[1, j, c] = min(blocks[j, c], suffix[1, j + 1, c])
        p = 0
    prefix[0, :], prefix[1, :] = hi, lo
    count[0] += x.shape[0]


@njit(_signature("void", _F2, "boolean[:]", "float64", _C1, _C1, _B1, _F2), cache=True)
def masked_average_block(x, mask, weight, value, delay, started, out):
    """``out`` (n, C): the average ``value`` (C,) after each sample of ``x`` (n, C), updated
    where ``mask``; ``delay`` (C,) is the filter state, ``started[0]`` once seeded."""
    for i in range(x.shape[0]):
        if mask[i]:
            if not started[0]:
                delay[:] = (1.0 - weight) * x[i]
                started[0] = True
            for c in range(x.shape[1]):
                value[c], delay[c] = _average_step(weight, x[i, c], delay[c])
        out[i] = value


@njit(_signature("void", _F2, _C1, _C2), cache=True)
def running_sum_block(increments, total, out):
    """``out`` (n, C): ``total`` (C,) plus the increments so far, sample by sample (sequential adds)."""
    for i in range(increments.shape[0]):
        for c in range(increments.shape[1]):
            total[c] = total[c] + increments[i, c]
            out[i, c] = total[c]


# -- Stage 1 fused --------------------------------------------------------------------------------
@njit(_signature("void", _F1, _F2, _F2, _C2, _C3, _C2, _C3,  # samples, filters
                 _C2, _C3, _C2, _I1, _C1,  # trailing ranges
                 "float64", _C2, _B1, "float64", _C1, _C1, _B1,  # stillness, bias
                 "float64", _C1, _C1, _F2, _C2, _C2, _C2, _B1), cache=True)  # clock, rotation, outputs
def motion_block(t, acc, gyr, lp_sos, lp_zi, slow_sos, slow_zi,
                 range_blocks, range_suffix, range_prefix, range_count, range_limits,
                 still_gyr_dps, delayed_gyr, delayed_still, bias_weight, bias, bias_delay, bias_started,
                 dt_nominal_s, last_t, rot_total, acc_lp, omega, omega_lp, rot, still):
    """One block of :meth:`~sensorkit.pipeline.motion.MotionTracker.update` (n ≥ 1 samples).

    1. Low-pass acc (m/s²) and gyro (deg/s) (``lp_zi`` channels: acc x y z, gyro x y z) and
       the slow gyro mean (``slow_zi``); speed test: |low-passed rate − mean| < ``still_gyr_dps``.
    2. Quiet test: each low-passed channel's trailing range (same channel order) below its limit.
    3. Bias: sample j − lag (lag = len(``delayed_gyr``), a ring) joins the average when it and
       sample j are still; the bias at j is that average (0 for the first lag samples).
       ``omega`` = rate − bias, integrated over dt (s; a gap over two periods counts one
       period; the stream's first dt is measured from t[0] − one period) into ``rot``.
    Single-section filters (orders 1 and 2). Writes ``acc_lp``, ``omega``, ``omega_lp``, ``rot``
    (n, 3) and ``still`` (n,); every other array is state, updated in place.
    """
    n, seen = t.shape[0], range_count[0]  # seen: samples before this block
    # 1. low-passes; omega_lp holds the low-passed rate until the bias is known, and ``lanes``
    #    all six low-passed channels side by side (for the trailing ranges)
    lanes = np.empty((n, 6))
    k_lp, k_slow = _coefficients(lp_sos, 0), _coefficients(slow_sos, 0)
    a0, a1 = _state3(lp_zi, 0)  # (z0, z1) of the acc channels, each a 3-tuple
    g0, g1 = _state3(lp_zi, 3)
    s0, s1 = _state3(slow_zi, 0)
    for i in range(n):
        y, a0, a1 = _section3(k_lp, _row3(acc, i), a0, a1)
        acc_lp[i, 0], acc_lp[i, 1], acc_lp[i, 2] = y
        lanes[i, 0], lanes[i, 1], lanes[i, 2] = y
        rate = _row3(gyr, i)
        y, g0, g1 = _section3(k_lp, rate, g0, g1)
        mean, s0, s1 = _section3(k_slow, rate, s0, s1)
        omega_lp[i, 0], omega_lp[i, 1], omega_lp[i, 2] = y
        lanes[i, 3], lanes[i, 4], lanes[i, 5] = y
        d0, d1, d2 = y[0] - mean[0], y[1] - mean[1], y[2] - mean[2]
        still[i] = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2) < still_gyr_dps
    for c in range(3):
        lp_zi[c, 0, 0], lp_zi[c, 0, 1], lp_zi[c + 3, 0, 0], lp_zi[c + 3, 0, 1] = a0[c], a1[c], g0[c], g1[c]
        slow_zi[c, 0, 0], slow_zi[c, 0, 1] = s0[c], s1[c]
    # 2. quiet: every trailing range below its limit
    spread = np.empty((n, 6))
    trailing_range_block(lanes, range_blocks, range_suffix, range_prefix, range_count, spread)
    for i in range(n):
        quiet = still[i]
        for c in range(6):
            quiet &= spread[i, c] < range_limits[c]
        still[i] = quiet
    # 3. bias (learnt lag samples back), bias-free rates and their integral
    lag, started = delayed_gyr.shape[0], bias_started[0]
    value, z, total = _vec3(bias), _vec3(bias_delay), _vec3(rot_total)
    prev_t = t[0] - dt_nominal_s if math.isnan(last_t[0]) else last_t[0]
    slot = seen % lag  # the ring slot of sample seen − lag
    for i in range(n):
        known = seen + i >= lag
        if known and delayed_still[slot] and still[i]:
            x = _row3(delayed_gyr, slot)
            if not started:  # the first accepted sample seeds the average
                a = 1.0 - bias_weight
                z, started = (a * x[0], a * x[1], a * x[2]), True
            v0, z0 = _average_step(bias_weight, x[0], z[0])
            v1, z1 = _average_step(bias_weight, x[1], z[1])
            v2, z2 = _average_step(bias_weight, x[2], z[2])
            value, z = (v0, v1, v2), (z0, z1, z2)
        b = value if known else (0.0, 0.0, 0.0)
        dt = t[i] - prev_t
        if dt > 2.0 * dt_nominal_s:  # a gap too long to fill (a reconnect) is not integrated
            dt = dt_nominal_s
        prev_t = t[i]
        for c in range(3):
            delayed_gyr[slot, c] = gyr[i, c]
            omega[i, c] = gyr[i, c] - b[c]
            omega_lp[i, c] = omega_lp[i, c] - b[c]
        total = (total[0] + omega[i, 0] * dt, total[1] + omega[i, 1] * dt, total[2] + omega[i, 2] * dt)
        rot[i, 0], rot[i, 1], rot[i, 2] = total
        delayed_still[slot] = still[i]
        slot = slot + 1 if slot < lag - 1 else 0
    bias[0], bias[1], bias[2] = value
    bias_delay[0], bias_delay[1], bias_delay[2] = z
    rot_total[0], rot_total[1], rot_total[2] = total
    bias_started[0], last_t[0] = started, prev_t


# -- gap filling ----------------------------------------------------------------------------------
@njit(**INLINE)
def _missing(t_from, t_to, period_s, max_missing):
    """Samples to insert between two received times: ``rint(Δt / period) − 1`` if in 1..max, else 0."""
    periods = (t_to - t_from) / period_s
    if not 1.5 <= periods < max_missing + 2.5:  # rint(periods) ≤ 1, or > max + 1 (no overflow; NaN too)
        return 0
    k = np.int64(np.rint(periods)) - 1
    return k if k <= max_missing else 0


@njit(_signature("int64", _F1, "float64", "boolean", "float64", "int64"), cache=True)
def count_gap_fill(t, last_t, has_last, period_s, max_missing):
    """How many samples :func:`fill_gaps` would insert into the block ``t`` (s)."""
    total = _missing(last_t, t[0], period_s, max_missing) if has_last else 0
    for i in range(1, t.shape[0]):
        total += _missing(t[i - 1], t[i], period_s, max_missing)
    return total


@njit(_signature("void", _F1, _F2, _F2, _C1, "boolean", "float64", "int64", _C2), cache=True)
def fill_gaps(t, acc, gyr, last, has_last, period_s, max_missing, out):
    """``out`` (n + inserted, 7): the rows (t, acc, gyr) with gaps linearly filled.

    A gap of k missing periods between rows ``lo`` and ``hi`` gets rows lo + (j / (k + 1))·(hi − lo),
    j = 1..k; ``last`` (7,) is the previous block's last row (the first ``lo`` if ``has_last``).
    """
    r = 0  # next row of out; out[r - 1] is the last received row once there is one
    for i in range(t.shape[0]):
        hi = (t[i], acc[i, 0], acc[i, 1], acc[i, 2], gyr[i, 0], gyr[i, 1], gyr[i, 2])
        k = 0
        if i > 0 or has_last:
            k = _missing(out[r - 1, 0] if i > 0 else last[0], hi[0], period_s, max_missing)
        if k:
            lo = out[r - 1] if i > 0 else last
            for j in range(1, k + 1):
                frac = j / (k + 1)
                for col in range(7):
                    out[r + j - 1, col] = lo[col] + frac * (hi[col] - lo[col])
        r += k
        for col in range(7):
            out[r, col] = hi[col]
        r += 1

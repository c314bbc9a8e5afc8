"""Compiled per-sample kernels behind :mod:`~sensorkit.pipeline.filters`, Stage 1 and gap filling.

Each kernel walks the samples in time order and keeps its state in small arrays owned by the
Python object that calls it, so a recording fed whole or one sample at a time gives the same
bits. The arithmetic is written in the order of the numpy/scipy calls these kernels replace
(IEEE double, no fastmath, no reassociation), so their outputs are bit-identical too:

- :func:`sosfilt_block`: ``scipy.signal.sosfilt`` with carried ``zi``;
- :func:`trailing_range_block`: ``ndimage.maximum_filter1d - minimum_filter1d`` over the
  trailing window (a max or a min is exact whatever the algorithm; here monotonic deques);
- :func:`masked_average_block`: ``scipy.signal.lfilter([w], [1, -(1 - w)])`` over the accepted
  samples, held in between;
- :func:`running_sum_block`: ``np.cumsum`` continued from a total;
- :func:`motion_block`: :meth:`MotionTracker.update` fused (all of the above, one pass);
- :func:`count_gap_fill`, :func:`fill_gaps`: :class:`~sensorkit.pipeline.gaps.GapFiller`.

Inputs are finite (the readers reject NaN and inf); with NaN the deques would differ from ndimage.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


# -- building blocks, one sample at a time ------------------------------------------------------
@njit(cache=True)
def _sos_sample(sos, zi, channel, x):
    """``x`` through cascaded second-order sections; state ``zi[channel]`` (sections, 2) updated.

    Direct form II transposed in scipy's ``_sosfilt`` order (sos row = b0 b1 b2 a0 a1 a2, a0 = 1):
    y = b0·x + z0;  z0 = (b1·x − a1·y) + z1;  z1 = b2·x − a2·y.
    """
    for s in range(sos.shape[0]):
        y = sos[s, 0] * x + zi[channel, s, 0]
        zi[channel, s, 0] = sos[s, 1] * x - sos[s, 4] * y + zi[channel, s, 1]
        zi[channel, s, 1] = sos[s, 2] * x - sos[s, 5] * y
        x = y
    return x


@njit(cache=True)
def _window_max(values, ages, ends, deque, channel, k, v, size):
    """Push ``v`` (sample number ``k``) onto a monotonic deque; return the max of the last ``size``.

    Deque ``(deque, channel)`` is a ring (capacity a power of two ≥ ``size``) of decreasing
    values with their sample numbers; ``ends[deque, channel]`` = (head position, length).
    """
    wrap = values.shape[2] - 1
    head, n = ends[deque, channel, 0], ends[deque, channel, 1]
    if n > 0 and ages[deque, channel, head] <= k - size:  # the oldest entry left the window
        head = (head + 1) & wrap
        n -= 1
    while n > 0 and values[deque, channel, (head + n - 1) & wrap] <= v:  # never the max again
        n -= 1
    slot = (head + n) & wrap
    values[deque, channel, slot] = v
    ages[deque, channel, slot] = k
    ends[deque, channel, 0], ends[deque, channel, 1] = head, n + 1
    return values[deque, channel, head]


@njit(cache=True)
def _window_range(values, ages, ends, channel, k, v, size):
    """Max − min of channel ``channel`` over its last ``size`` samples, ``v`` (number ``k``) last.

    Deque 0 holds the values, deque 1 their negatives (−max(−v) = min(v), negation is exact).
    """
    hi = _window_max(values, ages, ends, 0, channel, k, v, size)
    lo = -_window_max(values, ages, ends, 1, channel, k, -v, size)
    return hi - lo


@njit(cache=True)
def _masked_average_sample(x, accept, weight, value, delay, started):
    """Update the average ``value`` (C,) with sample ``x`` (C,) if ``accept``; hold it otherwise.

    A first-order ``lfilter([w], [1, -(1 - w)])`` in direct form II transposed (scipy's order,
    with b padded to [w, 0]): y = z + w·x;  z = 0·x − (−(1 − w))·y. The first accepted sample
    seeds the state as z = (1 − w)·x.
    """
    if not accept:
        return
    a = 1.0 - weight
    if not started[0]:
        for c in range(x.shape[0]):
            delay[c] = a * x[c]
        started[0] = True
    for c in range(x.shape[0]):
        y = delay[c] + weight * x[c]
        delay[c] = x[c] * 0.0 - y * -a
        value[c] = y


# -- building blocks over a block (the filters.py classes) ---------------------------------------
@njit(cache=True)
def sosfilt_block(sos, x, zi, out):
    """``out`` (n, C) = ``x`` (n, C) through the sections ``sos``; ``zi`` (C, sections, 2) carried."""
    for i in range(x.shape[0]):
        for c in range(x.shape[1]):
            out[i, c] = _sos_sample(sos, zi, c, x[i, c])


@njit(cache=True)
def trailing_range_block(x, size, values, ages, ends, count, out):
    """``out`` (n, C) = per-channel max − min of ``x`` (n, C) over the trailing ``size`` samples.

    ``count[0]`` is the number of samples seen before this block (the deques' clock).
    """
    k = count[0]
    for i in range(x.shape[0]):
        for c in range(x.shape[1]):
            out[i, c] = _window_range(values, ages, ends, c, k, x[i, c], size)
        k += 1
    count[0] = k


@njit(cache=True)
def masked_average_block(x, mask, weight, value, delay, started, out):
    """``out`` (n, C): the average after each sample of ``x`` (n, C), updated where ``mask``."""
    for i in range(x.shape[0]):
        _masked_average_sample(x[i], mask[i], weight, value, delay, started)
        out[i] = value


@njit(cache=True)
def running_sum_block(increments, total, out):
    """``out`` (n, C): ``total`` (C,) plus the increments so far, sample by sample (sequential adds)."""
    for i in range(increments.shape[0]):
        for c in range(increments.shape[1]):
            total[c] = total[c] + increments[i, c]
            out[i, c] = total[c]


# -- Stage 1 fused ----------------------------------------------------------------------------
@njit(cache=True)
def motion_block(t, acc, gyr, lp_sos, lp_zi, slow_sos, slow_zi,
                 range_values, range_ages, range_ends, range_count, range_size, range_limits,
                 still_gyr_dps, delayed_gyr, delayed_still, bias_weight, bias, bias_delay, bias_started,
                 dt_nominal_s, last_t, rot_total, acc_lp, omega, omega_lp, rot, still):
    """One block of :meth:`~sensorkit.pipeline.motion.MotionTracker.update`, sample by sample.

    Per sample: low-pass acc (m/s²) and gyro (deg/s) (channels 0–2 acc, 3–5 gyro of ``lp_zi``
    and of the trailing ranges), the slow gyro mean (``slow_zi``); still = low-passed rate
    against that mean below ``still_gyr_dps`` and every trailing range below its limit. Sample
    j − lag (lag = len(``delayed_gyr``)) joins the bias average when it and sample j are still;
    the bias at j is that average (0 for the first lag samples). ``omega`` = rate − bias,
    integrated over dt (s; first dt nominal-ish, gaps > 2 periods count one period) into ``rot``.
    Outputs ``acc_lp``, ``omega``, ``omega_lp``, ``rot`` (n, 3) and ``still`` (n,) are written;
    all other arrays are state, updated in place.
    """
    lag = delayed_gyr.shape[0]
    k = range_count[0]
    prev_t = t[0] - dt_nominal_s if math.isnan(last_t[0]) else last_t[0]
    gyr_lp = np.empty(3)
    zero = np.zeros(3)
    for i in range(t.shape[0]):
        quiet = True
        for c in range(3):
            a_lp = _sos_sample(lp_sos, lp_zi, c, acc[i, c])
            g_lp = _sos_sample(lp_sos, lp_zi, c + 3, gyr[i, c])
            acc_lp[i, c], gyr_lp[c] = a_lp, g_lp
            quiet &= _window_range(range_values, range_ages, range_ends, c, k, a_lp, range_size) < range_limits[c]
            quiet &= _window_range(range_values, range_ages, range_ends, c + 3, k, g_lp,
                                   range_size) < range_limits[c + 3]
        s0 = gyr_lp[0] - _sos_sample(slow_sos, slow_zi, 0, gyr[i, 0])
        s1 = gyr_lp[1] - _sos_sample(slow_sos, slow_zi, 1, gyr[i, 1])
        s2 = gyr_lp[2] - _sos_sample(slow_sos, slow_zi, 2, gyr[i, 2])
        still[i] = math.sqrt(s0 * s0 + s1 * s1 + s2 * s2) < still_gyr_dps and quiet
        slot = k % lag  # holds sample k − lag, once there is one
        if k >= lag:
            _masked_average_sample(delayed_gyr[slot], delayed_still[slot] and still[i], bias_weight,
                                   bias, bias_delay, bias_started)
        b = bias if k >= lag else zero
        delayed_gyr[slot, :] = gyr[i, :]
        delayed_still[slot] = still[i]
        dt = t[i] - prev_t
        if dt > 2.0 * dt_nominal_s:  # a gap too long to fill (a reconnect) is not integrated
            dt = dt_nominal_s
        prev_t = t[i]
        for c in range(3):
            omega[i, c] = gyr[i, c] - b[c]
            omega_lp[i, c] = gyr_lp[c] - b[c]
            rot_total[c] = rot_total[c] + omega[i, c] * dt
            rot[i, c] = rot_total[c]
        k += 1
    range_count[0] = k
    last_t[0] = prev_t


# -- gap filling --------------------------------------------------------------------------------
@njit(cache=True)
def _missing(t_from, t_to, period_s, max_missing):
    """Samples to insert between two received times: ``rint(Δt / period) − 1``, 0 if out of range."""
    k = np.int64(np.rint((t_to - t_from) / period_s)) - 1
    return k if 1 <= k <= max_missing else 0


@njit(cache=True)
def count_gap_fill(t, last_t, has_last, period_s, max_missing):
    """How many samples :func:`fill_gaps` would insert into the block ``t`` (s)."""
    total = 0
    if has_last and t.shape[0]:
        total += _missing(last_t, t[0], period_s, max_missing)
    for i in range(1, t.shape[0]):
        total += _missing(t[i - 1], t[i], period_s, max_missing)
    return total


@njit(cache=True)
def fill_gaps(t, acc, gyr, last, has_last, period_s, max_missing, out):
    """``out`` (n + inserted, 7): the rows (t, acc, gyr) with gaps linearly filled.

    A gap of k missing periods after row ``lo`` gets rows lo + (j / (k + 1))·(hi − lo),
    j = 1..k; ``last`` (7,) is the previous block's last row (used if ``has_last``).
    """
    lo = last.copy()
    row = np.empty(7)
    r = 0
    for i in range(t.shape[0]):
        row[0] = t[i]
        row[1:4] = acc[i]
        row[4:7] = gyr[i]
        if i > 0 or has_last:
            k = _missing(lo[0], row[0], period_s, max_missing)
            for j in range(1, k + 1):
                frac = j / (k + 1)
                for col in range(7):
                    out[r, col] = lo[col] + frac * (row[col] - lo[col])
                r += 1
        out[r] = row
        r += 1
        lo[:] = row

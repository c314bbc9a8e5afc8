"""numpy's and scipy's results for the short arrays of one movement, without their per-call overhead.

A movement is measured on a few hundred samples, where the argument checks and dispatch of
``np.gradient``, ``np.linalg.eigh``, ``np.einsum`` and ``scipy.signal.lfilter`` cost more than the arithmetic.
Each function here does the same arithmetic in the same order (or calls the same compiled
routine), so its results equal the library call's bit for bit; ``tests/pipeline/test_smallarray.py``
checks that against the library.
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np
from scipy.signal import butter, lfilter, sosfilt_zi

try:  # the compiled routines behind np.linalg.eigh and scipy.signal.lfilter (same results)
    from numpy.linalg._umath_linalg import eigh_lo as _eigh_lo
except ImportError:  # pragma: no cover - another numpy layout: the public call
    _eigh_lo = None
try:
    from scipy.signal._sigtools import _linear_filter
except ImportError:  # pragma: no cover
    _linear_filter = None
try:  # what np.einsum calls (optimize=False, the default) after its Python dispatch: ~0.6 us a call
    from numpy._core.multiarray import c_einsum as einsum
except ImportError:  # pragma: no cover
    einsum = np.einsum


def eigh(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.linalg.eigh(m)`` of a real symmetric float64 matrix: (eigenvalues ascending, vectors)."""
    if _eigh_lo is not None and m.dtype == np.float64:
        w, v = _eigh_lo(m, signature="d->dd")
        if not np.isnan(w[0]):  # LAPACK did not converge (NaN): numpy raises, as before
            return w, v
    return np.linalg.eigh(m)


@functools.lru_cache(maxsize=16)
def butter_lowpass_sos(cutoff_hz: float, fs_hz: float) -> np.ndarray:
    """``scipy.signal.butter(2, cutoff_hz, fs=fs_hz, output="sos")``, designed once per (cut-off,
    rate) (a design costs more than a recording's smoothing): the motion tracker and measure's
    zero-phase smoothing share it. Shared: never modify the array."""
    return butter(2, cutoff_hz, fs=fs_hz, output="sos")


@functools.lru_cache(maxsize=16)
def butter_lowpass_zi(cutoff_hz: float, fs_hz: float) -> np.ndarray:
    """``scipy.signal.sosfilt_zi`` of :func:`butter_lowpass_sos` (1, 2): the steady state for a unit
    input, once per (cut-off, rate); for its one section it is ``lfilter_zi(b, a)`` bit for bit
    (sosfilt_zi scales the first section by 1.0). Shared: never modify the array."""
    return sosfilt_zi(butter_lowpass_sos(cutoff_hz, fs_hz))


def lfilter_zi(b: np.ndarray, a: np.ndarray, x: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """``scipy.signal.lfilter(b, a, x, axis=0, zi=zi)[0]`` for float64 ``b``, ``a`` (len(a) > 1),
    ``x`` and ``zi`` of ``x``'s number of dimensions."""
    if _linear_filter is not None:
        return _linear_filter(b, a, x, 0, zi)[0]
    return lfilter(b, a, x, axis=0, zi=zi)[0]  # pragma: no cover


def spacing(t: np.ndarray) -> tuple[np.ndarray, float | None]:
    """``np.diff(t)`` and its one value when all steps are equal (else None), as ``np.gradient``
    reduces equal spacing to a scalar."""
    dt = np.diff(t)
    return dt, (dt[0] if len(dt) and (dt == dt[0]).all() else None)


def gradient(f: np.ndarray, dt: np.ndarray, step: float | None) -> np.ndarray:
    """``np.gradient(f, t, axis=0)`` (``len(f) > 1``) from :func:`spacing` of ``t``."""
    out = np.empty_like(f)
    if step is not None:
        out[1:-1] = (f[2:] - f[:-2]) / (2. * step)
        out[0] = (f[1] - f[0]) / step
        out[-1] = (f[-1] - f[-2]) / step
        return out
    dx1, dx2 = dt[:-1], dt[1:]
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    if f.ndim > 1:
        shape = (-1,) + (1,) * (f.ndim - 1)
        a, b, c = a.reshape(shape), b.reshape(shape), c.reshape(shape)
    out[1:-1] = a * f[:-2] + b * f[1:-1] + c * f[2:]
    out[0] = (f[1] - f[0]) / dt[0]
    out[-1] = (f[-1] - f[-2]) / dt[-1]
    return out


def gradient_at(f: np.ndarray, t: np.ndarray, i: int, dt: np.ndarray, step: float | None) -> float:
    """``np.gradient(f, t)[i]`` of a 1-D ``f`` (``len(f) > 1``), from :func:`spacing` of ``t``."""
    n = len(f)
    if i == 0:
        return float((f[1] - f[0]) / (step if step is not None else dt[0]))
    if i == n - 1:
        return float((f[-1] - f[-2]) / (step if step is not None else dt[-1]))
    if step is not None:
        return float((f[i + 1] - f[i - 1]) / (2. * step))
    dx1, dx2 = dt[i - 1], dt[i]
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    return float(a * f[i - 1] + b * f[i] + c * f[i + 1])


def row_norms(v: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(v, axis=1)`` of an (n, 3) array (it adds the squares in order), a column at
    a time: on a long block the row-by-row reduction costs more than the arithmetic."""
    x, y, z = v[:, 0], v[:, 1], v[:, 2]
    return np.sqrt(x * x + y * y + z * z)


def median(values: np.ndarray) -> float:
    """``np.median(values)`` of a non-empty 1-D float64 array: its ``partition`` at the same
    places (the middle one or two, and the last: NaN sorts there and makes the median NaN), then
    the middle value, or the two middle values' sum halved (as their mean)."""
    n = len(values)
    half = n // 2
    part = np.partition(values, [half - 1, half, -1] if n % 2 == 0 else [half, -1])
    if part[-1] != part[-1]:
        return math.nan
    return float(part[half]) if n % 2 else (float(part[half - 1]) + float(part[half])) / 2


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross(a, b)`` of ``a`` (3,) or (n, 3) with the rows of ``b`` (n, 3): the same products
    and differences (``a1 b2 - a2 b1``, …), without np.cross's broadcasting set-up."""
    a0, a1, a2 = a.tolist() if a.ndim == 1 else (a[:, 0], a[:, 1], a[:, 2])
    b0, b1, b2 = b[:, 0], b[:, 1], b[:, 2]
    out = np.empty((len(b), 3))
    out[:, 0], out[:, 1], out[:, 2] = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0
    return out


def true_runs(flags: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """(first, last) index of every run of True in a 1-D bool array at least ``min_len`` long."""
    data = np.ascontiguousarray(flags, dtype=bool).view(np.uint8).tobytes()
    return [(m.start(), m.end() - 1) for m in re.finditer(b"\x01{%d,}" % max(1, min_len), data)]

"""Causal, stateful building blocks whose output does not depend on how the input is chunked.

Each takes a block of samples (axis 0 = time) and carries exactly the state it needs, so feeding
a whole recording at once or one packet at a time gives bit-identical results.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import ndimage, signal


def row_norms(x: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(x, axis=1)`` for (n, 3) ``x``: the same sums in the same order, cheaper."""
    c = x.T
    return np.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2])


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross`` of two 3-vectors (the same products and differences), without its overhead."""
    a0, a1, a2 = a.tolist()
    b0, b1, b2 = b.tolist()
    return np.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])


def norm3(v: np.ndarray) -> float:
    """``np.linalg.norm(v)`` of one 3-vector (the same dot product), without its overhead."""
    return math.sqrt(v @ v)


class LowPass:
    """Butterworth low-pass (``order``, ``cutoff_hz`` at ``fs_hz``), started at steady state."""

    def __init__(self, cutoff_hz: float, fs_hz: float, order: int = 2) -> None:
        cutoff_hz = min(cutoff_hz, 0.45 * fs_hz)
        self.sos = signal.butter(order, cutoff_hz, fs=fs_hz, output="sos")
        self._zi: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return x.copy()
        if self._zi is None:
            base = signal.sosfilt_zi(self.sos)  # (sections, 2)
            self._zi = base[..., None] * x[0][None, None, :] if x.ndim == 2 else base * x[0]
        y, self._zi = signal.sosfilt(self.sos, x, axis=0, zi=self._zi)
        return y


class TrailingRange:
    """Per-channel max − min over the trailing window of ``size`` samples (including the current)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, int(size)) | 1  # odd, so the window can be placed exactly
        self._tail: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.empty_like(x)
        return self._ranges(x).T

    def below(self, x: np.ndarray, limit: float) -> np.ndarray:
        """Per sample: is every channel's range below ``limit``? (``(self(x) < limit).all(axis=1)``)"""
        if len(x) == 0:
            return np.empty(0, dtype=bool)
        ranges = self._ranges(x)
        quiet = ranges[0] < limit
        for row in ranges[1:]:
            quiet &= row < limit
        return quiet

    def _ranges(self, x: np.ndarray) -> np.ndarray:
        """The ranges of the samples of ``x`` as rows, one per channel (``x`` not empty)."""
        data = x if self._tail is None else np.concatenate([self._tail, x])
        origin = (self.size - 1) // 2  # shifts the centred window to end at each sample
        rows = np.ascontiguousarray(data.T)  # filtering along the last axis is much faster
        hi = ndimage.maximum_filter1d(rows, self.size, axis=-1, mode="nearest", origin=origin)
        lo = ndimage.minimum_filter1d(rows, self.size, axis=-1, mode="nearest", origin=origin)
        self._tail = data[-(self.size - 1):] if self.size > 1 else data[:0]
        return np.subtract(hi, lo, out=hi)[..., len(data) - len(x):]


class MaskedAverage:
    """Exponential average of ``x`` over the samples where ``mask`` holds, held elsewhere.

    ``weight`` is the per-accepted-sample update weight (``1 - exp(-dt/tau)``). Before the first
    accepted sample the output is ``initial``.
    """

    def __init__(self, weight: float, initial: np.ndarray) -> None:
        self.weight = float(weight)
        self.value = np.asarray(initial, dtype=np.float64).copy()
        self._started = False

    def __call__(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            out[:] = self.value
            return out
        sub = x[idx]
        before = self.value.copy()  # what samples before the first accepted one in this block get
        if not self._started:  # first accepted sample seeds the average
            self.value = sub[0].copy()
            self._started = True
        a = 1.0 - self.weight
        zi = (a * self.value)[None, :]
        avg, _ = signal.lfilter([self.weight], [1.0, -a], sub, axis=0, zi=zi)
        # forward-fill: each sample takes the average of the last accepted sample at or before it
        pos = np.full(len(x), -1)
        pos[idx] = np.arange(len(idx))
        pos = np.maximum.accumulate(pos)
        out = avg[np.maximum(pos, 0)]
        out[: int(idx[0])] = before
        self.value = avg[-1].copy()
        return out


class Integrator:
    """Running sum of the increments it is given (e.g. rate × dt), continuing across blocks."""

    def __init__(self, channels: int) -> None:
        self.total = np.zeros(channels)

    def __call__(self, increments: np.ndarray) -> np.ndarray:
        out = np.cumsum(np.concatenate([self.total[None, :], increments]), axis=0)[1:]
        if len(out):
            self.total = out[-1].copy()
        return out

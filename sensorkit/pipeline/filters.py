"""Causal, stateful building blocks whose output does not depend on how the input is chunked.

Each takes a block of samples (axis 0 = time) and carries exactly the state it needs, so feeding
a whole recording at once or one packet at a time gives bit-identical results. The loops are
compiled (:mod:`sensorkit.pipeline.motion_kernels`) and give the very bits of the scipy/numpy
calls named in each docstring.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import signal

from sensorkit.pipeline import motion_kernels as kernels


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


def _checked(state: np.ndarray, channels: int) -> np.ndarray:
    """``state`` (first axis: channels), once it is known to fit ``channels`` channels: the
    compiled kernels do not check bounds, so a block with another channel count must not reach them."""
    if len(state) != channels:
        raise ValueError(f"a block of {channels} channels for a filter started with {len(state)}")
    return state


class LowPass:
    """Butterworth low-pass (``order``, ``cutoff_hz`` at ``fs_hz``), started at steady state.

    ``scipy.signal.sosfilt`` along axis 0 with ``zi = sosfilt_zi(sos) · x[0]`` carried over.
    """

    def __init__(self, cutoff_hz: float, fs_hz: float, order: int = 2) -> None:
        cutoff_hz = min(cutoff_hz, 0.45 * fs_hz)
        self.sos = signal.butter(order, cutoff_hz, fs=fs_hz, output="sos")
        self.zi: np.ndarray | None = None  # (channels, sections, 2) once the first sample is seen

    def start(self, first: np.ndarray) -> np.ndarray:
        """The filter state, set to steady state at sample ``first`` (channels,) if not yet started."""
        if self.zi is None:
            unit = signal.sosfilt_zi(self.sos)  # (sections, 2)
            self.zi = unit[None, :, :] * np.reshape(first, (-1, 1, 1))
        return self.zi

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)  # the kernels take float64 (any layout)
        if len(x) == 0:
            return x.copy()
        rows = x.reshape(len(x), -1)  # 1-D input is one channel
        out = np.empty((rows.shape[1], len(x))).T  # channels apart in memory, like sosfilt's output
        kernels.sosfilt_block(self.sos, rows, _checked(self.start(rows[0]), rows.shape[1]), out)
        return out.reshape(x.shape)


class TrailingRange:
    """Per-channel max − min over the trailing window of ``size`` samples (including the current).

    Equal to ``ndimage.maximum_filter1d − minimum_filter1d`` (mode "nearest") with the window
    ending at each sample; finite input.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, int(size)) | 1  # odd, as when the window was placed by ndimage
        self.blocks: np.ndarray | None = None  # (size, channels): see kernels.trailing_range_block
        self.suffix = np.empty((2, 0, 0))  # (max/min, size, channels) of the last full block
        self.prefix = np.empty((2, 0))  # (max/min, channels) of the current block so far
        self.count = np.zeros(1, dtype=np.int64)  # samples seen

    def start(self, channels: int) -> None:
        """Allocate the state for ``channels`` channels (once; the first block does it too)."""
        if self.blocks is None:
            self.blocks = np.zeros((self.size, channels))
            self.suffix = np.empty((2, self.size, channels))
            self.suffix[0], self.suffix[1] = -np.inf, np.inf  # no samples before the first
            self.prefix = np.zeros((2, channels))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if len(x) == 0:
            return np.empty_like(x)
        rows = x.reshape(len(x), -1)  # 1-D input is one channel
        self.start(rows.shape[1])
        out = np.empty((rows.shape[1], len(x))).T
        _checked(self.prefix[0], rows.shape[1])
        kernels.trailing_range_block(rows, self.blocks, self.suffix, self.prefix, self.count, out)
        return out.reshape(x.shape)

    def below(self, x: np.ndarray, limit: float) -> np.ndarray:
        """Per sample: is every channel's range below ``limit``? (``(self(x) < limit).all(axis=1)``)"""
        if len(x) == 0:
            return np.empty(0, dtype=bool)
        return (self(x) < limit).reshape(len(x), -1).all(axis=1)


class MaskedAverage:
    """Exponential average of ``x`` over the samples where ``mask`` holds, held elsewhere.

    ``weight`` is the per-accepted-sample update weight (``1 - exp(-dt/tau)``): over the accepted
    samples ``scipy.signal.lfilter([weight], [1, -(1 - weight)])``, its state seeded by the first
    accepted sample. Before that the output is ``initial``.
    """

    def __init__(self, weight: float, initial: np.ndarray) -> None:
        self.weight = float(weight)
        self.value = np.asarray(initial, dtype=np.float64).copy()  # the average, updated in place
        self.delay = np.zeros_like(self.value)  # the filter's state
        self.started = np.zeros(1, dtype=bool)

    def __call__(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        x, mask = np.asarray(x, dtype=np.float64), np.asarray(mask, dtype=bool)
        _checked(self.value, x.shape[1])
        if mask.shape != x.shape[:1]:
            raise ValueError(f"mask of shape {mask.shape} for {len(x)} samples")
        out = np.empty_like(x)
        kernels.masked_average_block(x, mask, self.weight, self.value, self.delay, self.started, out)
        return out


class Integrator:
    """Running sum of the increments it is given (e.g. rate × dt), continuing across blocks.

    ``np.cumsum`` along axis 0 started from ``total``.
    """

    def __init__(self, channels: int) -> None:
        self.total = np.zeros(channels)

    def __call__(self, increments: np.ndarray) -> np.ndarray:
        increments = np.asarray(increments, dtype=np.float64)
        out = np.empty(increments.shape)
        kernels.running_sum_block(increments, _checked(self.total, increments.shape[1]), out)
        return out

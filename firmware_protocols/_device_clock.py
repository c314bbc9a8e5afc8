"""Wrapping device counters (timestamps, sequence numbers) turned into one running timeline.

Shared by the decoders whose frames carry a device timestamp or sequence counter (Movesense,
open protocol v1). Pure integer arithmetic: no clocks, no I/O.
"""
from __future__ import annotations


def modular_delta(new: int, old: int, modulus: int) -> int:
    """``new - old`` on a counter that wraps at ``modulus``, in ``[-modulus/2, modulus/2)``.

    >>> modular_delta(2, 65534, 65536)
    4
    >>> modular_delta(65534, 2, 65536)
    -4
    """
    half = modulus // 2
    return (new - old + half) % modulus - half


class DeviceClock:
    """A wrapping tick counter (``modulus`` ticks, ``ticks_per_s`` per second) unwrapped.

    ``ticks_since_origin(raw)`` says where a raw reading falls relative to the first reading
    this clock accepted (negative: earlier), without changing state; ``accept(raw)`` moves the
    clock forward to it and reports whether the raw counter wrapped on the way. A reading is
    taken as the nearer of its possible unwrappings, so gaps shorter than half the wrap period
    (35 min for 32-bit microseconds, 24.8 days for 32-bit milliseconds) are handled.
    """

    def __init__(self, ticks_per_s: float, modulus: int) -> None:
        self.ticks_per_s = float(ticks_per_s)
        self.modulus = int(modulus)
        self._last_raw: int | None = None
        self._last_ticks = 0
        self.wraps = 0

    @property
    def started(self) -> bool:
        return self._last_raw is not None

    def ticks_since_origin(self, raw: int) -> int:
        if self._last_raw is None:
            return 0
        return self._last_ticks + modular_delta(raw, self._last_raw, self.modulus)

    def seconds_since_origin(self, raw: int) -> float:
        return self.ticks_since_origin(raw) / self.ticks_per_s

    def accept(self, raw: int) -> bool:
        """Move to ``raw`` (which must not be earlier than the last accepted); True if it wrapped."""
        if self._last_raw is None:
            self._last_raw = raw
            return False
        ticks = self.ticks_since_origin(raw)
        wrapped = ticks > self._last_ticks and raw < self._last_raw
        self._last_raw, self._last_ticks = raw, ticks
        if wrapped:
            self.wraps += 1
        return wrapped

    def rebase(self, raw: int, at_ticks: int) -> None:
        """Declare that ``raw`` is ``at_ticks`` after the origin (after a device restart)."""
        self._last_raw, self._last_ticks = raw, at_ticks

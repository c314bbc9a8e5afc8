"""Stage 2: cut the stream into movements, each from leaving rest to being back at rest.

The stream alternates between still periods and *moves* (the motion between two still periods).
A move that comes back near where it started is a whole movement (a rep without a hold, a
fidget). A move that stops away from its start is held *pending*: if the next move comes back
near the pending move's start, the two and the still period between them (the hold) are one
movement; if not, the pending move is given up as a movement that did not return, and the new
move becomes pending. Nothing is decided before the data that decides it has arrived, so the
output does not depend on chunking; and a rest that turns out to be a hold (or the other way
round: standing up, then sitting down) never derails the next reps.

Memory is bounded: the buffer keeps the pending and current moves plus ``pre_rest_s`` before.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.motion import MotionBlock


@dataclass
class MovementWindow:
    """A finished movement: ``block`` holds the rest before it, the movement and its end.

    Indices are into ``block``: ``rest_start`` (first rest sample kept), ``start`` (first moving
    sample), ``end`` (first still sample of the final rest, or the last sample for a movement cut
    short). ``holds``: (first, last) samples of the still period between the outward move and
    the return.
    """

    block: MotionBlock
    rest_start: int
    start: int
    end: int
    holds: list[tuple[int, int]] = field(default_factory=list)
    returned: bool = True
    cut_reason: str = ""


@dataclass
class _Pending:
    start: int  # global index of its first moving sample
    ref: np.ndarray  # rotation vector (deg) at rest before it
    end: int  # global index of the first still sample after it
    peak_deg: float  # largest rotation away from ``ref``
    rest_start: int  # global index where the rest before it began


class Segmenter:
    """Finds movements in a stream of :class:`MotionBlock` (see module doc)."""

    def __init__(self, config: PipelineConfig, fs_hz: float) -> None:
        self.config = config
        self.fs_hz = fs_hz
        self.tiny_deg = config.min_movement_deg
        self._buf: MotionBlock | None = None
        self._base = 0  # global index of self._buf[0]
        self._n = 0  # global index of the next sample to process
        self._settled = False  # a first still period has been seen
        self._prev_still = False
        self._rest_start = 0  # global index where the current still run began
        self._moving = False
        self._skip_until_still = False  # after a movement cut for being too long
        self._move_start = 0
        self._move_rest_start = 0
        self._move_ref = np.zeros(3)
        self._pending: _Pending | None = None

    # -- public ---------------------------------------------------------------------------
    @property
    def rest_ref(self) -> np.ndarray:
        """Rotation vector (deg) of the rest the current movement started from."""
        return self._pending.ref if self._pending else self._move_ref

    @property
    def in_movement(self) -> bool:
        return self._moving or self._pending is not None

    @property
    def holding(self) -> bool:
        return self._pending is not None and not self._moving

    @property
    def returning(self) -> bool:
        return self._pending is not None and self._moving

    def current_hold_s(self, t_now: float) -> float:
        """Seconds since the current hold began (0 when not in a hold)."""
        if not self.holding:
            return 0.0
        return t_now - float(self._buf.t[self._pending.end - self._base])

    def update(self, block: MotionBlock) -> list[MovementWindow]:
        """Process a block; returns the movements that ended in it."""
        if len(block) == 0:
            return []
        self._buf = block if self._buf is None else MotionBlock.concat([self._buf, block])
        out: list[MovementWindow] = []
        still = self._buf.still
        first, last = self._n, self._base + len(self._buf)
        local = still[first - self._base:last - self._base].astype(np.int8)
        changes = np.flatnonzero(np.diff(np.concatenate([[np.int8(self._prev_still)], local]))) + first
        bounds = [first, *changes.tolist(), last]
        for a, b in zip(bounds[:-1], bounds[1:]):
            if a < b:
                self._run(a, b, bool(still[a - self._base]), out)
        self._n = last
        self._trim()
        return out

    def finish(self) -> list[MovementWindow]:
        """End of stream: what is still open is closed as cut short."""
        if self._buf is None:
            return []
        out: list[MovementWindow] = []
        end = self._base + len(self._buf) - 1
        if self._pending is not None:
            stop = end if self._moving else self._pending.end
            out.append(self._window(self._pending.rest_start, self._pending.start, stop, [], False,
                                    "recording ended"))
            self._pending = None
        elif self._moving and not self._skip_until_still:
            out.append(self._window(self._move_rest_start, self._move_start, end, [], False,
                                    "recording ended"))
        self._moving = False
        return out

    # -- state machine ---------------------------------------------------------------------
    def _run(self, a: int, b: int, is_still: bool, out: list[MovementWindow]) -> None:
        """Handle samples [a, b), which all share one still flag."""
        starts_run = is_still != self._prev_still
        self._prev_still = is_still
        if not self._settled:
            if is_still:
                self._settled = True
                self._rest_start = a
            return
        if is_still:
            if starts_run:
                self._rest_start = a
                if self._skip_until_still:
                    self._skip_until_still = False
                elif self._moving:
                    self._end_move(a, out)
            self._moving = False
            if self._pending is not None:
                limit = self._pending.end + int(self.config.max_hold_s * self.fs_hz)
                if b > limit:  # held away from rest too long: a new rest, not a hold
                    out.append(self._give_up(self._pending, "did not return"))
                    self._pending = None
            return
        if starts_run and not self._skip_until_still:
            self._moving = True
            self._move_start = a
            self._move_rest_start = self._rest_start
            self._move_ref = self._rot(a - 1)
        if self._moving:
            first = self._pending.start if self._pending else self._move_start
            limit = first + int(self.config.max_movement_s * self.fs_hz)
            if b > limit:
                start, rest = (self._pending.start, self._pending.rest_start) if self._pending \
                    else (self._move_start, self._move_rest_start)
                out.append(self._window(rest, start, limit, [], False, "too long"))
                self._pending = None
                self._moving = False
                self._skip_until_still = True

    def _end_move(self, a: int, out: list[MovementWindow]) -> None:
        """A move ended at still sample ``a``: decide what it was (see module doc)."""
        own = self._excursion(self._move_start, a + 1, self._move_ref)
        own_peak, own_end = float(own.max()), float(own[-1])
        p = self._pending
        if p is not None:
            if own_peak < self.tiny_deg:
                return  # a flicker within the hold
            total = self._excursion(self._move_start, a + 1, p.ref)
            peak = max(p.peak_deg, float(total.max()))
            if total[-1] < self.config.return_fraction * peak:
                out.append(self._window(p.rest_start, p.start, a, [(p.end, self._move_start - 1)], True))
                self._pending = None
                return
            out.append(self._give_up(p, "did not return"))
            self._pending = None
        if own_peak < self.tiny_deg:
            return  # not a movement
        if own_end < self.config.return_fraction * own_peak:
            out.append(self._window(self._move_rest_start, self._move_start, a, [], True))
            return
        self._pending = _Pending(self._move_start, self._move_ref, a, own_peak, self._move_rest_start)

    # -- helpers ---------------------------------------------------------------------------
    def _rot(self, i: int) -> np.ndarray:
        return self._buf.rot_deg[max(i, self._base) - self._base].copy()

    def _excursion(self, a: int, b: int, ref: np.ndarray) -> np.ndarray:
        rot = self._buf.rot_deg[a - self._base:b - self._base]
        return np.linalg.norm(rot - ref, axis=1)

    def _give_up(self, p: _Pending, reason: str) -> MovementWindow:
        return self._window(p.rest_start, p.start, p.end, [], False, reason)

    def _window(self, rest_start: int, start: int, end: int, holds, returned: bool,
                reason: str = "") -> MovementWindow:
        pre = int(self.config.pre_rest_s * self.fs_hz)
        lo = max(self._base, start - pre, min(rest_start, start - 1))
        return MovementWindow(
            block=self._buf[lo - self._base:end + 1 - self._base],
            rest_start=0,
            start=start - lo,
            end=end - lo,
            holds=[(h0 - lo, h1 - lo) for h0, h1 in holds],
            returned=returned,
            cut_reason=reason,
        )

    def _trim(self) -> None:
        """Drop buffered samples no future movement can need."""
        pre = int(self.config.pre_rest_s * self.fs_hz)
        end = self._base + len(self._buf)
        if self._pending is not None:
            keep_from = self._pending.start - pre
        elif self._moving:
            keep_from = self._move_start - pre
        else:
            keep_from = end - pre
        cut = keep_from - self._base
        if cut > 0:
            self._buf = self._buf[cut:]
            self._base += cut

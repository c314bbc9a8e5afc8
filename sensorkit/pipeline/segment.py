"""Stage 2: cut the stream into movements, each from leaving rest to being back at rest.

The stream alternates between still periods and *moves* (the motion between two still periods).
A move that comes back near where it started is a whole movement (a rep without a hold, a
fidget). A move that stops away from its start opens a *pending* movement: the still periods
that follow are holds, until a move brings the sensor back near the pending movement's rest
(by the integrated gyro, or by gravity, which a winding path cannot fool). A pending movement is
given up (did not return) when a hold outlasts ``max_hold_s``, it outlasts ``max_movement_s``
or it wanders through more than ``max_moves`` moves (standing up, walking);
the still period where that happens is the new rest. Nothing is decided before the data that
decides it has arrived, so the output does not depend on chunking.

Memory is bounded: the buffer keeps the pending and current moves plus ``pre_rest_s`` before.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.filters import norm3
from sensorkit.pipeline.jit import njit  # numba's njit with numpy's error model (see jit.py)
from sensorkit.pipeline.motion import MotionBlock


#: reason for a move cut short because it turned about another axis than the learned exercise one
CUT_OFF_AXIS = "stopped away from rest"
#: reason for a move against the exercise's direction that stops away from rest (ended at once)
CUT_AGAINST = "turned against the exercise's direction and stopped"
#: reason for the move that brings such a cut movement back to where it started
CUT_RETURN = "came back from a movement cut short"


@njit(cache=True)
def _excursion_stats(rot: np.ndarray, ref: np.ndarray) -> tuple[float, int, float]:
    """How far (deg) the rotation vectors ``rot`` (not empty) get from ``ref``: the largest
    distance (NaN if any is NaN, as ``np.max``), the first sample at it, and the last distance."""
    peak, at, d = -1.0, 0, 0.0
    for i in range(len(rot)):
        d0, d1, d2 = rot[i, 0] - ref[0], rot[i, 1] - ref[1], rot[i, 2] - ref[2]
        d = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
        if d > peak or (d != d and peak == peak):
            peak, at = d, i
    return peak, at, d


@dataclass
class MovementWindow:
    """A finished movement: ``block`` holds the rest before it, the movement and its end.

    Indices are into ``block``, which begins at the first rest sample kept: ``start`` (first moving
    sample), ``end`` (first still sample of the final rest, or the last sample for a movement cut
    short). ``holds``: (first, last) samples of the still period between the outward move and
    the return.
    """

    block: MotionBlock
    start: int
    end: int
    holds: list[tuple[int, int]] = field(default_factory=list)
    returned: bool = True
    cut_reason: str = ""


@dataclass
class _Pending:
    start: int  # global index of its first moving sample
    ref: np.ndarray  # rotation vector (deg) at rest before it
    gravity: np.ndarray  # low-passed accelerometer (m/s²) at rest before it
    peak_deg: float  # largest rotation away from ``ref``
    rest_start: int  # global index where the rest before it began
    holds: list[list[int]]  # [first, last] global indices of each still period so far
    turn_axis: np.ndarray | None = None  # unit axis of its first move's net rotation
    moves: int = 1  # moves of at least ``min_movement_deg`` so far


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
        self._move_gravity = np.zeros(3)
        self._pending: _Pending | None = None
        self._cut_origin: tuple | None = None  # (rotation, gravity, peak) where an off-axis cut began
        #: the learned exercise axis (sensor frame), set by the pipeline; None while unknown
        self.axis: np.ndarray | None = None
        #: called with each movement the moment it ends, before the stream goes on
        self.on_window: Callable[[MovementWindow], None] | None = None
        self._cos_axis = float(np.cos(np.radians(config.max_axis_offset_deg)))
        self._limits: dict[tuple[int, float], int] = {}  # _index_after's answers (global indices)

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
        return t_now - float(self._buf.t[self._pending.holds[-1][0] - self._base])

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
            stop = end
            if not self._moving:  # the last still period is where it stopped, not a hold
                stop = self._pending.holds.pop()[0]
            self._done(out, self._window(self._pending.rest_start, self._pending.start, stop,
                                    self._closed_holds(), False, "recording ended"))
            self._pending = None
        elif self._moving and not self._skip_until_still and \
                self._excursion(self._move_start, end + 1, self._move_ref)[0] >= self.tiny_deg:
            self._done(out, self._window(self._move_rest_start, self._move_start, end, [], False,
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
                hold = self._pending.holds[-1]
                hold[1] = b - 1
                limit = self._index_after(hold[0], self.config.max_hold_s)
                if b > limit:  # held away from rest too long: a new rest, not a hold
                    self._pending.holds.pop()
                    self._done(out, self._window(self._pending.rest_start, self._pending.start, hold[0],
                                            self._closed_holds(), False, "did not return"))
                    self._pending = None
                    self._rest_start = hold[0]
            return
        if starts_run and not self._skip_until_still:
            self._moving = True
            self._move_start = a
            self._move_rest_start = self._rest_start
            self._move_ref = self._rot(a - 1)
            self._move_gravity = self._buf.acc_lp[max(a - 1, self._base) - self._base].copy()
        if self._moving:
            first = self._pending.start if self._pending else self._move_start
            limit = self._index_after(first, self.config.max_movement_s)
            if b > limit:
                start, rest = (self._pending.start, self._pending.rest_start) if self._pending \
                    else (self._move_start, self._move_rest_start)
                self._done(out, self._window(rest, start, limit, self._closed_holds(), False, "too long"))
                self._pending = None
                self._moving = False
                self._skip_until_still = True

    def _end_move(self, a: int, out: list[MovementWindow]) -> None:
        """A move ended at still sample ``a``: decide what it was (see module doc)."""
        p = self._pending
        # the move's own excursion from where it started (computed once: every branch needs it)
        own_peak, own_at, own_last = self._excursion(self._move_start, a + 1, self._move_ref)
        if p is not None and self._turned_elsewhere(p, own_at):
            # a move about another axis than the pending one: the still period before it was a rest
            last = p.holds.pop()
            self._done(out, self._window(p.rest_start, p.start, last[0], self._closed_holds(), False,
                                    CUT_OFF_AXIS))
            self._pending = p = None
        if p is not None:
            total_peak, _, total_last = self._excursion(self._move_start, a + 1, p.ref)
            p.peak_deg = max(p.peak_deg, total_peak)
            back = self._back_at(a, total_last, p.gravity, p.peak_deg)
            k = self._returned_to_pause(a, p, total_last, include_last=back)
            if k is not None:  # out from where it once paused and back there: that pause was a new rest
                holds = self._closed_holds()
                h0, h1 = holds[k]
                self._done(out, self._window(p.rest_start, p.start, h0, holds[:k], False, "did not return"))
                self._done(out, self._window(h0, h1 + 1, a, holds[k + 1:], True))
                self._pending = None
                return
            if back:
                self._done(out, self._window(p.rest_start, p.start, a, self._closed_holds(), True))
                self._pending = None
                return
            if own_peak < self.tiny_deg:
                return  # tremor within the hold: the hold goes on
            p.moves += 1
            if p.moves > self.config.max_moves:  # wandering (standing, walking): this is a new rest
                self._done(out, self._window(p.rest_start, p.start, a, self._closed_holds(), False,
                                        f"did not return after {p.moves} moves"))
                self._pending = None
                return
            p.holds.append([a, a])
            return
        if own_peak < self.tiny_deg:
            return  # not a movement
        if self._back_at(a, own_last, self._move_gravity, own_peak):
            self._done(out, self._window(self._move_rest_start, self._move_start, a, [], True))
            self._cut_origin = None
            return
        origin, self._cut_origin = self._cut_origin, None
        if origin is not None and self._back_at(a, norm3(self._rot(a) - origin[0]),
                                                origin[1], origin[2]):
            self._done(out, self._window(self._move_rest_start, self._move_start, a, [], False, CUT_RETURN))
            return
        if self._off_axis(a):  # not the outward half of a rep: do not wait for a return
            self._done(out, self._window(self._move_rest_start, self._move_start, a, [], False,
                                         CUT_OFF_AXIS))
            self._cut_origin = (self._move_ref, self._move_gravity, own_peak)
            return
        if self._against_axis(a):
            # turned against the exercise's direction and stopped: a return from a hold taken for
            # a rest (a recording starting mid-hold, a hold misjudged), never the outward half of
            # a rep; ending it here keeps the next outward move from pairing with it
            self._done(out, self._window(self._move_rest_start, self._move_start, a, [], False, CUT_AGAINST))
            return
        turn = self._rot(a) - self._move_ref
        self._pending = _Pending(self._move_start, self._move_ref, self._move_gravity, own_peak,
                                 self._move_rest_start, [[a, a]], turn / norm3(turn))

    def _returned_to_pause(self, a: int, p: _Pending, away_deg: float, include_last: bool) -> int | None:
        """Index of a still period of ``p`` that the stream went out from and came back to by
        still sample ``a`` (nearer to it than to ``p``'s rest), or None.

        Sitting back down after standing ends away from where standing began; a rep that follows
        then comes back to that pause, not to the pending rest. Going out from the pause must be a
        movement in its own right: at least ``min_rom_deg`` and ``return_fraction`` of how far
        ``p`` had gone before the pause (tremor or a wobble in a hold is not). Unless ``a`` is
        also back near ``p``'s rest (``include_last``), it needs a still moment at its top (the
        pause is not ``p``'s last still period): one continuous out-and-back from a pause, far
        from where ``p`` began, is more often part of the wandering (walking) than a rep.
        """
        cfg = self.config
        here = self._rot(a)
        for k, (h0, h1) in enumerate(p.holds if include_last else p.holds[:-1]):
            pause = self._rot(h1)
            d = norm3(here - pause)
            if d >= 0.5 * away_deg:
                continue
            out_peak = self._excursion(h1, a + 1, pause)[0]
            before = self._excursion(p.start, h0 + 1, p.ref)[0]
            if out_peak >= max(cfg.min_rom_deg, cfg.return_fraction * before) and d < cfg.return_fraction * out_peak:
                return k
        return None

    def _back_at(self, a: int, rot_away_deg: float, gravity: np.ndarray, peak_deg: float) -> bool:
        """Is still sample ``a`` back at the rest (rotation or gravity within the return fraction)?"""
        limit = self.config.return_fraction * peak_deg
        if rot_away_deg < limit:
            return True
        g = self._buf.acc_lp[a - self._base]
        cos = float(g @ gravity) / max(1e-9, norm3(g) * norm3(gravity))
        if cos > 1.0 or cos < -1.0:  # np.clip without its overhead (NaN stays NaN)
            cos = 1.0 if cos > 1.0 else -1.0
        return math.degrees(math.acos(cos)) < limit

    def _turned_elsewhere(self, p: _Pending, peak_at: int) -> bool:
        """Did the move just ended turn about another axis than pending ``p``'s first move?

        The move's axis is that of its largest rotation away from where it started (at sample
        ``peak_at`` of the move).
        """
        turn = self._rot(self._move_start + peak_at) - self._move_ref
        return norm3(turn) >= self.tiny_deg and self._apart(turn, p.turn_axis)

    def _against_axis(self, a: int) -> bool:
        """Did the move that ended at ``a`` turn about the learned axis, but the other way?"""
        if self.axis is None:
            return False
        turn = self._rot(a) - self._move_ref
        norm = norm3(turn)
        return norm > 0 and float(turn @ self.axis) / norm < -self._cos_axis

    def _off_axis(self, a: int) -> bool:
        """Did the move that ended at ``a`` turn about another axis than the learned exercise one?"""
        return self._apart(self._rot(a) - self._move_ref, self.axis)

    def _apart(self, turn: np.ndarray, axis: np.ndarray | None) -> bool:
        """Is rotation ``turn`` about a line more than ``max_axis_offset_deg`` from ``axis``?"""
        norm = norm3(turn)
        return axis is not None and norm > 0 and abs(float(turn @ axis)) / norm < self._cos_axis

    def _done(self, out: list[MovementWindow], window: MovementWindow) -> None:
        """A movement ended: hand it over at once (``on_window`` may update :attr:`axis`)."""
        out.append(window)
        if self.on_window is not None:
            self.on_window(window)

    def _closed_holds(self) -> list[tuple[int, int]]:
        return [(h0, h1) for h0, h1 in self._pending.holds] if self._pending else []

    # -- helpers ---------------------------------------------------------------------------
    def _index_after(self, i: int, seconds: float) -> int:
        """Global index of the first buffered sample more than ``seconds`` after sample ``i``
        (past the buffer's end when there is none yet): limits are in time, not samples, so a
        gap in the data cannot stretch them."""
        known = self._limits.get((i, seconds))
        if known is not None:
            return known
        t = self._buf.t
        j = int(np.searchsorted(t, t[i - self._base] + seconds, side="right"))
        if j == len(t):  # not in the buffer yet: ask again when more has come
            return self._base + len(t) + 1
        if len(self._limits) > 64:
            self._limits.clear()
        self._limits[(i, seconds)] = self._base + j
        return self._base + j
    def _rot(self, i: int) -> np.ndarray:
        return self._buf.rot_deg[max(i, self._base) - self._base].copy()

    def _excursion(self, a: int, b: int, ref: np.ndarray) -> tuple[float, int, float]:
        """(largest distance, its sample from ``a``, last distance), deg, of samples [a, b) from ``ref``."""
        return _excursion_stats(self._buf.rot_deg[a - self._base:b - self._base], ref)

    def _window(self, rest_start: int, start: int, end: int, holds, returned: bool,
                reason: str = "") -> MovementWindow:
        pre = int(self.config.pre_rest_s * self.fs_hz)
        lo = max(self._base, start - pre, min(rest_start, start - 1))
        return MovementWindow(
            block=self._buf[lo - self._base:end + 1 - self._base],
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

"""Stage 2: cut the stream into movements, each from leaving rest to being back at rest.

A movement opens when the sensor stops being still after a rest. Inside it, each still period is
either a hold (far from the pre-movement rest orientation) or the end (closer to that rest than
``return_fraction`` of the movement's peak excursion). The decision at every sample uses only
samples up to it, so the output does not depend on chunking. Memory is bounded: the buffer keeps
the open movement plus ``pre_rest_s`` of the rest before it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.motion import MotionBlock


@dataclass
class MovementWindow:
    """A finished movement: ``block`` holds the pre-movement rest, the movement and its end.

    Indices are into ``block``: ``rest_start`` (first rest sample kept), ``start`` (first moving
    sample), ``end`` (first still sample of the final rest, or the last sample for a movement cut
    short). ``holds``: (first, last) still samples of each still period inside the movement.
    """

    block: MotionBlock
    rest_start: int
    start: int
    end: int
    holds: list[tuple[int, int]] = field(default_factory=list)
    returned: bool = True
    cut_reason: str = ""


class Segmenter:
    """Finds movements in a stream of :class:`MotionBlock` (see module doc)."""

    REST, MOVING, UNSETTLED = "rest", "moving", "unsettled"

    def __init__(self, config: PipelineConfig, fs_hz: float) -> None:
        self.config = config
        self.fs_hz = fs_hz
        self._buf: MotionBlock | None = None
        self._base = 0  # global index of self._buf[0]
        self._n = 0  # global index of the next sample to process
        self.state = self.UNSETTLED
        self._prev_still = False
        self._run_start = 0  # global index where the current still run began
        self._move_start = 0
        self._rest_run_start = 0
        self._rest_ref = np.zeros(3)
        self._peak_excursion_deg = 0.0
        self._holds: list[tuple[int, int]] = []

    # -- public ---------------------------------------------------------------------------
    @property
    def buffer_len(self) -> int:
        return 0 if self._buf is None else len(self._buf)

    @property
    def has_held(self) -> bool:
        """True once the open movement has had a hold (so it is on its way back)."""
        return bool(self._holds)

    def current_hold_s(self, t_now: float) -> float:
        """Seconds since the current hold began (0 when not in a hold)."""
        if self.state != self.MOVING or not self._holds or not self._prev_still:
            return 0.0
        return t_now - float(self._buf.t[self._holds[-1][0] - self._base])

    def excursion_deg(self, rot_deg: np.ndarray) -> np.ndarray:
        """Rotation (deg) of ``rot_deg`` samples away from the current rest orientation."""
        return rot_deg - self._rest_ref

    def update(self, block: MotionBlock) -> list[MovementWindow]:
        """Process a block; returns the movements that ended in it."""
        if len(block) == 0:
            return []
        self._buf = block if self._buf is None else MotionBlock.concat([self._buf, block])
        out: list[MovementWindow] = []
        still = self._buf.still
        first = self._n
        last = self._base + len(self._buf)
        # sample indices (global) where the still flag changes, within the new samples
        local = still[first - self._base:last - self._base].astype(np.int8)
        prev = np.int8(self._prev_still)
        changes = np.flatnonzero(np.diff(np.concatenate([[prev], local]))) + first
        bounds = [first, *changes.tolist(), last]
        for seg_start, seg_end in zip(bounds[:-1], bounds[1:]):
            if seg_start == seg_end:
                continue
            is_still = bool(still[seg_start - self._base])
            if is_still and not self._prev_still:
                self._run_start = seg_start
            self._process_run(seg_start, seg_end, is_still, out)
            self._prev_still = is_still
        self._n = last
        self._trim()
        return out

    def finish(self) -> list[MovementWindow]:
        """End of stream: an open movement is closed as cut short."""
        if self.state != self.MOVING or self._buf is None:
            return []
        end = self._base + len(self._buf) - 1
        return [self._close(end, returned=False, reason="recording ended")]

    # -- state machine ---------------------------------------------------------------------
    def _process_run(self, a: int, b: int, is_still: bool, out: list[MovementWindow]) -> None:
        """Handle samples [a, b) which all share the same still flag."""
        cfg = self.config
        if self.state == self.UNSETTLED:
            if is_still:
                self.state = self.REST
            return
        if self.state == self.REST:
            if not is_still:
                self._open(a)
                self._process_run(a, b, is_still, out)
            return
        # MOVING
        too_long_at = self._move_start + int(cfg.max_movement_s * self.fs_hz)
        if a >= too_long_at:
            out.append(self._close(a, returned=False, reason="too long"))
            self.state = self.UNSETTLED
            return
        if not is_still:
            exc = self._excursion(a, b)
            self._peak_excursion_deg = max(self._peak_excursion_deg, float(exc.max()))
            if b > too_long_at:
                out.append(self._close(too_long_at, returned=False, reason="too long"))
                self.state = self.UNSETTLED
            return
        if a == self._run_start:  # a still period begins: hold or back at rest?
            exc = float(self._excursion(a, a + 1)[0])
            self._peak_excursion_deg = max(self._peak_excursion_deg, exc)
            if exc < cfg.return_fraction * self._peak_excursion_deg:
                out.append(self._close(a, returned=True))
                self.state = self.REST
                return
            self._holds.append((a, a))
        hold_start = self._holds[-1][0]
        self._holds[-1] = (hold_start, b - 1)
        limit = hold_start + int(cfg.max_hold_s * self.fs_hz)
        if b > limit:  # held away from rest too long: this is a new rest, not a hold
            self._holds.pop()
            out.append(self._close(limit, returned=False, reason="did not return"))
            self.state = self.REST
            self._run_start = hold_start

    def _excursion(self, a: int, b: int) -> np.ndarray:
        rot = self._buf.rot_deg[a - self._base:b - self._base]
        return np.linalg.norm(rot - self._rest_ref, axis=1)

    def _open(self, start: int) -> None:
        self.state = self.MOVING
        self._move_start = start
        self._rest_run_start = self._run_start
        self._rest_ref = self._buf.rot_deg[start - 1 - self._base].copy() if start > self._base \
            else self._buf.rot_deg[0].copy()
        self._peak_excursion_deg = 0.0
        self._holds = []

    def _close(self, end: int, returned: bool, reason: str = "") -> MovementWindow:
        pre = int(self.config.pre_rest_s * self.fs_hz)
        rest_start = max(self._base, self._move_start - pre, self._rest_run_start)
        lo = rest_start - self._base
        window = MovementWindow(
            block=self._buf[lo:end + 1 - self._base],
            rest_start=0,
            start=self._move_start - rest_start,
            end=end - rest_start,
            holds=[(h0 - rest_start, h1 - rest_start) for h0, h1 in self._holds],
            returned=returned,
            cut_reason=reason,
        )
        self._holds = []
        return window

    def _trim(self) -> None:
        """Drop buffered samples no future movement can need."""
        pre = int(self.config.pre_rest_s * self.fs_hz)
        end = self._base + len(self._buf)
        if self.state == self.MOVING:
            keep_from = self._move_start - pre
        else:
            keep_from = end - pre
        cut = keep_from - self._base
        if cut > 0:
            self._buf = self._buf[cut:]
            self._base += cut

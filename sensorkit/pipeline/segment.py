"""Stage 3: movements, by hysteresis on the exercise angle above the rest pose.

The angle (Stage 2) is absolute, so a rest is simply where the angle sits low and the leg is still:
the rest angle is the angle at the most recent still sample outside a movement (it follows a rest
pose that drifts between sets and the second stage of a two-stage return). A movement:

- starts when the angle rises ``start_deg`` above the rest angle; its start is the last sample
  before that within ``onset_deg`` of rest;
- has returned when the angle falls below ``return_fraction`` of its peak above rest (at least
  ``end_floor_deg``): a wobbly or sagging hold never comes that low, a return that stops ≈ 15°
  above rest does;
- ends at the first sample after that where the leg is quiet (turning slower than 5 deg/s), or
  still within ``onset_deg`` of rest, or at the bottom of the swing (the angle rising again:
  continuous reps with no rest between them);
- has settled into a new rest when it stays still for ``settle_s`` without having gone
  ``min_rom_deg`` above rest (a rest pose shifted after continuous reps, with no still moment
  between them to take it from): it ends there, too small to count;
- is ended and rejected after ``max_movement_s`` away from rest.

Decisions use only samples up to the one decided on: the same for any chunking.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.geometry import Geometry

REST, MOVE, TAIL = "rest", "move", "tail"
#: the bottom of a swing: the angle has risen this far (deg) above its lowest since the return
RISE_DEG = 2.0


@dataclass(frozen=True)
class Movement:
    """Absolute sample indices of a movement and the vertical at the rest before it."""

    start: int
    end: int
    rest_up: np.ndarray
    returned: bool
    decided: int  # the sample at which the end was seen (≥ end)
    previous_end: int = -1  # the end of the movement before (its rest lies after it)


class Segmenter:
    """Hysteresis state machine over the angle; see the module doc."""

    def __init__(self, config: PipelineConfig, fs_hz: float) -> None:
        self.cfg = config
        self.max_len = int(config.max_movement_s * fs_hz)
        self.state = REST
        self.rest_up: np.ndarray | None = None  # vertical at the latest still rest sample
        self.start = -1
        self.peak_up: np.ndarray | None = None
        self.peak_index = -1
        self.tail_min = np.inf
        self.tail_min_index = -1
        self.last_end = -1  # a movement starts after the previous one ended
        self.pre = max(1, int(round(config.pre_rest_s * fs_hz)))
        self.settle = max(1, int(round(config.settle_s * fs_hz)))

    def rest_angle(self, geometry: Geometry) -> float:
        if self.rest_up is None:
            return 0.0
        return float(geometry.angle_deg(self.rest_up[None, :])[0])

    def scan(self, first: int, theta: np.ndarray, still: np.ndarray, still_run: np.ndarray, quiet: np.ndarray,
             up: np.ndarray, history_theta, geometry: Geometry) -> Movement | None:
        """Scan samples from absolute index ``first`` with their angle, stillness, still-run length
        and vertical, up to the first movement that ends (returned; the caller goes on after its
        end) or the last sample; ``history_theta(i0, i1)`` gives the angle of earlier samples."""
        cfg = self.cfg
        j, n = 0, len(theta)
        while j < n:
            if self.state == REST:
                still_pos = np.flatnonzero(still[j:]) + j
                # rest angle at each sample: the angle at the latest still sample up to it
                last_still = np.full(n - j, -1)
                last_still[still_pos - j] = still_pos
                last_still = np.maximum.accumulate(last_still)
                base = np.where(last_still >= 0, theta[np.maximum(last_still, 0)], self.rest_angle(geometry))
                over = np.flatnonzero(theta[j:] - base > cfg.start_deg)
                if len(over) == 0:
                    if len(still_pos):
                        self.rest_up = up[still_pos[-1]].copy()
                    break
                k = j + int(over[0])
                if last_still[k - j] >= 0:
                    self.rest_up = up[last_still[k - j]].copy()
                elif self.rest_up is None:
                    self.rest_up = geometry.shank_up.copy()
                b = self.rest_angle(geometry)
                self.start = self._onset(first + k, theta[:k + 1], first, b, history_theta)
                self.state = MOVE
                self.peak_index, self.peak_up = first + k, up[k].copy()
                j = k
            if self.state == MOVE:
                b = self.rest_angle(geometry)
                peak0 = float(geometry.angle_deg(self.peak_up[None, :])[0])
                runmax = np.maximum.accumulate(np.maximum(theta[j:], peak0))
                threshold = b + np.maximum(cfg.end_floor_deg, cfg.return_fraction * (runmax - b))
                below = np.flatnonzero(theta[j:] < threshold)
                # settled: still for settle samples in a row while never min_rom_deg above rest
                run = still_run[j:]
                settled = np.flatnonzero((run >= self.settle) & (runmax - b < cfg.min_rom_deg))
                if len(settled) and (not len(below) or settled[0] < below[0]):
                    return self._end(first + j + int(settled[0]), returned=False)
                limit = self.start + self.max_len - first  # local index at which it is too long
                k = j + int(below[0]) if len(below) else n
                arg = int(np.argmax(theta[j:k])) if k > j else -1
                if arg >= 0 and theta[j + arg] > peak0:
                    self.peak_index, self.peak_up = first + j + arg, up[j + arg].copy()
                if limit < min(k, n):
                    return self._end(first + max(limit, j), returned=False)
                if not len(below):
                    break
                self.state = TAIL
                self.tail_min, self.tail_min_index = float(theta[k]), first + k
                j = k
            if self.state == TAIL:
                limit = self.start + self.max_len - first
                b = self.rest_angle(geometry)
                seg = theta[j:]
                runmin = np.minimum.accumulate(np.minimum(seg, self.tail_min))
                near = seg - b <= cfg.onset_deg
                rising = seg > runmin + RISE_DEG
                hit = np.flatnonzero(quiet[j:] | (near & still[j:]) | rising)
                if limit < (j + int(hit[0]) if len(hit) else n):  # never back at rest: cut
                    return self._end(first + max(limit, j), returned=False)
                if len(hit) == 0:
                    m = int(np.argmin(seg))
                    if seg[m] <= self.tail_min:
                        self.tail_min, self.tail_min_index = float(seg[m]), first + j + m
                    break
                k = j + int(hit[0])
                end = first + k
                if rising[k - j] and not (quiet[k] or (near[k - j] and still[k])):
                    # the bottom of the swing: the lowest sample since the return
                    m = int(np.argmin(seg[:k - j])) if k > j else -1
                    end = first + j + m if m >= 0 and seg[m] <= self.tail_min else self.tail_min_index
                return self._end(end, returned=True, decided=first + k)
        return None

    def _onset(self, k_abs: int, theta_so_far: np.ndarray, first: int, base: float, history_theta) -> int:
        """The last sample before ``k_abs`` within ``onset_deg`` of rest, looking back at most
        ``pre_rest_s`` and never before the previous movement's end (else the earliest of those)."""
        lo = max(0, k_abs - self.pre, self.last_end + 1)
        if lo >= k_abs:
            return k_abs
        local_lo = max(lo, first)
        near = np.flatnonzero(theta_so_far[local_lo - first:k_abs - first] - base <= self.cfg.onset_deg)
        if len(near):
            return local_lo + int(near[-1])
        if lo < first:
            near = np.flatnonzero(history_theta(lo, first) - base <= self.cfg.onset_deg)
            if len(near):
                return lo + int(near[-1])
        return lo

    def _end(self, end: int, returned: bool, decided: int | None = None) -> Movement:
        movement = Movement(self.start, end, self.rest_up.copy(), returned, end if decided is None else decided,
                            self.last_end)
        self.last_end = end
        self.state = REST
        self.start, self.peak_up, self.peak_index = -1, None, -1
        self.tail_min, self.tail_min_index = np.inf, -1
        return movement


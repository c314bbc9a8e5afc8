"""Stage 2: movements, by hysteresis on the angle of the measured vertical from the rest pose.

The vertical comes from the orientation filter (gravity anchors it: it cannot drift), and the
rest pose is the vertical at the most recent quiet sample outside a movement (it follows a rest
pose that drifts between sets and the second stage of a two-stage return), or where a movement
settled or found a new rest (below). The angle is the
whole turn from that pose, about any axis, so no axis has to be known or guessed before a rep
can be seen; which axis and which way are the classifier's business. A movement:

- starts when the angle from rest exceeds ``start_deg``; its start is the last sample before that
  within ``onset_deg`` of rest; when the leg was creeping out while quiet up to then (a slow way
  out starts under the quiet speed), the rest pose is where it last held a pose within that quiet
  spell (turned under half ``onset_deg`` in half ``settle_s``), no more than half ``settle_s``
  back: taken along, the creep lifted the rest under a small rep (2° of a 9° one) until its
  sagging hold read as back at rest;
- has returned when the angle falls below ``return_fraction`` of its peak (at least
  ``end_floor_deg``): a wobbly or sagging hold never comes that low, a return that stops ≈ 15°
  above rest does;
- ends at the first sample after that where the leg is quiet (turning slower than 5 deg/s), or
  at the bottom of the swing (the angle rising again) unless it swung through the rest pose:
  then a swing past rest that comes back belongs to the rep (it ends where the leg is quiet
  near rest or behind it, or at the bottom when it swings out again), and one that grows past
  0.6 of the rep's peak (behind the rest pose, after a rep out the way the last counted rep went:
  past the rep's peak; a smaller backswing is the rep's), or is quiet on the rep's side further
  from rest than the rep counted as returned (the next rep pausing on its way out), is the next
  rep (continuous reps with no rest
  between them: the rep ends at the bottom). After a rep that ended at a swing's bottom the rest
  pose stays until the leg has rested ``rest_min_s``: a quiet moment there is a turn or a pause,
  and taken for the rest, every later rep would be read from it;
- has settled into a new rest when it stays still for ``settle_s`` without having gone
  ``min_rom_deg`` from rest (a rest pose shifted after continuous reps, with no still moment
  between them to take it from: too small to count; out past the rest the last counted rep
  started from, only once it holds a pose, as below: a slow rep's way out is still by its speed),
  or back under half its peak and no longer
  turning (under ``onset_deg`` in that time and under half that in its last half, by the filter's
  vertical or the rate summed: a rep's slow return is still by its speed, and one that sets off
  slowly turns little in a second) (the leg came back to a rest pose a few degrees from the one
  it left); in the first case the pose it settled at is the rest; so too when it stays still
  ``rest_still_s`` within the movement (three times the longest real hold) at under half the last counted rep's peak
  from the rest pose, not turning: the rest pose shifted further than ``min_rom_deg`` between
  sets, and the movement ends there, unreturned (a rep held that low that long is cut there).
  A small settle from a rest (the leg rested ``rest_min_s`` before it), away from the rest the last
  counted rep started from, may yet be a pause on the way out of the next rep, a hesitant start:
  it is, when the next movement goes out from there with no quiet spell of ``new_rest_min_s``
  first, on with its turn (within 60°), and comes back to the rest it left (``start_deg`` or more
  beyond the pose, within ``end_floor_deg`` of the old rest or half the way to it). The two are
  then one movement from the old rest, and the small one no movement of its own (its row waits for
  the next movement; :meth:`Segmenter._took_back`);
- has come back to a rest the pose shifted to when it left a quiet spell of ``new_rest_min_s`` on
  its way out, on with the turn from the rest pose, before the peak (the spell under half the peak
  from the rest pose, the peak ``min_rom_deg`` or more beyond it), came back near the spell (within
  ``end_floor_deg``, or half the spell's angle from the rest pose: a real return may stop short;
  the nearest spell so come back to), and there went out again as far as the next rep of a set
  would (half the rep's range beyond the spell, at least ``min_rom_deg``: a catch in a return lifts
  less) before going on toward the rest pose by ``start_deg``, whether it got there with no end
  (above the return threshold), ended quiet, or ended at the bottom of a swing; or, ended there,
  rested there ``new_rest_min_s`` (or was still there ``rest_still_s`` on) first; or was still
  there ``settle_s`` back under half the peak. The resting leg had shifted out (between sets,
  resting there less than ``rest_still_s``), and the next rep went out from there and came back
  there. The way to that rest is a movement of its own (from the start to where the spell began,
  unreturned: no rep), emitted first; the rep is from the vertical at the last quiet sample before
  the leg left the spell, from the last sample within ``onset_deg`` of it (else the two were one
  rep, its range theirs summed, timed from the shift's start). Going on toward the rest pose first,
  the movement was one rep paused on its way out, and its return stopped or caught there (a return
  in two stages): it ends where it came back to the spell, as any return ends. Should the data
  stop, or a gap come, while the leg is back at such a spell, it is taken to have stayed;
- has found a new rest when, after a quiet spell of ``new_rest_min_s`` inside it, the leg leaves
  the spell's pose by ``start_deg`` neither back toward the rest pose (a rep's hold ends in its
  return) nor on with the turn that brought it from the rest pose to the spell (a pause on the way
  out, a sagging hold lifted again, a push further out: the rep goes on), or, lying behind the
  rest pose (against the way the last counted rep went out, no movement foreign to the exercise
  having ended since: no rep holds there), either way but on with that turn: the rest pose it
  started from was a pause inside a distractor (sitting down), or the resting leg shifted back
  between sets, and the leg has since come to rest elsewhere. The movement ends there,
  unreturned, and the next one starts from the spell's pose; should the leg come back, quiet, to
  the rest pose so replaced before a movement returns to the new one, having gone no further from
  the new one than the old lies, that pose is the rest again
  (a hold shifted sideways: one rep lost, not the set);
- has come back to the rest the last rep left when it started from a rest pose taken, more than
  ``end_floor_deg`` from that rest, before the leg had rested ``rest_min_s`` since the rep (a quiet
  moment at the bottom of a backswing past rest), and the leg is quiet within ``end_floor_deg`` of
  that rest, having gone no further from the pose it started from than that rest lies: the movement
  ends there, unreturned (the way back from the backswing: no rep), and that rest is the rest pose
  again. So too, after reps begun each from a quiet moment at the bottom of the swing before it (a
  series without rests), back at the rest the series left (the last returned movement begun from a
  rest of ``rest_min_s``) once the leg has rested there ``rest_min_s``, not only been quiet: the
  movement ends where that rest began (read from the last swing's bottom, the way up, the rest and
  a shift of the resting leg after it were a partial rep "held" for the rest's length); if the leg rests on the way there (still for ``new_rest_min_s``, nearer to that rest than
  the pose the movement started from) and then leaves that pose by ``start_deg`` other than back
  toward the pose the movement started from (a rep's hold ends that way), it had come to rest
  there: the movement ends where that rest began, and the next one, from its pose, is under way.
  Either way the pose given up comes back should the leg be quiet there again. So too when the
  movement started from a rest pose the leg stopped at behind the rest the last counted rep
  started from (against the way that rep went out), quiet there less than ``new_rest_min_s`` (no
  rest of its own: a return that dropped past the rest, the foot under the chair, and stopped a
  moment): that rest is the one the movement comes back to;
- has come back from a small rep that went out in steps when it started from a rest pose at least
  ``min_rom_deg`` from the first the leg came to after the last movement (the pose it ended at,
  when it ended quiet: the leg may rise again at once, with no quiet sample after it), reached from
  there without a movement, out the way the last counted rep went (a resting leg drifting back is
  no way out) (each step under ``start_deg``, a quiet pause or the hold taking the
  rest pose along: a small rep right after a rep, or in a series, with no rest of ``rest_min_s``
  to anchor it; the accelerometer, read where the leg had been quiet a while at both poses, must
  agree it turned that far: the filter's vertical also moves while the leg rests, converging back
  after quick reps pulled it off), and the leg is quiet within ``end_floor_deg`` of that first
  pose, having gone no further from the pose it started from than that pose lies, within
  ``max_movement_s`` of leaving
  it: the way out and this way back are one movement, returned, from the last quiet sample at
  that pose (else the way back was read as a movement behind the rest pose, or missed);
- is back at the exercise's rest when, since the last counted rep, a movement foreign to the
  exercise ended (standing up, a step: the caller judges each movement, :meth:`Segmenter.judged`),
  the movement started from a rest pose more than ``end_floor_deg`` from the one the last counted
  rep started from, and the leg has rested ``rest_min_s`` within ``end_floor_deg`` of that pose:
  the movement ends where that rest began, returned (out and back there: measured and classified
  as any movement) if it went at least ``min_rom_deg`` further from the pose it started from than
  that pose lies, else unreturned (the way back: no rep; sitting down may overshoot the seat).
  Sitting down again after standing up ends there, so the reps after it are read from the seated
  rest (the leg rests there less than ``new_rest_min_s`` before them, and the first may go on the
  way sitting down turned the leg: they were read as one movement from a still moment while
  standing). A shift of the resting leg by its own turn (a
  fidget) arms nothing: a rep held or paused at the old pose would be taken for the way back.
  The pose given up is the rest again should the leg be quiet there; a pose the leg comes back
  to, quiet, after a new rest replaced it is the exercise's rest from then on;
- begun after a gap in the data too long to fill (a reconnect) before the leg has been seen at
  rest, it ends where the leg has first rested ``rest_min_s``, unless it comes back under the
  return threshold first, and is no rep (``REST_UNSEEN``): its caller lets it vote for no axis,
  since read from a guessed rest its turn may look the other way round. After a gap no longer
  than ``max_movement_s`` the rest pose is the one the last counted rep started from (before any,
  the rest pose before the gap: gravity's direction in the sensor at the seated rest does not
  change while no data comes), and until the leg has rested within the caller's distance of it
  (half a full rep), for at most ``max_movement_s``, no quiet pose further away is a rest pose
  between movements (inside one, a new rest or a settle may still take one): the data
  often resumes in a rep's hold, a quiet pose that, taken for the rest, had every later rep read
  from its hold. The leg is seen at rest there once quiet near that pose, or back from a movement
  that returned. After a longer gap, the sample the data resumed at is the rest pose until one is
  quiet (the leg may be anywhere);
- begun with the data, the leg moving (not still at the first sample: the sensor connected
  mid-rep), it is no rep either (``BEGAN_MOVING``), and ends where the leg is first quiet, or
  comes back under the return threshold: the first sample is no rest, and a quiet pose will do
  for one, since the next rule judges it;
- begun from the pose the data began at (or resumed at after a gap longer than
  ``max_movement_s``), which may be a rep's hold, the first movement that goes ``min_rom_deg``
  from it judges that pose: where the leg first rests (``rest_min_s`` quiet) that far or, should
  it come back toward the pose first, at its farthest pose, the sensor hanging below the
  movement's axis (fitted from the movement itself) and lower there than at the pose by
  ``DROP_FRACTION`` of its distance from the axis, the pose was a hold: from a seated rest both
  exercises lift the sensor. The movement, the way down from
  the hold, ends there as no rep (``BEGAN_IN_HOLD``), and that pose is the rest. Taken for the
  rest, a hold the data began in had every later rep read from it (returns "swung the other
  way", the rests between reps read as holds);
- is ended and rejected after ``max_movement_s`` away from rest.

Decisions use only samples up to the one decided on: the same for any chunking.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sensorkit.pipeline.circle import MOVING_DPS, circle_terms, fit_radius
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.limits import QUIET_DPS, QUIET_DPS2
from sensorkit.pipeline.smallarray import cross, einsum, row_norms

REST, MOVE, TAIL, PAST, AT_SPELL = "rest", "move", "tail", "past", "at_spell"
#: why a movement is no rep, whatever it measures (``Movement.no_rep``)
CUT_BY_GAP = "cut short: the data stopped (a gap in the recording)"
#: the reason of a movement the end of the data cut (the recording stopped before the leg was back
#: at rest: a logger's crash, or a session stopped mid-rep), for the shape check's "did not return"
CUT_BY_END = "cut short: the data ended before it returned to rest (the recording stopped)"
WAY_BACK_FROM_SWING = "the way back to rest after a swing past it"
WAY_BACK_HOME = "the way back to where the last rep started"
REST_UNSEEN = "began before the leg was seen at rest after a gap in the data"
BEGAN_MOVING = "began before the leg was seen at rest (the data began with the leg moving)"
BEGAN_IN_HOLD = "the way down from where the data began (a hold: the leg rested lower after it)"
#: a swing past the rest pose that grows beyond this fraction of the rep's peak is the next rep (behind
#: the rest pose after a rep out the way the last counted rep went: beyond the whole peak)
PAST_FRACTION = 0.6
#: the bottom of a swing: the angle has risen this far (deg) above its lowest since the return
#: (more than the orientation filter moves by itself after a movement: 1-2 deg)
RISE_DEG = 4.0
#: the accelerometer's direction where the leg has turned slower than 5 deg/s for SETTLED_READ_S
#: is gravity's to within this (deg): ω²r and αr under 0.15 m/s² at r = 0.45 m
QUIET_GRAVITY_DEG = 0.5
#: a pose's accelerometer is read this long (s) before a quiet sample there, and only if the leg was
#: quiet all that while: the smoothed rate that tells quiet lags the leg's own (the 3-Hz
#: Butterworth's ~0.08 s), and a movement's onset accelerates the leg before its rate passes 5 deg/s
SETTLED_READ_S = 0.25
#: the sensor lies lower, by this fraction of its distance from the axis, where the first movement
#: from a rest pose the data began at (or resumed at after a long gap) first rests than at that pose:
#: the pose was a hold. From a seated rest both exercises lift the sensor (the shank turns away from
#: hanging down): every counted real rep rose from its rest to its top, by 0.06-1.01 of the radius
#: (147 reps, 5 subjects; 0.06: the first, 42° swing of a PHYTMO series from a rest about 16° behind
#: straight down). 0.1 is a turn of 26° from straight below the axis. The cost: a rest tucked back
#: more than about 22° (real rests: 15.5° behind to 19° in front) whose first rep ends nearer
#: straight down is taken for a hold (docs/accuracy.md, "Late starts")
DROP_FRACTION = 0.1
#: leaving a quiet spell about an axis within 60° of the turn from the rest pose to the spell goes
#: on with that turn (the rep itself, paused or held on the way), so it is no new rest
CONTINUED_COS = 0.5


@dataclass(frozen=True)
class Movement:
    """Absolute sample indices of a movement and the vertical at the rest before it."""

    start: int
    end: int
    rest_up: np.ndarray
    returned: bool
    decided: int  # the sample at which the end was seen (≥ end)
    previous_end: int = -1  # the end of the movement before (its rest lies after it)
    # why it is no rep whatever it measures, or "": the data stopped before it ended (CUT_BY_GAP), the
    # way back to the rest a rep left from a swing's bottom taken for rest (WAY_BACK_FROM_SWING), or
    # to the rest the last counted rep started from (WAY_BACK_HOME)
    no_rep: str = ""
    swing_end: bool = False  # it ended at the bottom of a swing, the leg swinging on (not at rest)
    # the way to a rest pose shifted inside it, before it went out from there (ended where that rest
    # began, unreturned: see the module doc), to be emitted before it; None when there was none
    shift: Movement | None = None
    # a small movement settled at a pose (unreturned, under min_rom_deg): a shifted rest pose, or a
    # pause on the way out of the rep after it, which then takes it back (``took_back``)
    settled: bool = False
    # it began with the settled movement before it, from that one's start and rest pose (the leg
    # paused on its way out, then came back past that pause toward the rest it left): that one is
    # no movement of its own
    took_back: bool = False


@dataclass(frozen=True)
class _Settled:
    """A small movement that settled at a pose, while the rep after it may take it back."""

    start: int
    end: int  # the sample at which it had been still settle_s
    previous_end: int
    rest_up: np.ndarray  # the rest pose it left


@dataclass(frozen=True)
class _Passed:
    """A quiet spell of ``new_rest_min_s`` inside a movement that the leg left on with the turn from
    the rest pose (absolute samples)."""

    left: int  # the first sample start_deg from the spell's pose, on with the turn
    up: np.ndarray  # the spell's vertical
    exc_deg: float  # its angle from the rest pose
    first: int  # the spell's first sample
    last: int  # ... and its last
    quiet_up: np.ndarray  # the vertical at the last quiet sample before the leg left it (the rep's rest)
    quiet_last: int  # ... and that sample


class Segmenter:
    """Hysteresis state machine over the angle; see the module doc."""

    def __init__(self, config: PipelineConfig, fs_hz: float, prescribed_hold_s: float | None = None) -> None:
        self.cfg = config
        self.fs_hz = fs_hz
        self.max_len = int(config.max_movement_s * fs_hz)
        self.state = REST
        self.rest_up: np.ndarray | None = None  # vertical at the latest quiet rest sample
        self.anchor_up: np.ndarray | None = None  # vertical at the latest rested sample since the last movement
        self.rest_quiet_at = -1  # the absolute sample rest_up was last taken from, quiet, in REST (-1: none)
        self.start = -1
        self.peak_deg = 0.0  # largest angle from rest so far in the movement
        self.peak_up: np.ndarray | None = None  # the vertical there
        self.peak_index = -1  # ... and its absolute sample
        self.tail_min = np.inf
        self.tail_near: float | None = None  # (the return threshold, when returned beside the rest pose)
        self.tail_min_index = -1
        self.last_end = -1  # a movement starts after the previous one ended
        # PAST: a swing through the rest pose (candidate end at its bottom, the swing's extremes)
        self.past_end, self.past_max, self.past_falling = -1, 0.0, False
        self.past_min, self.past_min_index = np.inf, -1
        self.pre = max(1, int(round(config.pre_rest_s * fs_hz)))
        self.settle = max(1, int(round(config.settle_s * fs_hz)))
        # still this long (samples) under half the last counted rep's peak: come to rest there
        long_s = max(config.rest_still_s, 1.5 * prescribed_hold_s) if prescribed_hold_s else config.rest_still_s
        self.rest_still = max(1, int(round(long_s * fs_hz)))
        self.rest_min = max(1, int(round(config.rest_min_s * fs_hz)))
        self.new_rest_min = max(1, int(round(config.new_rest_min_s * fs_hz)))
        # MOVE: the latest quiet spell of new_rest_min_s inside the movement (its last sample's
        # vertical and angle from the rest pose, its first sample's index)
        self.spell_up: np.ndarray | None = None
        self.spell_exc, self.spell_first, self.spell_last = 0.0, -1, -1
        # MOVE: the quiet spells of new_rest_min_s inside the movement that the leg left on with the
        # turn from the rest pose (a pause on the way out, or a rest the pose shifted to), in order
        self.passed: list[_Passed] = []
        # MOVE: the last quiet sample so far in the movement (absolute; -1: none) and its vertical
        self.quiet_last, self.quiet_up = -1, None
        # MOVE: for each passed spell (by its first sample), the lowest angle from rest so far while
        # back near it and that sample (see _out_again)
        self.spell_lows: dict[int, tuple[float, int]] = {}
        # AT_SPELL: a return that ended at such a spell, quiet, still or at a swing's bottom (its end,
        # the spell, the vertical there, whether a swing's, the pose the leg came back to quiet), until
        # the leg stays there or goes out again (a rest: split), or goes on toward the rest pose
        self.held_end: tuple[int, _Passed, np.ndarray, bool, np.ndarray | None] | None = None
        # the rest pose a new rest replaced, until a movement returns to the new one
        self.replaced_up: np.ndarray | None = None
        # the rest pose the last returned movement started from, until the leg has rested
        # rest_min_s since: a pose taken for rest before then (a quiet moment at the bottom of a
        # backswing) replaces it only until the leg is back there
        self.prior_rest_up: np.ndarray | None = None
        # the rest pose of the last returned movement begun from a rest (rest_min_s), kept over the
        # returned movements begun since without one (a series' reps, each from the bottom of the
        # swing before it), until the leg has rested: the rest the series left
        self.series_rest_up: np.ndarray | None = None
        # MOVE: that pose, when the movement started from one taken before the leg had rested, and
        # the angle between the two (deg)
        self.back_rest_up: np.ndarray | None = None
        self.back_rest_deg = 0.0
        # MOVE: the rest a series left, when the movement started from a pose taken before the leg had
        # rested since the series (more than end_floor_deg from it), and the angle between the two
        self.series_back_up: np.ndarray | None = None
        self.series_back_deg = 0.0
        # the rest pose the last counted rep started from (told by the caller: :meth:`judged`)
        self.home_up: np.ndarray | None = None
        self.home_deg = 0.0  # MOVE: the angle from the rest pose to it
        # ... and the way that rep went out (its farthest vertical less its rest's; None: no rep yet)
        self.home_out: np.ndarray | None = None
        self.home_peak_deg = 0.0  # ... and how far (deg; 0 before any)
        self.foreign_since = False  # a movement foreign to the exercise ended since the last counted rep
        # ... and a rest found part way there: its vertical, its angle from the rest pose, its first sample
        self.part_up: np.ndarray | None = None
        self.part_exc, self.part_first = 0.0, -1
        # the last movement ended at the bottom of a swing, not at rest: a quiet moment there (a
        # turn, the next rep's pause on its way out) is no rest pose until the leg has rested
        self.swing_end = False
        # after a gap in the data, until the leg is seen quiet: the rest pose is a guess (the sample
        # the data resumed at, maybe mid-swing), and so is any movement begun from it
        self.rest_unseen = False
        self.unseen_why = BEGAN_MOVING  # the no_rep of a movement begun so
        self.start_unseen = False  # MOVE: the movement began while the rest was unseen
        # the rest pose is one the data began at (or resumed at after a gap too long to keep the rest
        # before): maybe a hold, as the first movement from it tells (DROP_FRACTION)
        self.pose_unjudged = True
        self.judging = False  # MOVE: the movement began from such a pose
        # after a gap, until the leg is seen at rest: only a pose this near (deg) the exercise's
        # rest before the gap (resume_up, fixed until the next gap) can be the rest (None: any)
        self.resume_near_deg: float | None = None
        self.resume_up: np.ndarray | None = None
        #: ... before this absolute sample: where the leg first rested near it, at most max_movement_s
        #: after the gap (it may have come to rest elsewhere)
        self.resume_until = -1
        # REST: the rest pose the leg first came to after the last movement ended (where it ended,
        # quiet, if it did), and the last sample quiet within end_floor_deg of it (-1: none yet)
        self.out_up: np.ndarray | None = None
        self.out_last = -1
        # the accelerometer (m/s²) read SETTLED_READ_S before: the first quiet sample near the out
        # pose settled so, the rest pose's and the anchor's (None: unknown; see _settled_read)
        self.out_read: np.ndarray | None = None
        self.rest_read: np.ndarray | None = None
        self.anchor_read: np.ndarray | None = None
        self.settled_samples = max(0, int(round(SETTLED_READ_S * fs_hz)))  # SETTLED_READ_S in samples
        # how long (s) the smoothed rate lags the leg's own: the 2nd-order Butterworth's group
        # delay at low frequencies, sqrt(2) / (2 pi lowpass_hz) (0.075 s at 3 Hz)
        self.rate_lag_s = math.sqrt(2.0) / (2.0 * math.pi * config.lowpass_hz)
        # MOVE: that pose, when the movement started from a rest pose the leg came to from there
        # without a movement (min_rom_deg or more away); the angle between the two; that sample
        self.step_up: np.ndarray | None = None
        self.step_deg, self.step_from = 0.0, -1
        # the last movement, when it settled small, until the movement after it ends (see _took_back)
        self.settled: _Settled | None = None
        # REST: the longest quiet spell since the last movement ended (samples); MOVE and after: the
        # longest in the rest the movement started from
        self.rest_quiet = self.start_quiet = 0

    def scan(self, first: int, up: np.ndarray, still_run: np.ndarray, quiet: np.ndarray, quiet_run: np.ndarray,
             history_up, history_acc, history_motion) -> Movement | None:
        """Scan samples from absolute index ``first`` (their vertical, still-run length,
        quietness and quiet-run length, in samples) up to the first
        movement that ends (returned; the caller goes on after the sample that decided it) or the
        last sample; ``history_up(i0, i1)`` gives earlier verticals, ``history_acc(i0, i1)`` the
        accelerometer (m/s²) of samples up to the piece's last, ``history_motion(i0, i1)`` (n, 9)
        their smoothed rate (deg/s), its derivative (deg/s²) and linear acceleration (m/s²)."""
        settled = self.settled
        movement = self._scan(first, up, still_run, quiet, quiet_run, history_up, history_acc, history_motion)
        return self._after_settled(settled, movement, history_up)

    def needed_from(self, end: int) -> int:
        """The first absolute sample the movement after a small settled one may still need, the data
        having come up to ``end`` (exclusive; -1: none): the settled one's start, while a rep may
        yet take it back."""
        p = self.settled
        if p is None or (self.rest_quiet if self.state == REST else self.start_quiet) >= self.new_rest_min:
            return -1
        earliest = self.start if self.state != REST else end - self.pre  # (a movement's onset: up to pre_rest_s back)
        return p.start if earliest - p.end <= self.max_len else -1

    def _after_settled(self, settled: _Settled | None, movement: Movement | None, history_up) -> Movement | None:
        """``movement``, the one after a small settled one (``settled``; None: none), as :meth:`_took_back`
        says; the settled one is forgotten once the movement after it ended."""
        if movement is None or settled is None:
            return movement
        if self.settled is settled:
            self.settled = None
        return self._took_back(movement, settled, history_up)

    def _took_back(self, m: Movement, p: _Settled, history_up) -> Movement:
        """``m``, or the one it makes with the small settled movement ``p`` before it: the leg paused
        on its way out, not a shifted rest pose, when ``m`` went out from where ``p`` settled (no movement
        between them, never quiet there as long as ``new_rest_min_s``: longer than every real pause
        inside a movement, and than ``settle_s``, after which the leg settles) on with ``p``'s turn (within
        60°: CONTINUED_COS), returned, and came to an end back at the rest ``p`` left: ``start_deg``
        or more from the pose, and within ``end_floor_deg`` of that rest, or half the way from it to
        the pose (a return may stop short; one that ends past the old rest has come to rest
        elsewhere). One movement then, from ``p``'s start and rest pose (a hesitant start: the rep
        read from the pause was short by it and late). Only a movement begun after the leg had
        rested ``rest_min_s``, and gone away from the rest the last counted rep started from,
        settles so (see the settle rule and :meth:`_away_from_home`): the leg coming back up from a
        return that swung or dropped past the rest pose settles too, and the next rep's return,
        going as far, would take it back."""
        cfg = self.cfg
        if (not m.returned or m.no_rep or m.shift is not None or m.settled or m.previous_end != p.end
                or self.start_quiet >= self.new_rest_min or m.start - p.end > self.max_len):
            return m
        ups = history_up(m.start, m.end + 1)
        peak = ups[int(angle_between_deg(ups, m.rest_up).argmax())]
        shift, out = m.rest_up - p.rest_up, peak - m.rest_up
        if float(shift @ out) <= CONTINUED_COS * math.sqrt(float(shift @ shift) * float(out @ out)):
            return m
        from_pose, from_rest = (float(angle_between_deg(ups[-1:], pose)[0]) for pose in (m.rest_up, p.rest_up))
        shift_deg = float(angle_between_deg(m.rest_up[None, :], p.rest_up)[0])
        if from_pose < cfg.start_deg or from_rest > max(cfg.end_floor_deg, 0.5 * shift_deg):
            return m
        if self.prior_rest_up is m.rest_up:  # (a returned movement's: the rest it started from)
            self.prior_rest_up = p.rest_up
        return replace(m, start=p.start, rest_up=p.rest_up, previous_end=p.previous_end, took_back=True)

    def _away_from_home(self, left_up: np.ndarray, settled_up: np.ndarray) -> bool:
        """Whether a small movement from the pose ``left_up`` that settled at ``settled_up`` went away
        from the rest the last counted rep started from (no movement foreign to the exercise since;
        before any, yes): a hesitant start does; the leg coming back up after a return that
        dropped past that rest, and stopped there a moment, comes back toward it."""
        if self.home_up is None or self.foreign_since:
            return True
        to_home = angle_between_deg(np.stack([left_up, settled_up]), self.home_up)
        return bool(to_home[1] > max(self.cfg.end_floor_deg, to_home[0]))

    def _scan(self, first: int, up: np.ndarray, still_run: np.ndarray, quiet: np.ndarray, quiet_run: np.ndarray,
              history_up, history_acc, history_motion) -> Movement | None:
        cfg = self.cfg
        j, n = 0, len(up)
        rested = quiet_run >= self.rest_min
        if self._resuming(first):  # after a gap: no pose far from the rest before it is a rest ...
            index = np.arange(first, first + n)
            near = angle_between_deg(up, self.resume_up) <= self.resume_near_deg
            seen = (rested & near & (index < self.resume_until)).nonzero()[0]
            if len(seen):  # ... until the leg has rested near it (any pose from there on; where that
                self.resume_until = first + int(seen[0])  # is depends on the data alone)
            free = near | (index >= self.resume_until)
            quiet, rested = quiet & free, rested & free
        while j < n:
            if self.state == REST:
                # the rest pose at each sample: the vertical at the latest quiet sample up to it
                if self.rest_up is None:  # the very start: the first sample is the rest until one is quiet
                    self.rest_up, self.rest_read = up[0].copy(), None
                    self.rest_unseen = not still_run[0] > 0  # (the data began with the leg moving: a guess)
                poses = quiet[j:]
                began_moving = self.rest_unseen and self.unseen_why == BEGAN_MOVING
                if self.swing_end and not began_moving:  # from the first sample that ends a rest of rest_min_s on
                    poses = poses & (np.cumsum(rested[j:]) > 0)
                last_quiet, ref = latest_up(poses, j, up, self.rest_up)
                over = angle_between_deg(up[j:], ref) > cfg.start_deg
                if self.swing_end:  # (a quiet leg starts no movement: it may be coming to rest there)
                    over &= ~quiet[j:] | (last_quiet >= 0)
                # the anchor: the vertical at the latest sample of a rest of rest_min_s since the last
                # movement ended; an outward movement with pauses on the way (each quiet sample
                # taking the rest pose along) starts once it is start_deg from there
                last_rested, anchor = latest_up(rested[j:], j, up, self.anchor_up if self.anchor_up is not None else up[0])
                valid = (last_rested >= 0) | (self.anchor_up is not None)
                from_anchor = valid & (angle_between_deg(up[j:], anchor) > cfg.start_deg)
                hits = (over | from_anchor).nonzero()[0]
                if self.swing_end and last_quiet[-1 if len(hits) == 0 else hits[0]] >= 0:
                    self.swing_end = False
                k = j + int(hits[0]) if len(hits) else n
                self._track_out(first, j, up, quiet_run, history_acc, poses[:k - j])
                if quiet[j:k + 1].any():  # (the longest quiet spell since the last movement, however the
                    # samples came: every spell's run, not the last)
                    self.rest_quiet = max(self.rest_quiet, int(quiet_run[j:k + 1].max()))
                if self.prior_rest_up is not None and rested[j:k + 1].any():
                    self.prior_rest_up = None  # a rest longer than a pause: a rest pose of its own
                if self.series_rest_up is not None and rested[j:k + 1].any():
                    self.series_rest_up = None
                if last_rested[-1 if len(hits) == 0 else hits[0]] >= 0:
                    self.rest_unseen = False  # (a rest of rest_min_s: a swing's turnaround is quiet for less)
                elif began_moving and last_quiet[-1 if len(hits) == 0 else hits[0]] >= 0:
                    self.rest_unseen = False  # (at the data's start, a quiet pose will do: see MOVE)
                elif self._resuming(first + j):  # quiet near the rest before the gap, before the window's end
                    upto = n - j if len(hits) == 0 else int(hits[0]) + 1
                    if poses[:min(upto, self.resume_until - first - j)].any():
                        self.rest_unseen = False  # (seen at rest)
                if len(hits) == 0:
                    if last_quiet[-1] >= 0:
                        at = int(last_quiet[-1])
                        self.rest_up, self.rest_read = up[at].copy(), self._settled_read(first, at, quiet_run, history_acc)
                        self.rest_quiet_at = first + at  # (a movement starting in a later piece walks back from it)
                    if last_rested[-1] >= 0:
                        at = int(last_rested[-1])
                        self.anchor_up, self.anchor_read = up[at].copy(), self._settled_read(first, at, quiet_run, history_acc)
                    break
                if last_quiet[k - j] >= 0:
                    at = int(last_quiet[k - j])
                    self.rest_up, self.rest_read = up[at].copy(), self._settled_read(first, at, quiet_run, history_acc)
                    self.rest_quiet_at = first + at
                if self.rest_quiet_at >= 0 and (held := self._before_creep(first + k, self.rest_quiet_at, history_up,
                                                                          history_motion)) != self.rest_quiet_at:
                    # (the leg crept out from there, quiet: the rest pose is where it held)
                    self.rest_up, self.rest_read = history_up(held, held + 1)[0].copy(), None
                self.rest_quiet_at = -1
                if from_anchor[k - j] and not over[k - j]:  # it left the anchor, by steps: measured from there
                    at = int(last_rested[k - j])
                    self.rest_up = anchor[k - j].copy()
                    self.rest_read = self._settled_read(first, at, quiet_run, history_acc) if at >= 0 else self.anchor_read
                if (self.prior_rest_up is not None
                        and (gap := float(angle_between_deg(self.rest_up[None, :], self.prior_rest_up)[0])) > cfg.end_floor_deg):
                    # the rest pose moved away from where the last rep started without a rest there:
                    # should the leg go back to that pose, no further, and be quiet there, it is the rest again
                    self.back_rest_up, self.back_rest_deg = self.prior_rest_up, gap
                elif (self.home_out is not None and not self.foreign_since and self.rest_quiet < self.new_rest_min
                      and float((self.rest_up - self.home_up) @ self.home_out) < 0.0
                      and (gap := float(angle_between_deg(self.rest_up[None, :], self.home_up)[0])) > cfg.end_floor_deg):
                    # ... or stopped behind the rest the last counted rep started from, quiet there less
                    # than new_rest_min_s (no rest of its own: a return that dropped past the rest
                    # and stopped a moment, the foot under the chair): the way back up ends there too
                    self.back_rest_up, self.back_rest_deg = self.home_up, gap
                if (self.series_rest_up is not None and self.series_rest_up is not self.prior_rest_up
                        and (gap := float(angle_between_deg(self.rest_up[None, :], self.series_rest_up)[0])) > cfg.end_floor_deg):
                    # ... and the rest the series of reps before it left (each rep from the bottom of the
                    # swing before it, none from a rest): the way back there after its last swing
                    self.series_back_up, self.series_back_deg = self.series_rest_up, gap
                self.home_deg = (float(angle_between_deg(self.rest_up[None, :], self.home_up)[0])
                                 if self.home_up is not None and self.foreign_since else 0.0)
                if self.out_up is not None and self.out_last >= 0 and first + k - self.out_last < self.max_len:
                    gone = float(angle_between_deg(self.rest_up[None, :], self.out_up)[0])
                    outward = self.home_out is None or float((self.rest_up - self.out_up) @ self.home_out) > 0.0
                    if (gone >= cfg.min_rom_deg and outward
                            and self._turned_deg() >= cfg.min_rom_deg - 2 * QUIET_GRAVITY_DEG):
                        # the leg came to this rest pose from the one it first rested at after the
                        # last movement without a movement, as far as the smallest rep: out in steps,
                        # each under start_deg (a smaller shift and back is no rep whatever it is read
                        # as, and read from that pose, a rep starting slowly past it would be cut
                        # there); out, the way the last counted rep went (a resting leg drifting
                        # back, away from where the reps go, is no rep's way out)
                        self.step_up, self.step_deg, self.step_from = self.out_up, gone, self.out_last
                self.start = self._onset(first + k, up[:k + 1], first, history_up)
                self.state = MOVE
                self.start_unseen = self.rest_unseen
                self.start_quiet = self.rest_quiet
                self.judging = self.pose_unjudged and not self.start_unseen
                self.peak_deg = 0.0
                j = k
            if self.state == MOVE:
                exc = angle_between_deg(up[j:], self.rest_up)
                runmax = np.maximum.accumulate(np.maximum(exc, self.peak_deg))
                threshold = np.maximum(cfg.end_floor_deg, cfg.return_fraction * runmax)
                # ... or back through the rest pose: on the far side of it from the peak so far (a
                # swing whose plane passes a few degrees beside the rest pose never comes within
                # the threshold of a small swing's peak)
                below = ((exc < threshold) | self._through_rest(up[j:], exc, runmax)).nonzero()[0]
                # settled: still for settle samples in a row, never min_rom_deg from rest (a shifted
                # rest pose) or back under half the peak (back to a rest pose that has moved)
                calm = still_run[j:] >= self.settle
                small = runmax < cfg.min_rom_deg
                settled = (calm & (small | (exc < 0.5 * runmax))).nonzero()[0]
                if len(settled):
                    # ... and no longer turning: a rep's slow return (under still_gyr_dps) is not a
                    # pose, nor is a slow rep's way out while it is under min_rom_deg (16° out in
                    # 1.8 s, 9 deg/s: it was cut into "settled" pieces of 5°), out past the rest the
                    # last counted rep started from (or any, before one); a small movement behind that
                    # rest (the leg creeping back up after a return swung past it) settles as before
                    turning_out = ~small[settled] | self._ahead_of_home(up[j + settled])
                    if turning_out.any():
                        settled = settled[~turning_out | self._posed(first + j + settled, history_up, history_motion)]
                # ... or still rest_still_s at a pose under half the last counted rep's peak, not turning:
                # no rep's hold lasts so long there; the rest pose shifted further than min_rom_deg
                # (between sets), and the leg rests at it
                # (still within the movement: a small rep turned slower than still_gyr_dps, 11° in
                # 1.5 s, is "still" throughout, and the rest's stillness ran on into its hold)
                held = np.minimum(still_run[j:], np.arange(first + j, first + n) - self.start + 1)
                shifted = ((held >= self.rest_still) & (exc < 0.5 * self.home_peak_deg)).nonzero()[0]
                if len(shifted):
                    shifted = shifted[self._posed(first + j + shifted, history_up, history_motion)]
                    settled = np.union1d(settled, shifted[:1])
                limit = self.start + self.max_len - first  # local index at which it is too long
                left = self._left_spell(first, j, up, exc, quiet_run)
                # back near a spell the leg left on its way out and out again from there: the next
                # rep from a rest the pose shifted to (see _out_again)
                out_at, out_low, out_spell = self._out_again(first, j, up, exc, runmax)
                sooner = [int(x[0]) for x in (settled, below) if len(x)] + [limit - j, n - j, out_at]
                stop = min(sooner + [left])  # (local) where the movement ends by any rule below
                if self.start_unseen:
                    # begun from a guessed rest after a gap: it ends where the leg is first seen at
                    # rest (rest_min_s quiet), and that pose is the rest, unless another rule ends it
                    # sooner (it came back below the return threshold first: the rest was no guess).
                    # At the data's start, a quiet pose will do: the first movement from it judges it
                    seen = (quiet[j:] if self.unseen_why == BEGAN_MOVING else rested[j:]).nonzero()[0]
                    if len(seen) and seen[0] <= stop:
                        k = j + int(seen[0])
                        self.rest_unseen = False
                        return self._end_at_rest(self._rest_began(first, k, quiet_run), up[k].copy(), None,
                                                 decided=first + k)
                judge_at, judge_rested = n - j, False  # (local) where the first movement from a pose the
                if self.judging:  # data began at is judged, and whether the leg rests there
                    # where the leg first rests (rest_min_s quiet) min_rom_deg or more from that pose,
                    # or comes back toward it first (a movement that does not go that far judges nothing)
                    far = runmax >= cfg.min_rom_deg
                    seen = (rested[j:] & far).nonzero()[0]
                    back = (far[below] if len(below) else below).nonzero()[0]
                    if len(seen) and seen[0] <= stop:
                        judge_at, judge_rested = int(seen[0]), True
                    elif len(back) and int(below[back[0]]) <= stop:
                        judge_at = int(below[back[0]])
                home_at = n - j  # (local) where the leg has rested back at the exercise's rest, if it has
                if self.home_deg > cfg.end_floor_deg:
                    # rested (quiet rest_min_s) within end_floor_deg of the pose the last counted rep
                    # started from, the movement having begun from a rest pose away from it after a
                    # movement foreign to the exercise (a still moment while standing up): back at
                    # the exercise's rest
                    home = ((quiet_run[j:] >= self.rest_min)
                            & (angle_between_deg(up[j:], self.home_up) <= cfg.end_floor_deg)).nonzero()[0]
                    if len(home):
                        home_at = int(home[0])
                special = min(stop, home_at, judge_at)  # (local) where a rule below must come first
                if self.replaced_up is not None:
                    # back, quiet, at the rest pose a new rest replaced, having gone no further from
                    # the rest pose than that pose lies: that was no rest (a hold shifted sideways);
                    # the movement ends here, and the old rest pose is back (a rep out past it whose
                    # hold sags back near it is a rep)
                    lies = float(angle_between_deg(self.rest_up[None, :], self.replaced_up)[0])
                    back = (quiet[j:] & (angle_between_deg(up[j:], self.replaced_up) <= cfg.end_floor_deg)
                            & (runmax <= lies + cfg.end_floor_deg)).nonzero()[0]
                    if len(back) and back[0] < special:
                        self.home_up = self.replaced_up  # (the leg rests there: the exercise's rest)
                        return self._end_at_rest(first + j + int(back[0]), self.replaced_up, None)
                if self.step_up is not None:
                    # quiet back within end_floor_deg of the pose the leg went out from in steps,
                    # having gone no further from the rest pose than that pose lies, within
                    # max_movement_s of leaving it: the way out (in steps, each under start_deg, quiet
                    # pauses taking the rest pose along) and this way back are one movement, from
                    # where the leg left that pose (measured and classified as any movement)
                    to_step = angle_between_deg(up[j:], self.step_up)
                    back = (quiet[j:] & (runmax <= self.step_deg + cfg.end_floor_deg)
                            & (to_step <= cfg.end_floor_deg)
                            & (np.arange(first + j, first + n) < self.step_from + self.max_len)).nonzero()[0]
                    if len(back) and back[0] < special:
                        self.start, self.rest_up, self.rest_read = self.step_from, self.step_up, None
                        return self._end(first + j + int(back[0]), returned=True)
                if self.back_rest_up is not None:
                    # quiet back at the pose the last rep started from, having gone no further from the
                    # rest pose than that pose lies: the rest pose was a quiet moment on the way back
                    # (the bottom of a backswing); the movement ends there, and that pose is the rest
                    # again, until the leg comes back, quiet, to the pose it replaces (a small rep that
                    # held there: the rest pose was right)
                    to_prior = angle_between_deg(up[j:], self.back_rest_up)
                    no_further = runmax <= self.back_rest_deg + cfg.end_floor_deg
                    back = (quiet[j:] & no_further & (to_prior <= cfg.end_floor_deg)).nonzero()[0]
                    if len(back) and back[0] < special:
                        return self._end_at_rest(first + j + int(back[0]), self.back_rest_up, self.rest_up,
                                                 no_rep=WAY_BACK_FROM_SWING)
                    # ... or the leg came to rest part way there: still for new_rest_min_s (longer
                    # than any real pause inside a movement) nearer to it than the pose the movement
                    # started from, having gone no further. A rep's hold looks the same until the leg
                    # moves on: it is a rest once the leg leaves it by start_deg other than back
                    # toward the pose the movement started from (the next rep); the way back ends
                    # where the rest began, and the next movement starts from the rest's pose
                    found_at = 0  # (relative to j: leaving the rest is looked for from there on)
                    if self.part_up is None:
                        found = ((still_run[j:] >= self.new_rest_min) & no_further
                                 & (to_prior < self.back_rest_deg)).nonzero()[0]
                        if len(found) and found[0] < stop:
                            k = found_at = int(found[0])
                            self.part_up, self.part_exc = up[j + k].copy(), float(exc[k])
                            self.part_first = first + j + k - int(still_run[j + k]) + 1
                    if self.part_up is not None:
                        leaves = ((angle_between_deg(up[j + found_at:], self.part_up) > cfg.start_deg)
                                  & (exc[found_at:] > self.part_exc - 0.5 * cfg.start_deg)).nonzero()[0] + found_at
                        if len(leaves) and leaves[0] < special:
                            return self._rest_found(first, j + int(leaves[0]), up, history_up, self.part_up,
                                                    self.part_first, self.rest_up, no_rep=WAY_BACK_FROM_SWING)
                if self.series_back_up is not None:
                    # rested (rest_min_s) back within end_floor_deg of the rest the series of reps before
                    # it left, having gone no further from the rest pose than that rest lies: the way
                    # back up after the series' last swing past rest, whose bottom, quiet an instant,
                    # was taken for the rest pose (read from there, the way up, the rest and a shift
                    # of the resting leg after it were a rep "held" for the rest's length). The
                    # movement ends where that rest began, no rep, and that rest is the rest pose again
                    back = (rested[j:] & (runmax <= self.series_back_deg + cfg.end_floor_deg)
                            & (angle_between_deg(up[j:], self.series_back_up) <= cfg.end_floor_deg)).nonzero()[0]
                    if len(back) and back[0] < special:
                        k = j + int(back[0])
                        return self._end_at_rest(self._rest_began(first, k, quiet_run), self.series_back_up,
                                                 self.rest_up, decided=first + k, no_rep=WAY_BACK_FROM_SWING)
                if judge_at < min(n - j, home_at + 1):
                    # the first movement from a pose the data began at (no rule above ended it sooner):
                    # the sensor lower where the leg first rests than at that pose (it turned down
                    # toward hanging straight), the pose was a hold; the movement, the way down from
                    # it, ends where that rest began, and that pose is the rest. Should it come back
                    # toward the pose first, with no rest (the next rep's way out), the same holds of
                    # its farthest pose (the bottom), where it then ends. Else the pose was the rest
                    k = j + judge_at
                    self.pose_unjudged = self.judging = False
                    if judge_rested:  # (the pose judged, and where the movement would end)
                        at, pose, end = first + k, up[k], self._rest_began(first, k, quiet_run)
                    else:
                        arg = int(exc[:judge_at + 1].argmax())
                        at, pose = ((first + j + arg, up[j + arg]) if exc[arg] > self.peak_deg
                                    else (self.peak_index, self.peak_up))
                        end = at
                    if pose is not None and self._went_down(at, pose, history_motion):
                        self.resume_up = self.resume_near_deg = None  # (a hold kept over a gap: none)
                        return self._end_at_rest(end, pose.copy(), None, decided=first + k, no_rep=BEGAN_IN_HOLD)
                if home_at < stop:
                    # back at the exercise's rest: the movement ends where that rest began; a movement
                    # out and back there (measured and classified as any other) if it went at least
                    # min_rom_deg further from its rest pose than that pose lies (the smallest rep),
                    # else the way back, no rep (sitting down, with any overshoot past the seat)
                    k = j + home_at
                    went_on = bool(runmax[home_at] >= self.home_deg + cfg.min_rom_deg)
                    # (the pose given up is the rest again should the leg be quiet there: a small rep
                    # held next to the old rest after a shift costs that rep, not the set)
                    return self._end_at_rest(self._rest_began(first, k, quiet_run), up[k].copy(), self.rest_up,
                                             decided=first + k,
                                             returned=went_on, no_rep="" if went_on else WAY_BACK_HOME)
                if left < min(sooner):
                    return self._from_new_rest(first, j + left, up, history_up)
                if out_spell is not None and out_at <= min(sooner):
                    shift = self._split_at(out_spell, history_up)
                    return self._end(out_low, returned=True, decided=first + j + out_at, swing_end=True, shift=shift)
                if len(settled) and (not len(below) or settled[0] < below[0]) and j + settled[0] <= limit:
                    k = int(settled[0])
                    # (returned when back under half the peak; a shifted rest pose, small or not: no)
                    returned = bool(runmax[k] >= cfg.min_rom_deg and exc[k] < 0.5 * runmax[k])
                    if returned:
                        self._raise_peak(first, j, up, exc[:k + 1])  # (the peak so far, for the shift's rule)
                        if (spell := self._spell_came_back_to(up[j + k])) is not None:
                            self.state = AT_SPELL  # (still there: is it a rest? as after a quiet end)
                            self.held_end = (first + j + k, spell, up[j + k].copy(), False, None)
                            j += k + 1
                            continue
                    movement = self._end(first + j + k, returned=returned)
                    if not movement.returned:  # a shifted rest pose: the leg is still here
                        self.rest_up, self.rest_read = up[j + k].copy(), None
                        if (runmax[k] < cfg.min_rom_deg and not movement.no_rep  # (or a pause on the way out
                                and movement.start - movement.previous_end > self.rest_min  # of a rep from a rest,
                                and self._away_from_home(movement.rest_up, self.rest_up)):  # away from it)
                            movement = replace(movement, settled=True)
                            self.settled = _Settled(movement.start, movement.end, movement.previous_end,
                                                    movement.rest_up)
                    return movement
                k = j + int(below[0]) if len(below) else n
                if k > j:
                    self._raise_peak(first, j, up, exc[:k - j])
                if limit < min(k, n):
                    return self._end(first + max(limit, j), returned=False)
                if not len(below):
                    break
                self.state = TAIL
                self.tail_min, self.tail_min_index = float(exc[k - j]), first + k
                # (returned by passing the rest pose beside it, not within the threshold: a quiet moment
                # ends it only back within the threshold; a return veering sideways goes on to rest)
                self.tail_near = None if exc[k - j] < threshold[k - j] else float(threshold[k - j])
                j = k
            if self.state == TAIL:
                limit = self.start + self.max_len - first
                seg = angle_between_deg(up[j:], self.rest_up)
                runmin = np.minimum.accumulate(np.minimum(seg, self.tail_min))
                rising = seg > runmin + RISE_DEG
                calm = quiet[j:] if self.tail_near is None else quiet[j:] & (seg < self.tail_near)
                hit = (calm | rising).nonzero()[0]
                if limit < (j + int(hit[0]) if len(hit) else n):  # never back at rest: cut
                    return self._end(first + max(limit, j), returned=False)
                if len(hit) == 0:
                    m = int(seg.argmin())
                    if seg[m] <= self.tail_min:
                        self.tail_min, self.tail_min_index = float(seg[m]), first + j + m
                    break
                k = j + int(hit[0])
                end = first + k
                if rising[k - j] and not quiet[k]:
                    # the bottom of the swing: the lowest sample since the return
                    m = int(seg[:k - j].argmin()) if k > j else -1
                    end = first + j + m if m >= 0 and seg[m] <= self.tail_min else self.tail_min_index
                    bottom = float(seg[m]) if m >= 0 and seg[m] <= self.tail_min else self.tail_min
                    if bottom <= cfg.end_floor_deg:
                        # it swung through the rest pose: past it and back (part of this rep), or
                        # on into the next rep: PAST tells which
                        self.state = PAST
                        self.past_end, self.past_max, self.past_falling = end, float(seg[k - j]), False
                        self.past_min, self.past_min_index = np.inf, -1
                        j = k
                        continue
                swing = bool(rising[k - j] and not quiet[k])
                end_up = up[end - first] if end >= first else history_up(end, end + 1)[0]
                if (spell := self._spell_came_back_to(end_up)) is not None:
                    self.state = AT_SPELL
                    self.held_end = (end, spell, end_up.copy(), swing, None if swing else up[k].copy())
                    j = k + 1
                    continue
                return self._end(end, returned=True, decided=first + k, swing_end=swing,
                                 quiet_up=None if swing else up[k])
            if self.state == AT_SPELL:
                # back at a spell the leg left on its way out, quiet or at the bottom of a swing: a
                # rest the pose shifted to if the leg goes out again from there as the next rep would
                # (:meth:`_out_deg`), or rests there new_rest_min_s (within start_deg of where it
                # came back to), or is still there rest_still_s on; a return in two stages, paused
                # there, or caught there, if it goes on toward the rest pose by start_deg first
                end, spell, end_up, _, _ = self.held_end
                exc = angle_between_deg(up[j:], self.rest_up)
                at_end = float(angle_between_deg(end_up[None, :], self.rest_up)[0])
                onward = (exc > at_end + self._out_deg(spell, self.peak_deg)).nonzero()[0]
                toward = (exc < at_end - cfg.start_deg).nonzero()[0]
                rested = ((quiet_run[j:] >= self.new_rest_min)
                          & (angle_between_deg(up[j:], end_up) <= cfg.start_deg)).nonzero()[0]
                events = [(int(x[0]), rest) for x, rest in ((onward, True), (toward, False), (rested, True)) if len(x)]
                long_after = end + self.rest_still - (first + j)  # (relative to j)
                events += [(max(0, long_after), True)] if long_after < n - j else []
                if not events:
                    break
                at, rest = min(events)
                return self._end_held(first + j + at, history_up, rest)
            if self.state == PAST:
                limit = self.start + self.max_len - first
                seg = angle_between_deg(up[j:], self.rest_up)
                pmax = np.maximum.accumulate(np.maximum(seg, self.past_max))
                # the next movement: out past PAST_FRACTION of the rep's peak; after a rep that went
                # out the way the last counted rep went (none foreign to the exercise since), behind
                # the rest pose only past the rep's peak (a smaller swing back is this rep's
                # backswing: a small rep's swing past a rest pose part way up a series whose bottoms
                # lie below it; kept with the rep, a swing back further than the rep went out, in
                # a quick series of big swings, has the rep read the other way round)
                grown = seg > PAST_FRACTION * self.peak_deg
                if self._went_home_out():
                    grown &= ((up[j:] - self.rest_up) @ self.home_out > 0.0) | (seg > self.peak_deg)
                grown = grown.nonzero()[0]
                # quiet near the rest pose, or behind it: back at rest; quiet well out on the rep's
                # side (beyond where the rep counted as returned): the next rep, paused on its way out
                away = seg > max(cfg.end_floor_deg, cfg.return_fraction * self.peak_deg)
                if self.peak_up is not None:
                    away &= (up[j:] - self.rest_up) @ (self.peak_up - self.rest_up) > 0.0
                quiet_at = (quiet[j:] & ~away).nonzero()[0]
                paused = (quiet[j:] & away).nonzero()[0]
                if len(paused) and (not len(grown) or paused[0] < grown[0]):
                    grown = paused
                if self.past_falling:
                    fall = 0
                else:
                    down = (seg < pmax - RISE_DEG).nonzero()[0]
                    fall = int(down[0]) if len(down) else len(seg)
                after = seg[fall:]
                runmin = np.minimum.accumulate(np.minimum(after, self.past_min)) if len(after) else after
                rise = (after > runmin + RISE_DEG).nonzero()[0] + fall  # past and back, on out again
                first_of = [(int(x[0]), tag) for x, tag in ((grown, "grown"), (quiet_at, "quiet"), (rise, "rise"))
                            if len(x)]
                if not first_of:
                    if limit < n:
                        return self._end(first + max(limit, j), returned=False)
                    self.past_max = float(pmax[-1])
                    if fall < len(seg):
                        self.past_falling = True
                        m = int(after.argmin())
                        if after[m] <= self.past_min:
                            self.past_min, self.past_min_index = float(after[m]), first + j + fall + m
                    break
                k, tag = min(first_of)
                if limit < k + j:
                    return self._end(first + max(limit, j), returned=False)
                if tag == "grown":  # not a swing past rest: the next rep began at the bottom
                    end = self.past_end
                elif tag == "quiet":
                    end = first + j + k
                else:
                    part = after[:k - fall]
                    m = int(part.argmin()) if len(part) else -1
                    end = first + j + fall + m if m >= 0 and part[m] <= self.past_min else self.past_min_index
                return self._end(end, returned=True, decided=first + j + k, swing_end=tag != "quiet",
                                 quiet_up=up[j + k] if tag == "quiet" else None)
        return None

    def _went_home_out(self) -> bool:
        """Whether the movement's peak lies the way the last counted rep went out (``home_out``),
        within 60° (CONTINUED_COS), no movement foreign to the exercise having ended since that rep.
        A rep turns the vertical about the exercise's axis, in one plane, one way: chords of arcs
        from one pose, of 0-100°, lie within 50° of each other (simulated development sessions:
        counted reps within 20° of the last counted rep's; movements foreign to the exercise, half
        beyond 87°, 99.5 % beyond 60°)."""
        if self.home_out is None or self.foreign_since or self.peak_up is None:
            return False
        out, home = self.peak_up - self.rest_up, self.home_out
        return float(out @ home) > CONTINUED_COS * math.sqrt(float(out @ out) * float(home @ home))

    def _resuming(self, index: int) -> bool:
        """Whether absolute sample ``index`` lies after a gap before the leg rested near the rest
        before it (only poses near that rest can be the rest there)."""
        return self.resume_up is not None and index < self.resume_until

    def restart(self, last: int, near_home_deg: float | None = None, history_up=None) -> Movement | None:
        """A gap in the data after absolute sample ``last``: the movement in progress (returned
        None when there is none, or when it began at ``last``) is cut there, and the next sample
        is the rest until one is quiet (the leg may have moved while no data came). With
        ``near_home_deg`` and a counted rep before the gap, the rest pose is the one that rep
        started from, and until the leg has rested within ``near_home_deg`` of it, no pose further
        away is a rest (gravity's direction in the sensor at the seated rest does not change while
        no data comes; the data may resume in a rep's hold, a quiet pose that is no rest).
        ``history_up`` gives earlier verticals, as to :meth:`scan` (for a movement back at a spell
        it left on its way out: :meth:`_split_at`)."""
        cut = None
        self.settled = None  # (a pause is no pause across a gap)
        if self.state == AT_SPELL:  # (back at a spell, and there as far as anyone saw: as at the stream's end)
            cut = self._end_held(last, history_up, True)
        elif self.state != REST:
            ended = self._end(last, returned=False)  # (back to REST)
            if last > ended.start:
                cut = replace(ended, no_rep=CUT_BY_GAP)
        # the pose kept: the last counted rep's rest; before any, the one kept from before an earlier
        # gap (the leg not yet seen at rest since), or the rest pose the leg was last seen at
        if near_home_deg is None:
            home = None
        elif self.home_up is not None:
            home = self.home_up
        elif self._resuming(last):
            home = self.resume_up
        else:
            home = None if self.rest_unseen else self.rest_up
        self.rest_up = self.anchor_up = self.replaced_up = self.prior_rest_up = self.back_rest_up = self.home_up = None
        self.series_rest_up = self.series_back_up = None
        self.rest_quiet_at = -1
        self.home_out = None
        self.resume_near_deg = self.resume_up = None
        if home is not None:
            self.rest_up, self.resume_up, self.resume_near_deg = home.copy(), home, float(near_home_deg)
            self.resume_until = last + 1 + self.max_len
        self.foreign_since = False
        self.swing_end = False
        self.out_up, self.out_last, self.out_read = None, -1, None
        self.rest_read = self.anchor_read = None
        self.rest_unseen, self.unseen_why = True, REST_UNSEEN
        # (a counted rep's rest pose is no guess; the one the data began at, kept, is still one)
        self.pose_unjudged = home is None or (self.pose_unjudged and self.home_up is None)
        self.last_end = last  # nothing before the gap is a rest of what comes after it
        return cut

    def finish(self, last: int, up_last: np.ndarray, history_up) -> Movement | None:
        """The stream ended at absolute sample ``last`` (vertical ``up_last``): the movement in
        progress, ended there (returned when the leg is back under half its peak, or at
        ``end_floor_deg``), or at the spell a return stopped at (AT_SPELL: stayed there); None when
        there is none."""
        if self.state == REST or last <= self.start:
            return None
        settled = self.settled
        if self.state == AT_SPELL:
            return self._after_settled(settled, self._end_held(last, history_up, True), history_up)
        now = float(self.excursion_deg(up_last[None, :])[0])
        movement = self._end(last, returned=now < max(self.cfg.end_floor_deg, 0.5 * self.peak_deg))
        return self._after_settled(settled, movement, history_up)

    def judged(self, movement: Movement, counted: bool, foreign: bool, out_up: np.ndarray | None = None) -> None:
        """What the caller made of ``movement``, the last one returned: ``counted`` as a rep (its
        rest pose is the exercise's rest; ``out_up``: its vertical farthest from that pose, the way
        it went out), or ``foreign``: not the leg turning about the exercise's axis (standing up, a
        step; the rest pose it leaves the leg at may be no seated rest)."""
        if counted:
            self.home_up, self.foreign_since = movement.rest_up, False
            self.home_out = None if out_up is None else out_up - movement.rest_up
            self.home_peak_deg = 0.0 if out_up is None else float(angle_between_deg(out_up[None, :], movement.rest_up)[0])
        elif foreign:
            self.foreign_since = True

    def excursion_deg(self, up: np.ndarray) -> np.ndarray:
        """Angle (deg) of verticals ``up`` (n, 3) from the current rest pose (0 before any)."""
        if self.rest_up is None:
            return np.zeros(len(up))
        return angle_between_deg(up, self.rest_up)

    def _onset(self, k_abs: int, up_so_far: np.ndarray, first: int, history_up) -> int:
        """The last sample before ``k_abs`` within ``onset_deg`` of rest, looking back at most
        ``pre_rest_s`` and never before the previous movement's end (else the earliest of those)."""
        lo = max(0, k_abs - self.pre, self.last_end + 1)
        if lo >= k_abs:
            return k_abs
        local_lo = max(lo, first)
        near = (angle_between_deg(up_so_far[local_lo - first:k_abs - first], self.rest_up) <= self.cfg.onset_deg).nonzero()[0]
        if len(near):
            return local_lo + int(near[-1])
        if lo < first:
            near = (angle_between_deg(history_up(lo, first), self.rest_up) <= self.cfg.onset_deg).nonzero()[0]
            if len(near):
                return lo + int(near[-1])
        return lo

    def _end(self, end: int, returned: bool, decided: int | None = None, swing_end: bool = False,
             quiet_up: np.ndarray | None = None, shift: Movement | None = None) -> Movement:
        movement = Movement(self.start, end, self.rest_up.copy(), returned, end if decided is None else decided,
                            self.last_end, no_rep=self.unseen_why if self.start_unseen else "", swing_end=swing_end,
                            shift=None if shift is None else replace(shift, decided=end if decided is None else decided))
        self.held_end = None
        self.start_unseen = False
        self.judging = False  # (ended otherwise, before the leg rested or came back: still unjudged)
        if returned and self._resuming(end):
            self.rest_unseen = False  # back near the rest before the gap: the next movement starts from it
        self.last_end = end
        self.anchor_up, self.anchor_read = None, None  # an anchor is a rest after the last movement
        self.swing_end = swing_end  # it ended at the bottom of a swing, not at rest
        self.out_up, self.out_last, self.out_read = None, -1, None
        if quiet_up is not None:  # ended quiet: the pose the leg came back to (it may go on at once)
            self.out_up, self.out_last = quiet_up.copy(), end + 1  # (a movement from there starts after this one)
        self.step_up, self.step_deg, self.step_from = None, 0.0, -1
        self.state = REST
        self.rest_quiet_at = -1  # (the sample the rest pose was last taken from, quiet: none yet)
        self.start, self.peak_deg, self.peak_up, self.peak_index = -1, 0.0, None, -1
        self.tail_min, self.tail_min_index = np.inf, -1
        self.spell_up, self.spell_exc, self.spell_first, self.spell_last = None, 0.0, -1, -1
        self.passed, self.spell_lows = [], {}
        self.quiet_last, self.quiet_up = -1, None
        if returned:  # back at the rest it started from: a new rest before it stands
            self.replaced_up = None
        self.prior_rest_up = movement.rest_up if returned else None
        if not returned:
            self.series_rest_up = None
        elif self.series_rest_up is None or self.start_quiet >= self.rest_min:  # (begun from a rest: a
            self.series_rest_up = movement.rest_up  # series' first rep, or a rep of its own)
        self.series_back_up, self.series_back_deg = None, 0.0
        self.back_rest_up, self.back_rest_deg = None, 0.0
        self.home_deg = 0.0
        self.part_up, self.part_exc, self.part_first = None, 0.0, -1
        self.rest_quiet = 0
        return movement

    def _went_down(self, k_abs: int, up_k: np.ndarray, history_motion) -> bool:
        """Whether the sensor, hanging below the movement's axis (a knee or hip turn, not the foot's:
        ``foot_pivot_min_height_m``) at absolute sample ``k_abs`` (vertical ``up_k``), lies lower
        there than at the rest pose, by ``DROP_FRACTION`` of its distance from the axis (fitted from
        the movement's rate and linear acceleration up to there: :mod:`sensorkit.pipeline.circle`;
        False when they do not fix it, or the radius is no knee's or hip's: ``min_knee_radius_m`` to
        ``max_radius_m``). Turned about the foot (hip ER's knee out), the sensor above the axis, any
        turn from rest lowers it."""
        rows = history_motion(self.start, k_abs + 1)
        om, al, lin = rows[:, 0:3], rows[:, 3:6], rows[:, 6:9]
        moving = row_norms(om) > MOVING_DPS
        if np.count_nonzero(moving) < 5:
            return False
        rho = fit_radius(circle_terms(om[moving], al[moving], lin[moving]))
        if rho is None:
            return False
        radius = math.sqrt(float(rho @ rho))
        if not self.cfg.min_knee_radius_m <= radius <= self.cfg.max_radius_m:  # (no knee's or hip's)
            return False
        below = float(rho @ up_k)  # the sensor's height above the axis (m)
        return below < self.cfg.foot_pivot_min_height_m and float(rho @ self.rest_up) - below > DROP_FRACTION * radius

    def _before_creep(self, crossed: int, at: int, history_up, history_motion) -> int:
        """REST, a movement starting (the absolute sample ``crossed``): the latest sample in the half
        ``settle_s`` up to the last quiet sample ``at`` that holds a pose (the leg turned under half
        ``onset_deg`` over the half second before it); ``at`` when that one holds it, or none does,
        or the samples are older than the history kept (``pre_rest_s`` twice before ``crossed``). A
        slow way out starts under the quiet speed: its first degrees are quiet, and taken for the
        rest pose they lift the rest under a small rep (2° of a 9° rep, turned out at up to 8 deg/s)
        until its sagging hold, back under the return threshold, is "back at rest"."""
        half = max(1, self.settle // 2)
        lo = at - 2 * half
        if lo < 0 or lo < crossed - 2 * self.pre:
            return at
        ups = history_up(lo, at + 1)
        turned = angle_between_deg(ups[half:], ups[:-half])  # (each candidate's turn over the half second before)
        limit = 0.5 * self.cfg.onset_deg
        if turned[-1] <= limit:
            return at
        # (candidates in the quiet run that ends at ``at`` only: quiet from there on to it)
        motion = history_motion(lo + half, at + 1)
        loud = ((row_norms(motion[:, 0:3]) >= QUIET_DPS) | (row_norms(motion[:, 3:6]) >= QUIET_DPS2)).nonzero()[0]
        first_quiet = int(loud[-1]) + 1 if len(loud) else 0
        held = (turned[first_quiet:] <= limit).nonzero()[0]
        return lo + half + first_quiet + int(held[-1]) if len(held) else at

    def _ahead_of_home(self, up: np.ndarray) -> np.ndarray:
        """Which verticals ``up`` (n, 3) lie out the exercise's way from the rest pose the last
        counted rep started from (all of them before any rep is counted: no way is known)."""
        if self.home_out is None or self.home_up is None:
            return np.ones(len(up), dtype=bool)
        return einsum("ni,i->n", up - self.home_up, self.home_out) > 0.0

    def _posed(self, idx: np.ndarray, history_up, history_motion) -> np.ndarray:
        """MOVE: which of the absolute samples ``idx`` (still ``settle_s`` up to each) hold a pose:
        the leg turned no more than ``onset_deg`` over the ``settle_s`` before (not before the
        movement's start), and no more than half that over its last half, by the filter's vertical
        or by the smoothed rate summed as a vector. A leg turning slower than ``still_gyr_dps`` (a
        small rep's slow return: 13° in 3 s) is still by its speed but not at rest: at 4 deg/s both
        see it turn 4° in a second, where a resting real leg sways within about 2°. A return that
        sets off slowly from a sagging hold is speeding up: part way down it has turned under
        ``onset_deg`` in the second before but more than half that in the last half second (a
        knee-out's return: 1.6° and 1.75°, at 5 deg/s), where a resting leg's sway goes back and
        forth (other-ankle recordings: the last half second turned over 1° at 0–0.4 % of the
        samples still for a second). The rate summed is the smoothed rate, which lags the leg's own
        by the filter's delay: the turn it has yet to show (the rate now times that delay) is
        added. Either measure will do at rest: after a shake the vertical converges back by
        degrees a second, and a gyro bias the filter has not yet learned sums to a degree or two a
        second."""
        lo, hi = int(max(idx[0] - self.settle, self.start)), int(idx[-1]) + 1
        up = history_up(lo, hi)
        rate = history_motion(lo, hi)[:, 0:3]  # (deg/s, smoothed)
        turned = np.concatenate([np.zeros((1, 3)), np.cumsum(rate, axis=0)]) / self.fs_hz  # (deg)
        unseen = rate[idx - lo] * self.rate_lag_s  # (deg) the turn the smoothed rate has yet to show
        posed = np.ones(len(idx), dtype=bool)
        for span, limit_deg in ((self.settle, self.cfg.onset_deg), (max(1, self.settle // 2), 0.5 * self.cfg.onset_deg)):
            ago = np.maximum(idx - span, self.start)
            posed &= ((angle_between_deg(up[idx - lo], up[ago - lo]) <= limit_deg)
                      | (row_norms(turned[idx + 1 - lo] - turned[ago + 1 - lo] + unseen) <= limit_deg))
        return posed

    def _settled_read(self, first: int, at: int, quiet_run: np.ndarray, history_acc) -> np.ndarray | None:
        """The accelerometer ``SETTLED_READ_S`` before local sample ``at`` (quiet) of this piece (within
        a second before the piece: always kept), if the leg was quiet all that while; else None (a
        short pause, a swing's top: the leg's own acceleration is in the accelerometer there)."""
        if quiet_run[at] <= self.settled_samples:
            return None
        i = first + at - self.settled_samples
        return history_acc(i, i + 1)[0].copy()

    def _turned_deg(self) -> float:
        """The leg's turn (deg) from the rest pose it first came to after the last movement (its
        first settled read) to the present one (the read before the movement's onset), by the
        accelerometer: gravity alone where the leg has been quiet ``SETTLED_READ_S``, to within
        ``QUIET_GRAVITY_DEG``. The orientation filter's vertical also moves with the leg still,
        converging back after quick reps in a series pulled it off (7° in simulated seed 948):
        that is no turn. Infinite when either read is unknown."""
        if self.out_read is None or self.rest_read is None:
            return math.inf
        a, b = self.out_read, self.rest_read
        norms = math.sqrt(float(a @ a) * float(b @ b))
        if not norms > 0.0:  # (a glitched all-zero reading)
            return math.inf
        return math.degrees(math.acos(max(-1.0, min(1.0, float(a @ b) / norms))))

    def _rest_began(self, first: int, k: int, quiet_run: np.ndarray) -> int:
        """Where the quiet run up to local sample ``k`` of this piece began (absolute), not before
        the movement's start."""
        return max(self.start, first + k - int(quiet_run[k]) + 1)

    def _track_out(self, first: int, j: int, up: np.ndarray, quiet_run: np.ndarray, history_acc,
                   poses: np.ndarray) -> None:
        """REST, samples ``j:j + len(poses)`` of this piece (``poses``: those that may be the rest
        pose): keep the rest pose the leg first came to after the last movement, the last sample
        quiet within ``end_floor_deg`` of it, and the accelerometer at the first settled there."""
        at = poses.nonzero()[0]
        if len(at) == 0:
            return
        if self.out_up is None:
            self.out_up = up[j + int(at[0])].copy()
        near = at[angle_between_deg(up[j + at], self.out_up) <= self.cfg.end_floor_deg]
        if len(near):
            self.out_last = first + j + int(near[-1])
            if self.out_read is None:  # the first settled read there (the filter may be converging yet)
                settled = near[quiet_run[j + near] > self.settled_samples]
                if len(settled):
                    self.out_read = self._settled_read(first, j + int(settled[0]), quiet_run, history_acc)

    def _through_rest(self, up: np.ndarray, exc: np.ndarray, runmax: np.ndarray) -> np.ndarray:
        """Which samples of a movement lie on the far side of the rest pose from its peak so far
        (``exc``: their angle from the rest pose, ``runmax``: the peak up to each, deg)."""
        peak_now = (exc >= runmax) & (exc > self.peak_deg)
        at_peak = peak_now.nonzero()[0]
        if not len(at_peak) and self.peak_up is None:
            return np.zeros(len(exc), dtype=bool)
        # (the vertical at the peak up to each sample: the movement's own, or the one before this piece)
        before = self.peak_up[None, :] if self.peak_up is not None else up[:1]
        peaks = np.concatenate([before, up.take(at_peak, axis=0)]) - self.rest_up
        out = peaks.take(np.cumsum(peak_now), axis=0)  # (row k: after the k-th peak in this piece)
        return einsum("ni,ni->n", up - self.rest_up, out) <= 0.0

    def _left_spell(self, first: int, j: int, up: np.ndarray, exc: np.ndarray, quiet_run: np.ndarray) -> int:
        """MOVE, samples ``j:`` of this piece (``exc``: their angle from rest): the first (relative
        to ``j``) at which the leg is ``start_deg`` from the pose of the latest quiet spell of
        ``new_rest_min_s`` that began inside the movement, neither back toward the rest pose (the
        angle from rest less than ``start_deg / 2`` below the spell's) nor on with the turn from
        the rest pose to the spell (about an axis within 60° of it); ``len(exc)`` when none. The
        latest spell is carried to the next piece."""
        n = len(up)
        index = np.arange(j, n)
        spell_first = first + index - quiet_run[j:] + 1  # where each sample's quiet run began
        spell = (quiet_run[j:] >= self.new_rest_min) & (spell_first > self.start)
        quiet = quiet_run[j:].nonzero()[0]  # (relative to j)
        carried = self.quiet_last, self.quiet_up
        if len(quiet):
            self.quiet_last, self.quiet_up = first + j + int(quiet[-1]), up[j + int(quiet[-1])].copy()
        if self.spell_up is None and not spell.any():
            return len(exc)
        last, spell_up = latest_up(spell, j, up, self.spell_up if self.spell_up is not None else up[j])
        at = np.where(last >= 0, last - j + 1, 0)  # (0: the carried spell)
        spell_exc = np.concatenate([[self.spell_exc], exc]).take(at)
        has = (last >= 0) | (self.spell_up is not None)
        onward = exc > spell_exc - 0.5 * self.cfg.start_deg
        if self.home_out is not None and not self.foreign_since:
            # ... a spell behind the rest pose (against the way the last counted rep went out, none
            # foreign to the exercise since) is left either way: no rep holds there, the leg rested
            onward |= (spell_up - self.rest_up) @ self.home_out < 0.0
        left = (has & (angle_between_deg(up[j:], spell_up) > self.cfg.start_deg) & onward).nonzero()[0]
        firsts = np.concatenate([[self.spell_first], spell_first]).take(at)  # each sample's spell's first
        if len(left):  # ... nor on with the turn that brought it from the rest pose to the spell (a
            # pause on the way out, a hold that sagged and is lifted again, a push further out)
            came = cross(self.rest_up, spell_up[left])  # the turns' axes: rest -> spell -> now
            goes = cross(spell_up[left], up[j:][left])
            cos = einsum("ni,ni->n", came, goes) / (row_norms(came) * row_norms(goes) + 1e-12)
            self._note_passed(first, j, left[cos >= CONTINUED_COS], last, spell_up, spell_exc, firsts, quiet, up, carried)
            left = left[cos < CONTINUED_COS]
        k = int(left[0]) if len(left) else len(exc) - 1
        if last[k] >= 0:  # carry the latest spell up to k
            self.spell_up, self.spell_exc = spell_up[k].copy(), float(spell_exc[k])
            self.spell_first, self.spell_last = int(firsts[k]), first + int(last[k])
        return k if len(left) else len(exc)

    def _note_passed(self, first: int, j: int, on: np.ndarray, last: np.ndarray, spell_up: np.ndarray,
                     spell_exc: np.ndarray, firsts: np.ndarray, quiet: np.ndarray, up: np.ndarray,
                     carried: tuple[int, np.ndarray | None]) -> None:
        """Keep each spell the leg left on with the turn (at samples ``j + on`` of this piece; the
        other arrays as in :meth:`_left_spell`, ``quiet`` the quiet samples from ``j``, ``carried``
        the last quiet sample before the piece and its vertical), with the first sample it did so
        and the last quiet sample before that."""
        known = {p.first for p in self.passed}
        for i in on:
            spell = int(firsts[i])
            if spell in known:
                continue
            known.add(spell)
            spell_last = first + int(last[i]) if last[i] >= 0 else self.spell_last
            before = quiet[quiet <= i]
            quiet_last, quiet_up = (first + j + int(before[-1]), up[j + int(before[-1])]) if len(before) else carried
            if quiet_up is None:
                quiet_last, quiet_up = spell_last, spell_up[i]
            self.passed.append(_Passed(first + j + int(i), spell_up[i].copy(), float(spell_exc[i]), spell, spell_last,
                                       quiet_up.copy(), quiet_last))

    def _spell_came_back_to(self, up_now: np.ndarray) -> _Passed | None:
        """The spell, of those the leg left on with the turn before the movement's peak, that the leg
        (vertical ``up_now``, back from the peak) has come back to, having been a rest the pose shifted
        to: it lies under half the peak from the rest pose, the peak lies ``min_rom_deg`` or more beyond
        it, and the leg is within :meth:`_near_deg` of it. The nearest such; None when there is none."""
        cfg = self.cfg
        if self.peak_up is None:
            return None
        best, best_deg = None, math.inf
        for p in self.passed:
            away = float(angle_between_deg(up_now[None, :], p.up)[0])
            if (p.left <= self.peak_index and p.exc_deg < 0.5 * self.peak_deg and away <= self._near_deg(p)
                    and away < best_deg
                    and float(angle_between_deg(self.peak_up[None, :], p.up)[0]) >= cfg.min_rom_deg):
                best, best_deg = p, away
        return best

    def _out_again(self, first: int, j: int, up: np.ndarray, exc: np.ndarray,
                   runmax: np.ndarray) -> tuple[int, int, _Passed | None]:
        """MOVE, samples ``j:`` of this piece (``exc``: their angle from rest, ``runmax``: the peak so
        far): the first (relative to ``j``) at which the leg, back near a spell it left on with the
        turn (within the spell's tolerance, :meth:`_near_deg`; the spell under half the peak from
        the rest pose and the peak ``min_rom_deg`` or more beyond it), has gone out again from its
        lowest there as far as the next rep would (:meth:`_out_deg`): the next rep from a rest the
        pose shifted to, with no rest there (a set without rests; a catch in a return lifts less).
        Also that lowest sample (absolute) and the spell; ``(len(exc), -1, None)`` when there is
        none. The lowest near each spell so far is carried to
        the next piece."""
        cfg = self.cfg
        found = (len(exc), -1, None)
        for p in self.passed:
            i0 = max(0, p.left - first - j)
            if i0 >= len(exc):
                continue
            rom = runmax[i0:] - p.exc_deg  # (the turn is about one axis)
            near = ((rom >= cfg.min_rom_deg) & (p.exc_deg < 0.5 * runmax[i0:])
                    & (angle_between_deg(up[j + i0:], p.up) <= self._near_deg(p)))
            low_deg, low_at = self.spell_lows.get(p.first, (math.inf, -1))
            lows = np.minimum(np.minimum.accumulate(np.where(near, exc[i0:], math.inf)), low_deg)
            out = (exc[i0:] - lows >= self._out_deg(p, runmax[i0:])).nonzero()[0]
            k = int(out[0]) if len(out) else len(lows) - 1
            if lows[k] < low_deg:  # (where the lowest near it lies, up to k)
                low_at = first + j + i0 + int(np.argmin(np.where(near[:k + 1], exc[i0:i0 + k + 1], math.inf)))
            self.spell_lows[p.first] = (float(lows[k]), low_at)
            if len(out) and i0 + k < found[0]:
                found = (i0 + k, low_at, p)
        return found

    def _out_deg(self, spell: _Passed, peak_deg):
        """How far (deg) the leg must go out again from near a spell, the movement's peak so far
        ``peak_deg`` (a float or an array), to be the next rep from there: half the rep's range
        beyond the spell, at least ``min_rom_deg``. The reps of a set go about as far (UCI's test
        sessions: every rep at 0.69-1.10 of its set's median range; in the fast sets, the ones
        without rests, 0.86-1.05); a catch in a return lifts a few degrees."""
        return np.maximum(self.cfg.min_rom_deg, 0.5 * (peak_deg - spell.exc_deg))

    def _near_deg(self, spell: _Passed) -> float:
        """How near (deg) the leg must come back to a spell to be back at it: ``end_floor_deg``, or
        half the spell's angle from the rest pose if more (nearer it than the rest pose: a real
        return may stop short, in two stages)."""
        return max(self.cfg.end_floor_deg, 0.5 * spell.exc_deg)

    def _split_at(self, spell: _Passed, history_up) -> Movement:
        """The spell the movement came back to was a rest (the resting pose shifted between sets, and
        the next rep went out from it): the way there, from the movement's start to the spell's first
        sample (unreturned), is a movement of its own, given back for :meth:`_end` to emit with this
        one (``Movement.shift``); this one is from now on the rep, from the vertical at the last quiet
        sample before the leg left the spell (as between movements), from the last sample within
        ``onset_deg`` of it before then."""
        shift = Movement(self.start, spell.first, self.rest_up.copy(), False, spell.first, self.last_end,
                         no_rep=self.unseen_why if self.start_unseen else "")
        near = (angle_between_deg(history_up(spell.quiet_last, spell.left), spell.quiet_up)
                <= self.cfg.onset_deg).nonzero()[0]
        self.start = spell.quiet_last + (int(near[-1]) if len(near) else 0)
        self.rest_up, self.rest_read, self.last_end, self.start_unseen = spell.quiet_up, None, spell.first, False
        self.passed, self.spell_lows = [], {}
        return shift

    def _end_held(self, decided: int, history_up, rest: bool) -> Movement:
        """AT_SPELL: end the movement where it came back to the spell (``held_end``), decided at
        absolute sample ``decided``; split at the spell first when it was a ``rest``."""
        end, spell, _, swing, quiet_up = self.held_end
        return self._end(end, returned=True, decided=decided, swing_end=swing, quiet_up=quiet_up,
                         shift=self._split_at(spell, history_up) if rest else None)

    def _raise_peak(self, first: int, j: int, up: np.ndarray, exc: np.ndarray) -> None:
        """MOVE: the movement's peak (angle, vertical, absolute sample) raised to the largest of
        ``exc``, the angles from rest of samples ``j:`` of this piece, if it is larger."""
        arg = int(exc.argmax())
        if exc[arg] > self.peak_deg:
            self.peak_deg, self.peak_up, self.peak_index = float(exc[arg]), up[j + arg].copy(), first + j + arg

    def _from_new_rest(self, first: int, k: int, up: np.ndarray, history_up) -> Movement:
        """The leg left a quiet spell inside the movement at local sample ``k`` (see
        :meth:`_left_spell`): the movement ends, unreturned, where the spell began (the spell is the
        rest before the next one), and the next one, from the spell's pose, is under way."""
        # (the first rest pose replaced, when one new rest follows another)
        replaced = self.replaced_up if self.replaced_up is not None else self.rest_up
        return self._rest_found(first, k, up, history_up, self.spell_up, self.spell_first, replaced)

    def _rest_found(self, first: int, k: int, up: np.ndarray, history_up, rest: np.ndarray, rest_first: int,
                    replaced: np.ndarray | None, no_rep: str = "") -> Movement:
        """The leg left, at local sample ``k``, a rest found inside the movement (vertical ``rest``,
        from absolute sample ``rest_first``): the movement ends, unreturned, where the rest began, and
        the next one, from the rest's pose, is under way (``replaced``: as for :meth:`_end_at_rest`)."""
        movement = self._end_at_rest(rest_first, rest, replaced, decided=first + k, no_rep=no_rep)
        self.start = self._onset(first + k, up[:k + 1], first, history_up)
        self.state = MOVE
        return movement

    def _end_at_rest(self, end: int, rest: np.ndarray, replaced: np.ndarray | None, decided: int | None = None,
                     returned: bool = False, no_rep: str = "") -> Movement:
        """End the movement at absolute sample ``end`` (unreturned, unless it went out and came back
        to ``rest``); ``rest`` is the rest pose from now on and ``replaced`` the pose it replaces (the
        rest again should the leg be quiet there); ``no_rep``: as ``Movement.no_rep``."""
        movement = self._end(end, returned=returned, decided=decided)
        self.rest_up, self.replaced_up, self.prior_rest_up, self.series_rest_up = rest, replaced, None, None
        self.rest_read = None
        return replace(movement, no_rep=no_rep) if no_rep else movement



def latest_up(flags: np.ndarray, j: int, up: np.ndarray, carried: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For samples ``j:`` of a piece's verticals ``up`` (``flags``: theirs): the piece index of the
    latest flagged sample up to each (-1: none yet in this piece) and the vertical there
    (``carried``, from before the piece, where there is none)."""
    last = np.maximum.accumulate(np.where(flags, np.arange(j, len(up)), -1))
    vertical = up.take(last, axis=0)  # (-1, before the first flagged sample, takes a row put right below)
    if len(last) and last[0] < 0:  # (last only rises: the samples before the first flagged take the carried)
        vertical[:len(last) - np.count_nonzero(last >= 0)] = carried
    return last, vertical


def angle_between_deg(up: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Angle (deg) between unit verticals ``up`` (n, 3) and ``ref`` ((3,) or (n, 3))."""
    dot = einsum("ni,ni->n", up, ref) if ref.ndim == 2 else up @ ref
    np.maximum(dot, -1.0, out=dot)  # np.clip(dot, -1, 1), without its wrapper
    np.minimum(dot, 1.0, out=dot)
    return np.degrees(np.arccos(dot, out=dot), out=dot)

"""The whole pipeline behind one object, fed a recording at once or a packet at a time.

    samples ─> GapFiller ─> MotionTracker ─> Segmenter ─> measure ─> RepClassifier ─> TempoJudge ─> Rep
               (lost        (VQF: drift-free  (hysteresis  (axis, ROM,  (shape, axis,     (normal /
                packets)     vertical, bias)   on the angle timing,      way, kind)        fast)
                                               from rest)   radius)

The recording's sidecar ``exercise`` picks the exercise model (:mod:`sensorkit.exercises`), which
fills in the exercise-dependent parameters and the kinds; the stages are the same for all.

Batch is one ``update(whole_recording)`` then ``finish()``; live is ``update(packet)`` per
notification. Every stage is causal and chunk-invariant (filters carry their state, decisions depend on
samples only), so both give the same reps.
The sample rate is measured on the first ``rate_estimate_s`` of data (buffered until then).
"""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.signal import lfilter

from sensorkit import exercises
from sensorkit.errors import ConfigError, SampleError
from sensorkit.pipeline.axis import axis_offset_deg
from sensorkit.pipeline.classify import HELD_S, NOT_RETURNED, RepClassifier, Verdict, rest_angle_deg, shape_problem
from sensorkit.pipeline.config import PipelineConfig, prescribed
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.limits import QUIET_DPS, QUIET_DPS2, gravity_mean, gravity_quiet_samples
from sensorkit.pipeline.measure import (PAD, SETTLED_S, Features, HoldSoFar, Window, hold_so_far, measure,
                                        signed_angle_deg, smooth_zero_phase, top_band_deg)
from sensorkit.pipeline.motion import MotionBlock, MotionTracker
from sensorkit.pipeline.rep import Kind, Rep
from sensorkit.pipeline.segment import (BEGAN_IN_HOLD, BEGAN_MOVING, CUT_BY_END, CUT_BY_GAP, MOVE, REST, REST_UNSEEN,
                                        WAY_BACK_FROM_SWING, Movement, Segmenter, angle_between_deg)
from sensorkit.pipeline.series import Chain, integral_deg, unstarted
from sensorkit.pipeline.smallarray import butter_lowpass_sos, butter_lowpass_zi, eigh, row_norms
from sensorkit.pipeline.spikes import SpikeFilter
from sensorkit.pipeline.tempo import TempoJudge, prescribed_rep_s
from sensorkit.samples import Samples

#: per-sample columns kept for measuring movements: t, up(3), omega(3), smooth omega(3), alpha(3),
#: linear acceleration(3), raw accelerometer(3), quiet for the rest's gravity (1.0 / 0.0, see
#: :meth:`Pipeline._rest_gravity`; computed once per block), made up in a gap (1.0 / 0.0)
_COLS = 21
_GRAVITY_QUIET = 19
_FILLED = 20
#: samples the segmenter scans at once: from SCAN_FIRST_S of data after a movement ended, doubling
#: while none ends, up to _SCAN. The movements do not depend on it (the segmenter gives the same for
#: any chunking); the logged angle trace takes its rest pose per piece, so with ``keep_angle`` the
#: pieces stay _SCAN long. Each scan works on its whole piece, and what lies after a movement's end
#: is scanned again: 2.5 s cost the simulated bench recordings 5 % fewer instructions per movement
#: than 5 s at 25 Hz and 8 % at 100 Hz (callgrind; 10 s: 1-2 %)
_SCAN = 1024
SCAN_FIRST_S = 2.5
#: :meth:`Pipeline.angle_from_first_rest_deg` is NaN where the vertical lies within this many
#: degrees of the exercise's axis: the turn about the axis is ill-defined there (a 1 deg error in
#: the vertical moves it by up to 1 / sin(10 deg), about 6 deg); a seated knee extension or hip
#: rotation keeps its axis near horizontal, 80-90 deg from the vertical
NEAR_AXIS_DEG = 10.0


#: a first rep ended at the bottom of a swing was a swing behind the rest pose (a wind-up) when the
#: swing after it went this many times as far from rest the other way: in the real series every
#: swing forward went 1.45-1.9 times as far as the swing behind before it (PHYTMO's incorrect one;
#: the correct ones swing back 1-3 deg). A tie is no evidence either way: a knee-out series whose
#: rest pose lies part way up it swings about as far behind that pose as in front
WOUND_UP_RATIO = 1.25
#: every phase the live view shows (``Pipeline.phase_``): no rep under way, the way out, a timed
#: hold, the return, held still at a pose that may be a hold or a rest (not timed), turning some
#: other way than the exercise's (:meth:`Pipeline._update_status`)
PHASES = ("rest", "out", "hold", "return", "still", "moving")
#: ... those in which the leg is held still out
HELD_PHASES = ("hold", "still")
#: the reasons of movements that get no row: each is the way back to rest after the movement before
#: (part of it, not one of its own: :meth:`Pipeline._way_back`)
NO_ROW_REASONS = (WAY_BACK_FROM_SWING,)
#: why a movement is no rep: it began where a movement foreign to the exercise ended (Rep.reason)
WENT_ON_FROM_FOREIGN = "went on straight from a movement foreign to the exercise (a step's swing, walking)"


def _run_lengths(flags: np.ndarray, index: np.ndarray, last_false: int) -> tuple[np.ndarray, int]:
    """How many samples in a row ``flags`` has held up to each sample (absolute ``index``; 0 where
    it does not), counted from the last sample where it did not (``last_false``, carried over
    blocks; -1 before any), and that sample's index for the next block."""
    last = np.maximum.accumulate(np.where(flags, last_false, index))
    return index - last, int(last[-1])


def _reported_rom(v: Verdict, f: Features) -> float:
    """A rep's ROM (deg): the range of a continuous rep (from the bottom of the swing before it,
    :mod:`sensorkit.pipeline.series`), else the peak above the rest pose, which the kind is judged
    on (and a rejected movement's)."""
    if v.kind != "rejected" and f.link is not None and math.isfinite(f.link.range_deg):
        return f.link.range_deg
    return v.rom_deg


def _raise_non_finite(samples: Samples) -> None:
    if (i := samples.first_non_finite()) is not None:
        raise SampleError(f"sample {i} of the block (t = {samples.t[i]}) holds a non-finite value: "
                          f"acc {samples.acc[i].tolist()}, gyr {samples.gyr[i].tolist()}")


@dataclass
class _Held:
    """The row of the rep that set the exercise's axis, when it ended at the bottom of a swing
    (the leg swinging on through the rest pose), held back until the movement after it has been
    judged: a series may begin with a swing behind the rest pose (PHYTMO's incorrect series: 42 deg
    back, then 74 deg forward), which, the first rep-shaped movement, set the axis the wrong way
    round. Should the next movement show it so (:meth:`Pipeline._wound_up`), both are judged again
    in the other order; else the row is published as it was. Live, the first rep of a series
    without rests shows up one swing (about a second) late; a rep followed by a rest is not held."""

    movement: Movement
    window: Window
    features: Features
    rep: Rep
    before: tuple[RepClassifier, TempoJudge, int, list[float]]  # the classifier, tempo, count and radii before it


class _History:
    """The recent per-sample columns, addressed by absolute sample index.

    The rows live in a buffer with room to spare: new rows are written after the last, in place,
    and rows given up are only skipped; when the room runs out the rows kept move to a new buffer
    twice their number (plus the new ones), so each row is copied a bounded number of times on
    average however small the blocks (live: a packet at a time). A row, once written, never
    changes: views of it (a held rep's window) stay valid."""

    def __init__(self) -> None:
        self._buf = np.empty((0, _COLS))
        self._lo = self._hi = 0  # the rows kept: _buf[_lo:_hi]
        self.first = 0  # absolute index of the first row kept

    @property
    def data(self) -> np.ndarray:
        """The rows kept (a view)."""
        return self._buf[self._lo:self._hi]

    @property
    def end(self) -> int:
        return self.first + self._hi - self._lo

    def extend(self, n: int) -> np.ndarray:
        """``n`` new rows at the end, returned for the caller to fill (written once, where they stay)."""
        if self._hi + n > len(self._buf):
            kept = self._hi - self._lo
            buf = np.empty((2 * kept + n, _COLS))
            buf[:kept] = self._buf[self._lo:self._hi]
            self._buf, self._lo, self._hi = buf, 0, kept
        self._hi += n
        return self._buf[self._hi - n:self._hi]

    def rows(self, i0: int, i1: int) -> np.ndarray:
        return self._buf[self._lo + max(0, i0 - self.first):self._lo + max(0, min(i1 - self.first, self._hi - self._lo))]

    def keep_from(self, i0: int) -> None:
        if i0 > self.first:
            self._lo = min(self._hi, self._lo + i0 - self.first)
            self.first = i0


def _grow(buf: np.ndarray, n: int, extra: int) -> np.ndarray:
    """``buf`` with room for ``extra`` rows after its first ``n`` (twice the rows needed when it
    runs out, so each row is copied a bounded number of times on average)."""
    if n + extra <= len(buf):
        return buf
    bigger = np.empty((2 * (n + extra), buf.shape[1]))
    bigger[:n] = buf[:n]
    return bigger


class _SpanSmoother:
    """What the live hold timer (:meth:`Pipeline._hold_span`) needs of a long movement, kept up to
    date a packet at a time so that a packet's cost does not grow with the movement: the sum of the
    low-passed rate's outer products (its principal axis), and the zero-phase smoothing
    (:func:`~sensorkit.pipeline.measure.smooth_zero_phase`'s method) of the rate (deg/s, 3 columns,
    sensor frame) and of its trapezoid integral from the movement's first sample (deg), from which
    the angle and rate about any axis follow (both are linear in the axis). The forward pass is
    carried over packets; the backward pass runs from the newest sample back ``settle`` samples,
    beyond which the newest samples' effect has decayed below 2**-56 of the values: older rows
    keep the value they were given then."""

    def __init__(self, start: int, cutoff_hz: float, fs_hz: float) -> None:
        sos = butter_lowpass_sos(cutoff_hz, fs_hz)
        self.b, self.a = sos[0, :3], sos[0, 3:]
        self.zi = butter_lowpass_zi(cutoff_hz, fs_hz)[0]
        # (the section's poles lie sqrt(a2) from the origin: its response decays by that per sample)
        self.settle = int(math.ceil(-56 * math.log(2) / math.log(math.sqrt(self.a[2]))))
        self.start, self.n = start, 0
        self.gram = np.zeros((3, 3))  # sum of the low-passed rate's outer products
        self.integral_sum = np.zeros(3)  # sum of the integral's rows
        self.columns = np.empty((0, 6))  # per row: the rate's integral (deg), the rate (deg/s)
        self.forward = np.empty((0, 6))  # the forward pass
        self.smoothed = np.empty((0, 6))  # zero-phase; final for rows settle before the newest of the last call
        self.state: np.ndarray | None = None  # the forward pass's after row n - 1
        self._last_t = 0.0

    def _filter(self, x: np.ndarray, zi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return lfilter(self.b, self.a, x, axis=0, zi=zi)

    def update(self, rows: np.ndarray) -> np.ndarray:
        """Fold in the movement's new history rows (at least PAD + 2 in all); returns the smoothed
        columns of every row so far (n, 6; a view)."""
        k, before = len(rows), self.n
        if k:
            n, t, omega, smooth = self.n, rows[:, 0], rows[:, 4:7], rows[:, 7:10]
            self.gram += smooth.T @ smooth
            for name in ("columns", "forward", "smoothed"):
                setattr(self, name, _grow(getattr(self, name), n, k))
            cols = self.columns[n:n + k]
            cols[:, 3:] = omega
            prev_t = np.concatenate([[self._last_t if n else t[0]], t[:-1]])
            prev_omega = np.vstack([self.columns[n - 1:n, 3:] if n else omega[:1], omega[:-1]])
            steps = 0.5 * (omega + prev_omega) * (t - prev_t)[:, None]
            cols[:, :3] = np.cumsum(steps, axis=0) + (self.columns[n - 1, :3] if n else 0.0)
            self.integral_sum += cols[:, :3].sum(axis=0)
            self._last_t, self.n = float(t[-1]), n + k
            if self.state is None:  # (the odd extension before the first row, as sosfiltfilt's)
                head = 2 * cols[0] - self.columns[PAD:0:-1]
                _, self.state = self._filter(head, self.zi[:, None] * head[0])
            self.forward[n:n + k], self.state = self._filter(cols, self.state)
        n, pad = self.n, PAD
        tail = 2 * self.columns[n - 1] - self.columns[n - 2:n - pad - 2:-1]  # (the odd extension after the last)
        tail_out, _ = self._filter(tail, self.state)
        # (from settle before the last time's newest row: each row is given its value last with the
        # newest row more than settle after it, however far apart the calls)
        lo = max(0, before - self.settle)
        back = np.concatenate([tail_out[::-1], self.forward[lo:n][::-1]])
        z, _ = self._filter(back, self.zi[:, None] * back[0])
        self.smoothed[lo:n] = z[pad:][::-1]
        return self.smoothed[:n]


class Pipeline:
    """Causal pipeline for one recording. See :mod:`sensorkit.pipeline` for the public attributes.

    ``meta``: the sidecar (``exercise``, ``target_rom_deg``, ``target_movement_s``,
    ``target_hold_s`` are used); an unknown exercise raises :class:`~sensorkit.errors.ConfigError`.
    """

    def __init__(self, config: PipelineConfig | None = None, meta: Mapping[str, Any] | None = None,
                 keep_angle: bool = False):
        meta = dict(meta or {})
        #: with ``keep_angle``, every sample's time and vertical, in pieces with the rest pose each was
        #: read from, for :meth:`angle_trace`
        self._angle_log: list[tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]] | None = [] if keep_angle else None
        self.exercise_model = exercises.get(meta.get("exercise"))
        self.exercise = self.exercise_model.name
        self.config = (config or PipelineConfig()).resolved(self.exercise_model)
        self.classifier = RepClassifier(self.config, self.exercise_model, prescribed(meta, "target_rom_deg"))
        self.tempo = TempoJudge(self.config, prescribed_rep_s(meta, self.config.controlled_rep_s))
        self._prescribed_hold_s = prescribed(meta, "target_hold_s")
        self.reps_: list[Rep] = []
        self.angle_deg_ = 0.0
        self.phase_ = "rest"
        self.hold_elapsed_s_ = 0.0
        self.time_s_ = float("nan")  # the time of the last sample analysed (s), which the three above describe
        self.peak_deg_ = float("nan")  # the highest angle_deg_ of the movement under way (deg; NaN: none under way)
        self.fs_hz_: float | None = None
        self._radii: list[float] = []  # rotation radii of the counted reps (m)
        self._pending: list[Samples] = []
        self._motion: MotionTracker | None = None
        self._count = 0
        self._sets: tuple[int, float] = (0, -math.inf)  # the last counted rep's set and end (s)
        self._new: list[Rep] = []
        self._held: _Held | None = None  # a first rep's row held back until the movement after it
        # a small settled movement's row (and the series' chain before it), held back until the movement
        # after it, which may take it back (a pause on its way out: :meth:`Segmenter._took_back`)
        self._settled_row: tuple[Rep, Chain | None] | None = None
        self._first_rest_up: np.ndarray | None = None
        # the live view: (the movement's start, the vertical) where the leg was seen resting in
        # another pose, and (the movement's start, the time, s) when it left it (:meth:`_resting`)
        self._other_rest: tuple[int, np.ndarray] | None = None
        self._left_rest_s: tuple[int, float] | None = None
        # the live view: (the movement's start, "out" or "behind") once the leg has gone out the way the
        # exercise goes, or behind its rest pose before that (:meth:`_way_gone`)
        self._went: tuple[int, str] | None = None
        # the live view: the start of the movement last shown "still" or "hold" (:meth:`_going_on_from_pause`)
        self._paused = -1
        # the live view: ((the movement's start, its rest pose, the axis), the next sample to read, the
        # highest angle before it) for :meth:`_peak_so_far`
        self._peak: tuple[tuple, int, float] | None = None

    # -- public ---------------------------------------------------------------------------
    def update(self, samples: Samples) -> list[Rep]:
        """Feed a block of samples; returns the movements (reps and rejected) that ended in it. A
        last sample that may be a glitch of the gyro (a step over ``spike_gyr_dps`` from the one
        before) is analysed with the next block, or by :meth:`finish` (:mod:`sensorkit.pipeline.spikes`).

        Raises :class:`~sensorkit.errors.SampleError` for a NaN or infinite value (the readers and
        decoders never give one): one would silently cost every rep after it.
        """
        if len(samples) == 0:
            return []
        if not math.isfinite(float(samples.t.sum() + samples.acc.sum() + samples.gyr.sum())):
            _raise_non_finite(samples)
        if self._motion is None:
            self._pending.append(samples)
            buffered = Samples.concat(self._pending)
            # (at least the 10 samples the rate falls back on when a gap follows the first one)
            if (buffered.duration_s < self.config.rate_estimate_s or len(buffered) < 10) and len(buffered) < 10_000:
                return []
            self._pending = []
            self._start(buffered)
            samples = buffered
        return self._process(samples)

    def finish(self) -> list[Rep]:
        """End of stream: analyse what is buffered and close a movement that has come most of the
        way back (a recording that stops at the bottom of the last swing)."""
        reps: list[Rep] = []
        if self._motion is None and self._pending:
            buffered = Samples.concat(self._pending)
            self._pending = []
            if len(buffered) >= 2:
                self._start(buffered)
                reps += self._process(buffered)
        if self._motion is not None:  # (the sample the spike filter held back)
            reps += self._process_mended(self._spikes.flush())
        seg = getattr(self, "_segmenter", None)
        if seg is not None and seg.state != REST and self._history.end > seg.start + 1:
            last = self._history.end - 1
            self._data_end = last  # (a movement ended here unreturned was cut by the data's end: _apply)
            movement = seg.finish(last, self._history_up(last, last + 1)[0], self._history_up)  # (decided there)
            if movement is not None:
                self._emit_ended(movement)
        self._publish_settled()
        if self._held is not None:  # (no movement came after it)
            self._publish(self._held.rep)
            self._held = None
        self.phase_, self.hold_elapsed_s_, self.peak_deg_ = "rest", 0.0, float("nan")  # the stream is over: no hold goes on
        return reps + self._take_new()

    def run(self, samples: Samples, block_size: int = 1 << 15) -> list[Rep]:
        """Batch: the reps of a whole recording (update block by block, then finish).

        Blocks keep the intermediate arrays small; the result does not depend on ``block_size``.
        """
        reps: list[Rep] = []
        for block in samples.chunks(block_size):
            reps += self.update(block)
        return reps + self.finish()

    @property
    def radius_m_(self) -> float:
        """Median rotation radius of the full and partial reps so far (m; NaN before any): the
        sensor's distance from the exercise's axis (a ``knee_out`` rep turns about another pivot)."""
        return float(np.median(self._radii)) if self._radii else float("nan")

    def angle_trace(self, filled: bool = False) -> np.ndarray:
        """(n, 2): t (s) and the exercise angle above the rest before it (deg) of every sample
        analysed (needs ``keep_angle=True``): about the exercise's axis as learned so far (after a
        whole recording, the one its reps were judged by at its end; the live view's angle is
        about the axis learned by each sample), signed the way the exercise goes; before any
        axis is learned, the whole turn from rest. With ``filled``, (n, 3): a third column, 1.0
        for a sample made up to bridge a short gap, else 0.0."""
        if not self._angle_log:
            return np.empty((0, 3 if filled else 2))
        return np.vstack([np.column_stack([t, self._shown_angle(up, rest_up)] + ([made_up] if filled else []))
                          for t, up, rest_up, made_up in self._angle_log])

    def angle_columns(self) -> np.ndarray:
        """(n, 4) per sample :meth:`angle_trace` gives (needs ``keep_angle=True``): ``t`` (s), the
        angle above the rest before each movement (deg), :meth:`angle_from_first_rest_deg` (deg)
        and 1.0 for a sample made up to bridge a gap (else 0.0): what the library's ``angle_`` and
        ``analyze --angles`` give."""
        trace = self.angle_trace(filled=True)
        return np.column_stack([trace[:, :2], self.angle_from_first_rest_deg(), trace[:, 2]])

    def angle_from_first_rest_deg(self) -> np.ndarray:
        """(n,): the exercise angle of every sample :meth:`angle_trace` gives (needs
        ``keep_angle=True``), in deg, from one pose for the whole recording: the rest before its
        first movement (the pose ``rest_angle_deg`` is read from), about the exercise's axis as
        learned at the end, signed the way the exercise goes. Unlike :meth:`angle_trace`'s, it
        does not step at each new rest, so it can be laid over a goniometer's trace (offset by the
        joint angle of that first rest). It is the turn of the vertical in the sensor's frame: a
        turn about the vertical is not seen, nor a sensor turned on the leg mid-recording. NaN for
        every sample before any axis is learned or any rest seen, and where the vertical (or that
        of the first rest) lies within :data:`NEAR_AXIS_DEG` of the axis."""
        if not self._angle_log:
            return np.empty(0)
        up = np.vstack([piece[1] for piece in self._angle_log])
        axis, reference = self.classifier.axes.axis, self._first_rest_up
        if axis is None or reference is None:
            return np.full(len(up), np.nan)
        axis = np.asarray(axis, dtype=float)
        angle = signed_angle_deg(reference, up, axis)
        off_axis = math.sin(math.radians(NEAR_AXIS_DEG))
        angle[row_norms(up - (up @ axis)[:, None] * axis[None, :]) < off_axis] = np.nan
        if row_norms((reference - (reference @ axis) * axis)[None, :])[0] < off_axis:
            angle[:] = np.nan
        return angle

    # -- internals -------------------------------------------------------------------------
    def _start(self, first: Samples) -> None:
        head = first.t[first.t <= first.t[0] + self.config.rate_estimate_s]
        dts = np.diff(head if len(head) > 2 else first.t[:10])
        dts = dts[dts > 0]
        self.fs_hz_ = float(1.0 / np.median(dts)) if len(dts) else 100.0
        try:
            self.config.check_rate(self.fs_hz_)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        cfg = self.config
        self._spikes = SpikeFilter(cfg.spike_gyr_dps, 1.0 / self.fs_hz_)
        self._gaps = GapFiller(self.fs_hz_, cfg.max_gap_fill_s)
        self._motion = MotionTracker(self.fs_hz_, cfg.lowpass_hz, cfg.vqf_tau_acc_s)
        self._segmenter = Segmenter(cfg, self.fs_hz_, prescribed_hold_s=self._prescribed_hold_s)
        self._history = _History()
        self._last_moving = -1  # absolute index of the last moving sample
        self._last_loud = -1  # absolute index of the last sample that was not quiet
        # the live hold timer's smoothing, kept up to date over a movement longer than twice the
        # samples its backward pass needs (:class:`_SpanSmoother`); shorter ones are smoothed whole
        self._span_smoother: _SpanSmoother | None = None
        self._long_span = _SpanSmoother(0, cfg.lowpass_hz, self.fs_hz_).settle  # (check_rate: a cut-off below 0.45 fs)
        self._pre = int(round(cfg.pre_rest_s * self.fs_hz_))
        self._chain: Chain | None = None  # the turn through a series without rests, after the last movement
        self._foreign_end = -2  # the last sample of the last movement foreign to the exercise
        self._rep_end = -2  # the last sample of the last movement emitted, when it was a counted rep
        self._gap_since_rep_s = 0.0  # data lost in gaps since the last counted rep ended (s)
        self._data_end = -1  # the data's last sample, once the stream has ended (finish)

    def _process(self, samples: Samples) -> list[Rep]:
        return self._process_mended(self._spikes(samples))

    def _process_mended(self, samples: Samples) -> list[Rep]:
        reps: list[Rep] = []
        for piece, after_gap in self._gaps.split(samples):
            if after_gap:
                self._restart_after_gap(float(piece.t[0]))
            reps += self._process_piece(piece)
        return reps

    def _restart_after_gap(self, resumed_s: float) -> None:
        """A gap too long to fill (a reconnect), the data resuming at ``resumed_s``: what was moving
        is cut at the last sample before it (rejected, never counted: its end is lost), and the
        analysis starts afresh after it; after a gap no longer than ``max_movement_s`` (the leg
        cannot have been held out longer), from the seated rest before it: a quiet pose is the rest
        only nearer to it than half a full rep (a hold is further), until the leg has rested there."""
        self._motion.restart()
        if self._history.end == 0:
            return
        gap_s = resumed_s - float(self._history.rows(self._history.end - 1, self._history.end)[0, 0])
        near = 0.5 * self.classifier.typical_full_rom_deg if gap_s <= self.config.max_movement_s else None
        cut = self._segmenter.restart(self._history.end - 1, near_home_deg=near, history_up=self._history_up)
        if cut is not None:
            self._emit_ended(cut)
        self._publish_settled()
        self._chain = None  # (nothing is integrated across the gap)
        self._foreign_end = -2  # (nor does what was cut there go on after it)
        self._rep_end = -2
        self._gap_since_rep_s += gap_s  # (no pause of the patient's: the data was lost)
        self._last_moving = self._last_loud = self._history.end - 1

    def _process_piece(self, samples: Samples) -> list[Rep]:
        filled = self._gaps(samples)
        block = self._motion.update(filled.t, filled.acc, filled.gyr, self._gaps.inserted)
        self.time_s_ = float(block.t[-1])
        first = self._history.end
        rows = self._history.extend(len(block))
        rows[:, 0], rows[:, 1:4], rows[:, 4:7] = block.t, block.up, block.omega_dps
        rows[:, 7:10], rows[:, 10:13], rows[:, 13:16] = block.smooth_omega_dps, block.alpha_dps2, block.lin_acc_ms2
        rows[:, 16:19] = filled.acc
        rows[:, _FILLED] = self._gaps.inserted
        quiet = block.speed_dps < QUIET_DPS
        rows[:, _GRAVITY_QUIET] = quiet & (row_norms(block.alpha_dps2) < QUIET_DPS2)
        # how long the leg has been still, and quiet, up to each sample (carried over blocks)
        index = np.arange(first, first + len(block))
        still_run, self._last_moving = _run_lengths(block.speed_dps < self.config.still_gyr_dps, index, self._last_moving)
        quiet_run, self._last_loud = _run_lengths(quiet, index, self._last_loud)
        first_size = _SCAN if self._angle_log is not None else max(16, min(_SCAN, int(SCAN_FIRST_S * self.fs_hz_)))
        n, pos, size = len(block), 0, first_size
        while pos < n:
            hi = min(n, pos + size)  # pieces: after a movement ends, less is scanned again
            movement = self._segmenter.scan(first + pos, block.up[pos:hi], still_run[pos:hi], quiet[pos:hi],
                                            quiet_run[pos:hi], self._history_up, self._history_acc,
                                            self._history_motion)
            # go on after the sample at which the movement's end was seen (it may end earlier, at
            # the bottom of a swing): what live has already scanned, batch does not scan again
            end = hi if movement is None else movement.decided - first + 1
            if self._angle_log is not None:
                rest_up = self._segmenter.rest_up if movement is None else movement.rest_up
                self._angle_log.append((block.t[pos:end], block.up[pos:end], None if rest_up is None else rest_up.copy(),
                                        self._gaps.inserted[pos:end].astype(float)))
            if movement is not None:
                self._emit_ended(movement)
            pos = end
            size = first_size if movement is not None else min(2 * size, _SCAN)
        self._trim()
        self._update_status(block)
        return self._take_new()

    def _history_up(self, i0: int, i1: int) -> np.ndarray:
        return self._history.rows(i0, i1)[:, 1:4]

    def _history_acc(self, i0: int, i1: int) -> np.ndarray:
        return self._history.rows(i0, i1)[:, 16:19]

    def _history_motion(self, i0: int, i1: int) -> np.ndarray:
        return self._history.rows(i0, i1)[:, 7:16]  # smoothed rate, its derivative, linear acceleration

    def _trim(self) -> None:
        seg = self._segmenter
        # a movement needs pre_rest_s before its start, which lies up to pre_rest_s before the crossing;
        # the segmenter reads a rest pose's accelerometer up to SETTLED_READ_S before a quiet sample
        pre = max(self._pre, seg.settled_samples)
        keep = seg.start - pre if seg.state != REST else self._history.end - 2 * pre - 1
        # a small rep out in steps starts where the leg left the first rest after the last movement
        # (up to max_movement_s before): kept in a rest, and in a movement that may be its way back
        left = seg.out_last if seg.state == REST else seg.step_from
        if left >= 0:
            keep = min(keep, max(left - self._pre, self._history.end - seg.max_len - 2 * self._pre))
        if (settled_from := seg.needed_from(self._history.end)) >= 0:  # (the rep after it may take it back)
            keep = min(keep, settled_from - self._pre)
        self._history.keep_from(max(0, keep))

    def _take_new(self) -> list[Rep]:
        new, self._new = self._new, []
        return new

    def _emit_ended(self, movement: Movement) -> None:
        """Emit a movement the segmenter ended, after the way to a rest pose shifted inside it, if any.
        A small settled movement's row waits for the movement after it, and is dropped if that one
        took it back."""
        settled, self._settled_row = self._settled_row, None
        if settled is not None and movement.took_back:
            self._chain = settled[1]  # (the pause on its way out: no movement of its own)
        elif settled is not None:
            self._publish(settled[0])
        if movement.shift is not None:
            self._emit(movement.shift)
        if movement.settled:
            chain = self._chain
            rep = self._emit(movement, publish=False)
            self._settled_row = (rep, chain)
        else:
            rep = self._emit(movement)
        self._rep_end = movement.end if rep.counted else -2

    def _publish_settled(self) -> None:
        """Publish a settled movement's row held back (no movement came after it, before the stream's
        end or a gap)."""
        if self._settled_row is not None:
            self._publish(self._settled_row[0])
            self._settled_row = None

    def _emit(self, movement: Movement, publish: bool = True) -> Rep:
        """Measure and judge a movement that ended, and publish its row unless ``publish`` is False
        (see :class:`_Held` for the one row held back until the movement after it)."""
        window, f = self._measure(movement)
        held, self._held = self._held, None
        if held is not None and self._wound_up(held, movement, f):
            # the held rep was a swing behind the rest pose before the first rep: judged again after
            # this one, which sets the exercise's axis, it swung the other way (and votes for no way:
            # a series' later swings behind the rest, each smaller than the rep before, must not
            # outweigh the reps with it)
            self.classifier, self.tempo, self._count, self._radii, self._sets = held.before
            # (its range through the series is known only once the chain is turned back, below: its
            # verdict is on its range above rest)
            v, no_rep = self._verdict(movement, replace(f, link=None))
            held_v, held_no_rep = self._verdict(held.movement, held.features, learn=False)
            self._publish(self._apply(held.movement, held.window, held.features, held_v, held_no_rep))
            axis = self.classifier.axes.axis
            if held.features.link is not None and axis is not None:  # the series carried on the right way round
                self._chain = held.features.link.turned_back(axis)
            window, f = self._measure(movement)  # (its range through the series)
            rep = self._apply(movement, window, f, v, no_rep)
            self._publish(rep)
            return rep
        if held is not None:
            self._publish(held.rep)
        before = None
        if self.classifier.axes.axis is None and movement.swing_end and f.hold_s < HELD_S:  # (it may be held)
            before = (copy.deepcopy(self.classifier), copy.deepcopy(self.tempo), self._count, list(self._radii), self._sets)
        v, no_rep = self._verdict(movement, f)
        rep = self._apply(movement, window, f, v, no_rep)
        if before is not None and rep.kind != "rejected":
            self._held = _Held(movement, window, f, rep, before)
        elif publish and not self._way_back(movement, f, rep):
            self._publish(rep)
        return rep

    def _way_back(self, movement: Movement, f: Features, rep: Rep) -> bool:
        """Whether a movement that is no rep was only the way back to rest after the movement before
        it: from a quiet moment at the bottom of that movement's swing past the rest pose
        (``WAY_BACK_FROM_SWING``), or begun at the very sample a counted rep ended (no rest
        between: at its swing's bottom, or a moment's stop there) and back at rest having gone under
        ``min_rom_deg`` out the exercise's way. Part of that movement, not one of its own: no row (as
        a pause on the way out that a rep took back has none). A small movement from a rest keeps
        its row ("too small"), and so does one right after a movement that was no rep (it may be
        what is left of a rep cut short there)."""
        if rep.kind != Kind.REJECTED:
            return False
        if movement.no_rep in NO_ROW_REASONS:
            return True
        return (not movement.no_rep and movement.start == self._rep_end + 1 and f.returned
                and f.rom_deg < self.config.min_rom_deg)

    def _measure(self, movement: Movement) -> tuple[Window, Features]:
        first = max(movement.start - self._pre, movement.previous_end + 1)  # its rest, not the one before
        data = self._history.rows(first, movement.end + 1)
        start = movement.start - max(self._history.first, first)
        window = Window(t=data[:, 0], up=data[:, 1:4], omega_dps=data[:, 4:7], smooth_omega_dps=data[:, 7:10],
                        alpha_dps2=data[:, 10:13], lin_acc_ms2=data[:, 13:16], start=start, end=len(data) - 1,
                        rest_up=movement.rest_up, returned=movement.returned, acc_ms2=data[:, 16:19],
                        rest_gravity=self._rest_gravity(first, movement.start), filled=data[:, _FILLED] > 0.0,
                        chain=self._chain_into(first == movement.previous_end + 1))
        return window, measure(window, self.config, self.fs_hz_)

    def _verdict(self, movement: Movement, f: Features, learn: bool = True) -> tuple[Verdict, str]:
        """The classifier's verdict on a measured movement (it learns from it, unless ``learn`` is
        False), and why it is no rep whatever its verdict ("" when it may be one)."""
        # begun at the very sample a movement foreign to the exercise (and no smaller than the
        # smallest rep) ended, with no rest between, and not held: part of the same activity
        # (walking: each step's swing turns about the knee like a knee extension, between stances
        # that turn about the foot, and never holds), no rep. A movement held HELD_S at the top is
        # a rep, say the first after sitting down again, begun before the sit-down's movement ended
        went_on = movement.start <= self._foreign_end + 1 and f.hold_s < HELD_S
        # (a movement known to be no rep votes for no axis: read from a guessed rest, or as the way
        # back from a swing, its turn may look the other way round)
        v = self.classifier.classify(f, learn=learn and not (movement.no_rep or went_on))
        # (a movement rejected anyway keeps its reason)
        return v, movement.no_rep or (WENT_ON_FROM_FOREIGN if went_on and v.kind != "rejected" else "")

    def _wound_up(self, held: _Held, movement: Movement, f: Features) -> bool:
        """Whether ``movement`` shows the held rep to have been a swing behind the rest pose before
        the first rep (a wind-up): it began where the held one ended (the leg swinging on), turned
        about the same axis and pivot the other way, is rep-shaped, and went WOUND_UP_RATIO times
        as far from rest. A leg swinging through its resting pose goes further the way the
        exercise goes; a first rep in a series turns the way the next does."""
        cfg = self.config
        if movement.no_rep or movement.start != held.movement.end + 1:
            return False
        if f.rom_deg < WOUND_UP_RATIO * held.features.rom_deg:
            return False
        if shape_problem(f, cfg, self.exercise_model.pivot_kind):
            return False
        foot, held_foot = (x.pivot_height_m > cfg.foot_pivot_min_height_m for x in (f, held.features))
        if foot != held_foot:  # (a swing through the rest pose turns about one pivot: knee or hip, or foot)
            return False
        return (float(f.axis @ held.features.axis) < 0
                and axis_offset_deg(f.axis, held.features.axis) <= cfg.max_axis_offset_deg)

    def _apply(self, movement: Movement, window: Window, f: Features, v: Verdict, no_rep: str) -> Rep:
        """The verdict's consequences (the segmenter told, the series carried on, the count, the
        tempo) and the movement's row."""
        counted = v.kind != "rejected" and not no_rep
        start = window.start
        # (a counted rep's farthest vertical from its rest pose: the way the exercise goes out)
        out_up = window.up[start + int(angle_between_deg(window.up[start:], movement.rest_up).argmax())] if counted else None
        self._segmenter.judged(movement, counted=counted, foreign=v.foreign, out_up=out_up)
        if v.foreign and f.rom_deg >= self.config.min_rom_deg:  # (a smaller one's axis is noise)
            self._foreign_end = movement.end
        if no_rep:
            v = Verdict("rejected", no_rep, v.rom_deg, v.axis_offset_deg)
        elif v.reason == NOT_RETURNED and not movement.returned and movement.end == self._data_end:
            no_rep = CUT_BY_END  # (the data ended before it could return: said so, not blamed on the leg)
            v = replace(v, reason=no_rep)
        self._chain = self._chain_after(f, v)
        if v.kind in (Kind.FULL, Kind.PARTIAL) and f.radius_m == f.radius_m:  # (knee_out: about another pivot)
            self._radii.append(f.radius_m)
        guessed = movement.no_rep in (BEGAN_IN_HOLD, BEGAN_MOVING, REST_UNSEEN)  # (its rest pose: no rest)
        if self._first_rest_up is None and not guessed:
            self._first_rest_up = movement.rest_up
        axis = self.classifier.axes.axis
        number, tempo, set_number = None, "", None
        if v.kind != "rejected":
            self._count += 1
            number = self._count
            tempo = self.tempo.judge(f.duration_s, f.hold_s)
            last_set, last_end_s = self._sets
            paused_s = f.start_s - last_end_s - self._gap_since_rep_s  # (data lost around a gap: no pause seen)
            set_number = last_set + 1 if paused_s >= self.config.set_break_s else last_set
            self._sets, self._gap_since_rep_s = (set_number, f.end_s), 0.0
        elif movement.no_rep in (CUT_BY_GAP, REST_UNSEEN):  # (a movement the gap cut, or the data resumed in)
            self._gap_since_rep_s += f.end_s - f.start_s
        return Rep(
            rep=number, kind=v.kind, start_s=f.start_s, end_s=f.end_s, rom_deg=_reported_rom(v, f),
            hold_s=f.hold_s, out_end_s=f.out_end_s, return_start_s=f.return_start_s,
            peak_speed_dps=f.peak_speed_dps, out_duration_s=f.out_duration_s,
            return_duration_s=f.return_duration_s,
            rest_angle_deg=(rest_angle_deg(self._first_rest_up, movement.rest_up, axis)
                            if self._first_rest_up is not None and not guessed else float("nan")),
            radius_m=f.radius_m if v.kind != "rejected" else float("nan"),
            axis_offset_deg=v.axis_offset_deg,
            exercise=self.exercise, tempo=tempo, reason=v.reason, set=set_number, peak_deg=v.rom_deg,
        )

    def _publish(self, rep: Rep) -> None:
        self.reps_.append(rep)
        self._new.append(rep)

    def _chain_into(self, adjacent: bool) -> Chain | None:
        """The turn through a series the next movement carries on (:mod:`sensorkit.pipeline.series`):
        the last movement's when their samples meet, else one about the exercise's axis that starts
        at a quiet rest (None before the axis is known)."""
        if adjacent and self._chain is not None:
            return self._chain
        axis = self.classifier.axes.axis
        return unstarted(axis) if axis is not None else None

    def _chain_after(self, f: Features, v: Verdict) -> Chain | None:
        """The chain after a movement: kept only about the exercise's learned axis (within
        SAME_AXIS_COS of it, its sign made the axis's), with its trough from there on: a counted
        rep's lowest angle after its peak; a movement foreign to the exercise (a kick, standing up)
        starts it at its end; another rejected one (the way back from a swing, too small) keeps
        its lowest angle."""
        axis = self.classifier.axes.axis
        if f.link is None or axis is None:
            return None
        return f.link.next_chain(axis, counted=v.kind != "rejected", foreign=v.foreign)

    def _rest_gravity(self, first: int, start: int) -> np.ndarray | None:
        """The accelerometer's gravity direction over the quiet samples of the rest before
        ``start`` (exact there, unlike the orientation filter just after a movement), or None when
        they last under ``GRAVITY_QUIET_S``.
        Quiet: smoothed rate under QUIET_DPS and angular acceleration under QUIET_DPS2, their norms
        as np.linalg.norm computes them (the history's flag column)."""
        pre = self._history.rows(first, start)
        if not len(pre):
            return None
        quiet = pre[:, _GRAVITY_QUIET] > 0.0
        if np.count_nonzero(quiet) < gravity_quiet_samples(self.fs_hz_):  # (too short a spell: the filter's reading)
            return None
        g, kept = gravity_mean(pre[quiet, 16:19])  # (a glitch left out; the norm as numpy computes it)
        if kept is not None and np.count_nonzero(kept) < gravity_quiet_samples(self.fs_hz_):
            return None
        return g / math.sqrt(g.dot(g))

    def _shown_angle(self, up: np.ndarray, rest_up: np.ndarray | None) -> np.ndarray:
        """The exercise angle above the rest pose for display (deg): the turn about the learned
        exercise axis once there is one (as ROM is measured), else the whole turn from rest."""
        axis = self.classifier.axes.axis
        if rest_up is None:
            return np.zeros(len(up))
        if axis is None:
            return angle_between_deg(up, rest_up)
        return signed_angle_deg(rest_up, up, axis)

    def _hold_span(self) -> HoldSoFar | None:
        """:func:`~sensorkit.pipeline.measure.hold_so_far` over the movement under way: its rate
        about its own principal axis (of the low-passed rate; signed the way it went out),
        integrated from the angle at its start and smoothed at ``lowpass_hz`` at zero phase, as a
        measured rep's. A movement longer than twice the samples the smoothing's backward pass
        needs (:class:`_SpanSmoother`: 2.9 s at 3 Hz) is smoothed a packet at a time, the same to
        rounding (the sums and the filter run in another order: the span's times within 1e-13 s),
        so that a packet costs no more smoothing late in a long hold than early in it."""
        seg, cfg = self._segmenter, self.config
        rows = self._history.rows(seg.start, self._history.end)
        if len(rows) < 3:
            return None
        smoother = self._span_smoother
        if smoother is not None and smoother.start != seg.start:  # (another movement)
            smoother = self._span_smoother = None
        if smoother is None and len(rows) > 2 * self._long_span and cfg.lowpass_hz < 0.45 * self.fs_hz_:
            smoother = self._span_smoother = _SpanSmoother(seg.start, cfg.lowpass_hz, self.fs_hz_)
        if smoother is not None:  # (a long movement: its cost per packet bounded)
            both = smoother.update(rows[smoother.n:])
            _, vecs = eigh(smoother.gram)
            axis = vecs[:, -1] if smoother.integral_sum @ vecs[:, -1] >= 0 else -vecs[:, -1]
            angle = both[:, :3] @ axis + float(seg.excursion_deg(rows[:1, 1:4])[0])
            return hold_so_far(rows[:, 0], angle, both[:, 3:] @ axis, cfg, self.fs_hz_)
        t, omega, smooth = rows[:, 0], rows[:, 4:7], rows[:, 7:10]
        _, vecs = eigh(smooth.T @ smooth)
        rate = omega @ vecs[:, -1]
        angle = integral_deg(t, rate, 0.0)
        if angle.sum() < 0:
            rate, angle = -rate, -angle
        angle += float(seg.excursion_deg(rows[:1, 1:4])[0])
        both = smooth_zero_phase([angle, rate], cfg.lowpass_hz, self.fs_hz_)
        return hold_so_far(t, both[:, 0], both[:, 1], cfg, self.fs_hz_)

    def _at_other_rest(self, out: bool, quiet_samples: int) -> bool:
        """Live view, in a movement: whether the leg is clearly resting in another pose (no rep under
        way) before the segmenter has taken that pose for the rest (it waits for what comes next).
        ``out``: held out the way the exercise goes (never once the segmenter has seen the movement
        return: the rep's hold is over); ``quiet_samples``: how long the leg has been quiet (samples).

        So it is, once the exercise's axis is known, when the leg has been quiet ``rest_min_s``
        not held out: behind the rest pose, or within ``start_deg`` of it (the foot put down
        further back, no rep holds there, and the segmenter counts none), or where a returned
        movement came back to (a rep come back to a pose shifted out: the segmenter takes it for
        the rest after ``new_rest_min_s`` quiet there; a pause inside a movement that long: 1 of
        147 real ones). A pose out the way the exercise goes is not: held there, it is a rep's hold
        if the leg comes back (the segmenter counts it, and its hold) and a rest the pose shifted
        to if the leg stays ``rest_still_s`` or the next rep comes back there; nothing tells the
        two apart before then, and the view shows "still" under half the last counted rep's peak
        (before any, the rep expected: :meth:`_may_be_rest`), else the hold, until the segmenter
        decides (docs/exercises.md)."""
        if self.classifier.axes.axis is None:
            return False
        return not out and quiet_samples >= self.config.rest_min_s * self.fs_hz_

    def _rests_before_any_rep(self, still_samples: int) -> bool:
        """Live view, in a movement before any rep is counted: whether the leg, still
        ``still_samples`` samples (under ``still_gyr_dps``), rests where it is, however far out.
        Before the first rep there is no rep to tell a hold from a rest by: a still spell longer
        than the segmenter's ``rest_still_s`` (raised by a prescribed hold: the longest a low
        pose is taken for a hold) is the rest the leg came to, not a hold to time (the segmenter
        cuts the movement at ``max_movement_s``, no rep, and takes that pose for the rest)."""
        return not self._segmenter.home_peak_deg and still_samples >= self._segmenter.rest_still

    def _may_be_rest(self, now_deg: float) -> bool:
        """Live view, the leg held still out the way the exercise goes: whether the pose may be a rest
        the leg shifted to rather than a rep's hold (``now_deg``: its whole turn from the rest pose).
        So it may while under half the last counted rep's peak from the rest pose: the segmenter
        takes such a pose for the rest once the leg has been still there ``rest_still_s``, or when
        the next rep goes out from there (twice as far from the rest pose) and comes back there, and
        counts a rep, with its whole hold, if the leg comes back first; nothing tells the two apart
        before then. Further out, a rep from there would go beyond the last one.
        Before any rep is counted, the rep the classifier expects stands in for the last one
        (``RepClassifier.typical_full_rom_deg``: the prescribed ROM, else the exercise's floor
        for a full rep): a pause under half of it may as well be the resting leg shifted out
        before the first rep, which the segmenter takes for the rest once a rep goes out from
        there and comes back there (it counts no hold there)."""
        peak = self._segmenter.home_peak_deg or self.classifier.typical_full_rom_deg
        return now_deg < 0.5 * peak

    def _elsewhere(self, now_deg: float, went_out: bool) -> bool:
        """Live view, in a movement that has not gone ``start_deg`` out the way the exercise goes
        (``went_out``: :meth:`_way_gone`'s "out"): whether the leg turns mostly some other way (its
        turn about the exercise's axis, signed the way the exercise goes, under half its whole turn
        ``now_deg`` from the rest pose): about another axis (a sideways turn, a hip rotation in a
        knee-extension session), or behind the rest pose by less than :meth:`_way_gone` takes for
        behind. A rep's start turns about the exercise's axis (its angle about that axis nearly all
        of its turn), so it is not."""
        if self.classifier.axes.axis is None or self.angle_deg_ >= self.config.start_deg:
            return False
        return not went_out and self.angle_deg_ < 0.5 * now_deg

    def _way_gone(self, now_deg: float) -> str | None:
        """Live view, in a movement: "out" once the leg has gone ``start_deg`` out the way the
        exercise goes in this movement, else "behind" once it has gone behind its rest pose (by
        ``onset_deg`` about the exercise's axis, most of its turn from rest that way round: no rep
        under way, the foot put down further back, or a swing or return on past the rest pose),
        else None. ``now_deg``: the leg's whole turn from the rest pose. Kept per movement in
        ``_went``."""
        seg, angle, cfg = self._segmenter, self.angle_deg_, self.config
        if self._went is not None and self._went[0] != seg.start:  # (another movement)
            self._went = None
        if angle >= cfg.start_deg:
            self._went = (seg.start, "out")
        elif (self._went is None and self.classifier.axes.axis is not None and angle <= -cfg.onset_deg
              and -angle >= 0.5 * now_deg):
            self._went = (seg.start, "behind")
        return self._went[1] if self._went is not None else None

    def _going_on_from_pause(self, span: HoldSoFar) -> bool:
        """Live view, a leg shown "still" or "hold" in this movement: whether it has gone on out
        from that pause and is still going on, so that the hold the rep will report is not known
        yet (:func:`~sensorkit.pipeline.measure.hold_so_far`: the pause is the hold's start if the
        leg stops again near enough, else the hold starts where it stops; a pause the leg goes on
        out from is no hold of its own). Shown "hold", once the span's newest sure sample turns on
        out beyond the band a hold's wobble stays in (``gone_on``); shown "still" (no timer to
        keep), as soon as it turns on out (``going_on``) or, on the packet it comes out of
        "still", while the newest sample is not still (smoothed speed ``still_gyr_dps`` or more:
        the span is sure of samples EDGE_PERIODS old only); gone on, until it stops again."""
        if self._paused != self._segmenter.start:
            return False
        if self.phase_ == "hold":
            return span.gone_on
        return span.going_on or (self.phase_ == "still" and self._last_moving == self._history.end - 1)

    def _resting(self, block: MotionBlock, out: bool) -> bool:
        """Live view, in a movement: whether the leg rests in another pose (:meth:`_at_other_rest`),
        from when it is first seen so until it leaves that pose by ``start_deg`` (a sway or a
        fidget there does not bring back the hold); a hold that began before it left is that rest's."""
        seg, up = self._segmenter, block.up[-1]
        if self._other_rest is not None and self._other_rest[0] != seg.start:  # (another movement)
            self._other_rest = None
        if self._left_rest_s is not None and self._left_rest_s[0] != seg.start:
            self._left_rest_s = None
        last = self._history.end - 1
        if self._other_rest is None and (self._at_other_rest(out, last - self._last_loud)
                                         or self._rests_before_any_rep(last - self._last_moving)):
            self._other_rest = (seg.start, up.copy())
        if self._other_rest is None:
            return False
        if float(angle_between_deg(up[None, :], self._other_rest[1])[0]) < self.config.start_deg:
            return True
        self._other_rest, self._left_rest_s = None, (seg.start, float(block.t[-1]))
        return False

    def _update_status(self, block: MotionBlock) -> None:
        """The live view: angle above rest, phase and hold time at the block's last sample. The
        angle is from the segmenter's rest pose, or from the pose the view has seen the leg come to
        rest in (:meth:`_resting`) while it rests there."""
        seg = self._segmenter
        self.angle_deg_ = float(self._shown_angle(block.up[-1:], seg.rest_up)[0])
        back_deg = self._from_rest_left(block)
        if back_deg is not None:
            # (on the way back to the rest the last movement left, from a swing past it: the end
            # of that movement's return, no movement out from the swing's bottom; its rep is
            # counted, the leg settles: "rest", the angle from that rest)
            phase, self.angle_deg_ = "rest", back_deg
        elif seg.state == REST:
            phase = "rest"
            if (self._other_rest is not None
                    and float(angle_between_deg(block.up[-1:], self._other_rest[1])[0]) < self.config.start_deg):
                # (the movement just ended where the view saw the leg rest in another pose: the
                # segmenter's rest pose follows there from the samples after; not a packet from the old one)
                self.angle_deg_ = float(self._shown_angle(block.up[-1:], self._other_rest[1])[0])
        elif seg.state == MOVE:
            # the hold as the rep will measure it (measure.hold_so_far): from where the outward
            # movement ended, by the measured rep's own rule, to the last moment the leg was still
            # held; "hold" once that span is SETTLED_S long (the turnaround at the top of a swing
            # is no hold), and from then on until the leg comes down below hold_level_fraction of
            # its peak (where a measured rep's return is sure to have begun: a wobble's trough
            # stays above; such a hold does not start again); else "out" near the top, "return"
            # below it
            now = float(seg.excursion_deg(block.up[-1:])[0])
            # (once the exercise's axis is known, a leg within start_deg of its rest the way the
            # exercise goes is not held out: say, sitting again after standing up, before the
            # segmenter has taken that pose for the rest)
            out = self.classifier.axes.axis is None or self.angle_deg_ >= self.config.start_deg
            went = self._way_gone(now)
            if self._resting(block, out):
                phase = "rest"  # (no rep under way: the leg rests in another pose, the angle shown from it)
                self.angle_deg_ = float(self._shown_angle(block.up[-1:], self._other_rest[1])[0])
            elif went == "behind":
                # (no rep under way: from a rest, the foot put down further back; straight on from
                # the movement before, a swing or a return on past the rest pose, still coming back)
                phase = "rest" if seg.start - seg.last_end > seg.rest_min else "return"
            else:
                span = self._hold_span() if out and now >= self.config.hold_level_fraction * seg.peak_deg else None
                if span is not None and self._left_rest_s is not None and span.out_end_s < self._left_rest_s[1]:
                    span = None  # (the hold found is that rest's)
                held = span is not None and not span.ended and (span.held_s >= SETTLED_S or self.phase_ in HELD_PHASES)
                if held and self.phase_ != "hold" and self._may_be_rest(now):
                    # (a low rep's hold, or a resting pose shifted out: no timer; a hold shown
                    # stays one while the leg comes down)
                    phase = "still"
                elif held and not self._going_on_from_pause(span):
                    # (never back within a hold: the span waits while the leg comes down, dated
                    # back once it is sure, and its start may move later, when a slow end of the way
                    # out turns out to be part of it; the time shown then stays until the span
                    # catches up. Not while the leg goes on out: from a pause, shown still or held,
                    # "out" until it stops again, where the span says whether the hold began at the
                    # pause or begins there, and the timer shows that)
                    phase = "hold"
                    self.hold_elapsed_s_ = max(span.held_s, self.hold_elapsed_s_ if self.phase_ == "hold" else 0.0)
                elif span is not None and span.ended:
                    phase = "return"  # (a hold once ended does not start again)
                elif self._elsewhere(now, went_out=went == "out"):
                    phase = "moving"  # (about another axis, or not yet onset_deg behind: no rep under way)
                else:
                    # (within the band a hold's wobble stays in, the leg is still on its way out)
                    phase = "out" if now >= seg.peak_deg - top_band_deg(seg.peak_deg) else "return"
        elif self._resting(block, out=False):
            # (the segmenter has seen the movement return, no hold goes on: quiet rest_min_s where it
            # came back to, say a rep come back to a pose shifted out, a rest before the segmenter
            # splits the two)
            phase = "rest"
            self.angle_deg_ = float(self._shown_angle(block.up[-1:], self._other_rest[1])[0])
        else:
            phase = "return"
        if phase in HELD_PHASES:
            self._paused = seg.start
        if seg.state == REST:
            self._other_rest, self._left_rest_s, self._went = None, None, None
        if phase != "hold":
            self.hold_elapsed_s_ = 0.0
        # (no rep under way at rest, nor while the leg rests in another pose: nothing to judge)
        self.peak_deg_ = self._peak_so_far() if seg.state != REST and phase != "rest" else float("nan")
        self.phase_ = phase

    def _from_rest_left(self, block: MotionBlock) -> float | None:
        """Live view: the angle (deg, as :meth:`_shown_angle`) from the rest the last movement left
        while the leg may be on its way back to it from a swing past it (the segmenter ended that
        movement at the swing's bottom, and ends the way back once the leg is quiet there again:
        no rep, :data:`~sensorkit.pipeline.segment.WAY_BACK_FROM_SWING`), not yet out beyond it
        by ``start_deg`` the way the exercise goes; else None. So it is once the exercise's axis
        is known, from the end of that movement (the rest pose moved more than ``end_floor_deg``
        from the one it left) until the leg has rested, and in the movement that goes on from
        there with no rest (the segmenter's ``back_rest_up``), while the leg is no further behind
        that rest than the swing went (by ``end_floor_deg``)."""
        seg, cfg = self._segmenter, self.config
        if self.classifier.axes.axis is None:
            return None
        if seg.state == REST:
            left = seg.prior_rest_up  # (until the leg has rested rest_min_s: then it is the rest)
            if left is None or seg.rest_up is None:
                return None
            gap_deg = float(angle_between_deg(seg.rest_up[None, :], left)[0])
            if gap_deg <= cfg.end_floor_deg:
                return None
        elif seg.state == MOVE and seg.start - seg.last_end <= seg.rest_min:  # (no rest since the movement before)
            left, gap_deg = seg.back_rest_up, seg.back_rest_deg
        else:
            return None
        if left is None:
            return None
        back_deg = float(self._shown_angle(block.up[-1:], left)[0])
        # (no further behind it than the swing went, as the segmenter's way back: a swing on behind
        # is a movement of its own)
        return back_deg if -(gap_deg + cfg.end_floor_deg) <= back_deg < cfg.start_deg else None

    def _peak_so_far(self) -> float:
        """Live view: the highest exercise angle above the rest pose (deg, as :meth:`_shown_angle`)
        over every sample of the movement under way so far, which its rep's ROM is judged by: a
        hold that sags after reaching the target range has reached it. Only the samples not read
        yet are read, unless the movement, its rest pose or the exercise's axis changed."""
        seg, axis = self._segmenter, self.classifier.axes.axis
        key = (seg.start, None if seg.rest_up is None else seg.rest_up.tobytes(),
               None if axis is None else np.asarray(axis).tobytes())
        if self._peak is None or self._peak[0] != key:
            self._peak = (key, seg.start, -math.inf)
        _, first, peak = self._peak
        end = self._history.end
        if end > first:
            peak = max(peak, float(self._shown_angle(self._history_up(first, end), seg.rest_up).max()))
        self._peak = (key, end, peak)
        return peak

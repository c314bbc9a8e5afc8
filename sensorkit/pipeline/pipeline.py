"""The whole pipeline behind one object, fed a recording at once or a packet at a time.

    samples ─> GapFiller ─> MotionTracker ─> GeometryModel ─> Segmenter ─> measure ─> RepClassifier ─> TempoJudge ─> Rep
               (lost        (VQF: drift-free  (axis, shank's   (hysteresis  (timing,   (shape, axis,    (normal /
                packets)     vertical, bias)   vertical pose)   on angle)    ROM, ...)  kind)            fast)

The recording's sidecar ``exercise`` picks the exercise model (:mod:`sensorkit.exercises`), which
fills in the exercise-dependent parameters and the kinds; the stages are the same for all.

Batch is one ``update(whole_recording)`` then ``finish()``; live is ``update(packet)`` per
notification. Every stage is causal and chunk-invariant (filters carry their state; estimates are
refreshed at data-defined samples), so both give the same reps.
The sample rate is measured on the first ``rate_estimate_s`` of data (buffered until then).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from sensorkit import exercises
from sensorkit.errors import ConfigError, SampleError
from sensorkit.pipeline.classify import RepClassifier, rest_angle_deg
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.geometry import Geometry, GeometryModel
from sensorkit.pipeline.measure import QUIET_DPS, QUIET_DPS2, Window, measure, signed_angle_deg
from sensorkit.pipeline.motion import MotionBlock, MotionTracker
from sensorkit.pipeline.rep import Rep
from sensorkit.pipeline.segment import MOVE, REST, Movement, Segmenter
from sensorkit.pipeline.tempo import TempoJudge
from sensorkit.samples import GRAVITY_MS2, Samples

#: per-sample columns kept for measuring movements: t, up(3), omega(3), smooth omega(3), alpha(3),
#: linear acceleration(3), angle, raw accelerometer(3)
_COLS = 20
_SCAN = 1024


def _number(meta: Mapping[str, Any], key: str) -> float | None:
    value = meta.get(key)
    return float(value) if value is not None else None


def _raise_non_finite(samples: Samples) -> None:
    finite = np.isfinite(samples.t) & np.isfinite(samples.acc).all(axis=1) & np.isfinite(samples.gyr).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise SampleError(f"sample {i} of the block (t = {samples.t[i]}) holds a non-finite value: "
                          f"acc {samples.acc[i].tolist()}, gyr {samples.gyr[i].tolist()}")


class _History:
    """The recent per-sample columns, addressed by absolute sample index."""

    def __init__(self) -> None:
        self.data = np.empty((0, _COLS))
        self.first = 0  # absolute index of data[0]

    @property
    def end(self) -> int:
        return self.first + len(self.data)

    def append(self, rows: np.ndarray) -> None:
        self.data = np.vstack([self.data, rows]) if len(self.data) else rows

    def rows(self, i0: int, i1: int) -> np.ndarray:
        return self.data[max(0, i0 - self.first):max(0, i1 - self.first)]

    def keep_from(self, i0: int) -> None:
        if i0 > self.first:
            self.data = self.data[i0 - self.first:].copy()
            self.first = i0


class Pipeline:
    """Causal pipeline for one recording. See :mod:`sensorkit.pipeline` for the public attributes.

    ``meta``: the sidecar (``exercise``, ``target_rom_deg``, ``target_movement_s``,
    ``target_hold_s`` are used); an unknown exercise raises :class:`~sensorkit.errors.ConfigError`.
    """

    def __init__(self, config: PipelineConfig | None = None, meta: Mapping[str, Any] | None = None,
                 keep_angle: bool = False):
        meta = dict(meta or {})
        #: with ``keep_angle``, every sample's (t, angle above rest) blocks, for :meth:`angle_trace`
        self._angle_log: list[np.ndarray] | None = [] if keep_angle else None
        self.exercise_model = exercises.get(meta.get("exercise"))
        self.exercise = self.exercise_model.name
        self.config = (config or PipelineConfig()).resolved(self.exercise_model)
        self.classifier = RepClassifier(self.config, self.exercise_model, _number(meta, "target_rom_deg"))
        movement_s, hold_s = _number(meta, "target_movement_s"), _number(meta, "target_hold_s")
        self.tempo = TempoJudge(self.config, None if movement_s is None else movement_s + (hold_s or 0.0))
        self.reps_: list[Rep] = []
        self.angle_deg_ = 0.0
        self.phase_ = "rest"
        self.hold_elapsed_s_ = 0.0
        self.fs_hz_: float | None = None
        self.geometry_: Geometry | None = None
        self._pending: list[Samples] = []
        self._motion: MotionTracker | None = None
        self._count = 0
        self._new: list[Rep] = []
        self._first_rest_up: np.ndarray | None = None
        self._hold_since: float | None = None

    # -- public ---------------------------------------------------------------------------
    def update(self, samples: Samples) -> list[Rep]:
        """Feed a block of samples; returns the movements (reps and rejected) that ended in it.

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
            if buffered.duration_s < self.config.rate_estimate_s and len(buffered) < 10_000:
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
        seg = getattr(self, "_segmenter", None)
        if seg is not None and seg.state != REST and self._history.end > seg.start + 1:
            last = self._history.end - 1
            theta = self._history.rows(last, last + 1)[0, 16]
            rest = seg.rest_angle(self.geometry_)
            peak = float(self.geometry_.angle_deg(seg.peak_up[None, :])[0])
            returned = theta - rest < max(self.config.end_floor_deg, 0.5 * (peak - rest))
            self._emit(seg._end(last, returned=returned))  # decided at the last sample
        return reps + self._take_new()

    def run(self, samples: Samples, block_size: int = 1 << 15) -> list[Rep]:
        """Batch: the reps of a whole recording (update block by block, then finish).

        Blocks keep the intermediate arrays small; the result does not depend on ``block_size``.
        """
        reps: list[Rep] = []
        for block in samples.chunks(block_size):
            reps += self.update(block)
        return reps + self.finish()

    def angle_trace(self) -> np.ndarray:
        """(n, 2): t (s) and the exercise angle above the rest before it (deg) of every sample
        analysed (needs ``keep_angle=True``)."""
        if not self._angle_log:
            return np.empty((0, 2))
        return np.vstack(self._angle_log)

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
        self._gaps = GapFiller(self.fs_hz_, cfg.max_gap_fill_s)
        self._motion = MotionTracker(self.fs_hz_, cfg.lowpass_hz, cfg.vqf_tau_acc_s)
        self._geometry = GeometryModel(self.fs_hz_)
        self._segmenter = Segmenter(cfg, self.fs_hz_)
        self._history = _History()
        self._last_moving = -1  # absolute index of the last moving sample
        self._deferred: Geometry | None = None  # a bootstrap refresh waiting for rest
        self._deferred_at = -1  # the sample at which it arrived
        self._just_ended = False  # a movement ended right before the current position
        self._pre = int(round(cfg.pre_rest_s * self.fs_hz_))

    def _process(self, samples: Samples) -> list[Rep]:
        filled = self._gaps(samples)
        block = self._motion.update(filled.t, filled.acc, filled.gyr)
        changes = self._geometry.advance(block)
        first = self._history.end
        rows = np.empty((len(block), _COLS))
        rows[:, 0], rows[:, 1:4], rows[:, 4:7] = block.t, block.up, block.omega_dps
        rows[:, 7:10], rows[:, 10:13], rows[:, 13:16] = block.smooth_omega_dps, block.alpha_dps2, block.lin_acc_ms2
        rows[:, 17:20] = filled.acc
        self._history.append(rows)
        still = block.speed_dps < self.config.still_gyr_dps
        quiet = block.speed_dps < QUIET_DPS
        # still-run length at every sample, from the last moving sample (carried over blocks)
        index = np.arange(first, first + len(block))
        last_moving = np.maximum.accumulate(np.where(still, self._last_moving, index))
        self._last_moving = int(last_moving[-1])
        still_run = index - last_moving
        # bootstrap geometry refreshes: (local index after which it holds, geometry)
        pending = [(c[0] + 1, c[1]) for c in changes]
        n, pos = len(block), 0
        while pos < n:
            while pending and pending[0][0] <= pos:
                index, self._deferred = pending.pop(0)
                self._deferred_at = first + index
            # a bootstrap refresh waits for the leg to be at rest (it would move the angle under a
            # movement being followed): it applies where it arrives if the leg is at rest there,
            # else where the movement ends; it is dropped once reps were counted (they rule then).
            # Both are samples of the data, whatever the blocks.
            if self._deferred is not None and (
                    self.geometry_ is None
                    or (self._segmenter.state == REST and (self._just_ended or first + pos == self._deferred_at))):
                if self._geometry.bootstrapping or self.geometry_ is None:
                    self.geometry_ = self._deferred
                self._deferred = None
            self._just_ended = False
            # at most _SCAN samples at a time: after a movement ends, the rest of a long block is
            # computed again under the refreshed geometry, so short pieces waste less
            hi = min(pending[0][0] if pending else n, pos + _SCAN)
            theta = self.geometry_.angle_deg(block.up[pos:hi])
            self._history.data[first + pos - self._history.first:first + hi - self._history.first, 16] = theta
            movement = self._segmenter.scan(first + pos, theta, still[pos:hi], still_run[pos:hi], quiet[pos:hi],
                                            block.up[pos:hi], self._history_theta, self.geometry_)
            # go on after the sample at which the movement's end was seen (it may end earlier, at
            # the bottom of a swing): what live has already scanned, batch does not scan again
            end = hi if movement is None else movement.decided - first + 1
            if self._angle_log is not None:
                rest_up = self._segmenter.rest_up if movement is None else movement.rest_up
                rest = self._segmenter.rest_angle(self.geometry_) if movement is None else \
                    float(self.geometry_.angle_deg(movement.rest_up[None, :])[0])
                shown = self._shown_angle(block.up[pos:end], theta[:end - pos], rest_up, rest)
                self._angle_log.append(np.column_stack([block.t[pos:end], shown]))
            if movement is not None:
                self._emit(movement)
                self._just_ended = True
            pos = end
        for index, geometry in pending:  # arriving at the next block's first sample
            self._deferred, self._deferred_at = geometry, first + index
        self._trim()
        self._update_status(block, self._history.data[-len(block):, 16])
        return self._take_new()

    def _history_theta(self, i0: int, i1: int) -> np.ndarray:
        return self._history.rows(i0, i1)[:, 16]

    def _trim(self) -> None:
        seg = self._segmenter
        # a movement needs pre_rest_s before its start, which lies up to pre_rest_s before the crossing
        keep = seg.start - self._pre if seg.state != REST else self._history.end - 2 * self._pre - 1
        self._history.keep_from(max(0, keep))

    def _take_new(self) -> list[Rep]:
        new, self._new = self._new, []
        return new

    def _emit(self, movement: Movement) -> Rep:
        first = max(movement.start - self._pre, movement.previous_end + 1)  # its rest, not the one before
        data = self._history.rows(first, movement.end + 1)
        start = movement.start - max(self._history.first, first)
        window = Window(t=data[:, 0], up=data[:, 1:4], omega_dps=data[:, 4:7], smooth_omega_dps=data[:, 7:10],
                        alpha_dps2=data[:, 10:13], lin_acc_ms2=data[:, 13:16], start=start, end=len(data) - 1,
                        rest_up=movement.rest_up, returned=movement.returned, acc_ms2=data[:, 17:20],
                        rest_gravity=self._rest_gravity(first, movement.start))
        f = measure(window, self.config, self.fs_hz_)
        v = self.classifier.classify(f)
        if v.kind != "rejected" and f.geometry_terms is not None:
            refreshed = self._geometry.add_rep(f.geometry_terms, movement.decided)
            if refreshed is not None:
                self.geometry_ = refreshed
        if self._first_rest_up is None:
            self._first_rest_up = movement.rest_up
        axis = self.classifier.axes.axis
        number, tempo = None, ""
        if v.kind != "rejected":
            self._count += 1
            number = self._count
            tempo = self.tempo.judge(f.duration_s)
        rep = Rep(
            rep=number, kind=v.kind, start_s=f.start_s, end_s=f.end_s, rom_deg=v.rom_deg,
            hold_s=f.hold_s, out_end_s=f.out_end_s, return_start_s=f.return_start_s,
            peak_speed_dps=f.peak_speed_dps, out_duration_s=f.out_duration_s,
            return_duration_s=f.return_duration_s,
            rest_angle_deg=rest_angle_deg(self._first_rest_up, movement.rest_up, axis),
            radius_m=f.radius_m if v.kind != "rejected" else float("nan"),
            axis_offset_deg=v.axis_offset_deg,
            exercise=self.exercise, tempo=tempo, reason=v.reason,
        )
        self.reps_.append(rep)
        self._new.append(rep)
        return rep

    def _rest_gravity(self, first: int, start: int) -> np.ndarray | None:
        """The accelerometer's gravity direction over the quiet samples of the rest before
        ``start`` (exact there, unlike the orientation filter just after a movement), or None."""
        pre = self._history.rows(first, start)
        if not len(pre):
            return None
        quiet = (np.linalg.norm(pre[:, 7:10], axis=1) < QUIET_DPS) & (np.linalg.norm(pre[:, 10:13], axis=1) < QUIET_DPS2)
        if quiet.sum() < 3:
            return None
        g = pre[quiet, 17:20].mean(axis=0)
        return g / np.linalg.norm(g)

    def _shown_angle(self, up: np.ndarray, theta: np.ndarray, rest_up: np.ndarray | None, rest: float) -> np.ndarray:
        """The exercise angle above the rest pose for display (deg): the turn about the learned
        exercise axis once there is one (as ROM is measured), else the shank's tilt above rest."""
        axis = self.classifier.axes.axis
        if axis is None or rest_up is None:
            return theta - rest
        return signed_angle_deg(rest_up, up, axis)

    def _update_status(self, block: MotionBlock, theta: np.ndarray) -> None:
        """The live view: angle above rest, phase and hold time at the block's last sample."""
        seg, t_last = self._segmenter, float(block.t[-1])
        rest = seg.rest_angle(self.geometry_)
        self.angle_deg_ = float(self._shown_angle(block.up[-1:], theta[-1:], seg.rest_up, rest)[0])
        if seg.state == REST:
            phase = "rest"
        elif seg.state == MOVE:
            peak = float(self.geometry_.angle_deg(seg.peak_up[None, :])[0])
            near_top = theta[-1] >= peak - max(3.0, 0.15 * (peak - rest))
            slow = block.speed_dps[-1] < self.config.still_gyr_dps * 2
            phase = ("hold" if slow else "out") if near_top else "return"
        else:
            phase = "return"
        if phase == "hold":
            self._hold_since = self._hold_since if self.phase_ == "hold" and self._hold_since is not None else t_last
            self.hold_elapsed_s_ = t_last - self._hold_since
        else:
            self._hold_since, self.hold_elapsed_s_ = None, 0.0
        self.phase_ = phase

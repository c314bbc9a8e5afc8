"""The whole pipeline behind one object, fed a recording at once or a packet at a time.

    samples ─> GapFiller ─> MotionTracker ─> Segmenter ─> measure ─> RepClassifier ─> TempoJudge ─> Rep events

The recording's sidecar ``exercise`` picks the exercise model (:mod:`sensorkit.exercises`), which
fills in the exercise-dependent parameters and the kinds; the stages are the same for all.

Batch is one ``update(whole_recording)`` then ``finish()``; live is ``update(packet)`` per
notification. Every stage is causal and chunk-invariant, so both give the same reps.
The sample rate is measured on the first ``rate_estimate_s`` of data (buffered until then).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from sensorkit import exercises
from sensorkit.errors import SampleError
from sensorkit.pipeline.classify import RepClassifier
from sensorkit.pipeline.config import PipelineConfig
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.pipeline.measure import gravity_angle_deg, measure
from sensorkit.pipeline.motion import MotionTracker
from sensorkit.pipeline.rep import Rep
from sensorkit.pipeline.segment import MovementWindow, Segmenter
from sensorkit.pipeline.tempo import TempoJudge
from sensorkit.samples import Samples


def _number(meta: Mapping[str, Any], key: str) -> float | None:
    value = meta.get(key)
    return float(value) if value is not None else None


def _raise_non_finite(samples: Samples) -> None:
    finite = np.isfinite(samples.t) & np.isfinite(samples.acc).all(axis=1) & np.isfinite(samples.gyr).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise SampleError(f"sample {i} of the block (t = {samples.t[i]}) holds a non-finite value: "
                          f"acc {samples.acc[i].tolist()}, gyr {samples.gyr[i].tolist()}")


class Pipeline:
    """Causal pipeline for one recording. See :mod:`sensorkit.pipeline` for the public attributes.

    ``meta``: the sidecar (``exercise``, ``target_rom_deg``, ``target_movement_s`` are used);
    an unknown exercise raises :class:`~sensorkit.errors.ConfigError`.
    """

    def __init__(self, config: PipelineConfig | None = None, meta: Mapping[str, Any] | None = None):
        meta = dict(meta or {})
        self.exercise_model = exercises.get(meta.get("exercise"))
        self.exercise = self.exercise_model.name
        self.config = (config or PipelineConfig()).resolved(self.exercise_model)
        self.classifier = RepClassifier(self.config, self.exercise_model, _number(meta, "target_rom_deg"))
        self.tempo = TempoJudge(self.config, _number(meta, "target_movement_s"))
        self.reps_: list[Rep] = []
        self.angle_deg_ = 0.0
        self.phase_ = "rest"
        self.hold_elapsed_s_ = 0.0
        self.fs_hz_: float | None = None
        self._pending: list[Samples] = []
        self._motion: MotionTracker | None = None
        self._segmenter: Segmenter | None = None
        self._count = 0
        self._new: list[Rep] = []
        self._g_first_rest: np.ndarray | None = None

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
        """End of stream: analyse what is buffered and close an open movement."""
        reps: list[Rep] = []
        if self._motion is None and self._pending:
            buffered = Samples.concat(self._pending)
            self._pending = []
            if len(buffered) >= 2:
                self._start(buffered)
                reps += self._process(buffered)
        if self._segmenter is not None:
            self._segmenter.finish()
        return reps + self._take_new()

    def run(self, samples: Samples, block_size: int = 1 << 15) -> list[Rep]:
        """Batch: the reps of a whole recording (update block by block, then finish).

        Blocks keep the intermediate arrays small; the result does not depend on ``block_size``.
        """
        reps: list[Rep] = []
        for block in samples.chunks(block_size):
            reps += self.update(block)
        return reps + self.finish()

    # -- internals -------------------------------------------------------------------------
    def _start(self, first: Samples) -> None:
        head = first.t[first.t <= first.t[0] + self.config.rate_estimate_s]
        dts = np.diff(head if len(head) > 2 else first.t[:10])  # [:10]: the same whatever the chunking
        dts = dts[dts > 0]
        self.fs_hz_ = float(1.0 / np.median(dts)) if len(dts) else 100.0
        self._gaps = GapFiller(self.fs_hz_, self.config.max_gap_fill_s)
        self._motion = MotionTracker(self.config, self.fs_hz_)
        self._segmenter = Segmenter(self.config, self.fs_hz_)
        self._segmenter.on_window = self._emit

    def _process(self, samples: Samples) -> list[Rep]:
        block = self._motion.update(self._gaps(samples))
        self._segmenter.update(block)  # movements are emitted through on_window as they end
        self._update_status(block)
        return self._take_new()

    def _take_new(self) -> list[Rep]:
        new, self._new = self._new, []
        return new

    def _emit(self, window: MovementWindow) -> Rep:
        f = measure(window, self.config.min_still_hold_for_gravity_s, self.fs_hz_)
        v = self.classifier.classify(f)
        # the segmenter may cut off-axis moves short only once the axis is well established
        axes = self.classifier.axes
        settled = axes.votes >= self.config.axis_votes_to_cut and axes.votes >= 2 * axes.runner_up_votes
        self._segmenter.axis = axes.axis if settled else None
        if self._g_first_rest is None:
            self._g_first_rest = f.g_rest
        axis = self.classifier.axes.axis
        rest_angle = gravity_angle_deg(self._g_first_rest, f.g_rest, axis) if axis is not None else float("nan")
        number, tempo = None, ""
        if v.kind != "rejected":
            self._count += 1
            number = self._count
            tempo = self.tempo.judge(f.out_duration_s + f.return_duration_s)
        rep = Rep(
            rep=number, kind=v.kind, start_s=f.start_s, end_s=f.end_s, rom_deg=v.rom_deg,
            hold_s=f.hold_s, out_end_s=f.out_end_s, return_start_s=f.return_start_s,
            peak_speed_dps=f.peak_speed_dps, out_duration_s=f.out_duration_s,
            return_duration_s=f.return_duration_s,
            rest_angle_deg=rest_angle, radius_m=f.radius_m if v.kind != "rejected" else float("nan"),
            axis_offset_deg=v.axis_offset_deg,
            exercise=self.exercise, tempo=tempo, reason=v.reason,
        )
        self.reps_.append(rep)
        self._new.append(rep)
        return rep

    def _update_status(self, block) -> None:
        seg = self._segmenter
        if not seg.in_movement:
            self.angle_deg_, self.phase_, self.hold_elapsed_s_ = 0.0, "rest", 0.0
            return
        rel = block.rot_deg[-1] - seg.rest_ref
        axis = self.classifier.axes.axis
        self.angle_deg_ = float(rel @ axis) if axis is not None else float(np.linalg.norm(rel))
        self.phase_ = "hold" if seg.holding else "return" if seg.returning else "out"
        self.hold_elapsed_s_ = seg.current_hold_s(float(block.t[-1]))

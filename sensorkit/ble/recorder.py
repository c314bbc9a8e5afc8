"""Run a streaming session into a crash-safe recording and (optionally) the rep pipeline.

Each block from the :class:`~sensorkit.ble.session.SensorSession` is appended to the
:class:`~sensorkit.io.RecordingWriter` (flushed and fsync-ed at least every ``flush_interval_s``),
fed to :meth:`Pipeline.update`, and every rep is handed to the display the moment it ends. At the
end (duration reached, Ctrl-C, cancellation, give-up) the pipeline is finished and the sidecar is
rewritten with the session's reconnect gaps and stream health. A session that ends before any
sample came (a sensor found but never connected, refusing to stream, silent) leaves a record of
that: the CSV's header alone and a sidecar with ``n_samples`` 0 and how it ended
(``stream.ended_by``, ``stream.error``), which the readers take for a session without data.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Protocol

from sensorkit import exercises
from sensorkit.ble.errors import BleError, ConnectError, StreamRefusedError
from sensorkit.ble.link import LinkState
from sensorkit.ble.session import SensorSession
from sensorkit.errors import RecordingError
from sensorkit.io import RecordingWriter
from sensorkit.io.writer import taken_reason
from sensorkit.pipeline.rep import COUNTED_KINDS, KINDS, Rep
from sensorkit.samples import Samples

log = logging.getLogger(__name__)


@dataclass
class LiveStatus:
    """What a live display shows; angles in degrees, times in seconds."""

    state: LinkState = LinkState.CONNECTING
    #: the time the angle, phase and hold describe: the last sample the pipeline analysed (one fed
    #: that may be a glitch waits for the next: ``Pipeline.time_s_``), else the last one recorded
    t_s: float = 0.0
    angle_deg: float = 0.0
    phase: str = "rest"
    hold_elapsed_s: float = 0.0
    #: the highest angle of the movement under way so far (``Pipeline.peak_deg_``; NaN: none under
    #: way, or not known), which its rep's ROM is judged by
    peak_deg: float = math.nan
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    battery_percent: int | None = None
    loss_fraction: float = 0.0
    reconnects: int = 0
    samples_saved: int = 0
    target_rom_deg: float | None = None
    target_hold_s: float | None = None
    sensor: str = ""
    fast_reps: int = 0
    #: the one-line error that ended the stream when the sensor refused it (state ``refused``), else None
    error: str | None = None

    @property
    def counted_reps(self) -> int:
        return sum(n for k, n in self.counts.items() if k in COUNTED_KINDS)


@dataclass(frozen=True)
class HoldCue:
    """What the live views say of a hold against the prescription (:func:`hold_cue`)."""

    #: held under the target range: True / False, or None where the rule does not apply (no target
    #: range, not in a hold, no angle known)
    below_target: bool | None
    #: the target hold time reached at the target range: the cue's moment ("return slowly", a tone)
    reached: bool


def hold_cue(status: LiveStatus, target_rom_deg: float | None, target_hold_s: float | None) -> HoldCue:
    """The one rule the terminal and the page judge a hold by. Below the target range
    (``target_rom_deg``, deg): the movement's peak so far (``status.peak_deg``, as its rep's ROM
    will be; the angle now when no peak is known) under it, in a hold. Reached: held
    ``target_hold_s`` (s) or more, not below the target range (a hold under it would be called
    done, then not count toward the set)."""
    below = None
    if target_rom_deg is not None and status.phase == "hold":
        known = [a for a in (status.angle_deg, status.peak_deg) if math.isfinite(a)]  # (NaN: not known)
        below = bool(max(known) < target_rom_deg) if known else None
    reached = (target_hold_s is not None and status.phase == "hold" and status.hold_elapsed_s >= target_hold_s
               and below is not True)
    return HoldCue(below, reached)


class Display(Protocol):
    """Where a run reports to (see :mod:`sensorkit.live`). A display may also have ``abandon()``,
    called instead of ``close`` when the run ends before any data came (no summary to give: the
    error or the record's line says why): a terminal panel gives the terminal back there."""

    def show(self, status: LiveStatus) -> None: ...

    def rep(self, rep: Rep, status: LiveStatus) -> None: ...

    def close(self, status: LiveStatus) -> None: ...


class SessionRecorder:
    """Records blocks to ``FOLDER/NAME.csv`` (+ sidecar ``meta``), runs ``pipeline`` (None: record
    only) and keeps :attr:`status`. The files are created with the first samples; a session that
    had none is recorded when it ends (:meth:`close_recording`): the header alone, and a sidecar
    that says how the session ended, dated when it was tried (this object's creation).

    ``latencies_s``: when a list is given, the time (s) from each block's notification arriving
    to its samples being recorded and processed is appended to it.
    """

    def __init__(self, folder: str | os.PathLike, name: str, meta: dict, pipeline=None, *,
                 flush_interval_s: float = 1.0, latencies_s: list[float] | None = None,
                 unique_name: bool = False) -> None:
        from sensorkit.io.outputs import unsafe_name_reason

        why = unsafe_name_reason(name)
        if why:
            raise RecordingError(f"recording name {name!r} cannot be a file name in {folder}: {why}")
        self.path = Path(folder) / f"{name}.csv"
        self._unique_name = unique_name
        why = taken_reason(self.path)
        if why and not unique_name:  # (before any connection: the writer, made at the first data, checks again)
            raise RecordingError(why)
        self._folder, self._name, self.meta = folder, name, dict(meta)
        self._tried_at = datetime.now().astimezone()  # (a session without data is dated by it)
        #: how the stream ended (the sidecar's ``stream.ended_by``) once the recording is closed, else None
        self.ended_by: str | None = None
        #: the error that ended the session before it streamed (its record made without a display's end)
        self.start_failure: BleError | None = None
        #: True once the session ended before it streamed (an error, or stopped while connecting) and
        #: its record without data was made: no display's end said where (its caller says so)
        self.recorded_without_data = False
        self.received = 0  # samples handed to feed (all of them are written, or the loss says so)
        self.last_t_s = 0.0  # the time of the last sample recorded (s): how far the session's data has come
        self.writer: RecordingWriter | None = None
        self.pipeline = pipeline
        self.flush_interval_s = flush_interval_s
        self.latencies_s = latencies_s
        self.reps: list[Rep] = []
        #: (duration asked s, clock s when ended) of a run its clock ended before the data reached its end
        self._ended_by_clock: tuple[float, float] | None = None
        kinds = (*exercises.get(meta.get("exercise")).kinds, "rejected")  # the exercise's kinds only
        self._states_seen = 0  # of the session's state_history
        self.status = LiveStatus(target_rom_deg=meta.get("target_rom_deg"), target_hold_s=meta.get("target_hold_s"),
                                 sensor=meta.get("sensor", ""), counts=dict.fromkeys(kinds, 0))

    def feed(self, block: Samples, arrival_s: float = math.nan) -> list[Rep]:
        """Record and process one block; returns the reps that ended in it."""
        reps: list[Rep] = []
        if len(block):
            if self.writer is None:
                self.writer = self._open_writer()
            self.received += len(block)
            self.writer.append(block)  # flushes (write + fsync) once flush_interval_s has passed
            if self.pipeline is not None:
                reps = self.pipeline.update(block)
                self._count(reps)
            if self.latencies_s is not None and math.isfinite(arrival_s):
                self.latencies_s.append(time.perf_counter() - arrival_s)
            self.last_t_s = float(block.t[-1])
            self._pipeline_status()  # (a rep's display sees the status of the block it ended in)
        elif self.writer is not None:  # no data (link down, idle tick): still flush what is buffered
            self.writer.flush_if_due()
        return reps

    def _open_writer(self, meta: dict | None = None) -> RecordingWriter:
        """The writer of NAME.csv (with the sidecar ``meta``, by default :attr:`meta`); with
        ``unique_name``, NAME_2, NAME_3, ... when NAME is taken (two recordings started in the same
        second): the CSV's exclusive creation is the reservation."""
        name = self._name
        for suffix in range(2, 1000):
            try:
                writer = RecordingWriter(self._folder, name, self.meta if meta is None else meta,
                                         flush_interval_s=self.flush_interval_s)
            except RecordingError:
                if not (self._unique_name and taken_reason(Path(self._folder) / f"{name}.csv")):
                    raise
                name = f"{self._name}_{suffix}"
                continue
            self._name, self.path = name, writer.path
            return writer
        raise RecordingError(f"{self.path}: already exists, and so do 998 numbered names after it")

    def stream_started(self, session: SensorSession) -> None:
        """The session streams: the sidecar's ``sample_rate_hz`` becomes the rate the sensor was set
        to, not the one asked for (a reader refuses a sidecar rate 10 % off the timestamps'; the
        files are made with the first samples, after this), and its ``stream`` names the sensor
        (:func:`sensor_identity`), so that a recording its recorder never closed still says which."""
        rate_hz = session.stream_sample_rate_hz
        if self.writer is None:
            if rate_hz:
                self.meta["sample_rate_hz"] = float(rate_hz)
            self.meta["stream"] = {**(self.meta.get("stream") or {}), **sensor_identity(session)}

    def refresh(self, session: SensorSession) -> LiveStatus:
        """Update :attr:`status` from the session and the pipeline."""
        s = self.status
        s.state, s.battery_percent = session.state, session.battery_percent
        s.error = str(session.refusal) if session.refusal is not None else None
        s.loss_fraction, s.reconnects = self._loss_fraction(session), len(session.reconnects)
        s.samples_saved = self.writer.n_written if self.writer is not None else 0
        self._pipeline_status()
        return s

    def _pipeline_status(self) -> None:
        """The status's angle, phase, hold and peak from the pipeline, stamped with the time of the
        last sample it analysed (a last one fed may wait for the next: ``Pipeline.time_s_``); before
        it has analysed any (or without one), the time of the last sample recorded."""
        s, p = self.status, self.pipeline
        analysed_s = p.time_s_ if p is not None else math.nan
        s.t_s = analysed_s if math.isfinite(analysed_s) else self.last_t_s
        if p is not None:
            s.angle_deg, s.phase, s.hold_elapsed_s, s.peak_deg = p.angle_deg_, p.phase_, p.hold_elapsed_s_, p.peak_deg_

    def statuses(self, session: SensorSession) -> list[LiveStatus]:
        """What to show now, in order: :meth:`refresh`'s status, after a copy of it in each link
        state the session entered and left since the last call. A reconnect done between two
        blocks (a link back within a second) passes through "reconnecting" too: it is shown."""
        status = self.refresh(session)
        passed = session.state_history[self._states_seen:-1]
        self._states_seen = len(session.state_history)
        return [*(dataclasses.replace(status, state=state, counts=dict(status.counts)) for state in passed
                  if state is not status.state), status]

    def ended_by_clock(self, duration_s: float, elapsed_s: float) -> None:
        """The run is ended by its clock, ``elapsed_s`` (s) into it, before its data reached the
        ``duration_s`` asked: :meth:`close_recording` says how much is missing."""
        self._ended_by_clock = (duration_s, elapsed_s)

    @property
    def cut_short_s(self) -> float | None:
        """Seconds of the duration asked that the recording lacks, for a run ended by its clock
        (None: not ended so, or its data came within a sample period of the end)."""
        if self._ended_by_clock is None:
            return None
        missing_s = self._ended_by_clock[0] - self.last_t_s
        rate_hz = self.meta.get("sample_rate_hz")
        # (the data within a sample of the end: nothing missing; a duration is seldom on the grid)
        return missing_s if missing_s > (1.0 / rate_hz if rate_hz else 0.0) else None

    def finish(self, session: SensorSession) -> list[Rep]:
        """End of stream: close the pipeline's open movement, close the recording with link info."""
        try:
            reps = self.finish_pipeline()
        finally:
            self.close_recording(session)
        return reps

    def finish_pipeline(self) -> list[Rep]:
        """End of stream, first step: the pipeline's open movement closed; its reps."""
        reps = []
        if self.pipeline is not None:
            reps = self.pipeline.finish()
            self._count(reps)
            self._pipeline_status()  # (the sample that waited is analysed now)
        return reps

    def close_recording(self, session: SensorSession, failure: BleError | None = None) -> None:
        """End of stream, second step: the recording closed, its sidecar finished with the link's
        statistics. A write that failed on the way (disk full, read-only, file too large) is a
        :class:`RecordingError` here, once the sidecar says so (``write_error``). A session that
        brought no samples is recorded now: the CSV's header alone, the sidecar dated when the
        session was tried, with ``n_samples`` 0 and ``stream.ended_by``; ``failure``: the error
        that ended it before it streamed (its one line is ``stream.error``)."""
        if self.writer is None:
            self.writer = self._open_writer({**self.meta, "started_at": self._tried_at.isoformat()})
        self.ended_by, self.start_failure = ended_by(session, failure), failure
        health = session.health
        cut_short_s = self.cut_short_s
        if cut_short_s:  # (after the drain: what had come before the end counts)
            duration_s, elapsed_s = self._ended_by_clock
            log.warning("the sensor's data reached %.1f s of the %g s asked when the run's clock, %.1f s in "
                        "(10 %% + 5 s past its end), ended it: the last %.1f s are missing from %s "
                        "(the sidecar says so: stream.cut_short_s)", self.last_t_s, duration_s, elapsed_s,
                        cut_short_s, self.writer.path)
        try:
            self.writer.flush()  # before the counts below are taken
        except RecordingError:
            pass  # the writer keeps the reason; close() puts it in the sidecar
        self.writer.close({
            "reconnects": [r.as_dict() for r in health.reconnects],
            "gaps": health.gaps,
            "stream": {**sensor_identity(session),
                       **({"battery_percent": session.battery_percent} if session.battery_percent is not None else {}),
                       "protocol": session.protocol_name, "mtu": session.mtu, "packets": health.packets,
                       "corrupt_packets": health.corrupt_packets, "lost_samples": health.lost_total_samples,
                       "nonfinite_samples": health.nonfinite_samples,
                       "received_samples": self.received, "unsaved_samples": self.received - self.writer.n_written,
                       "loss_fraction": round(self._loss_fraction(session), 6),
                       "ended_by": self.ended_by,
                       **({"error": str(error)} if (error := session.refusal or failure) is not None else {}),
                       **({"cut_short_s": round(cut_short_s, 3)} if cut_short_s else {})},
        })
        if self.writer.write_error is not None:
            raise RecordingError(f"{self.writer.path}: cannot write: {self.writer.write_error}; {self.writer.n_written}"
                                 " samples saved (the sidecar says so: write_error)")

    def _loss_fraction(self, session: SensorSession) -> float:
        """Samples lost on the link or not saved (a write that failed), over all the sensor sent."""
        health = session.health
        unsaved = self.received - self.writer.n_saved_or_pending if self.writer is not None else 0
        total = self.received + health.lost_total_samples
        return (health.lost_total_samples + unsaved) / total if total else 0.0

    def _count(self, reps: list[Rep]) -> None:
        for rep in reps:
            self.reps.append(rep)
            self.status.counts[rep.kind] = self.status.counts.get(rep.kind, 0) + 1
            self.status.fast_reps += rep.tempo == "fast"


def sensor_identity(session: SensorSession) -> dict[str, str]:
    """Which sensor the session is with, as the sidecar's ``stream`` says: its ``address`` and
    ``advertised_name``, and its Device Information's ``model`` and ``firmware`` where it offers them
    (empty before a sensor was found)."""
    sensor = session.sensor
    if sensor is None:
        return {}
    return {"address": sensor.address, **({"advertised_name": sensor.name} if sensor.name else {}),
            **session.device_info}


def ended_by(session: SensorSession, failure: BleError | None = None) -> str:
    """How the stream ended, as the sidecar's ``stream.ended_by`` says: the session's final link
    state (``closed``, ``gave_up``, ``refused``; ``closed`` too for one stopped before it streamed),
    or for a ``failure`` before it streamed: ``refused`` (the sensor would not stream as asked) or
    ``gave_up`` (no first connection within the give-up time)."""
    if failure is None:  # (a session stopped before it streamed is still connecting: stopped, "closed")
        return session.state.value if session.state in _ENDED_STATES else LinkState.CLOSED.value
    return (LinkState.REFUSED if isinstance(failure, StreamRefusedError) else LinkState.GAVE_UP).value


_ENDED_STATES = (LinkState.CLOSED, LinkState.GAVE_UP, LinkState.REFUSED)

#: the errors of a session's start that leave a record of the session: the sensor was found, and
#: refused to stream or never connected. One not found (switched off, a name mistyped, no Bluetooth)
#: or not recognised leaves none: no session with it began
RECORDED_FAILURES = (ConnectError,)


def _record_without_data(recorder: SessionRecorder, session: SensorSession, failure: BleError | None = None) -> None:
    """The record of a session that ended before it streamed (a write that fails: a warning, the
    session's own end goes on)."""
    recorder.recorded_without_data = True
    try:
        recorder.close_recording(session, failure=failure)
    except RecordingError as write_exc:
        log.warning("%s", write_exc)


def duration_reached(last_t_s: float, elapsed_s: float, duration_s: float, wait_for_data: bool = False) -> bool:
    """Whether a session asked to last ``duration_s`` is done: its samples span the duration (a
    sensor that streams behind its clock, as a simulated one does under load at high speed, still
    delivers what it measured), or its clock ran 10 % + 5 s past it with no data reaching that far
    (:func:`clock_overran`), unless ``wait_for_data`` (the source says when it has sent everything:
    a simulated sensor, which the machine running it may hold up for as long as it takes)."""
    return last_t_s >= duration_s or (not wait_for_data and clock_overran(elapsed_s, duration_s))


def clock_overran(elapsed_s: float, duration_s: float) -> bool:
    """Whether a session's clock ran 10 % + 5 s past the ``duration_s`` asked (the run ends then,
    whatever the data: a sensor streaming behind its clock must not keep it going for ever)."""
    return elapsed_s >= 1.1 * duration_s + 5.0


async def run_session(session: SensorSession, recorder: SessionRecorder, display: Display,
                      duration_s: float | None = None, tick_s: float = 0.25,
                      until: Callable[[], bool] | None = None) -> list[Rep]:
    """Stream ``session`` into ``recorder`` until ``duration_s`` (session time), ``until()`` is true
    (a simulated sensor that has sent its whole session: silent from then on, as a sensor that
    stopped sending would be) or the stream ends.

    With ``until``, the run waits for it however long the data takes (the source sends its whole
    session: nothing is cut); without, a run whose data has not reached ``duration_s`` when its
    clock is 10 % + 5 s past it ends there, saying (a warning, and the sidecar's
    ``stream.cut_short_s``) how many seconds of the duration it lacks.

    Cancellation (Ctrl-C) still finishes the pipeline, closes the recording and the link.
    """
    opened = False
    try:
        async with session:
            opened = True
            recorder.stream_started(session)
            for status in recorder.statuses(session):
                display.show(status)
            async for block in session.blocks(idle_tick_s=tick_s):
                for rep in recorder.feed(block, session.last_arrival_s):
                    display.rep(rep, recorder.status)
                for status in recorder.statuses(session):  # (a quick reconnect's "reconnecting" too)
                    display.show(status)
                if duration_s is not None and duration_reached(recorder.last_t_s, session.elapsed_s, duration_s,
                                                               wait_for_data=until is not None):
                    if recorder.last_t_s < duration_s:  # (ended by the clock: what is missing is said)
                        recorder.ended_by_clock(duration_s, session.elapsed_s)
                    break
                if until is not None and until():  # (what came before it is queued: drained below)
                    break
    except RECORDED_FAILURES as exc:
        if not opened:  # (it never streamed: the record of the session says why, then the error is raised)
            _record_without_data(recorder, session, exc)
        raise
    except asyncio.CancelledError:
        if not opened and session.sensor is not None:  # (stopped while the sensor found was connecting)
            _record_without_data(recorder, session)
        raise
    finally:
        if not opened and (abandon := getattr(display, "abandon", None)) is not None:
            abandon()
        if opened:
            try:
                for block in session.drain():  # decoded before the end but not yet read: saved too
                    for rep in recorder.feed(block):
                        display.rep(rep, recorder.status)
            finally:
                try:
                    try:
                        for rep in recorder.finish_pipeline():  # shown even should closing fail below
                            display.rep(rep, recorder.status)
                    finally:
                        recorder.close_recording(session)
                finally:
                    if getattr(display, "path", None) is not None:
                        display.path = str(recorder.path)  # a default name may have become NAME_2
                    display.close(recorder.refresh(session))
    return recorder.reps

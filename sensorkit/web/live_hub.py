"""What the live page shows, kept from the live path and pushed to every open page.

:class:`LiveHub` is a :class:`~sensorkit.ble.recorder.Display` (``show``/``rep``/``close``), so
:func:`~sensorkit.ble.recorder.run_session` drives it exactly as it drives the terminal display:
``show(status)`` after every block (the pipeline's ``angle_deg_``, ``phase_``,
``hold_elapsed_s_`` via :class:`~sensorkit.ble.recorder.LiveStatus`), ``rep(rep, status)`` the
moment a rep ends. A page is only a view: it subscribes, gets :meth:`LiveHub.snapshot` (the whole
current state, so a reloaded page shows the current count), then every message. Closing a page
changes nothing in the recording.

Messages (JSON-able dicts, ``type`` first): ``state`` (angle, phase, hold, link, counts,
progress; after every block), ``rep`` (one rep with its plain-language note), ``done`` (the
session summary). Angles in degrees, times in seconds, ``arrival_ms`` in ms since the epoch
(when the block's notification arrived: the page measures its drawing latency against it).
"""
from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sensorkit.ble.recorder import LiveStatus, hold_cue
from sensorkit.live_cues import FIDGET_NOTE, MOVED_NOTE, FidgetBursts, MovedSensor, sensor_reasons, short_of
from sensorkit.pipeline.rep import COUNTED_KINDS, Rep
from sensorkit.pipeline.pipeline import WENT_ON_FROM_FOREIGN
from sensorkit.pipeline.segment import (BEGAN_IN_HOLD, BEGAN_MOVING, CUT_BY_END, CUT_BY_GAP, REST_UNSEEN,
                                        WAY_BACK_HOME)
from sensorkit.report.prescription import completes

#: how many queued messages a slow page may fall behind before it is dropped (it reconnects and
#: starts again from a snapshot)
MAX_BACKLOG = 512


@dataclass(frozen=True)
class SessionPlan:
    """Today's prescription for the session: ``sets`` × ``reps_per_set`` reps, each reaching
    ``rom_deg`` degrees and held ``hold_s`` seconds (a counted rep meeting both is *completed*,
    as in ``sensorkit report``)."""

    sets: int
    reps_per_set: int
    rom_deg: float
    hold_s: float
    movement_s: float | None = None  # outward + return time of a controlled rep (the tempo reference)
    knee_out: bool = False  # the easier variant prescribed: its reps may complete (as in the report)
    exercise: str = ""  # the exercise prescribed (the report counts a session of it only)
    sides: tuple[str, ...] = ()  # the legs it is prescribed for (the report counts a session of these only)
    source: str = ""  # the prescription file

    @property
    def total(self) -> int:
        return self.sets * self.reps_per_set

    def meets(self, rep: Rep) -> bool:
        return rep.counted and completes(rep.reached_deg, rep.hold_s, rep.kind, target_rom_deg=self.rom_deg,
                                         target_hold_s=self.hold_s, knee_out=self.knee_out)

    def shortfalls(self, rep: Rep, deg: str = "°", rom_digits: int = 0) -> list[str]:
        """What counted ``rep`` fell short of, in words ("reach 40° (this one 39°)", "hold 3 s
        (this one 2.96 s)"; ``deg``: how degrees are written, ``rom_digits`` their decimals); empty
        when it reached both."""
        short = []
        if rep.reached_deg < self.rom_deg:  # (how far from rest: Rep.reached_deg)
            reached = short_of(rep.reached_deg, self.rom_deg, rom_digits)
            short.append(f"reach {self.rom_deg:g}{deg} (this one {reached}{deg})")
        if rep.hold_s < self.hold_s:
            short.append(f"hold {self.hold_s:g} s (this one {short_of(rep.hold_s, self.hold_s, 1)} s)")
        return short

    def progress(self, completed: int) -> dict:
        """``set`` (1-based, the one under way), ``rep_in_set`` (completed in it), ``done`` flag."""
        done = completed >= self.total
        set_index = min(completed // self.reps_per_set + 1, self.sets)
        in_set = completed - (set_index - 1) * self.reps_per_set
        return {"sets": self.sets, "reps_per_set": self.reps_per_set, "set": set_index,
                "rep_in_set": in_set, "completed": completed, "total": self.total, "done": done,
                "rom_deg": self.rom_deg, "hold_s": self.hold_s}


#: the first words of the pipeline's reason for a quick small movement not held at the top
#: (:mod:`sensorkit.pipeline.classify`, ``min_rep_fraction``): mostly a fidget, seldom an attempt
TOO_SMALL_NOT_HELD = "too small for a rep, not held"

#: pipeline rejection reasons (their first words: the longest that fits decides) -> what the patient
#: reads. Every reason the pipeline gives has one (tests/web/test_web_live_hub.py reads them from
#: its source); a reason without one is shown as it is, "Not counted (...)".
_REJECTED_WORDS = (
    # (the sensor's link, not the patient: said so, and no failure tone on the page: no_failure_tone)
    (CUT_BY_GAP, "The sensor lost contact during that rep, so it was not counted: please do it again."),
    (REST_UNSEEN, "The sensor came back during that rep, so it was not counted: please do it again."),
    (CUT_BY_END, "The recording stopped during that rep, so it was not counted."),
    # (the data began mid-movement: the sensor connected then, nothing the patient did wrong: no tone)
    (BEGAN_MOVING, "The sensor started during that movement, so it was not counted."),
    (BEGAN_IN_HOLD, "The sensor started during that rep, so it was not counted."),
    # (a quick small turn, not held: mostly a fidget, so no nagging and no failure tone)
    (TOO_SMALL_NOT_HELD, "A small quick movement: not counted. If it was a rep, go a little further and hold at the top."),
    ("too small", "Too small to count: move a little further."),
    ("beyond the exercise", "Beyond this exercise's range: not counted."),
    ("too abrupt", "Too abrupt to count: move smoothly out and back."),
    ("shaking", "That looked like shaking, not a rep."),
    ("turned about the shank", "The foot turned about the shin: not a rep."),
    ("moved as a whole", "The whole leg moved, not a turn at the knee or hip: not counted."),
    ("did not turn about the knee", "That was not a turn at the knee: not counted."),
    ("turned about the foot", "The leg rocked over the foot, not a turn at the knee: not counted."),
    ("did not return", "The leg did not come back to rest: not counted."),
    ("rotation about another axis", "A different movement, not this exercise: not counted."),
    ("swung the other way", "That went the other way: not counted."),
    (WAY_BACK_HOME, "The leg went back to where it rested before: not counted."),
    (WENT_ON_FROM_FOREIGN, "Part of a step or of walking, not this exercise: not counted."),
)

#: rejection reasons (first words) for which the page sounds no failure tone: the sensor's doing,
#: or a small movement not held, mostly a fidget, which the patient should not be nagged about
#: (and any fidget or shake: :class:`~sensorkit.live_cues.FidgetBursts`, in :class:`LiveHub`)
_NO_TONE_WORDS = (*sensor_reasons(), TOO_SMALL_NOT_HELD)


def link_lost(rep: Rep) -> bool:
    """Whether ``rep`` was rejected because the sensor's link dropped (cut by the gap, or begun
    before the leg was seen at rest after it): the link's doing, not the patient's."""
    return rep.reason in (CUT_BY_GAP, REST_UNSEEN)


def no_failure_tone(rep: Rep) -> bool:
    """Whether the page should sound no "not counted" tone for rejected ``rep``: the sensor's
    doing (:func:`link_lost`, or the data began during it), or a quick small movement not held
    (mostly a fidget: its note is enough)."""
    return rep.kind == "rejected" and (rep.reason or "").startswith(_NO_TONE_WORDS)


def rep_note(rep: Rep, plan: SessionPlan | None = None) -> str:
    """One plain-language sentence about ``rep`` for the patient (empty for a plain good rep)."""
    if rep.kind == "rejected":
        reason = rep.reason or ""
        fits = [(len(words), text) for words, text in _REJECTED_WORDS if reason.startswith(words)]
        if fits:
            return max(fits)[1]
        return f"Not counted ({reason})." if reason else "Not counted: not a rep of this exercise."
    notes = []
    if rep.tempo == "fast":
        notes.append("Slow down: that rep was rushed.")
    if rep.kind == "knee_out":
        notes.append("The knee moved out: keep the thigh still on the chair.")
    if plan is not None and not plan.meets(rep):
        short = plan.shortfalls(rep)
        # (short of nothing: a knee-out rep reaching both targets, which never completes the plan)
        notes.append("Not toward your set: " + (" and ".join(short) if short else "knee-out reps do not count toward it") + ".")
    elif rep.kind == "partial":
        notes.append("Partial: go a little further next time.")
    return " ".join(notes)


def _num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _text(value: float, target: float | None, digits: int) -> str:
    """``value`` as the page writes it (``digits`` decimals; more where a shortfall would read as
    ``target``: :func:`~sensorkit.live_cues.short_of`); "" when not finite."""
    if not math.isfinite(value):
        return ""
    return short_of(value, target, digits) if target else f"{value:.{digits}f}"


class LiveHub:
    """The live page's state (see module doc).

    ``plan``: the prescription for this session, or None for plain counts. ``arrival_s()``: the
    ``time.perf_counter()`` at which the last block's notification arrived (NaN when unknown).
    ``reconnects()``: the session's reconnect list (:class:`~sensorkit.ble.link.Reconnect`).
    ``exercise``/``patient``/``recording``: shown as given (the patient id is the sidecar's
    pseudonym).
    """

    def __init__(self, *, plan: SessionPlan | None = None, exercise: str = "", patient: str = "",
                 recording: str = "", rom_scale_deg: float = 60.0,
                 arrival_s: Callable[[], float] = lambda: math.nan,
                 reconnects: Callable[[], list] = list) -> None:
        self.plan = plan
        self.exercise, self.patient, self.recording = exercise, patient, recording
        self._arrival_s = arrival_s
        self._reconnects = reconnects
        self._subscribers: set[asyncio.Queue] = set()
        self._reps: list[dict] = []
        self._completed = 0
        self._full_roms_deg: list[float] = []
        self._scale_deg = rom_scale_deg
        self._state: dict = {}
        self._summary: dict | None = None
        self._seq = 0
        self.ended = False  # close() was called: the session is over
        self._last_arrival_s = math.nan
        self._fidgets = FidgetBursts()
        self._moved = MovedSensor()

    # ---- subscribers (pages) -------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        """A queue of messages for one page; its first item is the snapshot."""
        queue: asyncio.Queue = asyncio.Queue(MAX_BACKLOG)
        queue.put_nowait({"type": "snapshot", **self.snapshot()})
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def _publish(self, message: dict) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:  # a stalled page: what it missed is replaced by a snapshot
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait({"type": "snapshot", **self.snapshot()})

    # ---- the whole state -----------------------------------------------------------------
    def snapshot(self) -> dict:
        """Everything a freshly opened page needs: session, plan, state, all reps so far, summary."""
        return {"session": {"exercise": self.exercise, "patient": self.patient, "recording": self.recording},
                "state": self._state, "reps": list(self._reps), "summary": self._summary}

    @property
    def reps(self) -> list[dict]:
        return list(self._reps)

    # ---- Display -------------------------------------------------------------------------
    def show(self, status: LiveStatus) -> None:
        self._seq += 1
        self._state = self._state_of(status)
        self._publish({"type": "state", **self._state})

    def rep(self, rep: Rep, status: LiveStatus) -> None:
        if self.plan is not None and self.plan.meets(rep):
            self._completed += 1
        if rep.counted:
            self._scale_deg = max(self._scale_deg, 1.25 * rep.reached_deg)
        # (a fidget or a shake's burst: no failure tone, one note for the burst, the rows all kept)
        band_deg, band_name = self._band(status)
        burst = self._fidgets.judge(rep, band_deg)
        note = FIDGET_NOTE if burst == "first" else "" if burst == "more" else rep_note(rep, self.plan)
        if self._moved.judge(rep):  # (once: the sensor seems to have turned on the leg, as analyze would warn)
            note = f"{note} {MOVED_NOTE}".strip()
        if rep.kind == "full":
            self._full_roms_deg.append(rep.reached_deg)
        target_rom_deg = band_deg if band_name == "target" else None
        target_hold_s = self.plan.hold_s if self.plan is not None else status.target_hold_s
        item = {
            "index": len(self._reps) + 1, "rep": rep.rep, "kind": rep.kind, "counted": rep.counted,
            "rom_deg": _num(rep.rom_deg, 1), "peak_deg": _num(rep.reached_deg, 1), "hold_s": _num(rep.hold_s, 1),
            "tempo": rep.tempo,
            # (as the page writes them, a value short of its target never rounded up to it: 39.6 of
            # 40 reads "39.6", not "40"; how far the leg got from rest, which the target is met by:
            # Rep.reached_deg)
            "rom_text": _text(rep.reached_deg, target_rom_deg, 1),
            "rom_text_whole": _text(rep.reached_deg, target_rom_deg, 0),
            "hold_text": _text(rep.hold_s, target_hold_s, 1),
            "start_s": _num(rep.start_s), "end_s": _num(rep.end_s), "reason": rep.reason,
            "meets_plan": self.plan.meets(rep) if self.plan is not None else None,
            "note": note, "decided_t_s": _num(status.t_s), "fidget": bool(burst),
            "link_lost": link_lost(rep), "no_failure_tone": no_failure_tone(rep) or bool(burst),
            "arrival_ms": self._arrival_ms(),
        }
        self._reps.append(item)
        self._state = self._state_of(status, new_arrival=False)  # the show() after this block stamps it
        self._publish({"type": "rep", "rep": item, "state": self._state})

    def close(self, status: LiveStatus) -> None:
        self._state = self._state_of(status) | {"ended": True}
        counted = [r for r in self._reps if r["counted"]]
        roms = [r["peak_deg"] for r in counted if r["peak_deg"] is not None]  # (from rest: as sessions.csv)
        holds = [r["hold_s"] for r in counted if r["hold_s"] is not None]
        self._summary = {
            "ended_by": status.state.value, "duration_s": _num(status.t_s, 1), "counted": len(counted),
            "counts": dict(status.counts), "fast": status.fast_reps,
            "rom_mean_deg": _num(sum(roms) / len(roms), 1) if roms else None,
            "rom_max_deg": max(roms) if roms else None,
            "hold_mean_s": _num(sum(holds) / len(holds), 1) if holds else None,
            "completed": self._completed if self.plan is not None else None,
            "prescribed": self.plan.total if self.plan is not None else None,
            "samples_saved": status.samples_saved, "loss_pct": _num(100 * status.loss_fraction, 1),
            "reconnects": status.reconnects, "recording": self.recording,
        }
        self._publish({"type": "done", "summary": self._summary, "state": self._state})
        self.ended = True

    # ---- helpers -------------------------------------------------------------------------
    def _arrival_ms(self, new_only: bool = False) -> float | None:
        """When the last block's notification arrived (ms since the epoch); with ``new_only``, None
        when no block arrived since the last call (an idle tick carries no new sample)."""
        arrival = self._arrival_s()
        if not math.isfinite(arrival) or (new_only and arrival == self._last_arrival_s):
            return None
        if new_only:
            self._last_arrival_s = arrival
        return round((time.time() - (time.perf_counter() - arrival)) * 1000.0, 2)

    def _band(self, status: LiveStatus) -> tuple[float | None, str]:
        if self.plan is not None:
            return self.plan.rom_deg, "target"
        if status.target_rom_deg:
            return status.target_rom_deg, "target"
        if len(self._full_roms_deg) >= 3:
            return float(median(self._full_roms_deg)), "usual"
        return None, ""

    def _link(self, status: LiveStatus) -> dict:
        link = {"state": status.state.value, "battery_percent": status.battery_percent,
                "loss_pct": _num(100 * status.loss_fraction, 1), "reconnects": status.reconnects,
                "samples_saved": status.samples_saved, "sensor": status.sensor}
        if status.error is not None:  # (why the sensor refused the stream: state "refused")
            link["error"] = status.error
        gaps = self._reconnects()
        if gaps:
            last = gaps[-1]
            link["last_gap"] = {"dropped_at_t_s": _num(last.dropped_at_t_s, 1),
                                "resumed": last.resumed_at_t_s is not None,
                                "lost_s": _num(last.lost_s, 1), "lost_samples": last.lost_samples}
        return link

    def _state_of(self, status: LiveStatus, new_arrival: bool = True) -> dict:
        band_deg, band_name = self._band(status)
        target_hold_s = self.plan.hold_s if self.plan is not None else status.target_hold_s
        # (below the target range: None without a prescribed one, out of a hold, or no angle known;
        # reached only at the target range: a hold below it would be called done, then not count)
        cue = hold_cue(status, band_deg if band_name == "target" else None, target_hold_s)
        scale = max(self._scale_deg, 1.3 * band_deg if band_deg else 0.0)
        counted = status.counted_reps
        return {
            "seq": self._seq, "t_s": _num(status.t_s), "angle_deg": _num(status.angle_deg, 1),
            "phase": status.phase, "hold_elapsed_s": _num(status.hold_elapsed_s),
            "target_hold_s": target_hold_s,
            "hold_reached": cue.reached, "below_target": cue.below_target,
            "band_deg": _num(band_deg, 1), "band_name": band_name, "scale_deg": round(scale, 1),
            "counts": {k: n for k, n in status.counts.items()}, "counted": counted,
            "counted_kinds": [k for k in status.counts if k in COUNTED_KINDS],
            "fast": status.fast_reps, "reps_seen": len(self._reps),
            "progress": self.plan.progress(self._completed) if self.plan is not None else None,
            "link": self._link(status), "arrival_ms": self._arrival_ms(new_only=True) if new_arrival else None, "ended": False,
        }



def plan_for(rx_path, patient: str | None, exercise: str | None,
             warn: Callable[[str], None] | None = None) -> SessionPlan:
    """Today's :class:`SessionPlan` for ``patient``'s ``exercise`` (None: the default exercise) from a
    prescription file or folder; a one-line :class:`~sensorkit.errors.ConfigError` when it has none.

    A folder is read as ``sensorkit report`` reads it: a file that cannot be read (a typo in another
    patient's prescription) is said through ``warn`` (one line naming it) and left out, and the
    session goes on; it is refused only when ``patient``'s own prescription cannot be read (a file
    naming them, one of their periods overlapping another) or is not there."""
    from sensorkit import exercises
    from sensorkit.errors import ConfigError
    from sensorkit.report import load_prescriptions
    from sensorkit.report.prescription import prescription_patient

    if not patient:
        raise ConfigError("--prescription needs --patient ID (the patient's pseudonym in the prescription)")
    failed: list = []
    prescriptions = load_prescriptions(rx_path, failed)  # (none readable, or one file given and bad: an error)
    owners = {path: None if path.is_dir() else prescription_patient(path) for path, _ in failed}
    own = [why for path, why in failed if owners[path] == patient]
    if own:  # (their prescription, or one period of it, not read: no session against a part of it)
        raise ConfigError(f"{own[0]} ({patient}'s prescription, which this session follows)")
    rx = prescriptions.get(patient)
    if rx is None:
        unknown = [why for path, why in failed if owners[path] is None and not path.is_dir()]
        maybe = f" (and {len(unknown)} file(s) not read whose patient cannot be told: {unknown[0]})" if unknown else ""
        raise ConfigError(f"{rx_path}: no prescription for patient {patient!r}{maybe}")
    for path, why in failed:  # (another patient's, or a folder below not searched: said, the session goes on)
        if warn is None:
            continue
        if path.is_dir():
            warn(f"warning: {why}")
        elif owners[path] is None:
            warn(f"warning: {why}; not read (whose it is cannot be told: if it is {patient}'s, fix it: one of"
                 " their prescriptions is missing)")
        else:
            warn(f"warning: {why}; {owners[path]}'s prescription, not read (this session of {patient} goes on)")
    name = exercise or exercises.DEFAULT_EXERCISE
    today = datetime.now(rx.zone).date()
    # (of a patient's prescriptions one after another, today's; between two, the one begun last: it
    # holds until the next begins; before the first, the first)
    begun = [p for p in rx.periods if p.start <= today]
    rx = rx.in_force(today) or (begun[-1] if begun else rx.periods[0]) if rx.periods else rx
    plan = rx.plan(name)
    if plan is None:
        raise ConfigError(f"{rx.source}: {name} is not prescribed to {patient}")
    return SessionPlan(sets=plan.sets, reps_per_set=plan.reps_per_set,
                       rom_deg=plan.rom_deg, hold_s=plan.hold_s, movement_s=plan.movement_s, knee_out=plan.knee_out,
                       exercise=plan.name, sides=tuple(plan.sides), source=str(rx.source))

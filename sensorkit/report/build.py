"""From prescriptions and recording paths to the daily and summary tables.

    outcome = build_report(load_prescriptions("rx"), ["data"], on_message=print)
    outcome.daily, outcome.summary, outcome.weekly, outcome.failures, outcome.notes

Each recording is one task (serially, in local processes or on a Dask cluster) that reads it at
most once: a canonical recording's sidecar is read first (cheap) to match it to a prescription,
and its samples only when it matches; a vendor export, whose start time comes from its content,
is read whole once, matched, and analysed from what was read. A recording that fails to load is
a failure (path, reason); one that does not fit a prescription (no patient, unknown patient,
exercise or side not prescribed, dated outside the period) is a note and is skipped. Neither
stops the rest. The record of a session that had no samples (``record``/``live``: the header alone,
the sidecar saying how it ended) is said in one line and counted on its day
(``sessions_without_data``), neither a failure nor a session with data.
"""
from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sensorkit.batch import relabel_path, analyze_recording, run_file_task, run_many
from sensorkit.errors import NoDataError, escape_controls, failure_reason
from sensorkit.io import RecordingMeta, find_recordings, meta_needs_content, read_recording
from sensorkit.io.meta import FIRST_YEAR, LAST_YEAR, NO_OFFSET_IN_REPORT, file_time_warning, load_meta, plausible_time
from sensorkit.io.vendor.polar import PHONE_ZONE_ADVICE
from sensorkit.io.discover import recording_names
from sensorkit.io.files import noting_digests, resolved, sidecar_path
from sensorkit.pipeline import PipelineConfig
from sensorkit.samples import Samples
from sensorkit.report.daily import AnalyzedSession, FailedSession, daily_rows
from sensorkit.report.flags import session_flags
from sensorkit.report.prescription import MAX_PERIOD_DAYS, Prescription
from sensorkit.report.summary import summary_rows
from sensorkit.report.weekly import weekly_rows


@dataclass
class ReportOutcome:
    daily: list[dict] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    weekly: list[dict] = field(default_factory=list)  # (weekly_rows: days and reps of each prescription week)
    sessions: dict[str, list[AnalyzedSession]] = field(default_factory=dict)  # by patient
    failures: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)
    dated_by_file_time: list[Path] = field(default_factory=list)  # sessions without started_at
    warnings: list[tuple[Path, str]] = field(default_factory=list)  # the reader's, of the sessions counted
    failed_sessions: dict[str, list[FailedSession]] = field(default_factory=dict)  # by patient, placed by sidecar
    #: sessions recorded without samples, by patient (their lines, in file order: ``without_data``)
    sessions_without_data: dict[str, list[FailedSession]] = field(default_factory=dict)
    without_data: list[tuple[Path, str]] = field(default_factory=list)
    #: sessions dated after the report's day, by patient: counted on no day, each also a note
    dated_after: dict[str, list[AnalyzedSession]] = field(default_factory=dict)


def match_session(meta: RecordingMeta, prescriptions: dict[str, Prescription],
                  include_simulated: bool = False) -> tuple[Prescription | None, str, str]:
    """(prescription, side, "") for a recording that fits one, else (None, "", why it is skipped).
    The prescription is the one in force on the day it started (one file's, of a patient's
    ``periods``: :meth:`~sensorkit.report.prescription.Prescription.in_force`).

    Simulated recordings (demo data) fit none unless ``include_simulated``.
    """
    if meta.is_simulated and not include_simulated:
        return None, "", "a simulated recording (demo data), not a patient's session; --include-simulated counts it"
    if not meta.patient:
        return None, "", "no patient in its sidecar"
    rx = prescriptions.get(meta.patient)
    if rx is None:
        return None, "", f"patient {meta.patient!r} has no prescription"
    if meta.started_at is None or not plausible_time(meta.started_at):
        return None, "", (f"its start time {meta.started_at.isoformat() if meta.started_at else ''} is not in the years"
                          f" {FIRST_YEAR} to {LAST_YEAR} (a clock never set, or a typo): placed on no day")
    day = rx.local_date(meta.started_at)
    period = rx.in_force(day)
    if period is None and rx.periods:  # (between or outside a patient's periods: said so, whatever the
        # exercise; the last period's exercises are no judge of a day it does not cover)
        return None, "", f"started on {day} ({rx.timezone}), outside {rx.patient}'s prescriptions {rx.span_text()}"
    judged = rx.judging(day)  # (in force that day; none is: the last, and the day is said to be outside)
    plan = judged.plan(meta.exercise)
    if plan is None:
        return None, "", f"exercise {meta.exercise!r} is not prescribed to {rx.patient} ({judged.source})"
    side = meta.side or (plan.sides[0] if len(plan.sides) == 1 else "")
    if not side:
        return None, "", f"no side in its sidecar and {plan.name} is prescribed for {' and '.join(plan.sides)}"
    if side not in plan.sides:
        return None, "", f"side {side!r} of {plan.name} is not prescribed to {rx.patient}"
    if period is None:
        s = "s" if rx.periods else ""
        return None, "", f"started on {day} ({rx.timezone}), outside {rx.patient}'s prescription{s} {rx.span_text()}"
    if (day - period.start).days >= MAX_PERIOD_DAYS:
        return None, "", f"started on {day} ({rx.timezone}), more than 5 years after {rx.patient}'s start {period.start}"
    return period, side, ""


@dataclass(frozen=True)
class ReportedFile:
    """What one report task found: the recording's ``meta`` and either why it was ``skipped``, or
    the ``patient`` and ``side`` it was matched to and its ``reps``."""

    meta: RecordingMeta
    skipped: str = ""
    patient: str = ""
    side: str = ""
    reps: tuple = ()
    warnings: tuple[str, ...] = ()  # the reader's (a time without a zone, a line dropped, ...)
    digest: str = ""  # SHA-256 of the recording file: an identical copy is the same session
    no_data: str = ""  # the record of a session without samples: its one line (no reps)
    duration_s: float = 0.0  # the recording's (a converted copy, not byte-identical, is told by it and its start)
    blocks: bytes = b""  # its samples' :func:`sample_blocks` (a copy cut short is told by them)
    #: :func:`~sensorkit.report.flags.session_flags`: another exercise?, a sensor moved?; its stray reps from (s)
    flags: tuple[str, ...] = ()
    stray_from_s: float | None = None


#: samples in one block of :func:`sample_blocks`
BLOCK_SAMPLES = 50


def sample_blocks(samples: Samples) -> bytes:
    """A short digest (8 bytes) of each whole block of :data:`BLOCK_SAMPLES` samples (t, acc, gyr as
    read), one after another: a recording whose blocks begin another's holds the start of its
    samples (a copy cut short), all but its last samples (under one block) compared."""
    rows = np.column_stack([samples.t, samples.acc, samples.gyr])
    whole = len(rows) // BLOCK_SAMPLES
    return b"".join(hashlib.blake2b(rows[k * BLOCK_SAMPLES:(k + 1) * BLOCK_SAMPLES].tobytes(), digest_size=8).digest()
                    for k in range(whole))


def report_file(path: str, base_dir: str, config: PipelineConfig | None,
                prescriptions: dict[str, Prescription], include_simulated: bool = False) -> tuple[ReportedFile | None, str]:
    """One task of a report: (what was found, "") or (None, one-line reason). Never raises.

    Reads the file at most once (see module doc); ``path`` and ``base_dir`` as for
    :func:`sensorkit.batch.analyze_file`.
    """
    def task(actual: Path) -> ReportedFile:
        sidecar = None
        no_data = None  # (the record of a session without samples: its error)
        with noting_digests() as digests:  # (the file hashed as it is read: not read again for its digest)
            if meta_needs_content(actual):  # (a vendor export: its start time and sensor are in it)
                recording = read_recording(actual)
            else:  # (a canonical CSV: its sidecar, read once, matches it; its samples only if it matches)
                sidecar = load_meta(actual)
                started_by_file = sidecar[0].started_at_from_file_time  # (its start needs its duration)
                try:
                    recording = read_recording(actual, sidecar) if started_by_file else None
                except NoDataError as exc:
                    recording, no_data = None, exc
        meta = _in_patient_zone(recording.meta if recording is not None else sidecar[0], prescriptions)
        rx, side, why = match_session(meta, prescriptions, include_simulated)
        if rx is None:
            return ReportedFile(meta, skipped=why)
        if recording is None and no_data is None:
            try:
                with noting_digests() as more:
                    recording = read_recording(actual, sidecar)
                digests.update(more)
            except NoDataError as exc:
                no_data = exc
        if no_data is not None:  # (every such CSV is the header alone: its sidecar tells one session from another)
            digest = hashlib.sha256(actual.read_bytes() + sidecar_path(actual).read_bytes()).hexdigest()
            return ReportedFile(meta, patient=rx.patient, side=side, digest=digest,
                                no_data=relabel_path(str(no_data), actual, Path(path)))
        digest = digests.get(actual) or hashlib.sha256(actual.read_bytes()).hexdigest()  # (else: read again)
        # (the tempo reference: the prescribed movement plus its hold, as a sidecar's would give it)
        result = analyze_recording(recording, config, rx.plan(meta.exercise).tempo_keys(meta))
        dated = file_time_warning(actual, meta.started_at) if meta.started_at_from_file_time else None
        warnings = tuple(relabel_path(_zone_said(w, rx), actual, Path(path))
                         for w in result.warnings if w != dated)  # (dated: a note)
        flags, stray_from_s = session_flags(meta.exercise, result.reps)
        return ReportedFile(meta, patient=rx.patient, side=side, reps=tuple(result.reps), warnings=warnings,
                            digest=digest, duration_s=recording.samples.duration_s,
                            blocks=sample_blocks(recording.samples), flags=flags, stray_from_s=stray_from_s)

    return run_file_task(task, path, base_dir)


#: why a recording is skipped, in a few words, from its note (the notes are made in this module and by
#: :func:`match_session`): (pattern, words)
_SKIP_KINDS = (
    (r"^a simulated recording", "simulated (demo data)"),
    (r"^no patient in its sidecar", "no patient in the sidecar"),
    (r"^patient .* has no prescription", "patient without a prescription"),
    (r"^its start time .* is not in the years", "start time not plausible"),
    (r"^exercise .* is not prescribed", "exercise not prescribed"),
    (r"^no side in its sidecar|^side .* is not prescribed", "side not prescribed"),
    (r"outside .*'s prescription|more than 5 years after", "dated outside the prescription"),
    (r"after today|after the report's day", "dated after the report's day"),
    (r"^the same recording as .*, but its sidecar names patient", "an identical copy naming another patient"),
    (r"^the same recording as", "an identical copy, counted once"),
    (r"^the same session as", "a converted copy, counted once"),
    (r"^the first .*: a copy cut short", "a copy cut short, the longer counted"),
    (r"^an earlier output", "an earlier output, not a recording"),
)


def skip_kind(reason: str) -> str:
    """Why a recording was skipped, in a few words (for a count by kind), from its note ``reason``."""
    return next((words for pattern, words in _SKIP_KINDS if re.search(pattern, reason)), "other")


def report_day(rx: Prescription, as_of: date | str | None) -> date | None:
    """The day a report is made, as the patient's local date: ``as_of`` (a date), today in the
    patient's time zone (``"today"``), or None (no such day: every day of the period judged)."""
    return datetime.now(rx.zone).date() if as_of == "today" else as_of if isinstance(as_of, date) else None


def _after_as_of(rx: Prescription, started_at: datetime, made: date | None, as_of: date | str | None) -> str:
    """Why a recording that started at ``started_at`` is not counted in a report made on day ``made``
    (:func:`report_day` of ``as_of``): it started after that day, in the patient's zone (a day not
    come yet, or not in a report as of an earlier day); "" when it is counted."""
    day = rx.local_date(started_at)
    if made is None or day <= made:
        return ""
    if as_of == "today":  # (a day that has not come: the recorder's clock, or the sidecar, is wrong)
        return (f"started on {day} ({rx.timezone}), after today ({made}); a day not come yet"
                " (the recorder's clock ahead, or its started_at mistyped?): counted on no day")
    return f"started on {day} ({rx.timezone}), after the report's day {as_of} (--as-of): not in this report"


#: how the readers say they read a start time without a zone in this computer's: a sidecar's
#: started_at, a Polar export's phone time
_COMPUTER_ZONE = re.compile(r"read in this computer's zone \(UTC[^)]*\) " + re.escape(NO_OFFSET_IN_REPORT)
                            + r"|read in this computer's \(UTC[^)]*\): " + re.escape(PHONE_ZONE_ADVICE))


def _zone_said(warning: str, rx: Prescription) -> str:
    """A reader's warning of a start time without a zone, as the report reads it: in the patient's."""
    return _COMPUTER_ZONE.sub(f"read in {rx.patient}'s time zone ({rx.timezone})", warning)


#: a session counted twice: started within this of another of the same patient, exercise and side (s) ...
SAME_START_S = 1.0
#: ... and lasting as long, within this (s): a copy converted or exported again, not byte-identical
SAME_DURATION_S = 2.0


def _same_session(found: ReportedFile, counted: dict[tuple, list[tuple[ReportedFile, Path]]]) -> Path | None:
    """The file of a session among ``counted`` (the sessions counted so far with their files, by
    :func:`_session_key`) that ``found`` is another copy of: the same patient, exercise and side,
    started within :data:`SAME_START_S` and lasting as long within :data:`SAME_DURATION_S` (one
    patient does not do two sessions of one side at one moment): a vendor export and the
    recording ``convert`` made of it. None when there is none. A start taken from a file's modification time (which a copy
    changes) tells nothing: such a session is never taken for another's copy."""
    meta = found.meta
    if meta.started_at_from_file_time:
        return None
    for other, path in counted.get(_session_key(found), []):
        if other.meta.started_at_from_file_time:
            continue
        if (abs((other.meta.started_at - meta.started_at).total_seconds()) <= SAME_START_S
                and abs(other.duration_s - found.duration_s) <= SAME_DURATION_S):
            return path
    return None


def _cut_copy(found: ReportedFile, counted: dict[tuple, list[tuple[ReportedFile, Path]]]) -> tuple[ReportedFile, Path] | None:
    """The session among ``counted`` (as for :func:`_same_session`) of which ``found`` is a copy cut
    short, or which is one of ``found`` (an interrupted sync or copy: the same sidecar, the file
    holding the first part of the samples): the same patient, exercise and side, started within
    :data:`SAME_START_S`, the one's samples the start of the other's (:func:`sample_blocks`), with
    its file. None when there is none."""
    if found.meta.started_at_from_file_time or not found.blocks:
        return None
    for other, path in counted.get(_session_key(found), []):
        if other.meta.started_at_from_file_time or not other.blocks:
            continue
        short, long = sorted((found.blocks, other.blocks), key=len)
        if (abs((other.meta.started_at - found.meta.started_at).total_seconds()) <= SAME_START_S
                and long.startswith(short)):
            return other, path
    return None


def _cut_note(shorter: ReportedFile, longer: ReportedFile, longer_path: Path) -> str:
    """The note of a recording ``shorter`` skipped as a copy of ``longer`` cut short."""
    return (f"the first {shorter.duration_s:.1f} s of {longer_path} ({longer.duration_s:.1f} s; patient"
            f" {longer.patient}, {longer.meta.exercise} {longer.side}, started"
            f" {longer.meta.started_at.isoformat(timespec='seconds')}): a copy cut short (an interrupted sync or"
            " copy?); the longer counted once")


def _session_key(found: ReportedFile) -> tuple:
    """What two copies of one session share: (patient, exercise, side)."""
    return found.patient, found.meta.exercise, found.side


def _in_patient_zone(meta: RecordingMeta, prescriptions: dict[str, Prescription]) -> RecordingMeta:
    """``meta`` with a ``started_at`` written without a UTC offset read in its patient's time zone
    (a wall-clock time where the patient was; the reader took it in this computer's zone)."""
    rx = prescriptions.get(meta.patient) if meta.patient else None
    return meta.in_zone(rx.zone) if rx is not None else meta


def _place_failed(path: Path, name: str, prescriptions: dict[str, Prescription],
                  include_simulated: bool) -> tuple[str, FailedSession] | None:
    """(patient, the failed recording) when its sidecar still says whose it is and when; else None."""
    try:
        meta = _in_patient_zone(load_meta(path)[0], prescriptions)
    except Exception:  # noqa: BLE001 - a sidecar as damaged as the recording places nothing
        return None
    # (without started_at: the file's modification time, the recording's end, as its duration, which
    # the start would need, cannot be read; a day off only for a session across midnight)
    rx, side, _ = match_session(meta, prescriptions, include_simulated)
    if rx is None:
        return None
    return rx.patient, FailedSession(name, meta.started_at, meta.exercise, side, meta.started_at_from_file_time)


def build_report(
    prescriptions: dict[str, Prescription],
    paths: Iterable[str | os.PathLike],
    exclude: Iterable[str | os.PathLike] = (),
    skip_files: Iterable[str | os.PathLike] = (),
    config: PipelineConfig | None = None,
    on_message: Callable[[str], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    include_simulated: bool = False,
    files: list[Path] | None = None,
    task: Callable = report_file,
    as_of: date | str | None = None,
) -> ReportOutcome:
    """Analyse the recordings under ``paths`` that fit ``prescriptions``; build both tables.

    ``exclude``: folders not searched; ``skip_files``: files never taken as recordings (the outputs).
    ``on_message(line)`` receives one line per failure or skipped recording, in file order.
    ``workers`` / ``scheduler``: as for ``sensorkit analyze`` (local processes or a Dask cluster);
    the tables do not depend on them. Simulated recordings are skipped unless ``include_simulated``.
    A session dated by its file's modification time (no ``started_at``) is counted, said so in a
    message and counted apart (``sessions_dated_by_file_time``, ``outcome.dated_by_file_time``).
    ``files``: the recording files, when the caller has searched ``paths`` already.
    ``task``: :func:`report_file` or a stand-in with its signature and result (the dashboard's,
    which reuses the result of a file that has not changed). ``as_of``: the day the report is made
    (a date, or ``"today"``: each patient's local date now); days after it are not reported (they
    are neither done nor missed yet), and that day is still in progress (``day_in_progress``: it
    counts the reps done so far). A session dated after that day is counted on no day: a note says
    so (after today: a recorder's clock ahead?), and it is kept in ``outcome.dated_after``. A
    damaged recording whose sidecar has no started_at is counted as failed on the day of its file's
    modification time. None: up to the prescription's end, every day judged.
    """
    outcome = ReportOutcome(sessions={p: [] for p in prescriptions})
    made = {patient: report_day(rx, as_of) for patient, rx in prescriptions.items()}  # (once: not a midnight apart)
    if on_message is not None:  # (one line each: a file name's control characters escaped)
        on_message = (lambda say: lambda line: say(escape_controls(line)))(on_message)

    def skip(path: Path, reason: str) -> None:
        """A recording left out: noted, and said as ``PATH: skipped: REASON``."""
        outcome.notes.append((path, reason))
        if on_message:
            on_message(f"{path}: skipped: {reason}")

    def fail(path: Path, reason: str) -> None:
        """A recording that failed: said as its reason, which starts with its path (the task's
        :func:`~sensorkit.errors.failure_reason`: as ``analyze`` says it and ``sessions.csv`` holds it)."""
        outcome.failures.append((path, reason))
        if on_message:
            on_message(failure_reason(path, reason))

    skipped = {resolved(f) for f in skip_files}
    if files is None:
        earlier: list[tuple[Path, str]] = []
        files = [path for path in find_recordings(paths, exclude=exclude, skipped=earlier)
                 if resolved(path) not in skipped]
        for path, kind in earlier:
            skip(path, f"an earlier output ({kind}), not a recording")
    names = recording_names(files)
    first_copy: dict[str, tuple[Path, str]] = {}  # file digest -> the first file counted with it, its patient
    counted: dict[tuple, list[tuple[ReportedFile, Path]]] = {}  # the sessions counted, to tell another copy (_same_session)
    analysed: dict[Path, AnalyzedSession] = {}  # the sessions counted, by file (one cut short is replaced)
    cut: tuple[ReportedFile, Path] | None = None
    for path, found, error in run_many(task, files, [(config, prescriptions, include_simulated)] * len(files),
                                       workers, scheduler):
        if found is None:
            placed = _place_failed(path, names[path], prescriptions, include_simulated)
            if placed is not None and (after := _after_as_of(prescriptions[placed[0]], placed[1].started_at,
                                                                 made[placed[0]], as_of)):
                skip(path, after)  # (dated after the report's day by its sidecar: not in it, damaged or not)
                continue
            fail(path, error)
            if placed is not None:
                outcome.failed_sessions.setdefault(placed[0], []).append(placed[1])
                if placed[1].dated_by_file_time and on_message:
                    rx = prescriptions[placed[0]]
                    on_message(f"{path}: note: no started_at in its sidecar; counted as failed on"
                               f" {rx.local_date(placed[1].started_at)}, the day of the file's modification time"
                               " (which copying or unzipping changes)")
        elif found.skipped:
            skip(path, found.skipped)
        elif after := _after_as_of(prescriptions[found.patient], found.meta.started_at,
                                                 made[found.patient], as_of):
            skip(path, after)  # (flagged: a note, and the session kept apart, counted on no day)
            if not found.no_data:
                outcome.dated_after.setdefault(found.patient, []).append(
                    AnalyzedSession(names[path], found.meta.started_at, found.meta.exercise, found.side, found.reps,
                                    found.meta.started_at_from_file_time, found.flags, found.stray_from_s))
        elif found.digest and found.digest in first_copy:
            first, first_patient = first_copy[found.digest]
            if found.patient != first_patient:  # (one session is one patient's: a sidecar is wrong)
                skip(path, f"the same recording as {first} (an identical file), but its sidecar names patient"
                     f" {found.patient} and {first}'s {first_patient}: counted for {first_patient} only;"
                     " correct the sidecar that is wrong")
            else:
                skip(path, f"the same recording as {first} (an identical file: a copy or a backup); counted once")
        elif not found.no_data and (copy_of := _same_session(found, counted)) is not None:
            skip(path, f"the same session as {copy_of} (patient {found.patient}, {found.meta.exercise} {found.side},"
                 f" started {found.meta.started_at.isoformat(timespec='seconds')}, {found.duration_s:.1f} s: a"
                 " converted or re-exported copy); counted once")
        elif not found.no_data and (cut := _cut_copy(found, counted)) is not None and (
                cut[0].duration_s >= found.duration_s):
            skip(path, _cut_note(found, *cut))
        elif found.no_data:  # (a session tried, that brought no samples: said, and counted on its day)
            if found.digest:
                first_copy[found.digest] = path, found.patient
            outcome.without_data.append((path, found.no_data))
            if on_message:
                on_message(found.no_data)
            outcome.sessions_without_data.setdefault(found.patient, []).append(
                FailedSession(names[path], found.meta.started_at, found.meta.exercise, found.side))
        else:
            if cut is not None:  # (an earlier session, a copy of this one cut short: this one counted instead)
                shorter, shorter_path = cut
                counted[_session_key(shorter)].remove(cut)
                outcome.sessions[shorter.patient].remove(analysed.pop(shorter_path))
                outcome.warnings = [(p, w) for p, w in outcome.warnings if p != shorter_path]
                skip(shorter_path, _cut_note(shorter, found, path))
            if found.digest:
                first_copy[found.digest] = path, found.patient
            counted.setdefault(_session_key(found), []).append((found, path))
            meta = found.meta
            for warning in found.warnings:
                outcome.warnings.append((path, warning))
                if on_message:
                    on_message(f"warning: {warning}")
            if meta.started_at_from_file_time:
                outcome.dated_by_file_time.append(path)
                if on_message:
                    on_message(f"{path}: note: no started_at in its sidecar; counted on the day of the file's"
                               f" modification time less its duration ({meta.started_at.isoformat(timespec='seconds')}),"
                               " which copying or unzipping changes")
            analysed[path] = AnalyzedSession(names[path], meta.started_at, meta.exercise, found.side, found.reps,
                                             meta.started_at_from_file_time, found.flags, found.stray_from_s)
            outcome.sessions[found.patient].append(analysed[path])
    for patient in sorted(prescriptions):
        rx = prescriptions[patient]
        day = made[patient]
        rows = daily_rows(rx, outcome.sessions[patient], day, outcome.failed_sessions.get(patient, []),
                          in_progress=day, without_data=outcome.sessions_without_data.get(patient, []))
        outcome.daily += rows
        # (a summary period never mixes two prescriptions: one starts at each)
        outcome.summary += summary_rows(patient, rx.start, rows, [(p.start, p.end) for p in rx.periods or (rx,)])
        outcome.weekly += weekly_rows(rx, rows)
    return outcome

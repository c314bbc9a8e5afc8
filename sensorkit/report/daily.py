"""The daily adherence table: one row per patient × local date × exercise × side.

    rows = daily_rows(rx, sessions)     # sessions: AnalyzedSession list of this patient, already matched

Rows carry unrounded values (floats, NaN when undefined); :mod:`sensorkit.report.table` formats them.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sensorkit.pipeline import Rep
from sensorkit.report.flags import is_stray
from sensorkit.report.prescription import MAX_PERIOD_DAYS, ExercisePlan, Prescription

DAILY_COLUMNS = (
    "patient", "date", "exercise", "side", "sessions", "reps_prescribed", "reps_completed",
    "reps_partial", "reps_knee_out", "reps_total", "rom_mean_deg", "rom_max_deg", "hold_mean_s",
    "holds_on_target", "active_time_s", "adherence_pct", "has_data", "source_recordings", "reps_fast",
    "reps_full", "rom_full_mean_deg", "sessions_dated_by_file_time", "recordings_failed", "day_in_progress",
    "sessions_without_data", "session_warnings", "roms_on_target", "target_rom_deg", "target_hold_s",
)


@dataclass(frozen=True)
class AnalyzedSession:
    """One analysed recording of a patient: its name (file stem), start, exercise, side and reps."""

    recording: str
    started_at: datetime
    exercise: str
    side: str
    reps: tuple[Rep, ...]
    dated_by_file_time: bool = False  # no started_at: the day comes from the file's modification time
    #: :func:`~sensorkit.report.flags.session_flags`: its warnings (another exercise?, a sensor moved?)
    flags: tuple[str, ...] = ()
    #: the start (s) from which its reps are stray, left out of the ROM columns (-inf: all; None: none)
    stray_from_s: float | None = None


@dataclass(frozen=True)
class FailedSession:
    """A recording of a patient that brought no reps, placed by its sidecar: its name, start,
    exercise and side. One that could not be analysed (a damaged file): its day shows it, so
    that a day with data lost does not read as a day without exercise; the record of a session
    without samples: its day shows the session was tried."""

    recording: str
    started_at: datetime
    exercise: str
    side: str
    #: no started_at in its sidecar: placed on the day of the file's modification time (the
    #: recording's end; its duration, which the start would need, could not be read)
    dated_by_file_time: bool = False


@dataclass
class _Cell:
    recordings: list[str] = field(default_factory=list)
    reps: list[Rep] = field(default_factory=list)
    rom_reps: list[Rep] = field(default_factory=list)  # (the counted reps not stray: the ROM columns')
    warnings: list[str] = field(default_factory=list)  # (RECORDING:FLAG of each flagged session)
    dated_by_file_time: int = 0
    failed: int = 0
    without_data: int = 0


def report_end(rx: Prescription, sessions: list[AnalyzedSession | FailedSession], as_of: date | None = None) -> date:
    """Last reported day: the prescription's end; without one, the day the report is made (``as_of``,
    a local date), or without that the local date of the last session (at least start). With
    ``as_of``, no later than it: days still to come are neither done nor missed, and a session
    dated after it is not placed on any day (the caller flags it: a recorder's clock ahead). (A
    patient who stopped, or never began, shows the days missed up to the report's day; an
    open-ended prescription, at most ``MAX_PERIOD_DAYS`` from its start; a prescription that
    starts after ``as_of``, no day.)"""
    last_data = max([rx.start, *(rx.local_date(s.started_at) for s in sessions)])
    if rx.end is not None:
        planned = rx.end
    else:  # (at most MAX_PERIOD_DAYS: a start typed a decade early, or an --as-of far ahead)
        last_start = rx.periods[-1].start if rx.periods else rx.start  # (the open-ended one's)
        planned = last_data if as_of is None else min(as_of, last_start + timedelta(days=MAX_PERIOD_DAYS - 1))
    return planned if as_of is None else min(planned, as_of)


def daily_rows(rx: Prescription, sessions: list[AnalyzedSession], as_of: date | None = None,
               failed: list[FailedSession] = (), in_progress: date | None = None,
               without_data: list[FailedSession] = ()) -> list[dict]:
    """The rows of ``rx.patient`` from ``start`` to :func:`report_end` (``as_of`` as there), sorted
    by date, exercise, side. Each day's rows are those of the prescription in force on it (of a
    patient's ``periods``, the day's; a day between two periods has none). Its exercise days, those
    with ``reps_prescribed``, are :meth:`~sensorkit.report.prescription.Prescription.schedule`'s:
    ``days_per_week`` days of each week, the days with exercise first; a day of exercise beyond
    them prescribes 0 (its reps shown, its adherence empty).

    Sessions must already belong to a prescribed exercise and side; those dated outside the
    period, or after ``as_of``, are ignored (the caller reports them). ``failed``: recordings of the
    patient that could not be analysed, counted on their day (``recordings_failed``).
    ``in_progress``: the day the report is made, not over yet (``day_in_progress``): it counts what
    was done so far (its adherence the reps completed so far over those prescribed, which later
    sessions that day may raise), as any other day. ``without_data``: sessions of the patient recorded
    without samples (the sensor absent, refusing, silent), counted on their day
    (``sessions_without_data``): tried, with no reps; nothing lost, so the day's adherence stands.
    """
    cells: dict[tuple[date, str, str], _Cell] = defaultdict(_Cell)
    for s in sessions:
        cell = cells[(rx.local_date(s.started_at), s.exercise, s.side)]
        cell.recordings.append(s.recording)
        cell.reps.extend(r for r in s.reps if r.counted)
        cell.rom_reps.extend(r for r in s.reps if r.counted and not is_stray(r, s.stray_from_s))
        cell.warnings.extend(f"{s.recording}:{flag}" for flag in s.flags)
        cell.dated_by_file_time += s.dated_by_file_time
    for f in failed:
        cells[(rx.local_date(f.started_at), f.exercise, f.side)].failed += 1
    for w in without_data:
        cells[(rx.local_date(w.started_at), w.exercise, w.side)].without_data += 1
    last = report_end(rx, [*sessions, *failed, *without_data], as_of)
    days = []  # (day, its period's plans): the days in force, start..last
    done: dict[tuple[date, str, str], tuple[int, bool]] = {}  # days with exercise: (reps completed, data lost)
    for day_offset in range((last - rx.start).days + 1):
        day = rx.start + timedelta(days=day_offset)
        period = rx.in_force(day)  # (a patient's prescriptions one after another: the day's; between two, none)
        if period is None:
            continue
        plans = sorted(period.exercises, key=lambda p: p.name)
        days.append((day, plans))
        for plan in plans:
            for side in plan.sides:
                cell = cells.get((day, plan.name, side))
                if cell is not None and (cell.recordings or cell.failed or cell.without_data):
                    done[(day, plan.name, side)] = (_completed(plan, cell.reps), bool(cell.failed))
    due = rx.schedule(last, done)  # (each period's weeks from its own start: any days_per_week days of each)
    rows = []
    for day, plans in days:
        for plan in plans:
            for side in plan.sides:
                cell = cells.get((day, plan.name, side), _Cell())
                rows.append(_row(rx.patient, day, plan, side, due.get((day, plan.name, side), 0), cell,
                                 day == in_progress))
    return rows


def days_done(rows: list[dict]) -> dict[tuple[date, str, str], tuple[int, bool]]:
    """The days with exercise in daily rows (a recording: analysed, unreadable, or tried without
    data), as :meth:`~sensorkit.report.prescription.Prescription.schedule` takes them:
    (date, exercise, side) -> (reps completed, data lost)."""
    return {(date.fromisoformat(r["date"]), r["exercise"], r["side"]): (r["reps_completed"], r["recordings_failed"] > 0)
            for r in rows if r["has_data"] or r["recordings_failed"] or r["sessions_without_data"]}


def _completed(plan: ExercisePlan, reps: list[Rep]) -> int:
    """How many of the counted ``reps`` complete ``plan``'s rep (:meth:`ExercisePlan.meets_target`)."""
    return sum(plan.meets_target(r.reached_deg, r.hold_s, r.kind) for r in reps)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _row(patient: str, day: date, plan: ExercisePlan, side: str, prescribed: int, cell: _Cell,
         in_progress: bool = False) -> dict:
    reps = cell.reps
    # (how far from rest: see Rep.reached_deg; of the reps not stray: a session of another exercise, or
    # whose sensor moved, is no measure of this exercise's range)
    roms = [r.reached_deg for r in cell.rom_reps]
    holds = [r.hold_s for r in reps]
    full_roms = [r.reached_deg for r in cell.rom_reps if r.kind == "full"]
    completed = _completed(plan, reps)
    return {
        "patient": patient, "date": day.isoformat(), "exercise": plan.name, "side": side,
        "sessions": len(cell.recordings), "reps_prescribed": prescribed, "reps_completed": completed,
        "reps_partial": sum(r.kind == "partial" for r in reps),
        "reps_knee_out": sum(r.kind == "knee_out" for r in reps),
        "reps_fast": sum(r.tempo == "fast" for r in reps),
        "reps_total": len(reps),
        "rom_mean_deg": _mean(roms), "rom_max_deg": max(roms) if roms else math.nan,
        "hold_mean_s": _mean(holds), "holds_on_target": sum(h >= plan.hold_s for h in holds),
        "active_time_s": float(sum(r.end_s - r.start_s for r in reps)),
        # (unknown on a day whose data were partly lost and whose analysed reps fall short: not 0 %;
        # the day in progress counts what was done so far)
        "adherence_pct": (min(100.0, 100.0 * completed / prescribed)
                          if prescribed and (completed >= prescribed or not cell.failed) else math.nan),
        "has_data": bool(cell.recordings),
        "source_recordings": ";".join(sorted(cell.recordings)),
        "reps_full": sum(r.kind == "full" for r in reps), "rom_full_mean_deg": _mean(full_roms),
        "sessions_dated_by_file_time": cell.dated_by_file_time,
        "recordings_failed": cell.failed,
        "day_in_progress": in_progress,
        "sessions_without_data": cell.without_data,
        "session_warnings": ";".join(sorted(cell.warnings)),
        "roms_on_target": sum(r.reached_deg >= plan.rom_deg for r in reps),
        "target_rom_deg": plan.rom_deg, "target_hold_s": plan.hold_s,
        "rom_full_reps": len(full_roms),  # (not a column: the full reps rom_full_mean_deg is over, for the summary)
    }

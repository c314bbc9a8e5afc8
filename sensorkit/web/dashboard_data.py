"""What the clinician dashboard shows, from the same code as ``sensorkit report``.

    data = DashboardData(load_prescriptions("rx"), ["recordings"])
    data.refresh()                  # (re)analyses only new or changed files
    data.report_csv()               # the bytes `sensorkit report --out` writes
    data.patients(), data.patient("p101"), data.recording(recording_id)

The tables are made by :func:`~sensorkit.report.build.build_report`, the code behind
``sensorkit report`` (so the downloads are byte-identical to its files), with a stand-in for its
per-file task (:func:`~sensorkit.report.build.report_file`: sidecar match, then the pipeline with
the prescription's tempo) that keeps each file's result while the file and its sidecar keep their
size and modification time: each recording is analysed once. A recording is named to the
pages only by an opaque id (a hash of its path): no request can name a file.

Dates are the patient's local dates. ``as_of`` (default: today in the patient's time zone) is
the report's day, as for ``sensorkit report``: the current 30-day period ends on it (at most the
prescription's end); it is in progress, its reps done so far shown apart (``today``), and "the
last 7 / 30 days" are the days that are over before it (``adherence_until``: the day before it, or
the prescription's end); a session dated after it is counted on no day and shown apart (``dated_after``).
"""
from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sensorkit.errors import name_text
from sensorkit.io import read_recording
from sensorkit.io.discover import recording_names
from sensorkit.io.files import resolved
from sensorkit.pipeline import PipelineConfig
from sensorkit.pipeline.rep import SHOWN_APART_DEG
from sensorkit.report import DAILY_COLUMNS, SUMMARY_COLUMNS, AnalyzedSession, ExercisePlan, Prescription, csv_text
from sensorkit.report.build import ReportedFile, build_report, report_file
from sensorkit.report.daily import days_done
from sensorkit.report.flags import FLAG_WORDS
from sensorkit.report.summary import adherence_mean, days_with_data, summary_periods

#: most points of an angle trace sent to a page (longer recordings are read in larger blocks)
MAX_TRACE_POINTS = 20000


def _stat_key(path: Path) -> tuple:
    """What must stay equal for a cached analysis to be reused: the file's and its sidecar's size and mtime."""
    key = []
    for p in (path, path.with_suffix(".json")):
        try:
            st = p.stat()
            key.append((st.st_size, st.st_mtime_ns))
        except OSError:
            key.append(None)
    return tuple(key)


def recording_id(path: Path) -> str:
    return hashlib.sha256(os.fsencode(resolved(path))).hexdigest()[:16]  # (any bytes a file name holds)


@dataclass
class _Entry:
    id: str
    path: Path  # as found under the folders given
    key: tuple
    found: ReportedFile | None
    error: str
    trace: dict | None = None


@dataclass
class _Outcome:
    daily: list[dict] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)
    weekly: list[dict] = field(default_factory=list)  # (the report's weekly rows)
    sessions: dict[str, list[tuple[_Entry, AnalyzedSession]]] = field(default_factory=dict)
    #: the records of sessions tried that brought no samples, by patient (the report's ``sessions_without_data``)
    without_data: dict[str, list[_Entry]] = field(default_factory=dict)
    #: sessions dated after the report's day, by patient: counted on no day, shown flagged
    dated_after: dict[str, list[tuple[_Entry, AnalyzedSession]]] = field(default_factory=dict)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)


def _num(value, digits: int = 1):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


class DashboardData:
    """The dashboard's model (see module doc). Thread-safe: one refresh at a time."""

    def __init__(self, prescriptions: dict[str, Prescription], paths: Iterable[str | os.PathLike],
                 as_of: date | None = None, config: PipelineConfig | None = None,
                 include_simulated: bool = False, prescriptions_failed: Iterable[tuple[Path, str]] = (),
                 prescription_path: str | os.PathLike | None = None) -> None:
        self.prescriptions = prescriptions
        # (prescription files that could not be read: their patients are missing, the page says so)
        self.prescriptions_failed = list(prescriptions_failed)
        # (the prescription file or folder given: the files not read are named below it)
        self.prescription_path = Path(prescription_path) if prescription_path is not None else None
        self.include_simulated = include_simulated
        self.paths = [Path(p) for p in paths]
        self.as_of = as_of
        self.config = config
        self.analyses = 0  # recordings analysed so far (a reused result does not count)
        self._entries: dict[Path, _Entry] = {}
        self._by_id: dict[str, _Entry] = {}
        self._outcome = _Outcome()
        self._lock = threading.RLock()

    # ---- analysis ------------------------------------------------------------------------
    def refresh(self, on_analysed: Callable[[int], None] | None = None) -> None:
        """Find the recordings again; analyse new or changed ones; rebuild the tables.

        The tables come from :func:`~sensorkit.report.build.build_report` itself, run serially with
        a stand-in for its per-file task that reuses the result of an unchanged file.
        ``on_analysed(n)``: called after each file analysed (not reused), ``n`` of them so far in
        this refresh (the command's progress on a first analysis of many files).
        """
        analysed = 0
        with self._lock:
            seen: dict[Path, _Entry] = {}

            def task(path: str, base_dir: str, *args) -> tuple[ReportedFile | None, str]:
                shown = Path(path)
                key = _stat_key(shown if shown.is_absolute() else Path(base_dir) / shown)
                entry = self._entries.get(shown)
                if entry is None or entry.key != key:
                    nonlocal analysed
                    found, error = report_file(path, base_dir, *args)
                    self.analyses += 1
                    analysed += 1
                    if on_analysed is not None:
                        on_analysed(analysed)
                    entry = _Entry(recording_id(shown), shown, key, found, error)
                seen[shown] = entry
                return entry.found, entry.error

            report = build_report(self.prescriptions, self.paths, config=self.config, workers=1,
                                  include_simulated=self.include_simulated, task=task,
                                  as_of=self.as_of or "today")  # (as `sensorkit report` made the same day)
            self._entries = seen
            self._by_id = {e.id: e for e in seen.values()}
            self._outcome = self._with_entries(report, seen)

    def _with_entries(self, report, seen: dict[Path, _Entry]) -> _Outcome:
        """The report's outcome, each session paired with its file (sessions are added in file order)."""
        queues: dict[str, list[_Entry]] = {p: [] for p in self.prescriptions}
        for entry in seen.values():
            if entry.found is not None and not entry.found.skipped:
                queues[entry.found.patient].append(entry)
        # (each session by the name the report gave its file: the stem, or the path below the folder the
        # files of one stem share, p101/session1; an identical copy the report counted once has none)
        names = recording_names([e.path for e in seen.values()])
        sessions, dated_after = {}, {}
        for patient, analysed in report.sessions.items():
            by_name = {names[e.path]: e for e in queues.get(patient, [])}
            sessions[patient] = [(by_name[s.recording], s) for s in analysed if s.recording in by_name]
            dated_after[patient] = [(by_name[s.recording], s) for s in report.dated_after.get(patient, [])
                                    if s.recording in by_name]
        without_data = {}
        for patient, tried in report.sessions_without_data.items():
            by_name = {names[e.path]: e for e in queues.get(patient, []) if e.found.no_data}
            without_data[patient] = [by_name[s.recording] for s in tried if s.recording in by_name]
        return _Outcome(daily=report.daily, summary=report.summary, weekly=report.weekly, sessions=sessions, without_data=without_data,
                        failures=list(report.failures), notes=list(report.notes), dated_after=dated_after)

    def status_line(self) -> str:
        """One line of what was found: the recordings counted, and those skipped, by why (most first),
        and failed; e.g. ``2 patient(s), 21 recording(s) found: 2 counted, 18 skipped (15 patient
        without a prescription, ...; listed on the patients page), 1 failed``."""
        from sensorkit.report.build import skip_kind

        with self._lock:
            o = self._outcome
            counted = sum(len(s) for s in o.sessions.values()) + sum(len(t) for t in o.without_data.values())
            kinds = Counter(skip_kind(why) for _, why in o.notes)
            why = "; ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kn: (-kn[1], kn[0])))
            skipped = f"{len(o.notes)} skipped ({why}; listed on the patients page)" if o.notes else "0 skipped"
            return (f"{len(self.prescriptions)} patient(s), {len(self._entries)} recording(s) found: {counted} counted,"
                    f" {skipped}, {len(o.failures)} failed")

    # ---- downloads -----------------------------------------------------------------------
    def report_csv(self) -> str:
        with self._lock:
            return csv_text(self._outcome.daily, DAILY_COLUMNS)

    def summary_csv(self) -> str:
        with self._lock:
            return csv_text(self._outcome.summary, SUMMARY_COLUMNS)

    # ---- pages ---------------------------------------------------------------------------
    def report_day(self, rx: Prescription) -> date:
        """The day the report is made: ``as_of``, or today (the patient's local date)."""
        return self.as_of or datetime.now(rx.zone).date()

    def reference_day(self, rx: Prescription) -> date:
        """The day the windows end on: :meth:`report_day`, at most the prescription's end."""
        day = self.report_day(rx)
        return min(day, rx.end) if rx.end is not None else day

    def _rows(self, patient: str) -> list[dict]:
        return [r for r in self._outcome.daily if r["patient"] == patient]

    def _schedule(self, rx: Prescription, rows: list[dict], last: date) -> dict[tuple[date, str, str], int]:
        """The exercise days up to ``last`` as the report puts them (:meth:`Prescription.schedule`, from
        the days with exercise in ``rows``): (date, exercise, side) -> reps prescribed. On the report's
        days, its rows' ``reps_prescribed``; after them, where a week's days still due go."""
        return rx.schedule(last, days_done(rows))

    def last_complete_day(self, rx: Prescription) -> date:
        """The last day that is over: the day before the report's day (which is in progress), or the
        prescription's end when it is earlier. The last 7 and 30 days end on it."""
        day = self.report_day(rx) - timedelta(days=1)
        return min(day, rx.end) if rx.end is not None else day

    def _window_adherence(self, rows: list[dict], last: date, days: int) -> float | None:
        """Mean adherence over the exercise days × exercise × side of the ``days`` days ending on ``last``
        (:meth:`last_complete_day`), as the summary's mean (:func:`~sensorkit.report.summary.adherence_mean`):
        the report's exercise days (``days_per_week`` days of each week, the days with exercise first),
        one without data counting 0 %, one whose adherence is unknown (its data partly lost) left
        out, and the day in progress left out (:meth:`_today` shows it)."""
        first = (last - timedelta(days=days - 1)).isoformat()
        return _num(adherence_mean([r for r in rows if first <= r["date"] <= last.isoformat()]))

    @staticmethod
    def _today(rows: list[dict]) -> dict | None:
        """The report's day, in progress, apart from the means: its reps completed so far and those
        prescribed (of the exercises and sides due that day, when any), its adherence so far (the
        mean of theirs, as the calendar's), per exercise and side; None when it is no day of the
        report (after the prescription's end, before its start)."""
        mine = [r for r in rows if r["day_in_progress"]]
        if not mine:
            return None
        due = [r for r in mine if r["reps_prescribed"]]
        pcts = [r["adherence_pct"] for r in due if not math.isnan(r["adherence_pct"])]  # (unknown: left out)
        return {"date": mine[0]["date"], "reps_completed": sum(r["reps_completed"] for r in (due or mine)),
                "reps_prescribed": sum(r["reps_prescribed"] for r in due),
                "adherence_pct": _num(sum(pcts) / len(pcts)) if pcts else None,
                "has_data": any(r["has_data"] for r in mine),
                "recordings_failed": sum(r["recordings_failed"] for r in mine),
                "parts": [{"exercise": r["exercise"], "side": r["side"], "reps_completed": r["reps_completed"],
                           "reps_prescribed": r["reps_prescribed"]} for r in mine]}

    @staticmethod
    def _period(rx: Prescription, rows: list[dict], ref: date) -> dict | None:
        """The 30-day period holding ``ref``, as ``summary.csv`` has it (:func:`~sensorkit.report.summary.summary_periods`:
        30 days from each prescription's start): its number, first and last day reported (``end``: at
        most ``ref``, at most the prescription's end), its ``days`` so far and its days with data;
        between two prescriptions, the last begun. None before the prescription's start (no period yet)."""
        if ref < rx.start:
            return None
        periods = summary_periods([(p.start, p.end) for p in rx.periods or (rx,)], ref)
        number, (first, last, _) = next((n, span) for n, span in reversed(list(enumerate(periods, start=1)))
                                        if span[0] <= ref)
        return {"period": number, "start": first.isoformat(), "end": last.isoformat(),
                "days": (last - first).days + 1, "days_with_data": days_with_data(rows, first, last)}

    def patients(self) -> dict:
        """The patient list and the recordings that failed or were skipped (each by its path below the
        folder given that holds it: :meth:`shown_paths`)."""
        with self._lock:
            shown = self.shown_paths([p for p, _ in (*self._outcome.failures, *self._outcome.notes)])
            out = []
            for patient in sorted(self.prescriptions):
                rx = self.prescriptions[patient]
                rows = self._rows(patient)
                ref = self.reference_day(rx)
                complete = self.last_complete_day(rx)
                sessions = [s for _, s in self._outcome.sessions[patient]]
                last = max(sessions, key=lambda s: s.started_at) if sessions else None
                out.append({
                    "patient": patient, "timezone": rx.timezone, "start": rx.start.isoformat(),
                    "end": rx.end.isoformat() if rx.end else None, "as_of": ref.isoformat(),
                    "report_day": self.report_day(rx).isoformat(),
                    "report_day_given": self.as_of is not None,  # (--as-of: a day chosen, not today)
                    "started": ref >= rx.start,
                    "exercises": [p.name for p in rx.judging(ref).exercises],
                    # (over the days that are over: the report's day, in progress, is shown apart: "today")
                    "adherence_until": complete.isoformat() if complete >= rx.start else None,
                    "adherence_7d_pct": self._window_adherence(rows, complete, 7),
                    "adherence_30d_pct": self._window_adherence(rows, complete, 30),
                    "today": self._today(rows),
                    "current_period": self._period(rx, rows, ref),
                    "sessions": len(sessions),
                    "sessions_without_data": len(self._outcome.without_data.get(patient, [])),
                    # (dated after the report's day, a recorder's clock ahead: flagged, counted on no day)
                    "sessions_dated_after": len(self._outcome.dated_after.get(patient, [])),
                    "last_session": last.started_at.astimezone(rx.zone).isoformat(timespec="minutes") if last else None,
                })
            return {"patients": out,
                    # (below the folder given, as the recordings are: p2/2026-11.toml, whose folder a bare name hides)
                    "prescriptions_failed": [{"file": self.shown_prescription(p), "reason": why}
                                             for p, why in self.prescriptions_failed],
                    # (a name's bytes that are not UTF-8 as \xNN, as in the report's tables and messages)
                    # (below the folder given: p1/2026-11-03.csv, whose patient's folder a bare name hides)
                    "failed": [{"recording": shown[p], "reason": why} for p, why in self._outcome.failures],
                    "skipped": [{"recording": shown[p], "reason": why} for p, why in self._outcome.notes],
                    "analyses": self.analyses}

    def shown_paths(self, files: Iterable[Path]) -> dict[Path, str]:
        """How the pages name ``files`` found under the paths given: by the path below the folder
        given that holds it (``p1/2026-11-03.csv`` under ``data``), a file given itself as it was
        given; where two would read alike (the same path below two folders given), as found. A
        name's bytes that are not UTF-8 written ``\\xNN`` (:func:`~sensorkit.errors.name_text`)."""
        def below(path: Path) -> Path:
            for given in self.paths:
                if path == given:
                    return path
                for inside, folder in ((path, given), (resolved(path), resolved(given))):
                    if inside.is_relative_to(folder):
                        return inside.relative_to(folder)
            return path

        files = list(dict.fromkeys(files))
        names = {p: below(p) for p in files}
        times = Counter(names.values())
        clashes = {n for n, count in times.items() if count > 1}
        return {p: name_text(str(p if n in clashes else n)) for p, n in names.items()}

    def shown_prescription(self, path: Path) -> str:
        """How the pages name a prescription file (or a folder of them) not read: by its path below
        the folder given (``prescription_path``), else as found; a name's bytes that are not UTF-8
        written ``\\xNN``."""
        given = self.prescription_path
        if given is not None and path != given:
            for inside, folder in ((path, given), (resolved(path), resolved(given))):
                if inside.is_relative_to(folder):
                    return name_text(str(inside.relative_to(folder)))
        return name_text(str(path))

    def patient(self, patient: str) -> dict | None:
        """One patient's page: plan, calendar, ROM per day, sessions with their reps (None: unknown)."""
        with self._lock:
            rx = self.prescriptions.get(patient)
            if rx is None:
                return None
            rows = self._rows(patient)
            ref = self.reference_day(rx)
            last_day = max([ref, *(date.fromisoformat(r["date"]) for r in rows)]) if rows else ref
            if ref < rx.start:  # (not begun: its first week, still to come)
                week = rx.start + timedelta(days=6)
                last_day = min(rx.end, week) if rx.end is not None else week
            by_date: dict[str, list[dict]] = {}
            for r in rows:
                by_date.setdefault(r["date"], []).append(r)
            tried_by_date: dict[str, list[dict]] = {}
            tried = sorted((self._tried(rx, e) for e in self._outcome.without_data.get(patient, [])),
                           key=lambda t: t["started"])
            for t in tried:
                tried_by_date.setdefault(t["date"], []).append(t)
            flagged_by_date: dict[str, list[dict]] = {}  # (sessions flagged: another exercise?, sensor moved?)
            for entry, s in self._outcome.sessions[patient]:
                for flag in s.flags:
                    flagged_by_date.setdefault(rx.local_date(s.started_at).isoformat(), []).append(
                        {"recording": s.recording, "flag": flag, "words": FLAG_WORDS[flag]})
            calendar = []
            due = self._schedule(rx, rows, last_day)  # (the report's exercise days; after them, those still due)
            day = rx.start
            while day <= last_day:
                period = rx.in_force(day)  # (the day's prescription; between two periods, none)
                plans = period.exercises if period is not None else ()
                day_rows = by_date.get(day.isoformat(), [])
                scheduled = [r for r in day_rows if r["reps_prescribed"]]
                pcts = [r["adherence_pct"] for r in scheduled if not math.isnan(r["adherence_pct"])]  # (unknown: left out)
                # (the report's day with reps still to do on any exercise or side: in progress, not done, even
                # when another side's reps are done; its adherence is what was done so far, as in the report)
                going = any(r["day_in_progress"] and r["reps_completed"] < r["reps_prescribed"]
                            and not math.isnan(r["adherence_pct"]) for r in scheduled)
                future = day > ref
                if not day_rows:  # after the report's last day: the days a week still owes (on its last days), no data
                    owed = [due[(day, p.name, side)] for p in plans for side in p.sides if (day, p.name, side) in due]
                    prescribed = sum(owed)
                    pcts = [0.0] * len(owed) if not future else []
                else:
                    prescribed = sum(r["reps_prescribed"] for r in day_rows)
                calendar.append({
                    "date": day.isoformat(), "scheduled": prescribed > 0, "future": future,
                    "adherence_pct": _num(sum(pcts) / len(pcts)) if pcts else None,
                    "has_data": any(r["has_data"] for r in day_rows),
                    # (of the exercises and sides scheduled that day, when any: another's reps are not theirs)
                    "reps_completed": sum(r["reps_completed"] for r in (scheduled or day_rows)), "reps_prescribed": prescribed,
                    "reps_total": sum(r["reps_total"] for r in (scheduled or day_rows)),  # (counted reps)
                    # (its sessions flagged, each: recording, flag, words; their stray reps not in the ROM per day)
                    "flagged": flagged_by_date.get(day.isoformat(), []),
                    "recordings_failed": sum(r["recordings_failed"] for r in day_rows),
                    # (sessions tried that brought no samples: the day was not empty-handed, and why each ended)
                    "sessions_without_data": sum(r["sessions_without_data"] for r in day_rows),
                    "tried": tried_by_date.get(day.isoformat(), []),
                    # (the report's day, not over yet, with reps still to do: its adherence so far)
                    "in_progress": going,
                    # (per exercise and side: one side's extra reps do not hide another's missing ones)
                    "parts": [{"exercise": r["exercise"], "side": r["side"], "reps_completed": r["reps_completed"],
                               "reps_prescribed": r["reps_prescribed"]} for r in day_rows],
                })
                day += timedelta(days=1)
            rom = [{"date": r["date"], "exercise": r["exercise"], "side": r["side"],
                    "rom_mean_deg": _num(r["rom_mean_deg"]), "rom_full_mean_deg": _num(r["rom_full_mean_deg"]),
                    "rom_max_deg": _num(r["rom_max_deg"]),
                    "reps_total": r["reps_total"], "reps_completed": r["reps_completed"],
                    "adherence_pct": _num(r["adherence_pct"]),
                    # (the day's sessions flagged, RECORDING:FLAG: their stray reps are not in these ROMs)
                    "session_warnings": r["session_warnings"]} for r in rows]
            sessions = [self._session(rx, entry, s) for entry, s in
                        sorted(self._outcome.sessions[patient], key=lambda es: es[1].started_at)]
            summary = [{k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                       for r in self._outcome.summary if r["patient"] == patient]
            # (week by week: days with exercise of days due, reps completed of prescribed, as weekly.csv)
            weeks = [{k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                     for r in self._outcome.weekly if r["patient"] == patient]
            plans = [_plan(p) for p in rx.judging(ref).exercises]  # (in force on ref)
            # (each prescription period, from/to and what it prescribed: a changed prescription read as it
            # was, not only the plan in force; in force / ended / to come on the reference day)
            in_force = rx.in_force(ref)
            prescriptions = [{"start": period.start.isoformat(), "end": period.end.isoformat() if period.end else None,
                              "file": self.shown_prescription(period.source),
                              "state": "in force" if period is in_force else "to come" if period.start > ref else "ended",
                              "plans": [_plan(q) for q in period.exercises]} for period in rx.periods or (rx,)]
            info = next(p for p in self.patients()["patients"] if p["patient"] == patient)
            dated_after = [self._session(rx, entry, s) for entry, s in
                           sorted(self._outcome.dated_after.get(patient, []), key=lambda es: es[1].started_at)]
            return {**info, "plans": plans, "prescriptions": prescriptions, "calendar": calendar, "rom": rom, "sessions": sessions,
                    "sessions_without_data": tried, "summary": summary, "weeks": weeks, "dated_after": dated_after}

    def _tried(self, rx: Prescription, entry: _Entry) -> dict:
        """The record of a session tried that brought no samples: when, what, and how it ended
        (its sidecar's ``stream.ended_by``: refused, gave_up or closed; ``stream.error``, its one line)."""
        found = entry.found
        stream = found.meta.stream or {}
        return {"id": entry.id, "recording": name_text(entry.path.stem),
                "started": found.meta.started_at.astimezone(rx.zone).isoformat(timespec="minutes"),
                "date": rx.local_date(found.meta.started_at).isoformat(), "exercise": found.meta.exercise,
                "side": found.side, "ended_by": stream.get("ended_by") or None, "error": stream.get("error") or None}

    def _session(self, rx: Prescription, entry: _Entry, s: AnalyzedSession) -> dict:
        plan = rx.judging(rx.local_date(s.started_at)).plan(s.exercise)  # (the one in force that day)
        counted = [r for r in s.reps if r.counted]
        return {
            "id": entry.id, "recording": s.recording, "started": s.started_at.astimezone(rx.zone).isoformat(timespec="minutes"),
            "date": rx.local_date(s.started_at).isoformat(), "exercise": s.exercise, "side": s.side,
            "counted": len(counted), "completed": sum(plan.meets_target(r.reached_deg, r.hold_s, r.kind) for r in counted),
            "kinds": {k: sum(r.kind == k for r in s.reps) for k in ("full", "partial", "knee_out", "rejected")},
            "fast": sum(r.tempo == "fast" for r in counted),
            "rom_mean_deg": _num(sum(r.reached_deg for r in counted) / len(counted)) if counted else None,
            # (the ROM of full reps, as the report's rom_full_mean_deg: partial and knee-out reps are
            # no measure of the patient's range)
            "rom_full_mean_deg": _num(sum(r.reached_deg for r in full) / len(full)) if (full := [r for r in counted if r.kind == "full"]) else None,
            "reps": [_rep(r, plan) for r in s.reps],
            # (another exercise?, sensor moved?: its stray reps are left out of the ROM per day)
            "flags": [{"flag": flag, "words": FLAG_WORDS[flag]} for flag in s.flags],
        }

    def recording(self, rec_id: str) -> dict | None:
        """One analysed recording: its reps and the pipeline's angle trace (None: unknown id or not
        a reported recording). The record of a session without data: ``no_data`` true, how it
        ended, no reps and no trace."""
        with self._lock:
            entry = self._by_id.get(rec_id)
            if entry is None or entry.found is None or entry.found.skipped:
                return None
            found = entry.found
            rx = self.prescriptions[found.patient]
            plan = rx.judging(rx.local_date(found.meta.started_at)).plan(found.meta.exercise)
            if found.no_data:
                return {**self._tried(rx, entry), "patient": found.patient, "no_data": True, "reps": [],
                        "target_rom_deg": plan.rom_deg, "target_hold_s": plan.hold_s}
            if entry.trace is None:
                entry.trace = self._trace(entry, plan.tempo_keys(found.meta))
            return {"id": entry.id, "recording": name_text(entry.path.stem), "patient": found.patient,
                    "exercise": found.meta.exercise, "side": found.side,
                    # (the reader's: a last line cut short, lines dropped, a time without a zone, ...)
                    "warnings": list(found.warnings),
                    "started": found.meta.started_at.astimezone(rx.zone).isoformat(timespec="seconds"),
                    "target_rom_deg": plan.rom_deg, "target_hold_s": plan.hold_s,
                    "reps": [_rep(r, plan) for r in found.reps], **entry.trace}

    def _trace(self, entry: _Entry, tempo: dict[str, float]) -> dict:
        """The angle trace ``sensorkit plot`` draws (the pipeline's live angle), thinned to at most
        :data:`MAX_TRACE_POINTS` points; ``tempo``: the plan's sidecar keys (``ExercisePlan.tempo_keys``),
        where the recording's sidecar is silent."""
        from sensorkit.plot import angle_trace

        rec = read_recording(entry.path)
        meta = tempo | rec.meta.to_dict()
        block = max(1, math.ceil(len(rec.samples) / MAX_TRACE_POINTS))
        t_s, angle_deg, _ = angle_trace(rec.samples, meta, self.config, block_size=block)
        return {"t_s": [round(float(t), 3) for t in t_s],
                "angle_deg": [_num(a, 2) for a in angle_deg],
                "duration_s": _num(rec.samples.duration_s), "sample_rate_hz": _num(rec.samples.sample_rate_hz)}


def _plan(p: ExercisePlan) -> dict:
    """One exercise of a prescription, as the pages show it."""
    return {"name": p.name, "sides": list(p.sides), "sets": p.sets, "reps_per_set": p.reps_per_set, "hold_s": p.hold_s,
            "rom_deg": p.rom_deg, "days_per_week": p.days_per_week, "sessions_per_day": p.sessions_per_day,
            "knee_out": p.knee_out}


def _rep(rep, plan) -> dict:
    # (a prescribed ROM is met by how far the leg got from rest, not by a series' swing behind it)
    meets = bool(rep.counted and plan.meets_target(rep.reached_deg, rep.hold_s, rep.kind))
    reached = bool(rep.counted and rep.reached_deg >= plan.rom_deg and rep.hold_s >= plan.hold_s)
    return {"rep": rep.rep, "kind": rep.kind, "start_s": _num(rep.start_s, 2), "end_s": _num(rep.end_s, 2),
            "out_end_s": _num(rep.out_end_s, 2), "return_start_s": _num(rep.return_start_s, 2),
            "rom_deg": _num(rep.rom_deg), "peak_deg": _num(rep.reached_deg), "hold_s": _num(rep.hold_s), "tempo": rep.tempo, "reason": rep.reason,
            "meets_target": meets,
            # (ROM and hold reached, yet not completed: a knee-out rep, which completes() never counts
            # unless the knee-out variant is prescribed; the page says so)
            "knee_out_not_completing": reached and not meets and rep.kind == "knee_out",
            "short_of": "; ".join(([f"ROM under {plan.rom_deg:g}°" + (f" ({rep.reached_deg:.0f}° from rest)" if rep.reached_deg < rep.rom_deg - SHOWN_APART_DEG else "")]
                                   if rep.reached_deg < plan.rom_deg else [])
                                  + ([f"hold under {plan.hold_s:g} s"] if rep.hold_s < plan.hold_s else []))
            if rep.counted else ""}

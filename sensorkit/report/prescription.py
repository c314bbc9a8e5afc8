"""Prescriptions: one TOML file per patient and period (format: docs/formats.md), validated key by key.

    rx = load_prescription("rx/p101.toml")        # Prescription
    by_patient = load_prescriptions("rx")          # a file or a folder of *.toml -> {patient: Prescription}

Every problem is a :class:`~sensorkit.errors.ConfigError` of one line naming the file and the key,
e.g. ``rx/p101.toml: key exercise[2].sets: expected a whole number >= 1, got 0``.

Schedule: ``days_per_week = n`` is a weekly target, any ``n`` days of each week. Weeks are
counted in 7 days from the ``start`` of the prescription in force (:meth:`Prescription.schedule`);
per exercise and side, a week's ``n`` exercise days are its days with exercise (a recording:
analysed, unreadable or tried without data), the most reps completed first, then, for the slots
left, its last days without exercise: a day is missed only once the week can no longer make it up.
A day of exercise beyond the ``n`` is an extra day (nothing prescribed). A last week cut short by
the prescription's ``end`` is due as many days as the first days of a week spread evenly would
be (:meth:`ExercisePlan.days_due`); 7 is every day. ``sessions_per_day = k`` multiplies the day's
prescription by ``k`` (default 1); giving only ``sessions_per_day`` means every day. An exercise
day prescribes ``sets * reps_per_set * sessions_per_day`` reps per side (:attr:`ExercisePlan.reps_per_day`);
any other day 0.
"""
from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sensorkit import exercises
from sensorkit.errors import ConfigError
from sensorkit.io.meta import MAX_HOLD_S, MAX_ROM_DEG, SIDES

#: the longest prescription period (start to end, or to the last recording): five years of days
MAX_PERIOD_DAYS = 5 * 365 + 1
_TOP_REQUIRED = ("patient", "timezone", "start", "exercise")
_TOP_OPTIONAL = ("end",)
_EXERCISE_REQUIRED = ("name", "sides", "sets", "reps_per_set", "hold_s", "rom_deg")
_EXERCISE_OPTIONAL = ("days_per_week", "sessions_per_day", "movement_s", "knee_out")


def completes(rom_deg: float, hold_s: float, kind: str, *, target_rom_deg: float, target_hold_s: float,
              knee_out: bool) -> bool:
    """Whether a counted rep of ``kind`` is a completed one: it reaches both the ROM (deg) and the
    hold (s) prescribed, and is no ``knee_out`` rep (a compensation) unless that easier variant is
    what was prescribed (``knee_out``). The report's rule, and the live page's set progress."""
    return (kind != "knee_out" or knee_out) and rom_deg >= target_rom_deg and hold_s >= target_hold_s


@dataclass(frozen=True)
class ExercisePlan:
    """One ``[[exercise]]`` table: per side, on ``days_per_week`` days of each week, ``sets × reps_per_set ×
    sessions_per_day`` reps held ≥ ``hold_s`` seconds and reaching ≥ ``rom_deg`` degrees."""

    name: str
    sides: tuple[str, ...]
    sets: int
    reps_per_set: int
    hold_s: float
    rom_deg: float
    days_per_week: int = 7
    sessions_per_day: int = 1
    movement_s: float | None = None  # outward + return time of a controlled rep: the tempo reference
    knee_out: bool = False  # hip ER's easier variant (knee out, both feet down) prescribed: its reps may complete

    @property
    def reps_per_day(self) -> int:
        """Reps prescribed per side on an exercise day: ``sets × reps_per_set × sessions_per_day``."""
        return self.sets * self.reps_per_set * self.sessions_per_day

    def days_due(self, week_days: int) -> int:
        """Exercise days due in a prescription week of ``week_days`` days (1..7): ``days_per_week`` in
        a whole week; in a last week cut short by the prescription's end, as many as ``n`` days a
        week spread evenly put on its days (day ``d`` of the week when ``(d · n) mod 7 < n``: 3 a week
        are due 1 in a week of 1-3 days, 2 in one of 4-5); 7 a week, every day."""
        return sum((d * self.days_per_week) % 7 < self.days_per_week for d in range(week_days))

    def exercise_days(self, week_days: int, done: Mapping[int, tuple[int, bool]]) -> frozenset[int]:
        """The exercise days (0 = the week's first) of one side in a prescription week of ``week_days``
        days: :meth:`days_due` of them. ``done``: each day with exercise so far, as (reps completed,
        data lost: a recording that could not be read). Days with exercise take them first, the most
        reps completed (up to :attr:`reps_per_day`) first, then one whose data were lost, then the
        earlier; days due beyond those go on the week's last days without exercise (days still to
        come, in a week in progress): a day without exercise is missed only once the week cannot
        make it up."""
        due = self.days_due(week_days)
        ranked = sorted(done, key=lambda d: (-min(done[d][0], self.reps_per_day), not done[d][1], d))
        chosen = set(ranked[:due])
        empty = [d for d in reversed(range(week_days)) if d not in done]
        return frozenset(chosen | set(empty[:max(0, due - len(chosen))]))

    def tempo_keys(self, own: object | None = None) -> dict[str, float]:
        """The sidecar keys a recording of this exercise is analysed with where its own sidecar is
        silent: with ``movement_s``, ``target_movement_s`` and ``target_hold_s`` (``hold_s``), so that
        the tempo reference is a whole rep, outward + hold + return, as for a sidecar giving both;
        without it, none (the pipeline's own reference). ``own``: the recording's meta (an object
        with ``target_movement_s`` and ``target_hold_s``, None where not given): when it gives
        either, none either (the two make one reference: a sidecar's ``target_movement_s`` with the
        prescription's hold would be neither's)."""
        if self.movement_s is None or (own is not None and (getattr(own, "target_movement_s", None) is not None
                                                             or getattr(own, "target_hold_s", None) is not None)):
            return {}
        return {"target_movement_s": self.movement_s, "target_hold_s": self.hold_s}

    def meets_target(self, rom_deg: float, hold_s: float, kind: str) -> bool:
        """Whether a counted rep of ``kind`` completes this plan's rep (:func:`completes`)."""
        return completes(rom_deg, hold_s, kind, target_rom_deg=self.rom_deg, target_hold_s=self.hold_s,
                         knee_out=self.knee_out)


@dataclass(frozen=True)
class Prescription:
    """One patient's prescription; ``end`` None means open-ended: reported up to the day the report
    is made (or the patient's last recording, when later).

    A patient whose prescription changed has one file per period (:func:`load_prescriptions`): their
    ``Prescription`` holds them in ``periods`` (sorted, none overlapping) and spans them: ``start``
    the first's, ``end``, ``exercises`` and ``source`` the last's. Each day is judged by the period
    in force on it (:meth:`in_force`), its schedule counted from that period's start."""

    patient: str
    timezone: str
    start: date
    end: date | None
    exercises: tuple[ExercisePlan, ...]
    source: Path
    #: the patient's prescriptions one after another, when more than one file gives them (else empty)
    periods: tuple[Prescription, ...] = ()

    def in_force(self, day: date) -> Prescription | None:
        """The prescription (one file's) in force on the local date ``day``; None when none is."""
        return next((p for p in self.periods or (self,) if p.start <= day and (p.end is None or day <= p.end)), None)

    def judging(self, day: date) -> Prescription:
        """The prescription a day is judged by: the one in force, or (none is) the last one."""
        return self.in_force(day) or (self.periods[-1] if self.periods else self)

    def span_text(self) -> str:
        """Its days, as ``2026-11-01..2026-11-30`` (open-ended: ``2026-11-01..``); of each period, comma-separated."""
        return ", ".join(f"{p.start}..{p.end or ''}" for p in self.periods or (self,))

    @property
    def zone(self) -> ZoneInfo:
        """The patient's time zone (from ``timezone``), in which local dates are counted."""
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The patient's local calendar date at the aware time ``moment``."""
        return moment.astimezone(self.zone).date()

    def schedule(self, last: date, done: Mapping[tuple[date, str, str], tuple[int, bool]]
                 ) -> dict[tuple[date, str, str], int]:
        """The exercise days from ``start`` to ``last``: (local date, exercise, side) -> reps prescribed
        (:attr:`ExercisePlan.reps_per_day`); a day not in it prescribes 0. Each period's weeks count
        from its own start, 7 days each (the last cut short by its ``end``); in each, per exercise and
        side, :meth:`ExercisePlan.exercise_days`. ``done``: (date, exercise, side) -> (reps completed,
        data lost) of each day with exercise up to ``last`` (a recording: analysed, unreadable, or
        tried without data). Days after ``last`` count as days without exercise: a slot left in a week
        in progress goes on them, still to come."""
        out: dict[tuple[date, str, str], int] = {}
        for period in self.periods or (self,):
            stop = last if period.end is None else min(last, period.end)
            week_start = period.start
            while week_start <= stop:
                week_days = 7 if period.end is None else min(7, (period.end - week_start).days + 1)
                days = [week_start + timedelta(days=k) for k in range(week_days)]
                for plan in period.exercises:
                    for side in plan.sides:
                        mine = {k: done[(day, plan.name, side)] for k, day in enumerate(days)
                                if day <= last and (day, plan.name, side) in done}
                        for k in plan.exercise_days(week_days, mine):
                            if days[k] <= last:
                                out[(days[k], plan.name, side)] = plan.reps_per_day
                week_start += timedelta(days=7)
        return out

    def plan(self, exercise: str) -> ExercisePlan | None:
        """The ``[[exercise]]`` table for ``exercise``, or None when it is not prescribed."""
        return next((p for p in self.exercises if p.name == exercise), None)

    def rom_target_spans(self) -> list[tuple[str, date, date | None, float]]:
        """The target ROM (deg) of each exercise over the days of each period, as the progress plot
        draws them (:data:`sensorkit.plot.TargetSpan`: exercise, first day, last day or None, deg):
        a changed prescription's target steps where it changed."""
        return [(p.name, period.start, period.end, p.rom_deg) for period in self.periods or (self,)
                for p in period.exercises]


# --- validators: value -> parsed value, or ValueError("what is wrong") ---------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _whole(minimum: int, maximum: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if (not isinstance(value, int) or isinstance(value, bool) or value < minimum
                or (maximum is not None and value > maximum)):
            bound = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
            raise ValueError(f"expected a whole number {bound}, got {value!r}")
        return value
    return parse


def _non_negative(maximum: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if (not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0
                or value > maximum):
            raise ValueError(f"expected a number 0..{maximum:g}, got {value!r}")
        return float(value)
    return parse


def _positive(maximum: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if _non_negative(maximum)(value) == 0:
            raise ValueError(f"expected a number > 0 (up to {maximum:g}), got {value!r}")
        return float(value)
    return parse


def _sides(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(s, str) and s in SIDES for s in value):
        raise ValueError(f"expected a non-empty list from {list(SIDES)}, got {value!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"a side is listed twice in {value!r}")
    return tuple(sorted(value))


def _date(value: Any) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date like 2026-10-01") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"expected a date like 2026-10-01 (no time of day), got {value!r}")
    return value


def _patient(value: Any) -> str:
    from sensorkit.io.outputs import unsafe_name_reason

    name = _text(value)
    why = unsafe_name_reason(name)
    if why:
        raise ValueError(f"{name!r} cannot be a patient id (it names files such as PATIENT.png): {why}")
    return name


def _zone(value: Any) -> str:
    name = _text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone name like \"America/New_York\" "
                         "(if every name fails, install the tzdata package)") from None
    return name


def _exercise_name(value: Any) -> str:
    return exercises.check_name(_text(value))


#: upper bounds: no home programme comes near them, a typo does (10000 reps); those of ROM, hold
#: and movement time are the sidecar's (:data:`sensorkit.io.meta.MAX_ROM_DEG`, ``MAX_HOLD_S``)
MAX_SETS, MAX_REPS_PER_SET, MAX_SESSIONS_PER_DAY = 50, 500, 24

_EXERCISE_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "name": _exercise_name, "sides": _sides, "sets": _whole(1, MAX_SETS), "reps_per_set": _whole(1, MAX_REPS_PER_SET),
    "hold_s": _non_negative(MAX_HOLD_S), "rom_deg": _non_negative(MAX_ROM_DEG), "days_per_week": _whole(1, 7),
    "sessions_per_day": _whole(1, MAX_SESSIONS_PER_DAY), "movement_s": _positive(MAX_HOLD_S),
    "knee_out": lambda value: _flag(value),
}


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _check_keys(table: dict, required: tuple[str, ...], optional: tuple[str, ...], where: str, prefix: str) -> None:
    for key in table:
        if key not in required + optional:
            raise ConfigError(f"{where}: key {prefix}{key}: unknown key (expected one of {', '.join(required + optional)})")
    for key in required:
        if key not in table:
            raise ConfigError(f"{where}: key {prefix}{key}: missing (required)")


def _parse(validator: Callable[[Any], Any], value: Any, where: str, key: str) -> Any:
    try:
        return validator(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: key {key}: {exc}") from None


def _exercise(table: Any, where: str, index: int) -> ExercisePlan:
    prefix = f"exercise[{index}]."
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: key exercise[{index}]: expected a [[exercise]] table, got {table!r}")
    _check_keys(table, _EXERCISE_REQUIRED, _EXERCISE_OPTIONAL, where, prefix)
    if "days_per_week" not in table and "sessions_per_day" not in table:
        raise ConfigError(f"{where}: key {prefix}days_per_week: missing (give days_per_week or sessions_per_day)")
    values = {k: _parse(_EXERCISE_VALIDATORS[k], v, where, prefix + k) for k, v in table.items()}
    if "knee_out" in values and exercises.get(values["name"]).pivot_kind != "knee_out":
        raise ConfigError(f"{where}: key {prefix}knee_out: {values['name']} has no knee-out variant")
    limit = exercises.get(values["name"]).defaults.get("max_rom_deg")
    if limit is not None and values.get("rom_deg", 0.0) > limit:  # (a rep over it is rejected: 0 % adherence)
        raise ConfigError(f"{where}: key {prefix}rom_deg: {values['rom_deg']:g} is over {values['name']}'s"
                          f" max_rom_deg {limit:g}: no rep could reach it (a movement beyond it is rejected)")
    return ExercisePlan(**values)


def prescription_from_dict(data: dict, source: Path) -> Prescription:
    """Validate a parsed TOML document; ``source`` names the file in messages."""
    where = str(source)
    _check_keys(data, _TOP_REQUIRED, _TOP_OPTIONAL, where, "")
    patient = _parse(_patient, data["patient"], where, "patient")
    zone = _parse(_zone, data["timezone"], where, "timezone")
    start = _parse(_date, data["start"], where, "start")
    end = _parse(_date, data["end"], where, "end") if "end" in data else None
    if end is not None and end < start:
        raise ConfigError(f"{where}: key end: {end} is before start {start}")
    if end is not None and (end - start).days >= MAX_PERIOD_DAYS:
        raise ConfigError(f"{where}: key end: {start}..{end} is longer than 5 years; give the prescription's"
                          " real end (a new prescription for a new period)")
    tables = data["exercise"]
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: key exercise: expected one or more [[exercise]] tables")
    exercises = tuple(_exercise(t, where, i) for i, t in enumerate(tables, start=1))
    names = [e.name for e in exercises]
    for i, name in enumerate(names, start=1):
        if name in names[: i - 1]:
            raise ConfigError(f"{where}: key exercise[{i}].name: {name!r} is prescribed twice")
    return Prescription(patient, zone, start, end, exercises, source)


def load_prescription(path: str | os.PathLike) -> Prescription:
    """Read and validate one prescription file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return prescription_from_dict(data, path)


#: a prescription file's ``patient = "..."`` line, read where the file as a whole is no valid TOML
_PATIENT_LINE = re.compile(r"""^\s*patient\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')\s*(?:#.*)?$""", re.MULTILINE)


def prescription_patient(path: str | os.PathLike) -> str | None:
    """The patient a prescription file names (its ``patient`` key, stripped), also of a file that
    could not be loaded (a key out of range; invalid TOML elsewhere: its ``patient = "..."`` line);
    None when it names none that can be read (not UTF-8, no such line, unreadable)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        value = tomllib.loads(text).get("patient")
    except tomllib.TOMLDecodeError:
        found = _PATIENT_LINE.findall(text)
        value = next(iter(a or b for a, b in found), None) if len(found) == 1 else None
    return value.strip() or None if isinstance(value, str) else None


def _toml_files(folder: Path, unsearched: list[tuple[Path, str]]) -> list[Path]:
    """The ``*.toml`` files under ``folder``, recursively (symlinked folders not followed), sorted; a
    folder below that cannot be listed is added to ``unsearched`` as (folder, one-line reason)."""
    from sensorkit.io.files import unsearchable_folder

    def note(error: OSError) -> None:
        where = Path(error.filename) if error.filename is not None else folder
        unsearched.append((where, unsearchable_folder(where, "prescriptions") if isinstance(error, PermissionError)
                           else f"{where}: cannot search this folder: {error.strerror or error}; the prescriptions"
                                " in it are not read"))

    files = [Path(root) / name for root, _, names in os.walk(folder, onerror=note) for name in names
             if name.endswith(".toml")]
    return sorted(files, key=lambda p: p.as_posix())


def load_prescriptions(path: str | os.PathLike, failed: list[tuple[Path, str]] | None = None) -> dict[str, Prescription]:
    """Prescriptions from one file or every ``*.toml`` in a folder (recursively), keyed by patient.

    A patient may have several files, one per period (a prescription changed mid-month: Nov 1-15,
    then Nov 16-30): they become one :class:`Prescription` whose ``periods`` they are. Their periods
    must not overlap (an earlier one open-ended overlaps every later one) and must share a time zone.

    ``failed``: when given, a folder's file that cannot be read (a typo in one patient's
    prescription) is added to it as (file, one-line reason) and left out, and the others are
    loaded; unless none can be. So is a patient whose files overlap (or differ in time zone): the
    later file with a reason naming both, the patient left out. Without it, or for one file, such
    a file is an error (:class:`ConfigError`)."""
    path = Path(path)
    bad: list[tuple[Path, str]] = []
    files = _toml_files(path, bad) if path.is_dir() else [path]
    if not files:
        raise ConfigError(bad[0][1] if bad else f"{path}: no *.toml prescription files in this folder")
    if bad and failed is None:
        raise ConfigError(bad[0][1])
    by_patient: dict[str, list[Prescription]] = {}
    for file in files:
        try:
            rx = load_prescription(file)
        except ConfigError as exc:
            if failed is None or (len(files) == 1 and not bad):
                raise
            bad.append((file, str(exc)))
            continue
        by_patient.setdefault(rx.patient, []).append(rx)
    found: dict[str, Prescription] = {}
    for patient, periods in by_patient.items():
        periods.sort(key=lambda p: (p.start, str(p.source)))
        conflict = _conflict(periods)
        if conflict is None:
            found[patient] = replace(periods[-1], start=periods[0].start, periods=tuple(periods)) if len(periods) > 1 \
                else periods[0]
        elif failed is None:
            raise ConfigError(conflict[1])
        else:
            bad.append(conflict)
    if bad and not found:  # (every file named: one line each would be several errors for one exit)
        more = f" (and {len(bad) - 1} more unreadable: {', '.join(str(f) for f, _ in bad[1:])})" if len(bad) > 1 else ""
        raise ConfigError(bad[0][1] + more)
    if failed is not None:
        failed.extend(bad)
    return found


def _conflict(periods: list[Prescription]) -> tuple[Path, str] | None:
    """Why one patient's prescriptions (one per file, sorted by start) cannot be one after another:
    (the later file, a one-line reason naming both) when two overlap or differ in time zone; else None."""
    for earlier, later in zip(periods, periods[1:]):
        if later.timezone != earlier.timezone:
            return later.source, (f"{later.source}: key timezone: {later.timezone!r} is not the {earlier.timezone!r} of"
                                  f" {later.patient}'s prescription in {earlier.source} (one patient's days are"
                                  " counted in one time zone)")
        if earlier.end is None or earlier.end >= later.start:
            return later.source, (f"{later.source}: key start: {later.patient}'s prescription {later.span_text()}"
                                  f" overlaps {earlier.span_text()} in {earlier.source} (one prescription is in force"
                                  " a day: the earlier one must end before the later one starts)")
    return None

"""Recording metadata: the ``NAME.json`` sidecar (keys: docs/formats.md), validated key by key.

Every key is optional. Unknown keys are kept in :attr:`RecordingMeta.extra` (with a warning on read);
a known key with a wrong value type is an error naming the sidecar file and the key.
"""
from __future__ import annotations

import json
import math
import numbers
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Callable

from sensorkit import exercises
from sensorkit.errors import RecordingError, escape_controls
from sensorkit.io.files import atomic_write_text, describe_os_error, sidecar_path

DEFAULT_EXERCISE = exercises.DEFAULT_EXERCISE
SIDES = ("left", "right")


@dataclass
class RecordingMeta:
    """What the sidecar says about a recording; units in the names.

    ``started_at`` is timezone-aware; without the key in the sidecar it is the CSV's modification
    time in UTC. ``ended_at``/``n_samples`` are written by :class:`~sensorkit.io.RecordingWriter` at
    close; ``gaps``/``reconnects`` (lists) and ``stream`` (link statistics) are kept as a recorder wrote them.
    """

    started_at: datetime | None = None
    side: str | None = None
    sample_rate_hz: float | None = None
    patient: str | None = None
    exercise: str = DEFAULT_EXERCISE
    sensor: str | None = None
    target_rom_deg: float | None = None
    target_hold_s: float | None = None
    target_movement_s: float | None = None  # prescribed outward + return time of one rep (tempo)
    ended_at: datetime | None = None
    n_samples: int | None = None
    gaps: list = field(default_factory=list)
    reconnects: list = field(default_factory=list)
    stream: dict = field(default_factory=dict)
    write_error: str | None = None  # why a recorder stopped writing (disk full, ...)
    simulated: bool | None = None  # True: demo data from the simulator, never a patient's session
    extra: dict = field(default_factory=dict)
    #: not a sidecar key: True when ``started_at`` is the file's modification time (the sidecar has none)
    started_at_from_file_time: bool = field(default=False, compare=False)
    #: not a sidecar key: True when ``started_at`` had no UTC offset (a wall-clock time, read in this
    #: computer's zone here; a report reads it in the patient's time zone: :meth:`in_zone`)
    started_at_without_offset: bool = field(default=False, compare=False)
    #: not a sidecar key: True when the recording has no sidecar at all (every key its default)
    no_sidecar: bool = field(default=False, compare=False)
    #: not a sidecar key: True when no sidecar names the exercise, so that ``exercise`` is the default
    #: (:func:`with_defaults` fills it in from a caller's; :func:`exercise_warning` says so otherwise)
    exercise_assumed: bool = field(default=False, compare=False)
    #: not a sidecar key: True when the sidecar is the one a recorder (``record``/``live``) writes as a
    #: recording starts, never finished: no ``ended_at``, and the blank space it keeps for the end
    #: (the recorder crashed or was killed, or the recording is still being written:
    #: :func:`session_end_warnings`)
    left_open: bool = field(default=False, compare=False)

    def in_zone(self, zone: tzinfo) -> "RecordingMeta":
        """This meta with a ``started_at`` given without a UTC offset read as a wall-clock time in
        ``zone`` (the patient's), not in this computer's; itself otherwise."""
        if not self.started_at_without_offset or self.started_at is None:
            return self
        return replace(self, started_at=self.started_at.replace(tzinfo=zone), started_at_without_offset=False)

    @property
    def is_simulated(self) -> bool:
        """Demo data: the sidecar says ``"simulated": true`` or names the simulator as its sensor
        (sidecars written before the key existed)."""
        sensor = (self.sensor or "").lower()
        return bool(self.simulated) or sensor == "simulated" or "(simulated " in sensor

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: known keys that are set (ISO 8601 times; a ``started_at`` read without a
        UTC offset written without one again), then the ``extra`` keys. An exercise nothing named
        (:attr:`exercise_assumed`: the default, filled in) is left out, as it was: written into a
        sidecar, it would read as said and override a later ``--exercise``."""
        out: dict[str, Any] = {}
        for key in _FIELDS:
            value = getattr(self, key)
            if value is None or (isinstance(value, (list, dict)) and not value):
                continue
            if key == "exercise" and self.exercise_assumed:
                continue
            if key == "started_at" and self.started_at_without_offset:  # (as given: a wall-clock time, no offset)
                value = value.replace(tzinfo=None)
            out[key] = value.isoformat() if isinstance(value, datetime) else value
        out.update(self.extra)
        return out


# --- per-key validators: value -> parsed value, or raise ValueError("what is wrong") -------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def _side(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in SIDES:
        raise ValueError(f"expected \"left\" or \"right\", got {value!r}")
    return value.strip().lower()


#: upper bounds of a prescription (sidecar and prescription file alike): a joint turns less than
#: 180 degrees; no home programme holds or moves for 10 minutes, a value in milliseconds does
MAX_ROM_DEG, MAX_HOLD_S = 180.0, 600.0


def _number(minimum: float, inclusive: bool, maximum: float = math.inf) -> Callable[[Any], float]:
    relation = ">=" if inclusive else ">"
    upto = "" if maximum == math.inf else f" and <= {maximum:g}"

    def parse(value: Any) -> float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < minimum or (value == minimum and not inclusive) or value > maximum:
            raise ValueError(f"expected a number {relation} {minimum:g}{upto}, got {value!r}")
        return float(value)

    return parse


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a whole number >= 0, got {value!r}")
    return value


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 time string like \"2026-11-24T09:30:00+01:00\", got {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time like \"2026-11-24T09:30:00+01:00\"") from None
    return moment


#: the years a recording's time may fall in: no wearable IMU recorded before 1990, and a time past
#: 2100 is a clock or a typo (either, converted to a patient's day, can leave the calendar). A
#: sidecar time outside them is read with a warning (the recording is analysed: its reps do not
#: depend on it); a report places it on no day (:func:`sensorkit.report.build.match_session`)
FIRST_YEAR, LAST_YEAR = 1990, 2100


def plausible_time(moment: datetime) -> bool:
    """Whether ``moment`` falls in the years FIRST_YEAR to LAST_YEAR."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__} {value!r}")
    return value


def _exercise(value: Any) -> str:
    return exercises.check_name(_text(value))


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object {{...}}, got {type(value).__name__} {value!r}")
    return value


_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "started_at": _time,
    "side": _side,
    "sample_rate_hz": _number(0.0, inclusive=False),
    "patient": _text,
    "exercise": _exercise,
    "sensor": _text,
    "target_rom_deg": _number(0.0, inclusive=True, maximum=MAX_ROM_DEG),
    "target_hold_s": _number(0.0, inclusive=True, maximum=MAX_HOLD_S),
    "target_movement_s": _number(0.0, inclusive=False, maximum=MAX_HOLD_S),
    "ended_at": _time,
    "n_samples": _count,
    "gaps": _list,
    "reconnects": _list,
    "stream": _mapping,
    "write_error": _text,
    "simulated": _bool,
}
_FIELDS = tuple(_VALIDATORS)


def _finite(value: Any) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _finite_or_null(value: Any) -> float | None:
    return None if value is None else _finite(value)


def _positive_count_or_null(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"expected a whole number >= 1, got {value!r}")
    return value


#: what each entry of a recorder's lists holds (every key required), and the ``stream`` keys checked
#: when present (others kept as written): key -> validator
_GAP_KEYS: dict[str, Callable[[Any], Any]] = {"at_t_s": _finite, "lost_samples": _count}
_RECONNECT_KEYS: dict[str, Callable[[Any], Any]] = {
    "dropped_at_t_s": _finite, "resumed_at_t_s": _finite_or_null, "lost_s": _number(0.0, inclusive=True),
    "lost_samples": _count, "attempts": _count}
_STREAM_KEYS: dict[str, Callable[[Any], Any]] = {
    "protocol": _text, "mtu": _positive_count_or_null, "packets": _count, "corrupt_packets": _count,
    "lost_samples": _count, "nonfinite_samples": _count, "received_samples": _count, "unsaved_samples": _count,
    "loss_fraction": _number(0.0, inclusive=True, maximum=1.0), "ended_by": _text}


def _entry_problem(entry: Any, keys: dict[str, Callable[[Any], Any]]) -> str | None:
    """What is wrong with one ``gaps``/``reconnects`` entry, or None."""
    if not isinstance(entry, dict):
        return f"expected an object {{{', '.join(keys)}}}, got {type(entry).__name__} {entry!r}"
    missing = [key for key in keys if key not in entry]
    if missing:
        return f"no {' or '.join(missing)}"
    for key, check in keys.items():
        try:
            check(entry[key])
        except ValueError as exc:
            return f"{key}: {exc}"
    resumed, dropped = entry.get("resumed_at_t_s"), entry.get("dropped_at_t_s")
    if keys is _RECONNECT_KEYS and resumed is not None and resumed < dropped:
        return f"resumed_at_t_s {resumed!r} is before dropped_at_t_s {dropped!r}"
    return None


def _checked_entries(key: str, value: Any, source: str, warnings: list[str]) -> Any:
    """``value`` of the sidecar's ``gaps``, ``reconnects`` or ``stream`` without the entries (for
    ``stream``, the keys) that are malformed, each said in ``warnings``. They describe the link, not
    the samples: the recording is analysed from its samples all the same."""
    left_out = "left out (the samples are analysed as recorded)"
    if key == "stream":
        kept = dict(value)
        for name, check in _STREAM_KEYS.items():
            if name in kept:
                try:
                    check(kept[name])
                except ValueError as exc:
                    warnings.append(f"{source}: key stream.{name}: {exc}; {left_out}")
                    del kept[name]
        return kept
    keys = _GAP_KEYS if key == "gaps" else _RECONNECT_KEYS
    kept = []
    for index, entry in enumerate(value):
        problem = _entry_problem(entry, keys)
        if problem is None:
            kept.append(entry)
        else:
            warnings.append(f"{source}: key {key}[{index}]: {problem}; this entry is {left_out}")
    return kept


def sidecar_value(key: str, value: Any) -> Any:
    """``value`` checked (and converted) as the sidecar's ``key`` takes it; a ValueError saying
    what was expected (the library's prescription takes what the sidecar takes)."""
    return _VALIDATORS[key](value)


#: what the warning of a ``started_at`` without a UTC offset adds (a report reads it in the patient's zone)
NO_OFFSET_IN_REPORT = "(a report reads it in the patient's time zone)"


def in_this_computer_zone(moment: datetime) -> tuple[datetime, str]:
    """A wall-clock time without a zone read in this computer's, and that zone's offset as the
    warnings say it (``UTC+01:00``): a sidecar's time, a Polar export's phone time."""
    local = moment.astimezone()
    offset = local.strftime("%z")
    return local, f"UTC{offset[:3]}:{offset[3:]}"


def meta_from_dict(data: Any, source: str, check_entries: bool = True) -> tuple[RecordingMeta, list[str]]:
    """Validate a sidecar's parsed JSON; ``source`` names it in messages. Returns (meta, warnings).

    Raises :class:`RecordingError` ``"SOURCE: key side: expected ..."`` for a wrong value. A time
    without a UTC offset is a wall-clock time, read in this computer's zone with a warning
    (``started_at``: flagged, for a report to read it in the patient's zone,
    :meth:`RecordingMeta.in_zone`); ``null`` means the key is absent. A malformed entry of
    ``gaps`` or ``reconnects``, or ``stream`` key, is left out with a warning naming it
    (``SOURCE: key gaps[2]: lost_samples: ...``; counted from 0); ``check_entries=False`` keeps them
    as given (a recorder's own, written as it made them).
    """
    if not isinstance(data, dict):
        raise RecordingError(f"{source}: expected a JSON object {{...}} at the top, got {type(data).__name__}")
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    extra_flags: dict[str, bool] = {}
    warnings: list[str] = []
    for key, raw in data.items():
        if key not in _VALIDATORS:
            extra[key] = raw
            warnings.append(f"{source}: key {key}: not a known sidecar key; kept in meta.extra")
            continue
        if raw is None:
            continue
        try:
            value = _VALIDATORS[key](raw)
        except ValueError as exc:
            raise RecordingError(f"{source}: key {key}: {exc}") from None
        if key in ("gaps", "reconnects", "stream") and check_entries:
            value = _checked_entries(key, value, source, warnings)
        if isinstance(value, datetime) and value.tzinfo is None:
            value, offset = in_this_computer_zone(value)
            read_as = f"read in this computer's zone ({offset})" + (f" {NO_OFFSET_IN_REPORT}" if key == "started_at" else "")
            warnings.append(f"{source}: key {key}: {raw!r} has no UTC offset; {read_as}")
            if key == "started_at":
                extra_flags["started_at_without_offset"] = True
        if isinstance(value, datetime) and not plausible_time(value):
            warnings.append(f"{source}: key {key}: {raw!r} is not in the years {FIRST_YEAR} to {LAST_YEAR} (a clock never"
                            " set, or a typo); a report places the recording on no day")
        values[key] = value
    extra_flags["exercise_assumed"] = "exercise" not in values
    return RecordingMeta(**values, extra=extra, **extra_flags), warnings


def load_meta(
    csv_path: str | os.PathLike, default_started_at: datetime | None = None, json_path: str | os.PathLike | None = None,
) -> tuple[RecordingMeta, list[str]]:
    """Read ``NAME.json`` next to ``csv_path`` (or ``json_path``; defaults when absent). Returns (meta, warnings).

    Without ``started_at`` in the sidecar, ``default_started_at`` (e.g. the first sample's time in a
    vendor export), else the CSV's modification time (UTC), is used; the latter sets
    ``meta.started_at_from_file_time`` (callers say so: see :func:`file_time_warning`).
    """
    csv_path = Path(csv_path)
    json_path = sidecar_path(csv_path) if json_path is None else Path(json_path)
    try:
        text = json_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        meta, warnings = RecordingMeta(no_sidecar=True, exercise_assumed=True), []
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{json_path}: cannot read: {describe_os_error(exc)}") from None
    else:
        try:
            data = json.loads(text, object_pairs_hook=_refuse_repeated_keys)
        except json.JSONDecodeError as exc:
            raise RecordingError(f"{json_path}: line {exc.lineno}: column {exc.colno}: invalid JSON: {exc.msg}") from None
        except _RepeatedKey as exc:
            raise RecordingError(f"{json_path}: key {exc.args[0]}: given twice (which one holds?)") from None
        except RecursionError:
            raise RecordingError(f"{json_path}: invalid sidecar: nested too deeply to be one") from None
        except ValueError:  # (json's own limit: an integer of thousands of digits)
            raise RecordingError(f"{json_path}: invalid sidecar: a number of thousands of digits") from None
        meta, warnings = meta_from_dict(data, str(json_path))
        meta.left_open = meta.ended_at is None and len(text) - len(text.rstrip()) >= RECORDER_BLANKS
        warnings += session_end_warnings(csv_path, meta)
    if meta.started_at is None and default_started_at is not None:
        meta.started_at = default_started_at
    if meta.started_at is None:
        meta.started_at, meta.started_at_from_file_time = started_at_from_mtime(csv_path), True
    return meta, warnings


#: blank characters at the end of a sidecar without ``ended_at`` that mark it as a recorder's, written
#: as its recording started and never finished: the recorder keeps 16 KiB there for the end
#: (:data:`sensorkit.io.writer.SIDECAR_RESERVE_BYTES`); JSON written by hand or by a program ends
#: with a line break or two
RECORDER_BLANKS = 4096
#: a recording left open (:attr:`RecordingMeta.left_open`) last written this recently (s) may still
#: be being recorded: the recorder writes at least once a second while data come, and waits up to
#: its give-up time (30 s by default) for a sensor lost
STILL_WRITTEN_S = 120.0


def session_end_warnings(path: str | os.PathLike, meta: RecordingMeta, now_s: float | None = None) -> list[str]:
    """The warnings for a session whose recording ended otherwise than as the session did, as its
    sidecar says (one line each, naming the recording ``path``, worded for a therapist); none for a
    session ended as planned or by the patient (``stream.ended_by`` ``closed``: a duration reached,
    Ctrl-C, a signal, which the sidecar does not tell apart), nor for one without data (its own line
    says how it ended):

    - left open (:attr:`RecordingMeta.left_open`): the recorder crashed or was killed, or the
      recording is still being written (its file changed less than :data:`STILL_WRITTEN_S` before
      ``now_s``, the time, s since the epoch, this computer's clock by default);
    - ``stream.ended_by`` ``gave_up``: the sensor lost and not regained (when, and after how long
      the recorder gave up, from the ``reconnects`` entry that never resumed);
    - ``refused``: the sensor would not stream again after its link was lost (``stream.error``);
    - ``stream.cut_short_s``: the run's clock ended it before the data reached its duration;
    - ``write_error``: the recorder could not write the recording to its end."""
    if meta.n_samples == 0:  # (a session without data: the reader's own line says how it ended)
        return []
    said: list[str] = []
    stream = meta.stream or {}
    if meta.left_open:
        said.append(_left_open_warning(path, now_s))
    lost = next((r for r in reversed(meta.reconnects) if isinstance(r, dict) and r.get("resumed_at_t_s") is None
                 and _is_number(r.get("dropped_at_t_s"))), None)
    at = f" at {lost['dropped_at_t_s']:.1f} s" if lost is not None else ""
    if stream.get("ended_by") == "gave_up":
        after = f" after {lost['lost_s']:.1f} s" if lost is not None and _is_number(lost.get("lost_s")) else ""
        said.append(f"{path}: the sensor was lost{at} and not regained (the recorder gave up{after}): the session"
                    " ended there, cut short")
    elif stream.get("ended_by") == "refused":
        why = f" ({stream['error']})" if isinstance(stream.get("error"), str) else ""
        said.append(f"{path}: the sensor stopped streaming{at} and would not stream again{why}: the session ended"
                    " there, cut short")
    cut_s = stream.get("cut_short_s")
    if _is_number(cut_s) and cut_s > 0:
        said.append(f"{path}: the sensor's data stopped {cut_s:.1f} s before the end of the session's planned"
                    " duration (the run's clock ended it): the end of the session is missing")
    if meta.write_error is not None:
        said.append(f"{path}: the recorder could not write the recording to its end ({meta.write_error}): the data"
                    " stops at the last row saved")
    return [escape_controls(line) for line in said]


def _left_open_warning(path: str | os.PathLike, now_s: float | None) -> str:
    """The warning for a recording whose recorder never finished its sidecar (see :func:`session_end_warnings`)."""
    try:
        age_s = (time.time() if now_s is None else now_s) - Path(path).stat().st_mtime
    except OSError:
        age_s = math.inf
    if age_s < STILL_WRITTEN_S:
        return (f"{path}: the recording was not closed by its recorder and was last written {max(age_s, 0.0):.0f} s ago:"
                " still being recorded? Analyse it again once the session has ended (if the recorder crashed"
                " instead, its data up to the last row saved is what there is)")
    return (f"{path}: the recording was not closed by its recorder (its sidecar has no ended_at): the recorder"
            " crashed or was killed, or the computer stopped, so the session may have been cut short; its data"
            " up to the last row saved is analysed")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


class _RepeatedKey(ValueError):
    """A JSON object names a key twice (``json`` would keep the last silently)."""


def _refuse_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _RepeatedKey(key)
        seen[key] = value
    return seen


def file_time_warning(path: str | os.PathLike, started_at: datetime, no_sidecar: bool = False) -> str:
    """The warning for a recording dated by its file's modification time (less its duration);
    ``no_sidecar``: it has no sidecar at all (:attr:`RecordingMeta.no_sidecar`), not one without ``started_at``."""
    missing = f"no sidecar {_sidecar_name(path)}" if no_sidecar else "no started_at in its sidecar"
    return escape_controls(f"{path}: {missing}; dated by the file's modification time less its"
                           f" duration (started {started_at.isoformat(timespec='seconds')}), which copying or"
                           " unzipping changes")


def _sidecar_name(path: str | os.PathLike) -> str:
    """The name the sidecar of ``path`` would have ("" for a file that is its own: a JSON export)."""
    name = sidecar_path(path).name
    return "" if name == Path(path).name else name


#: the sidecar keys a caller can give for the recordings whose sidecars do not
#: (``sensorkit analyze --exercise/--side``); the sidecar's own value holds, with a warning
SAID_FOR_RECORDINGS = ("exercise", "side")


def with_defaults(meta: RecordingMeta, defaults: dict[str, Any] | None, path: str | os.PathLike
                  ) -> tuple[RecordingMeta, list[str]]:
    """``meta`` with each key of ``defaults`` (sidecar keys; None: not given) that its sidecar does
    not give filled in, checked as the sidecar's (a ValueError naming the key otherwise). Returns
    (meta, warnings): one for each of :data:`SAID_FOR_RECORDINGS` the sidecar gives otherwise (its
    own holds: it was written with the recording). ``path`` (the recording) names it in them."""
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in (defaults or {}).items():
        if value is None:
            continue
        if key not in _VALIDATORS:
            raise ValueError(f"{key}: not a sidecar key")
        try:
            value = _VALIDATORS[key](value)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        own = None if key == "exercise" and meta.exercise_assumed else getattr(meta, key)
        if own is None:
            changes[key] = value
            if key == "exercise":
                changes["exercise_assumed"] = False
        elif key in SAID_FOR_RECORDINGS and own != value:
            warnings.append(escape_controls(f"{path}: its sidecar says {key} {own}, which holds: not the --{key} {value}"
                                            " given for recordings whose sidecar names none"))
    return (replace(meta, **changes) if changes else meta), warnings


def exercise_warning(path: str | os.PathLike, meta: RecordingMeta) -> str | None:
    """The warning for a recording analysed as the default exercise because neither its sidecar
    nor the caller named one (:attr:`RecordingMeta.exercise_assumed`); None when one did."""
    if not meta.exercise_assumed:
        return None
    if meta.no_sidecar:
        name = _sidecar_name(path)
        missing = f"no sidecar{f' {name}' if name else ''}"
        advice = "give --exercise to say which it is"
    else:
        missing = "its sidecar names no exercise"
        advice = 'name it in the sidecar ("exercise") or with analyze/plot --exercise'  # (a report reads it too)
    return escape_controls(f"{path}: {missing}: analysed as {meta.exercise}, the default; {advice}")


def started_at_from_mtime(path: str | os.PathLike) -> datetime:
    """The file's modification time (UTC): the start of a recording that states none."""
    try:
        mtime_s = Path(path).stat().st_mtime
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    return datetime.fromtimestamp(mtime_s, tz=timezone.utc)


def as_meta(meta: dict | RecordingMeta | None, source: str) -> RecordingMeta:
    """A :class:`RecordingMeta` from a dict (validated like a sidecar), a meta, or None."""
    if meta is None:
        return RecordingMeta()
    if isinstance(meta, RecordingMeta):
        return meta
    return meta_from_dict(meta, source)[0]


def sidecar_text(meta: RecordingMeta) -> str:
    """The sidecar's JSON text of ``meta``: UTF-8 as written, unless a value holds what UTF-8
    cannot (a lone surrogate: a name's byte that was not UTF-8), then with ``\\uXXXX`` escapes, which
    read back as the same value."""
    text = json.dumps(meta.to_dict(), indent=2, ensure_ascii=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(meta.to_dict(), indent=2, ensure_ascii=True) + "\n"
    return text


def write_sidecar(csv_path: str | os.PathLike, meta: RecordingMeta, text: str | None = None) -> Path:
    """Write ``NAME.json`` next to ``csv_path`` atomically (``text``: :func:`sidecar_text` of
    ``meta``, when made already); returns its path."""
    path = sidecar_path(csv_path)
    atomic_write_text(path, sidecar_text(meta) if text is None else text)
    return path


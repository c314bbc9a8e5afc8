"""Helpers shared by the vendor readers: what a reader returns, column matching, tables, time, merging."""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from sensorkit.errors import RecordingError
from sensorkit.io.checks import TimeColumn, check_time_column
from sensorkit.io.files import describe_os_error
from sensorkit.samples import Samples

_HEAD_BYTES = 1 << 16
#: the key of :func:`read_columns`' table holding each row's line number in the file
LINE = "_line"


@dataclass
class VendorData:
    """A vendor export converted to canonical units (t in s from 0, acc m/s², gyr deg/s).

    ``sensor`` names the format (goes to the sidecar's ``sensor``); ``started_at`` is the absolute
    time of the first sample when the file holds one; ``sidecar`` is where a user's ``NAME.json``
    would sit (None when the export itself is JSON); ``name`` is the recording's name; ``primary`` is
    the file that stands for the recording (the accelerometer file of a pair).
    """

    samples: Samples
    sensor: str
    name: str
    started_at: datetime | None = None
    sidecar: Path | None = None
    warnings: list[str] = field(default_factory=list)
    primary: Path | None = None
    #: ``started_at`` is a wall-clock time the file gave without a zone (read in this computer's)
    started_at_without_offset: bool = False


def head_text(path: Path, n_bytes: int = _HEAD_BYTES) -> str:
    """The file's first ``n_bytes`` as text (UTF-8, BOM dropped, undecodable bytes replaced)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(n_bytes).decode("utf-8-sig", "replace")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None


def sidecar_gives_start(json_path: Path) -> bool:
    """Does the user's sidecar at ``json_path`` give ``started_at`` (not null), so that it, not the
    export's own time, dates the recording (:func:`~sensorkit.io.meta.load_meta`)? False when there
    is none, or it cannot be read as a JSON object (reading the recording then says why)."""
    try:
        data = json.loads(json_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("started_at") is not None


def split_header(line: str, sep: str) -> list[str]:
    return [name.strip().strip('"').strip() for name in line.rstrip("\r\n").split(sep)]


def find_column(path: Path, names: Sequence[str], pattern: str, what: str, line: int) -> int:
    """Index of the one column whose name fully matches ``pattern`` (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    hits = [index for index, name in enumerate(names) if regex.fullmatch(name)]
    if not hits and not any(names) and not path.stat().st_size:
        raise RecordingError(f"{path}: file is empty")
    if not hits:
        shown = ",".join(names)
        shown = shown if len(shown) <= 100 else shown[:97] + "..."
        raise RecordingError(f"{path}: line {line}: no {what} column (found {shown!r})")
    return hits[0]


def read_columns(path: Path, header_line: int, sep: str, columns: dict[str, int],
                 integer: Sequence[str] = (), warnings: list[str] | None = None) -> dict[str, np.ndarray]:
    """Columns (name -> file position) of the table whose header is line ``header_line`` (1-based),
    and under :data:`LINE` the number of the file's line each row was read from (blank lines are
    skipped, so a row's line is not ``header_line + 1 + row`` after one: give it to messages).

    ``integer`` columns are read as int64 (nanosecond clocks overflow float64's exact range).
    Raises :class:`RecordingError` naming the first line with a missing or non-numeric cell. With
    ``warnings`` given, a last line with fewer fields than the header, or one without a line break
    holding an empty or non-numeric cell (an export or a copy cut short, inside a value), is
    dropped instead, and a warning saying so is appended to ``warnings``.
    """
    positions = sorted(set(columns.values()))
    dtypes = {pos: (np.int64 if any(columns[n] == pos for n in integer) else np.float64) for pos in positions}
    try:
        frame = pd.read_csv(path, sep=sep, skiprows=header_line - 1, header=0, usecols=positions,
                            dtype=None, engine="c", skip_blank_lines=True)
    except UnicodeDecodeError:
        raise RecordingError(f"{path}: line {_first_undecodable_line(path)}: not UTF-8 text (a binary file,"
                             " or an export in another encoding?)") from None
    except (ValueError, OSError) as exc:
        raise RecordingError(f"{path}: cannot parse the table after line {header_line}: {str(exc).strip()}") from None
    data = path.read_bytes()
    fields, complete = _line_fields(data, sep)
    _refuse_long_lines(path, fields, header_line)
    lines = row_lines(data, header_line, len(frame))
    last_short = len(fields) > header_line and fields[-1] < fields[header_line - 1]
    dropped = False
    if warnings is not None and len(frame) and (last_short or (_last_row_bad(frame) and not complete)):
        warnings.append(f"{path}: line {lines[-1]}: incomplete last line dropped (export cut short?)")
        frame, lines, dropped = frame.iloc[:-1], lines[:-1], True
    _refuse_nul(path, data, sep, len(fields) if dropped else None)
    out: dict[str, np.ndarray] = {LINE: lines}
    for name, pos in columns.items():
        raw = frame.iloc[:, positions.index(pos)]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(np.float64))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            cell = raw.iloc[row]
            shown = repr(cell) if isinstance(cell, str) else repr(float(cell))  # nan, not np.float64(nan)
            problem = "is empty (or NaN)" if not isinstance(cell, str) and math.isnan(float(cell)) else \
                f"{shown} is not a finite number"
            raise RecordingError(f"{path}: line {lines[row]}: column {frame.columns[positions.index(pos)]}: {problem}")
        if dtypes[pos] == np.int64:
            out[name] = _whole_numbers(path, header_line, sep, pos, raw, str(frame.columns[positions.index(pos)]), lines)
        else:
            out[name] = values.to_numpy(np.float64)
    return out


_INT64 = np.iinfo(np.int64)


def row_lines(data: bytes, header_line: int, rows: int) -> np.ndarray:
    """The number (1-based) of the line of ``data`` (a file's bytes) that each of the ``rows`` rows
    of the table whose header is line ``header_line`` was read from: the lines after it that hold
    more than blanks (pandas' parser skips the others, ``skip_blank_lines``). Should the count not
    match (a quoted cell across lines), rows are taken as one line each, as before."""
    array = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(array == ord("\n"))
    if len(array) and (not len(ends) or ends[-1] != len(array) - 1):
        ends = np.append(ends, len(array))  # (a last line without a line break)
    marks = np.flatnonzero(~np.isin(array, np.frombuffer(b" \t\r\n", dtype=np.uint8)))
    visible = np.diff(np.concatenate([[0], np.searchsorted(marks, ends, side="right")]))
    numbers = np.flatnonzero(visible) + 1
    numbers = numbers[numbers > header_line][:rows]
    if len(numbers) != rows:
        return np.arange(header_line + 1, header_line + 1 + rows, dtype=np.int64)
    return numbers.astype(np.int64)


def _whole_numbers(path: Path, header_line: int, sep: str, pos: int, raw: pd.Series, name: str,
                   lines: np.ndarray) -> np.ndarray:
    """A column of whole numbers (a clock in ns or µs) exactly, as int64; a :class:`RecordingError`
    naming the first cell that is no whole number or does not fit 64 bits (a float or a cast would
    round or wrap it, with numpy's warnings, and the time check would then name the line after)."""
    kind = raw.dtype.kind
    if kind == "i" or (kind == "u" and (not len(raw) or int(raw.max()) <= _INT64.max)):
        return raw.to_numpy(np.int64)
    if kind in "uO":  # exact integers, or the cells' text as written
        cells = raw.tolist()
    else:  # a float column (a decimal point, an exponent, a dropped last line's NaN): read its text again
        cells = pd.read_csv(path, sep=sep, skiprows=header_line - 1, header=0, usecols=[pos], dtype=str, engine="c",
                            skip_blank_lines=True, keep_default_na=False).iloc[: len(raw), 0].tolist()
    out = np.empty(len(cells), dtype=np.int64)
    for row, cell in enumerate(cells):
        written = str(cell).strip()
        try:
            exact = Decimal(written)
        except InvalidOperation:
            exact = Decimal("NaN")
        where = f"{path}: line {lines[row]}: column {name}: {_clip(written)!r}"
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise RecordingError(f"{where} is not a whole number")
        if not _INT64.min <= int(exact) <= _INT64.max:
            raise RecordingError(f"{where} does not fit a 64-bit integer (no sensor's clock is this large)")
        out[row] = int(exact)
    return out


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_undecodable_line(path: Path) -> int:
    """The number of the first line that is not UTF-8 (0 when every line is)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _refuse_nul(path: Path, data: bytes, sep: str, dropped_line: int | None) -> None:
    """A :class:`RecordingError` naming the first line of ``data`` (the file's bytes) holding a NUL
    byte, which pandas' parser takes for the end of a cell ("1.2<NUL>3" read as 1.2), unless it is
    ``dropped_line``, the incomplete last line dropped (a crash pads a file with NULs)."""
    at = data.find(b"\0")
    if at < 0:
        return
    line = data.count(b"\n", 0, at) + 1
    if line == dropped_line:
        return
    start = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    raw = data[start : end if end >= 0 else len(data)].rstrip(b"\r")
    index = raw[: at - start].count(sep.encode())
    cell = raw.split(sep.encode())[index].decode("utf-8", "replace").strip()
    cell = cell if len(cell) <= 40 else cell[:37] + "..."
    raise RecordingError(f"{path}: line {line}: field {index + 1}: {cell!r} holds a NUL byte (a damaged file?)")


def _line_fields(data: bytes, sep: str) -> tuple[np.ndarray, bool]:
    """How many ``sep`` each line of ``data`` (a file's bytes) holds (blank lines at the end left
    out), and whether the file ends with a line break (its last line complete): vectorised."""
    data = np.frombuffer(data, dtype=np.uint8)
    complete = not len(data) or int(data[-1]) in (ord("\n"), ord("\r"))
    ends = np.flatnonzero(data == ord("\n"))
    ends = np.append(ends, len(data)) if not len(ends) or ends[-1] != len(data) - 1 else ends

    def per_line(positions: np.ndarray) -> np.ndarray:
        return np.diff(np.concatenate([[0], np.searchsorted(positions, ends, side="right")]))

    marks = per_line(np.flatnonzero(data == ord(sep)))
    visible = per_line(np.flatnonzero(~np.isin(data, np.frombuffer(b" \t\r\n", dtype=np.uint8))))
    written = np.flatnonzero(visible)
    return marks[:written[-1] + 1] if len(written) else marks[:0], complete


def _refuse_long_lines(path: Path, fields: np.ndarray, header_line: int) -> None:
    """A :class:`RecordingError` naming the first line after the header with more separators
    (``fields``: per line, :func:`_line_fields`) than the header: the columns would be misread,
    the reader taking only some of them by position."""
    if len(fields) < header_line:
        return
    body = fields[header_line:]
    longer = np.flatnonzero(body > fields[header_line - 1])
    if longer.size:
        line = header_line + 1 + int(longer[0])
        raise RecordingError(f"{path}: line {line}: {int(body[longer[0]]) + 1} fields, the header (line {header_line})"
                             f" has {int(fields[header_line - 1]) + 1}")


def _last_row_bad(frame: pd.DataFrame) -> bool:
    """Does the table's last row hold an empty or non-numeric cell (a line cut inside a value)?"""
    last = pd.to_numeric(frame.iloc[-1], errors="coerce").to_numpy(np.float64)
    return not bool(np.isfinite(last).all())


def time_label(what: str) -> TimeColumn:
    """How the clock checks' messages name a vendor stream's time: ``"{what} time"``, in s from
    the file's first row (e.g. ``accelerometer (g) time: 1.2 s is less than the line before ...``)."""
    return TimeColumn(name=f"{what} time", short=f"{what} time", unit=" s")


def clean_time(path: Path, t_s: np.ndarray, what: str, header_line: int = 1,
               lines: np.ndarray | None = None, values: np.ndarray | None = None,
               ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A stream's time ``t_s`` (s), read from the table whose header is line ``header_line``
    (``lines``: each row's line in the file, :data:`LINE` of :func:`read_columns`; without it, one
    line per row after the header), checked and its clock repaired as the sensorkit CSV reader's
    (:func:`~sensorkit.io.checks.check_time_column`, the same warnings and errors, naming the
    line): steps back of less than a sample period re-timed (jitter), times stamped once per packet
    spread (their stamps untangled where one steps back less than a packet period), a few exact
    repeats dropped (the first row of each kept). ``values``: the rows' (n, 3) values, to tell rows
    written twice from a packet's samples. Returns (``t_s`` repaired, or the very array when
    nothing was; the rows to keep; warnings).
    """
    if len(t_s) == 0:
        raise RecordingError(f"{path}: no {what} samples")
    if lines is None:
        lines = np.arange(header_line + 1, header_line + 1 + len(t_s))
    rows = None if values is None else np.column_stack([t_s, values])
    t_s, keep, warnings = check_time_column(path, t_s, rows=rows, lines=lines, column=time_label(what))
    return t_s, np.ones(len(t_s), dtype=bool) if keep is None else keep, warnings


def merge_by_time(path: Path, acc_t_s: np.ndarray, acc: np.ndarray, gyr_t_s: np.ndarray, gyr: np.ndarray,
                  ) -> tuple[Samples, float, list[str]]:
    """Accelerometer and gyroscope streams on one clock -> Samples at the accelerometer's times.

    The gyro is linearly interpolated onto the accelerometer times; accelerometer samples outside the
    gyro's time span are dropped (with a warning). Returns (samples with t from 0, the absolute time
    of the first kept sample on the input clock in s, warnings).
    """
    start_s, end_s = max(acc_t_s[0], gyr_t_s[0]), min(acc_t_s[-1], gyr_t_s[-1])
    if end_s < start_s:
        raise RecordingError(
            f"{path}: the accelerometer ({acc_t_s[0]:.3f}..{acc_t_s[-1]:.3f} s) and gyroscope"
            f" ({gyr_t_s[0]:.3f}..{gyr_t_s[-1]:.3f} s) recordings do not overlap in time"
        )
    inside = (acc_t_s >= start_s) & (acc_t_s <= end_s)
    warnings = []
    if not inside.all():
        warnings.append(f"{path}: {int((~inside).sum())} accelerometer samples outside the gyroscope's time span dropped")
    t_s = acc_t_s[inside]
    gyr_at_acc = np.column_stack([np.interp(t_s, gyr_t_s, gyr[:, axis]) for axis in range(3)])
    return Samples(t_s - t_s[0], acc[inside], gyr_at_acc), float(t_s[0]), warnings


def spread_packets(path: Path, packet_t_s: np.ndarray, counts: np.ndarray, what: str) -> np.ndarray:
    """Per-sample times for packets stamped at their first sample, holding ``counts`` samples each.

    The samples of packet k are spread evenly from its stamp to the next packet's stamp; the last
    packet uses the median per-sample step of the others (or nothing to spread when it is alone).
    """
    if len(packet_t_s) == 0:
        raise RecordingError(f"{path}: no {what} packets")
    counts = np.asarray(counts, dtype=np.int64)
    step_s = np.empty(len(packet_t_s))
    if len(packet_t_s) > 1:
        step_s[:-1] = np.diff(packet_t_s) / np.maximum(counts[:-1], 1)
        step_s[-1] = float(np.median(step_s[:-1]))
    else:
        step_s[:] = 0.0
    index_in_packet = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(packet_t_s, counts) + index_in_packet * np.repeat(step_s, counts)

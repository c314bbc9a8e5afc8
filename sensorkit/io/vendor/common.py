"""Helpers shared by the vendor readers: what a reader returns, column matching, tables, time, merging."""
from __future__ import annotations

import io
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
from sensorkit.io.csv_table import is_number, left_out_warning, refuse_if_mostly_malformed
from sensorkit.io.files import describe_os_error, read_whole
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
    Malformed data lines (a cell read that is empty or no finite number, or no whole number in an
    ``integer`` column; a read column missing; more fields than the header; a NUL byte; not UTF-8)
    are handled as the sensorkit CSV reader handles them (:func:`~sensorkit.io.csv_table.parse_table`):
    up to :data:`~sensorkit.io.csv_table.MAX_MALFORMED_FRACTION` of the data lines, and not all,
    are left out as lost samples with one warning naming the first (appended to ``warnings``);
    more is a :class:`RecordingError` naming the first and how many. A last line with fewer fields
    than the header, or one without a line break holding a malformed cell (an export or a copy cut
    short, inside a value), is dropped as cut short, with its own warning, and not counted.
    Without ``warnings``, any malformed line is an error.
    """
    try:
        data = read_whole(path)
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    positions = sorted(set(columns.values()))
    frame = _fast_table(data, header_line, sep, positions)
    lines: np.ndarray | None = None
    source, skip = data, header_line - 1
    if frame is None or not _plainly_good(frame, columns, integer, positions) or b"\0" in data \
            or _has_long_or_cut_lines(data, sep, header_line):
        source, lines = _without_malformed_lines(path, data, header_line, sep, columns, integer, warnings)
        skip = 0
        try:
            frame = _parse(source, 0, sep, positions)
        except ValueError as exc:  # (the parser disagrees with the scan, e.g. a quote opened in a cell)
            raise RecordingError(f"{path}: cannot parse the table after line {header_line}: {str(exc).strip()}") from None
    if lines is None:
        lines = row_lines(data, header_line, len(frame))
    out: dict[str, np.ndarray] = {LINE: lines}
    for name, pos in columns.items():
        raw = frame.iloc[:, positions.index(pos)]
        if name in integer:
            out[name] = _whole_numbers(path, source, skip, sep, pos, raw,
                                       str(frame.columns[positions.index(pos)]), lines)
        else:
            out[name] = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64)
    return out


def _parse(source: bytes, skip: int, sep: str, positions: list[int]) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(source), sep=sep, skiprows=skip, header=0, usecols=positions,
                       dtype=None, engine="c", skip_blank_lines=True)


def _fast_table(data: bytes, header_line: int, sep: str, positions: list[int]) -> pd.DataFrame | None:
    """The table by pandas' C parser in one pass, or None when it fails (the line scan then says why)."""
    try:
        return _parse(data, header_line - 1, sep, positions)
    except ValueError:  # (pandas' ParserError and UnicodeDecodeError are ValueErrors)
        return None


def _plainly_good(frame: pd.DataFrame, columns: dict[str, int], integer: Sequence[str], positions: list[int]) -> bool:
    """Is every read cell a finite number (an int64 in ``integer`` columns)? Then no line is malformed."""
    for name, pos in columns.items():
        raw = frame.iloc[:, positions.index(pos)]
        if name in integer:
            if raw.dtype.kind != "i":
                return False
        elif raw.dtype.kind not in "iuf" or not bool(np.isfinite(raw.to_numpy(np.float64)).all()):
            return False
    return True


def _has_long_or_cut_lines(data: bytes, sep: str, header_line: int) -> bool:
    """Does a data line hold more fields than the header, or the last fewer (cut short)?"""
    fields, _ = _line_fields(data, sep)
    if len(fields) <= header_line:
        return False
    body = fields[header_line:]
    return bool((body > fields[header_line - 1]).any()) or bool(fields[-1] < fields[header_line - 1])


def _without_malformed_lines(path: Path, data: bytes, header_line: int, sep: str, columns: dict[str, int],
                             integer: Sequence[str], warnings: list[str] | None) -> tuple[bytes, np.ndarray]:
    """(the header and the good data lines as one table to parse, each good line's number): the
    slow path of :func:`read_columns`, a scan of every line."""
    raw_lines = data.split(b"\n")
    header = raw_lines[header_line - 1].rstrip(b"\r")
    n_fields = header.count(sep.encode()) + 1
    names = split_header(header.decode("utf-8-sig", "replace"), sep)
    read = {pos: name for name, pos in columns.items()}
    whole = {columns[name] for name in integer}
    numbered = [(number, raw.rstrip(b"\r")) for number, raw in enumerate(raw_lines[header_line:], start=header_line + 1)
                if raw.strip()]
    bad: list[tuple[int, str]] = []
    good: list[tuple[int, bytes]] = []
    for number, raw in numbered:
        problem = _vendor_line_problem(raw, sep, n_fields, header_line, names, read, whole)
        if problem is None:
            good.append((number, raw))
        else:
            bad.append((number, problem))
    if numbered and warnings is not None:
        number, raw = numbered[-1]
        complete = data.rstrip(b" \t").endswith((b"\n", b"\r"))
        short = raw.count(sep.encode()) + 1 < n_fields
        if short or (bad and bad[-1][0] == number and not complete):
            warnings.append(f"{path}: line {number}: incomplete last line dropped (export cut short?)")
            numbered = numbered[:-1]
            bad = [entry for entry in bad if entry[0] != number]
            good = [entry for entry in good if entry[0] != number]
    if bad:
        n_lines = len(numbered)
        first, problem = bad[0]
        if warnings is None:
            raise RecordingError(f"{path}: line {first}: {problem}")
        refuse_if_mostly_malformed(path, bad, n_lines)
        warnings.append(left_out_warning(path, bad))
    source = header + b"\n" + b"\n".join(raw for _, raw in good) + b"\n"
    return source, np.array([number for number, _ in good], dtype=np.int64)


def _vendor_line_problem(raw: bytes, sep: str, n_fields: int, header_line: int, names: list[str],
                         read: dict[int, str], whole: set[int]) -> str | None:
    """What is wrong with a data line of a vendor table (``"column C: ..."``), or None when nothing is."""
    if b"\0" in raw:
        index = raw[: raw.index(b"\0")].count(sep.encode())
        cell = raw.split(sep.encode())[index].decode("utf-8", "replace").strip()
        return f"field {index + 1}: {_clip(cell)!r} holds a NUL byte (a damaged file?)"
    try:
        cells = raw.decode("utf-8").split(sep)
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start} of the line)"
    if len(cells) > n_fields:
        return f"{len(cells)} fields, the header (line {header_line}) has {n_fields}"
    for pos in sorted(read):
        name = names[pos] if pos < len(names) else f"field {pos + 1}"
        if pos >= len(cells):
            return f"column {name}: missing ({len(cells)} fields, the header has {n_fields})"
        cell = cells[pos].strip().strip('"').strip()
        if not cell or cell.lower() in ("nan", "+nan", "-nan"):
            return f"column {name}: is empty (or NaN)"
        if not is_number(cell):
            shown = repr(float(cell)) if cell.lower().lstrip("+-") in ("inf", "infinity") else repr(_clip(cell))
            return f"column {name}: {shown} is not a finite number"
        if not math.isfinite(float(cell)):
            return f"column {name}: {_clip(cell)!r} is not a finite number"
        if pos in whole:
            exact = Decimal(cell)
            if exact != exact.to_integral_value():
                return f"column {name}: {_clip(cell)!r} is not a whole number"
            if not _INT64.min <= int(exact) <= _INT64.max:
                return f"column {name}: {_clip(cell)!r} does not fit a 64-bit integer (no sensor's clock is this large)"
    return None


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


def _whole_numbers(path: Path, source: bytes, skip: int, sep: str, pos: int, raw: pd.Series,
                   name: str, lines: np.ndarray) -> np.ndarray:
    """A column of whole numbers (a clock in ns or µs) exactly, as int64; a :class:`RecordingError`
    naming the first cell that is no whole number or does not fit 64 bits (a float or a cast would
    round or wrap it, with numpy's warnings, and the time check would then name the line after).
    ``source``: the table's bytes, its header after ``skip`` lines (to read a float column's text again)."""
    kind = raw.dtype.kind
    if kind == "i" or (kind == "u" and (not len(raw) or int(raw.max()) <= _INT64.max)):
        return raw.to_numpy(np.int64)
    if kind in "uO":  # exact integers, or the cells' text as written
        cells = raw.tolist()
    else:  # a float column (a decimal point, an exponent): read its text again
        cells = pd.read_csv(io.BytesIO(source), sep=sep, skiprows=skip, header=0, usecols=[pos], dtype=str, engine="c",
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

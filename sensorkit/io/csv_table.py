"""Parse the canonical CSV into an (n, 7) float64 array, fast, with exact line numbers on failure.

The common case is one pass of pandas' C parser. Only when it fails (or yields NaN/inf, or the table
holds a NUL byte) does a line-by-line scan run: it finds every malformed data line. Up to
``MAX_MALFORMED_FRACTION`` of the data lines are left out (as lost samples: the caller warns) and the
rest parsed by the same parser; more is an error naming the first offending line and column. A last
line cut short by a crash is recognised from the file's tail (without reading the rest) and excluded
from the parse.
"""
from __future__ import annotations

import csv
import functools
import io
import math
import mmap
import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sensorkit.errors import RecordingError
from sensorkit.io.files import Hashing, note_digest, noting
from sensorkit.io.files import describe_os_error, file_size, unsearchable_folder  # noqa: F401 - (file_size: moved there)
from sensorkit.samples import COLUMNS

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
#: a prefix of a number as a writer cut mid-number leaves it ("", "-", "1.", "2.5e-")
_NUMBER_PREFIX = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d*)?([eE][+-]?\d*)?")
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_TAIL_BYTES = 1 << 16
_MAX_HEADER_BYTES = 1 << 16
#: malformed data lines (a cell not a number, empty, NaN/inf, a NUL byte, not UTF-8, fields missing or
#: extra) up to this fraction of the data lines are left out as lost samples, with a warning; more is an
#: error (the bound repeated timestamps have: :data:`sensorkit.io.checks.MAX_REPEATED_FRACTION`)
MAX_MALFORMED_FRACTION = 0.01
#: malformed lines named in the warning (then "and N more")
_NAMED_LINES = 3


@dataclass(frozen=True)
class Header:
    """The CSV's first line: field count, where each canonical column sits, and unknown columns."""

    n_fields: int
    positions: tuple[int, ...]  # file position of each of COLUMNS, in COLUMNS order
    extra_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """The parsed data rows, and the malformed lines left out of them (none on the fast path)."""

    values: np.ndarray  # (n, 7) float64 in COLUMNS order
    left_out: tuple[tuple[int, str], ...] = ()  # (file line number, what is wrong) of each line left out

    @property
    def left_out_lines(self) -> frozenset[int]:
        return frozenset(number for number, _ in self.left_out)


def left_out_warning(path: Path, left_out: Sequence[tuple[int | str, str]], unit: str = "line") -> str | None:
    """The one-line warning for the malformed lines ``left_out`` ((file line number, what is wrong),
    in order) of any reader's table (None if none were), e.g. ``x.csv: 2 malformed lines left out as
    lost samples (line 5001: column gyr_z: 'x' is not a number; line 7002: ...)``; of packets, for
    ``unit`` ``"packet"`` (where each is: a line number, or a location such as ``Meas.IMU6[3].Body``)."""
    if not left_out:
        return None
    count = len(left_out)
    named = [f"{_where(where)}: {problem}" for where, problem in left_out[:_NAMED_LINES]]
    if count > _NAMED_LINES:
        named.append(f"and {count - _NAMED_LINES} more")
    lost = "a lost sample" if count == 1 and unit == "line" else "lost samples"
    return f"{path}: {count} malformed {unit}{'s' if count > 1 else ''} left out as {lost} ({'; '.join(named)})"


def _where(where: int | str) -> str:
    return f"line {where}" if isinstance(where, (int, np.integer)) else where


@dataclass(frozen=True)
class Truncation:
    """A last line cut short by a crash: data ends at byte ``offset``; ``reason`` says what is wrong."""

    offset: int
    reason: str


def is_number(cell: str) -> bool:
    return _NUMBER.fullmatch(cell) is not None


def read_header(path: Path) -> Header:
    """Check the first line names every canonical column (any order, extra columns allowed)."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(_MAX_HEADER_BYTES)
            only_blank = not first.strip() and all(not chunk.strip() for chunk in iter(lambda: handle.read(1 << 16), b""))
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    try:
        line = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise RecordingError(f"{path}: line 1: not UTF-8 text; expected a CSV header {','.join(COLUMNS)}") from None
    if only_blank:
        raise RecordingError(f"{path}: file is empty")
    expected = ",".join(COLUMNS)
    if not line.strip():
        raise RecordingError(f"{path}: line 1: header missing (the line is blank); expected {expected}")
    if not first.endswith(b"\n") and line.count("\r") > 1:  # (no line feed at all: lines ended by CR alone)
        raise RecordingError(f"{path}: line 1: lines end in a carriage return alone (an old Mac text format);"
                             " save the file with ordinary line endings (LF or CR LF)")
    try:
        names = [name.strip() for name in next(csv.reader([line]))]
    except csv.Error as exc:  # e.g. a stray carriage return inside the line
        raise RecordingError(f"{path}: line 1: the header is not valid CSV ({exc}); expected {expected}") from None
    if all(is_number(name) for name in names):
        raise RecordingError(f"{path}: line 1: header missing (the first line is data); expected {expected}")
    lowered = [name.lower() for name in names]
    for column in COLUMNS:
        if lowered.count(column) > 1:
            raise RecordingError(f"{path}: line 1: column {column} appears {lowered.count(column)} times")
    missing = [column for column in COLUMNS if column not in lowered]
    if missing:
        hint = "; columns must be separated by ','" if ";" in line or "\t" in line else ""
        raise RecordingError(
            f"{path}: line 1: header lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
            f" (found {_clip(','.join(names))!r}; expected {expected}){hint}"
        )
    return Header(
        n_fields=len(names),
        positions=tuple(lowered.index(column) for column in COLUMNS),
        extra_columns=tuple(
            name or f"(unnamed column {index + 1})" for index, (name, low) in enumerate(zip(names, lowered)) if low not in COLUMNS
        ),
    )


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def find_truncation(path: Path, header: Header) -> Truncation | None:
    """The crash-cut last line, if the file ends in one (reads only the file's last 64 KiB).

    Cut means: NUL bytes; fewer fields than the header; a last field that is only the start of a
    number ("-", "1.5e"); or, when the line lacks its final newline, a last number with fewer digits
    than the same column on the line before (a writer cut "12.3456" to "12.3").
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read()
    base = size - len(tail)
    body = tail.rstrip(b" \t\r\n")
    start = body.rfind(b"\n") + 1
    if (start == 0 and base > 0) or base + start == 0:
        return None  # a line longer than the tail window, or the header is the only line
    last = body[start:]
    ends_with_newline = b"\n" in tail[len(body):]
    previous_start = body.rfind(b"\n", 0, start - 1) + 1  # 0: the header, or cut by the window
    previous = body[previous_start : start - 1].rstrip(b"\r") if previous_start > 0 else None
    reason = _truncation_reason(last, previous, ends_with_newline, header)
    return Truncation(base + start, reason) if reason else None


def _truncation_reason(last: bytes, previous: bytes | None, ends_with_newline: bool, header: Header) -> str | None:
    if b"\x00" in last:
        return "holds NUL bytes"
    try:
        fields = last.decode("utf-8").split(",")
    except UnicodeDecodeError as exc:  # only a character cut at the very end is a crash's mark
        return "ends in a cut character" if exc.reason == "unexpected end of data" else None
    if len(fields) > header.n_fields:
        return None
    index = len(fields) - 1
    used = {position: column for column, position in zip(COLUMNS, header.positions)}
    if any(position in used and not is_number(fields[position]) for position in range(index)):
        return None  # a bad cell before the last one: a real error, reported by the parser
    cell = fields[index]
    if index not in used:
        return f"has {len(fields)} of {header.n_fields} fields" if len(fields) < header.n_fields else None
    if _NUMBER_PREFIX.fullmatch(cell) is None:
        return None
    if len(fields) < header.n_fields:
        return f"has {len(fields)} of {header.n_fields} fields"
    if not is_number(cell):
        return f"ends in a partial number {cell.strip()!r}"
    if not ends_with_newline and previous is not None:
        before = previous.decode("utf-8", "replace").split(",")
        if len(before) == len(fields) and is_number(before[index]) and _digits(cell) < _digits(before[index]):
            return (
                f"lacks its newline and column {used[index]} {cell.strip()!r} is shorter than the line"
                f" before ({before[index].strip()!r}): a number cut mid-write"
            )
    return None


def _digits(cell: str) -> tuple[int, int]:
    """(digits after the decimal point, digits in the exponent) of a number's text."""
    mantissa, _, exponent = cell.strip().lower().partition("e")
    return len(mantissa.partition(".")[2]), len(exponent.lstrip("+-"))


class _Bounded(io.RawIOBase):
    """The first ``limit`` bytes of a binary file, as a readable stream."""

    def __init__(self, handle: io.BufferedReader, limit: int) -> None:
        self._handle, self._left = handle, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._handle.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def parse_table(path: Path, header: Header, end_offset: int | None = None) -> Table:
    """All data rows (up to byte ``end_offset``): :attr:`Table.values`, an (n, 7) float64 array in
    COLUMNS order.

    Malformed lines, up to ``MAX_MALFORMED_FRACTION`` of the data lines and with at least one line
    good, are left out (:attr:`Table.left_out`); the good lines parse to the very values the fast
    parse gives them. Otherwise raises :class:`RecordingError` naming the first bad line and column
    and how many lines are malformed.
    """
    options = _parse_options(header)
    try:
        with open(path, "rb") as handle:  # (read once: the bytes searched for a NUL, and hashed, as they pass)
            stream = Hashing(handle if end_offset is None else _Bounded(handle, end_offset), digest=noting())
            frame = pd.read_csv(io.BufferedReader(stream, 1 << 20), **options)
            if stream.ended and stream.sha256 is not None:  # (and the rest, a last line cut short, for the digest)
                stream.sha256.update(handle.read())
                note_digest(path, stream.sha256.hexdigest())
    except (ValueError, OSError) as exc:  # pandas' ParserError and UnicodeDecodeError are ValueErrors
        if isinstance(exc, OSError):
            raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
        return _without_malformed_lines(path, header, end_offset, exc)
    values = _values(frame, header)
    nul = stream.nul if stream.ended else find_nul(path, end_offset) is not None
    if not np.isfinite(values).all() or nul:  # (the parser ends a cell at a NUL)
        return _without_malformed_lines(path, header, end_offset, None)
    return Table(values)


def _parse_options(header: Header) -> dict:
    return dict(
        engine="c", header=0, names=list(range(header.n_fields)), index_col=False, dtype=np.float64,
        na_filter=False,  # no NaN markers to look for (faster); a cell that is not a number fails the parse
        usecols=sorted(header.positions) if header.extra_columns else None,
    )


def _values(frame: pd.DataFrame, header: Header) -> np.ndarray:
    order = list(header.positions)
    values = frame.to_numpy(np.float64) if order == list(frame.columns) else frame[order].to_numpy(np.float64)
    return np.ascontiguousarray(values)


def _without_malformed_lines(path: Path, header: Header, end_offset: int | None, cause: BaseException | None) -> Table:
    """The slow path: scan every line; leave out the malformed ones when they are few enough, else raise."""
    try:
        bad, n_lines, good = _scan(path, header, end_offset)
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    if not bad:  # the scan finds nothing wrong, yet the fast parse failed
        raise _located_error(path, end_offset, cause)
    refuse_if_mostly_malformed(path, bad, n_lines)
    try:
        values = _values(pd.read_csv(io.BytesIO(good), **_parse_options(header)), header)
    except ValueError:
        values = None
    if values is None or len(values) != n_lines - len(bad) or not np.isfinite(values).all():
        # (the parser disagrees with the scan on a line the scan passed, e.g. a quote opened in a cell:
        # refused as before, naming the first malformed line)
        raise RecordingError(f"{path}: line {bad[0][0]}: {bad[0][1]}")
    return Table(values, tuple(bad))


def refuse_if_mostly_malformed(path: Path, bad: Sequence[tuple[int | str, str]], n_lines: int, unit: str = "line") -> None:
    """A :class:`RecordingError` naming the first of the malformed lines ``bad`` ((line number, what
    is wrong), in order) when they are more than ``MAX_MALFORMED_FRACTION`` of the ``n_lines`` data
    lines, or all of them: too many to leave out as lost samples. ``unit`` ``"packet"``: of packets
    (each where it is, a line number or a location)."""
    if bad and (len(bad) / n_lines > MAX_MALFORMED_FRACTION or len(bad) == n_lines):
        first, problem = bad[0]
        counted = "data lines" if unit == "line" else f"{unit}s"
        raise RecordingError(f"{path}: {_where(first)}: {problem} ({len(bad)} of {n_lines} {counted} malformed;"
                             f" at most {100 * MAX_MALFORMED_FRACTION:g}% can be left out)")


def find_nul(path: Path, end_offset: int | None = None) -> int | None:
    """The offset of the first NUL byte before ``end_offset`` (None: the whole file), or None.

    pandas' C parser ends a cell at a NUL and reads ``1.2<NUL>3`` as 1.2, so the table is searched
    for one: one ``memchr`` pass over the mapped file (no copy), a few ms per 100 MB in the page cache.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            end = size if end_offset is None else min(end_offset, size)
            if end <= 0:
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                at = mapped.find(b"\0", 0, end)
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    return None if at < 0 else at


def _located_error(path: Path, end_offset: int | None, cause: BaseException | None) -> RecordingError:
    """The error for a table the fast parse refused though the scan found no malformed data line."""
    problem = None
    if cause is None and (nul := find_nul(path, end_offset)) is not None:  # (in the header)
        problem = f"line {line_at_offset(path, nul)}: holds a NUL byte (a damaged file?)"
    if problem is None:  # the fast parser disagreed with the scan: still name the file
        problem = f"cannot parse: {str(cause).strip() if cause else 'NaN or inf values'}"
    return RecordingError(f"{path}: {problem}")


def _data_lines(path: Path, end_offset: int | None):
    """(line number, raw bytes without line ending) of each non-blank line after the header."""
    with open(path, "rb") as handle:
        handle.readline()
        position = handle.tell()
        for number, raw in enumerate(handle, start=2):
            position += len(raw)
            if end_offset is not None and position > end_offset:
                return
            raw = raw.rstrip(b"\r\n")
            if raw.strip():  # the C parser skips blank lines too
                yield number, raw


def _scan(path: Path, header: Header, end_offset: int | None) -> tuple[list[tuple[int, str]], int, bytes]:
    """(every malformed data line as (line number, what is wrong), the number of data lines, the header
    and the good data lines as one CSV text to parse)."""
    with open(path, "rb") as handle:
        kept = [handle.readline()]
    if not kept[0].endswith(b"\n"):
        kept[0] += b"\n"
    bad, n_lines = [], 0
    for number, raw in _data_lines(path, end_offset):
        n_lines += 1
        problem = _line_problem(raw, header)
        if problem is None:
            kept.append(raw)
        else:
            bad.append((number, problem))
    return bad, n_lines, kept[0] + b"\n".join(kept[1:])


#: a data cell that is plainly a finite number (exponent of two digits at most); each text matches
#: one way only (``\d+\.?\d*`` would backtrack exponentially over a line that fails)
_PLAIN_NUMBER = rb"[ \t]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d\d?)?[ \t]*"


@functools.lru_cache(maxsize=8)
def _plain_line(n_fields: int) -> re.Pattern[bytes]:
    """A line of ``n_fields`` plain numbers: good without a closer look (the scan's common case)."""
    return re.compile(_PLAIN_NUMBER + (b"," + _PLAIN_NUMBER) * (n_fields - 1))


def _line_problem(raw: bytes, header: Header) -> str | None:
    """``"column C: what"`` (or what is wrong with the whole line) for a malformed data line, else None."""
    if len(raw) < 200 and _plain_line(header.n_fields).fullmatch(raw):  # (under 200 digits with e99: finite)
        return None
    if b"\0" in raw:
        return _nul_problem(raw, header)
    try:
        fields = raw.decode("utf-8").split(",")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start} of the line)"
    if len(fields) > header.n_fields and not header.extra_columns:
        return f"{len(fields)} fields, but the header has {header.n_fields}"
    for column, position in zip(COLUMNS, header.positions):
        if position >= len(fields):
            return f"column {column}: missing ({len(fields)} fields, the header has {header.n_fields})"
        problem = _cell_problem(fields[position].strip().strip('"'))
        if problem:
            return f"column {column}: {problem}"
    return None


def _nul_problem(raw: bytes, header: Header) -> str:
    """``"column C: '1.2\\x003' holds a NUL byte ..."`` for a data line holding a NUL byte."""
    index = raw[: raw.index(b"\0")].count(b",")
    cell = raw.split(b",")[index].decode("utf-8", "replace").strip()
    names = dict(zip(header.positions, COLUMNS))
    column = f"column {names[index]}: " if index in names else f"field {index + 1}: " if index < header.n_fields else ""
    return f"{column}{_clip(cell)!r} holds a NUL byte (a damaged file?)"


def _cell_problem(cell: str) -> str | None:
    if not cell:
        return "empty cell"
    if is_number(cell):
        return None if math.isfinite(float(cell)) else f"{_clip(cell)!r} overflows a float"
    if cell.lower() in _NON_FINITE:
        return f"{cell!r} is not a finite number (NaN and inf are not allowed)"
    return f"{_clip(cell)!r} is not a number"  # (a line of 200,000 characters stays a line to read)


def line_of_row(path: Path, row: int, left_out: Collection[int] = ()) -> int:
    """The file line number (1-based, header = 1) of data row ``row`` (0-based, blank lines and the
    lines numbered in ``left_out`` skipped)."""
    index = -1
    for number, _ in _data_lines(path, None):
        if number in left_out:
            continue
        index += 1
        if index == row:
            return number
    raise IndexError(row)


def line_at_offset(path: Path, offset: int) -> int:
    """The 1-based line number that starts at or contains byte ``offset``."""
    newlines, chunk_bytes = 0, 1 << 20
    with open(path, "rb") as handle:
        while offset > 0:
            chunk = handle.read(min(chunk_bytes, offset))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            offset -= len(chunk)
    return newlines + 1



"""Movesense Showcase app recordings: ``/Meas/Acc`` (m/s²) and ``/Meas/Gyro`` (deg/s) notifications.

Each notification (packet) carries one ``Timestamp`` (sensor clock, ms, "local timestamp of first
measurement") and several samples (``ArrayAcc`` / ``ArrayGyro``, lists of ``{x, y, z}``).

- JSON: one JSON document or JSON Lines (one event per line, as the Showcase recorder writes:
  ``{"acc":{"Timestamp":599025762,"ArrayAcc":[{"x":…,"y":…,"z":…},…]}}``). Every object holding
  ``Timestamp`` and ``ArrayAcc`` and/or ``ArrayGyro`` is a packet, however it is nested.
- CSV (the Showcase "convert to CSV"): header ``timestamp,x,y,z``; a packet's first sample carries
  the timestamp, its other samples leave the cell empty. The header does not say which sensor:
  the file name does (``…acc…`` / ``…gyro…``, see :mod:`~sensorkit.io.vendor.pairs`).

Accelerometer and gyroscope come in separate files (paired by name, merged by time) unless one JSON
file holds both. The samples of a packet are spread evenly from its timestamp to the next packet's
(the last packet uses the median step); stamps that step back by less than a packet period (the
packet clock's jitter) are first untangled, as the sensorkit CSV reader untangles them.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from sensorkit.errors import RecordingError
from sensorkit.io.csv_table import left_out_warning, refuse_if_mostly_malformed
from sensorkit.io.files import describe_os_error, read_whole
from sensorkit.io.checks import jitter_note, step_back_error
from sensorkit.io.clock import untangle_stamps
from sensorkit.io.vendor.common import VendorData, clean_time, merge_by_time, row_lines, spread_packets, time_label
from sensorkit.io.vendor.pairs import pair_name, partner, role_of
from sensorkit.samples import Samples

SENSOR = "movesense-showcase"
TITLE = "Movesense Showcase JSON/CSV"
CSV_HEADER = "timestamp,x,y,z"
_KEYS = {"acc": "ArrayAcc", "gyr": "ArrayGyro"}
#: per sensor: packet stamps (ms), packet samples, and where they were read (the file; for a CSV each
#: sample's line in it, blank lines skipped, else None; where each packet's stamp is: "line 7" in a
#: CSV, "line 7: acc.Timestamp" in JSON Lines, "Meas.IMU6[3].Body.Timestamp" in one JSON document)
Streams = dict[str, tuple[list[float], list[list[list[float]]], tuple[Path, np.ndarray | None, list[str]]]]


def _is_json(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".json" or head.lstrip()[:1] in ("{", "[")


def sniff(path: Path, head: str) -> bool:
    if _is_json(path, head):
        return '"ArrayAcc"' in head or '"ArrayGyro"' in head
    return head.split("\n", 1)[0].strip().lower().replace(" ", "") == CSV_HEADER


def _key_path(key: str) -> str:
    """``key`` as a step of a JSON location: ``.key``, or ``["key"]`` when it is no plain name."""
    return f".{key}" if key.isidentifier() else f"[{json.dumps(key)}]"


def _packets(node: Any, where: str = "") -> Iterator[tuple[dict, str]]:
    """Every packet in ``node`` with its JSON location in it (``Meas.IMU6[3].Body``; "" for the node)."""
    if isinstance(node, dict):
        if "Timestamp" in node and ("ArrayAcc" in node or "ArrayGyro" in node):
            yield node, where
            return
        for key, value in node.items():
            yield from _packets(value, where + _key_path(str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _packets(value, f"{where}[{index}]")


#: a stamp read from a line that is no JSON (its packet's samples are lost, its time still bounds the packet before's)
_STAMP_IN_TEXT = re.compile(r'"Timestamp"\s*:\s*(\d+(?:\.\d+)?)(?=\s*[,}])')


def _documents(path: Path, warnings: list[str]) -> Iterator[tuple[Any, str, str | None]]:
    """The JSON file as one document, or its lines as JSON Lines; each with where it is ("" for the
    whole file, ``"line N: "`` for a line) and, for a line that is no JSON, what is wrong (its
    document then its text). A last line cut short (no line break) is dropped, said in ``warnings``."""
    try:
        text = read_whole(path).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    lines = text.splitlines()
    try:
        yield json.loads(text), "", None
        return
    except json.JSONDecodeError as exc:
        written = [line for line in lines if line.strip()]
        json_lines = exc.msg == "Extra data" or (exc.lineno == 1 and len(written) > 1 and written[1].lstrip()[:1] == "{")
        if not json_lines:  # (one document, damaged: nothing to skip)
            raise RecordingError(f"{path}: line {exc.lineno}: column {exc.colno}: invalid JSON: {exc.msg}") from None
    last = max((number for number, line in enumerate(lines, start=1) if line.strip()), default=0)
    for number, line in enumerate(lines, start=1):
        if line.strip():
            try:
                yield json.loads(line), f"line {number}: ", None
            except json.JSONDecodeError as exc:
                if number == last and not text.endswith(("\n", "\r")):
                    warnings.append(f"{path}: line {number}: incomplete last line dropped (export cut short?)")
                else:
                    yield line, f"line {number}: ", f"column {exc.colno}: invalid JSON: {exc.msg}"


def _packet_problem(packet: dict) -> tuple[str, str] | None:
    """What is wrong with a packet, and its key: ``("Timestamp", "'abc' is not a number (ms)")``,
    ``("ArrayAcc", "must be a list of {x, y, z} numbers")``; None when nothing is."""
    stamp = packet["Timestamp"]
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool) or not math.isfinite(stamp):
        return "Timestamp", f"{stamp!r} is not a number (ms)"
    for key in _KEYS.values():
        if key in packet and _block(packet[key]) is None:
            return key, "must be a list of {x, y, z} numbers"
    return None


def _block(array: Any) -> list[list[float]] | None:
    """An array of a packet as (x, y, z) rows, or None when it is no list of {x, y, z} numbers."""
    try:
        block = [[float(v["x"]), float(v["y"]), float(v["z"])] for v in array]
    except (TypeError, KeyError, ValueError):
        return None
    return block if all(math.isfinite(value) for row in block for value in row) else None


def _json_streams(path: Path, warnings: list[str] | None = None) -> Streams:
    """The file's streams. A malformed packet (a stamp no number, an array no list of {x, y, z}
    numbers; a line of JSON Lines that is no JSON) is left out as lost samples, as the other readers
    leave out a malformed line: up to :data:`~sensorkit.io.csv_table.MAX_MALFORMED_FRACTION` of the
    packets, and not all, with one warning naming the first; more is a :class:`RecordingError`
    naming the first. Its stamp, where one can be read, still ends the packet before (NaN rows,
    dropped once timed; a stamp that cannot be read lies midway between its neighbours')."""
    warnings = [] if warnings is None else warnings
    streams: Streams = {"acc": ([], [], (path, None, [])), "gyr": ([], [], (path, None, []))}
    bad: list[tuple[str, str]] = []
    n_packets = 0
    for document, line, problem in _documents(path, warnings):
        if problem is not None:  # (a line that is no JSON: its sensors and stamp, where its text shows them)
            n_packets += 1
            bad.append((line.rstrip(": "), problem))
            found = _STAMP_IN_TEXT.search(document)
            for role, key in _KEYS.items():
                if f'"{key}"' in document:
                    _add(streams[role], float(found.group(1)) if found else math.nan, [], line + "Timestamp")
            continue
        for packet, inside in _packets(document):
            n_packets += 1
            at = f"{line}{inside.lstrip('.')}{'.' if inside else ''}"  # e.g. "line 12: acc."
            problem = _packet_problem(packet)
            if problem is not None:
                bad.append((at + problem[0], problem[1]))
            stamp = math.nan if problem is not None and problem[0] == "Timestamp" else packet["Timestamp"]
            for role, key in _KEYS.items():
                if key in packet:
                    block = _block(packet[key])
                    if block is None or problem is not None:
                        block = [[math.nan] * 3] * (len(packet[key]) if isinstance(packet[key], list) else 0)
                    _add(streams[role], float(stamp), block, f"{at}Timestamp")
    refuse_if_mostly_malformed(path, bad, n_packets, unit="packet")
    if bad:
        warnings.append(left_out_warning(path, bad, unit="packet"))
        for role in _KEYS:
            streams[role] = _stamps_filled(*streams[role])
    return streams


def _add(stream, stamp: float, block: list[list[float]], stamp_at: str) -> None:
    stream[0].append(stamp)
    stream[1].append(block)
    stream[2][2].append(stamp_at)


def _stamps_filled(stamps: list[float], blocks: list, where: tuple):
    """A stream whose packets left out had no stamp to read (NaN): those between two stamps placed
    midway (by packet) between them, so the packet before still ends there; those at the start or
    end dropped (their samples are lost either way)."""
    stamps_ms = np.asarray(stamps, dtype=np.float64)
    known = np.flatnonzero(np.isfinite(stamps_ms))
    if len(known) == len(stamps_ms) or not known.size:
        return stamps, blocks, where
    keep = slice(int(known[0]), int(known[-1]) + 1)
    index = np.arange(len(stamps_ms))
    filled = np.interp(index, known, stamps_ms[known])
    path, lines, stamps_at = where
    return filled[keep].tolist(), blocks[keep], (path, lines, stamps_at[keep])


def _cut_last_number(path: Path, last_row: np.ndarray) -> bool:
    """Does the file end, without a line break, in a line cut inside its last value: x, y or z
    empty or no number ("-"), or a number with fewer decimals than the line before's ("-6.212950"
    cut to "-6")? ``last_row``: that line as read (timestamp, x, y, z)."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 4096))
        tail = handle.read().decode("utf-8", "replace")
    if not tail or tail.endswith(("\n", "\r")):
        return False
    if not np.isfinite(last_row[1:]).all():
        return True
    lines = [line for line in tail.splitlines() if line.strip()]
    if len(lines) < 2:
        return False

    def decimals(cell: str) -> int:
        cell = cell.strip()
        return len(cell) - cell.index(".") - 1 if "." in cell else 0

    last, before = lines[-1].split(","), lines[-2].split(",")
    return any(decimals(a) < decimals(b) for a, b in zip(last, before) if a.strip() and b.strip())


def _csv_line_problem(raw: bytes) -> str | None:
    """What is wrong with a data line of a Movesense CSV that is not ``timestamp,x,y,z`` numbers (the
    timestamp may be empty: a packet's later samples), e.g. ``"column y: 'abc' is not a number"``, or None."""
    try:
        cells = raw.decode("utf-8").split(",")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start} of the line)"
    if len(cells) != 4:
        return f"{len(cells)} fields, expected 4 ({CSV_HEADER})"
    for name, cell in zip(CSV_HEADER.split(","), cells):
        cell = cell.strip()
        if name == "timestamp" and not cell:
            continue
        problem = "is empty" if not cell else None
        if problem is None:
            try:
                problem = None if np.isfinite(float(cell)) else "is not a finite number"
            except ValueError:
                problem = "is not a number"
            if "\0" in cell:
                problem = "holds a NUL byte (a damaged file?)"
        if problem:
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            return f"column {name}: {shown!r} {problem}" if cell else f"column {name}: {problem}"
    return None


def _placeholder(raw: bytes) -> bytes:
    """The row a malformed line leaves in the table: its timestamp when that is a number (else empty:
    the packet's samples keep their count and spread), no values (dropped once timed)."""
    stamp = raw.split(b",", 1)[0].strip()
    try:
        number = float(stamp.decode("ascii")) if stamp else math.nan
    except (UnicodeDecodeError, ValueError):
        number = math.nan
    return (stamp if math.isfinite(number) else b"") + b",nan,nan,nan"


def _without_malformed_lines(path: Path, body: bytes, cut: bool) -> tuple[bytes, int | None, list[str]]:
    """``body`` (the CSV's bytes) with each malformed data line replaced by its :func:`_placeholder`,
    as the sensorkit CSV reader leaves such lines out (up to
    :data:`~sensorkit.io.csv_table.MAX_MALFORMED_FRACTION` of the data lines, and not all; more is a
    :class:`RecordingError` naming the first and how many); the start of a malformed last line
    without a line break, dropped as cut short (None when none is; ``cut``: the last line is cut
    already); the warning naming the lines left out."""
    raw_lines = body.split(b"\n")
    numbered = [(index, raw.rstrip(b"\r")) for index, raw in enumerate(raw_lines) if index and raw.strip()]
    bad = [(index, problem) for index, raw in numbered if (problem := _csv_line_problem(raw)) is not None]
    cut_at = None
    if bad and not cut and bad[-1][0] == numbered[-1][0] and not body.rstrip(b" \t").endswith((b"\n", b"\r")):
        index = bad.pop()[0]
        cut_at = len(b"\n".join(raw_lines[:index])) + 1
        numbered, raw_lines = numbered[:-1], raw_lines[:index]
    if not bad:
        return b"\n".join(raw_lines), cut_at, []
    left_out = [(index + 1, problem) for index, problem in bad]
    refuse_if_mostly_malformed(path, left_out, len(numbered))
    for index, _ in bad:
        raw_lines[index] = _placeholder(raw_lines[index])
    return b"\n".join(raw_lines), cut_at, [left_out_warning(path, left_out)]


def _csv_streams(path: Path, warnings: list[str]) -> Streams:
    """The file's stream; a last line cut inside its value is dropped, said in ``warnings``."""
    role = role_of(path)
    if role is None:
        raise RecordingError(f"{path}: a Movesense CSV ({CSV_HEADER}) must name its sensor (…acc… or …gyro…) in the file name")
    try:
        data = read_whole(path)
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    # (a crash pads a file with NULs: its last line, so drop_last, is dropped as cut, as the other readers
    # do, before the table is parsed: cut anywhere, even after a "-", it is no number)
    last_start = data.rfind(b"\n", 0, len(data.rstrip(b"\r\n"))) + 1
    drop_last = b"\0" in data[last_start:]  # (padded)
    body = data[:last_start] if drop_last else data
    try:
        frame = pd.read_csv(io.BytesIO(body), header=0, dtype=np.float64, skip_blank_lines=True, engine="c")
    except ValueError:  # pandas' ParserError and UnicodeDecodeError are ValueErrors
        frame = None
    if frame is None or b"\0" in body or frame.shape[1] != 4 or not np.isfinite(frame.to_numpy(np.float64)[:, 1:]).all():
        # (the parser ends a cell at a NUL: "1.2<NUL>3" read as 1.2) the slow path: a scan of every line
        body, cut_at, left_out = _without_malformed_lines(path, body, drop_last)
        if cut_at is not None:
            last_start, drop_last = cut_at, True
        warnings += left_out
        try:
            frame = pd.read_csv(io.BytesIO(body), header=0, dtype=np.float64, skip_blank_lines=True, engine="c")
        except ValueError as exc:
            raise RecordingError(f"{path}: cannot parse: {str(exc).strip()}") from None
    values = frame.to_numpy(np.float64)
    lines = row_lines(body, 1, len(values))  # (blank lines skipped: the row's own line)
    if drop_last:
        last_line = data.count(b"\n", 0, last_start) + 1
        warnings.append(f"{path}: line {last_line}: incomplete last line dropped (export cut short?)")
    elif len(values) > 1 and np.isfinite(values[-1, 1:]).all() and _cut_last_number(path, values[-1]):
        warnings.append(f"{path}: line {lines[-1]}: incomplete last line dropped (export cut short?)")
        values, lines = values[:-1], lines[:-1]
    if values.shape[1] != 4:
        raise RecordingError(f"{path}: expected 4 columns ({CSV_HEADER}), found {values.shape[1]}")
    starts = np.flatnonzero(np.isfinite(values[:, 0]))
    if len(values) and (not starts.size or starts[0] != 0):
        raise RecordingError(f"{path}: line {lines[0]}: the first sample has no timestamp")
    blocks = [values[a:b, 1:].tolist() for a, b in zip(starts, list(starts[1:]) + [len(values)])]
    streams: Streams = {"acc": ([], [], (path, None, [])), "gyr": ([], [], (path, None, []))}
    streams[role] = (values[starts, 0].tolist(), blocks, (path, lines, [f"line {n}" for n in lines[starts]]))
    return streams


def _streams(path: Path, head: str | None, warnings: list[str]) -> Streams:
    if head is None:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = handle.read(1 << 16)
    return _json_streams(path, warnings) if _is_json(path, head) else _csv_streams(path, warnings)


def _samples_of(stamps_ms: list[float], blocks: list[list[list[float]]],
                where: tuple[Path, np.ndarray | None, list[str]], what: str):
    path, lines, stamps_at = where  # (the file the stream was read from: a pair's partner for one of them)
    stamps_s, notes = _untangled(path, np.asarray(stamps_ms, dtype=np.float64) / 1000.0, stamps_at, what)
    counts = np.array([len(block) for block in blocks], dtype=np.int64)
    t_s = spread_packets(path, stamps_s, counts, what)
    values = np.array([v for block in blocks for v in block], dtype=np.float64).reshape(-1, 3)
    timed = np.isfinite(values).all(axis=1)  # (the samples of malformed lines or packets, timed, are dropped now)
    if not timed.all():
        t_s, values, lines = t_s[timed], values[timed], None if lines is None else lines[timed]
    t_s, keep, warnings = clean_time(path, t_s, what, lines=lines, values=values)
    return t_s[keep], values[keep], notes + warnings


def _untangled(path: Path, stamps_s: np.ndarray, stamps_at: list[str], what: str) -> tuple[np.ndarray, list[str]]:
    """The packets' stamps (s) untangled by :func:`~sensorkit.io.clock.untangle_stamps` where one
    steps back by less than a packet period (the packet clock's jitter), as the sensorkit CSV reader
    untangles a file's packet stamps, and its warning (the reader's wording); a :class:`RecordingError`
    naming the stamp (``stamps_at``) a packet period or more below an earlier one."""
    if not bool((np.diff(stamps_s) < 0).any()):
        return stamps_s, []
    label = time_label(what)
    jitter = untangle_stamps(stamps_s)
    if jitter.too_far is not None:
        k, earlier = jitter.too_far, jitter.earlier
        before = "the packet before" if earlier == k - 1 else stamps_at[earlier]
        raise RecordingError(f"{path}: {stamps_at[k]}: {step_back_error(stamps_s, k, earlier, before, jitter, label)}")
    first = int(np.flatnonzero(np.diff(stamps_s) < 0)[0]) + 1
    return jitter.t, [f"{path}: {stamps_at[first]}: {jitter_note(jitter, label)}"]


def read(path: Path, head: str) -> VendorData:
    cut: list[str] = []
    streams = _streams(path, head, cut)
    acc_path, paired = path, False
    if not streams["acc"][0] or not streams["gyr"][0]:
        other = partner(path)
        have, need = ("accelerometer", "gyroscope") if streams["acc"][0] else ("gyroscope", "accelerometer")
        if other is None:
            raise RecordingError(f"{path}: {TITLE}: only {have} data and no {need} file to pair with (same name with acc/gyro)")
        other_streams = _streams(other, None, cut)
        for role in _KEYS:
            if not streams[role][0]:
                streams[role] = other_streams[role]
        if not streams["acc"][0] or not streams["gyr"][0]:
            raise RecordingError(f"{path}: {TITLE}: {other} holds no {need} data either")
        acc_path, paired = (path if role_of(path) == "acc" else other), True
    acc_t_s, acc, warnings = _samples_of(*streams["acc"], "accelerometer")
    gyr_t_s, gyr, gyr_warnings = _samples_of(*streams["gyr"], "gyroscope")
    if np.array_equal(acc_t_s, gyr_t_s):
        samples, merge_warnings = Samples(acc_t_s - acc_t_s[0], acc, gyr), []
    else:
        samples, _, merge_warnings = merge_by_time(acc_path, acc_t_s, acc, gyr_t_s, gyr)
    sidecar = None if _is_json(acc_path, head) else acc_path.with_suffix(".json")
    name = pair_name(acc_path) if paired else path.stem
    return VendorData(samples, SENSOR, name, None, sidecar, cut + warnings + gyr_warnings + merge_warnings, acc_path)

"""Movella (Xsens) DOT CSV exports: optional preamble lines, then
``PacketCounter,SampleTimeFine,…,Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z,…``.

``Acc_*`` are in m/s² and ``Gyr_*`` in deg/s (Movella DOT user manual, data outputs). ``SampleTimeFine``
is the sensor clock in µs as an unsigned 32-bit count: it wraps to 0 after 2**32 µs (~71.6 min) and
is unwrapped here. ``started_at``: the first sample's ``UTC_Year..UTC_Second`` (+ ``UTC_Nano``) columns
when present, else the DOT app's preamble line ``StartTime: ,2021-08-30_17:05:05_000 GMT+8``. Leading
rows whose Acc and Gyr are all exactly 0 (the app writes one before the first real sample) are dropped.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.vendor.common import LINE, VendorData, clean_time, find_column, read_columns, split_header
from sensorkit.samples import Samples

SENSOR = "movella-dot"
TITLE = "Movella DOT CSV"
WRAP_US = 2**32
#: DOT recording rates reach 120 Hz; a faster clock means SampleTimeFine is not in µs
MAX_RATE_HZ = 1000.0
_MAX_PREAMBLE_LINES = 64
_HEADER = re.compile(r"\s*\"?PacketCounter\"?\s*,.*SampleTimeFine", re.IGNORECASE)
_UTC = ("UTC_Year", "UTC_Month", "UTC_Day", "UTC_Hour", "UTC_Minute", "UTC_Second")
#: DOT app preamble: "StartTime: ,2021-08-30_17:05:05_000 GMT+8" (local time, ms, zone)
_START = re.compile(r"\s*StartTime:\s*,\s*(\d{4}-\d\d-\d\d)_(\d\d:\d\d:\d\d)_(\d{3})\s*(?:GMT|UTC)"
                    r"(?:([+-])(\d{1,2})(?::?(\d\d))?)?\s*$", re.IGNORECASE)


def header_line(head: str) -> int | None:
    """1-based number of the header line within the file's first lines, or None."""
    for number, line in enumerate(head.split("\n")[:_MAX_PREAMBLE_LINES], start=1):
        if _HEADER.match(line):
            return number
    return None


def sniff(path: Path, head: str) -> bool:
    return header_line(head) is not None


def preamble_start(head: str, line: int) -> datetime | None:
    """The ``StartTime`` of the preamble before header line ``line``, as an aware datetime, or None."""
    for text in head.split("\n")[: line - 1]:
        match = _START.match(text.rstrip("\r"))
        if match:
            date, clock, ms, sign, hours, minutes = match.groups()
            offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0)) * (-1 if sign == "-" else 1)
            try:
                moment = datetime.fromisoformat(f"{date}T{clock}.{ms}")
            except ValueError:
                return None
            return moment.replace(tzinfo=timezone(offset))
    return None


def unwrap_us(ticks: np.ndarray) -> np.ndarray:
    """Unwrap a uint32 µs counter: every step below -2**31 µs is a wrap (adds 2**32 µs from there on)."""
    ticks = np.asarray(ticks, dtype=np.int64)
    wraps = np.concatenate([[0], np.cumsum(np.diff(ticks) < -(WRAP_US // 2))])
    return ticks + wraps * WRAP_US


def read(path: Path, head: str) -> VendorData:
    line = header_line(head)
    names = split_header(head.split("\n")[line - 1], ",")
    columns = {"time": find_column(path, names, r"SampleTimeFine", "SampleTimeFine", line)}
    lowered = [name.lower() for name in names]
    if "acc_x" not in lowered and "freeacc_x" in lowered:
        raise RecordingError(
            f"{path}: line {line}: only FreeAcc_X/Y/Z (gravity removed), no Acc_X/Y/Z; export a payload that"
            f" includes Acc_X/Y/Z (acceleration with gravity)"
        )
    for kind, prefix in (("acc", "Acc"), ("gyr", "Gyr")):
        for axis in "XYZ":
            columns[f"{kind}{axis}"] = find_column(path, names, rf"{prefix}_{axis}", f"{prefix}_{axis}", line)
    utc_present = all(any(n.lower() == u.lower() for n in names) for u in _UTC)
    if utc_present:
        for name in _UTC:
            columns[name] = find_column(path, names, name, name, line)
        if "utc_nano" in lowered:
            columns["nano"] = lowered.index("utc_nano")
    cut: list[str] = []
    table = read_columns(path, line, ",", columns, integer=[name for name in ("time", "nano") if name in columns],
                         warnings=cut)
    if len(table["time"]) == 0:
        raise RecordingError(f"{path}: no samples after the header on line {line}")
    if table["time"].min() < 0 or table["time"].max() >= WRAP_US:
        raise RecordingError(f"{path}: column SampleTimeFine: values outside 0..2**32-1 µs; not a DOT sample clock")
    us = unwrap_us(table["time"])
    acc = np.column_stack([table[f"acc{a}"] for a in "XYZ"])
    gyr = np.column_stack([table[f"gyr{a}"] for a in "XYZ"])
    t_s, keep, warnings = clean_time(path, (us - us[0]) / 1e6, "sample", header_line=line, lines=table[LINE],
                                     values=np.hstack([acc, gyr]))
    warnings = cut + warnings
    blank = int(np.argmax(np.any(np.hstack([acc, gyr]) != 0, axis=1) & keep))  # first kept row that is not all 0
    keep[:blank] = False
    if blank > 1:  # the DOT app writes one such row; more is worth a word
        warnings.append(f"{path}: line {table[LINE][0]}: {blank} leading samples with Acc and Gyr all 0 dropped (placeholders, not measurements)")
    first = int(np.argmax(keep))
    started_at = _utc_start(path, line, table, first, warnings) if utc_present else None
    if started_at is None:
        start = preamble_start(head, line)
        started_at = None if start is None else start + timedelta(seconds=float(t_s[first]))
    samples = Samples(t_s[keep] - t_s[first], acc[keep], gyr[keep])
    if len(samples) > 1 and samples.sample_rate_hz > MAX_RATE_HZ:
        warnings.append(
            f"{path}: column SampleTimeFine: steps imply {samples.sample_rate_hz:.0f} Hz, above the DOT's {MAX_RATE_HZ:.0f} Hz;"
            f" is the clock in µs?"
        )
    return VendorData(samples, SENSOR, path.stem, started_at, path.with_suffix(".json"), warnings)


def _utc_start(path: Path, line: int, table: dict[str, np.ndarray], row: int, warnings: list[str]) -> datetime | None:
    """UTC time of data row ``row`` from the ``UTC_*`` columns (+ ``nano`` when read; a warning and
    None when invalid)."""
    try:
        started_at = datetime(*[int(table[name][row]) for name in _UTC], tzinfo=timezone.utc)
        if "nano" in table:
            started_at += timedelta(microseconds=int(table["nano"][row]) // 1000)
        return started_at
    except (ValueError, OverflowError):
        warnings.append(f"{path}: line {table[LINE][row]}: UTC columns do not form a valid time; started_at not taken from the file")
        return None

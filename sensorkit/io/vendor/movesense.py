"""Movesense Showcase exports of ``/Meas/IMU6`` (or ``/Meas/Acc`` + ``/Meas/Gyro``) data.

Each notification (packet) carries one ``Timestamp`` (device clock, ms, of the packet's first
sample) and several samples: ``ArrayAcc`` (m/s²) and ``ArrayGyro`` (deg/s), lists of ``{x, y, z}``.

- JSON: every object anywhere in the document holding ``Timestamp`` and ``ArrayAcc`` and/or
  ``ArrayGyro`` is a packet (so ``{"Body": {...}}`` notifications, ``{"data": [{"imu": {...}}]}``
  and plain lists of packets all read the same).
- CSV: a ``Timestamp`` column (ms) with acceleration and gyro columns per sample
  (e.g. ``Timestamp,AccX,AccY,AccZ,GyroX,GyroY,GyroZ``); consecutive rows with the same
  timestamp are one packet.

The samples of a packet are spread evenly from its timestamp to the next packet's (the last packet
uses the median step). Acc-only and gyro-only packets are merged by time like paired files.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.files import describe_os_error
from sensorkit.io.vendor.common import (
    VendorData, clean_time, find_column, merge_by_time, read_columns, split_header, spread_packets,
)
from sensorkit.samples import Samples

SENSOR = "movesense-showcase"
TITLE = "Movesense Showcase JSON/CSV"
_CSV_TIME = r"(?:timestamp|time)(?: ?\(ms\))?"
_CSV_AXIS = r"(?:array)?{kind}[ ._]?{axis}(?: ?\([^)]*\))?"


def sniff(path: Path, head: str) -> bool:
    if path.suffix.lower() == ".json" or head.lstrip()[:1] in ("{", "["):
        return '"ArrayAcc"' in head or '"ArrayGyro"' in head
    first = head.split("\n", 1)[0].lower()
    return "timestamp" in first and "acc" in first and "gyr" in first and "," in first


def _packets(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if "Timestamp" in node and ("ArrayAcc" in node or "ArrayGyro" in node):
            yield node
            return
        for value in node.values():
            yield from _packets(value)
    elif isinstance(node, list):
        for value in node:
            yield from _packets(value)


def _vectors(path: Path, packet_index: int, key: str, items: Any) -> list[list[float]]:
    try:
        return [[float(item["x"]), float(item["y"]), float(item["z"])] for item in items]
    except (TypeError, KeyError, ValueError):
        raise RecordingError(f"{path}: packet {packet_index + 1}: {key} must be a list of {{x, y, z}} numbers") from None


def _stream(path: Path, stamps_ms: list[float], blocks: list[list[list[float]]], what: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    counts = np.array([len(block) for block in blocks])
    t_s = spread_packets(path, np.asarray(stamps_ms, dtype=np.float64) / 1000.0, counts, what)
    values = np.array([v for block in blocks for v in block], dtype=np.float64).reshape(-1, 3)
    keep, warnings = clean_time(path, t_s, what)
    return t_s[keep], values[keep], warnings


def _read_json(path: Path) -> tuple[Samples, list[str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{path}: line {exc.lineno}: column {exc.colno}: invalid JSON: {exc.msg}") from None
    streams: dict[str, tuple[list[float], list[list[list[float]]]]] = {"ArrayAcc": ([], []), "ArrayGyro": ([], [])}
    for index, packet in enumerate(_packets(document)):
        stamp = packet["Timestamp"]
        if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
            raise RecordingError(f"{path}: packet {index + 1}: Timestamp {stamp!r} is not a number (ms)")
        for key, (stamps, blocks) in streams.items():
            if key in packet:
                stamps.append(float(stamp))
                blocks.append(_vectors(path, index, key, packet[key]))
    if not streams["ArrayAcc"][0] or not streams["ArrayGyro"][0]:
        missing = "ArrayAcc" if not streams["ArrayAcc"][0] else "ArrayGyro"
        raise RecordingError(f"{path}: no packets with {missing}; a recording needs both accelerometer and gyroscope")
    acc_t_s, acc, warnings = _stream(path, *streams["ArrayAcc"], "accelerometer")
    gyr_t_s, gyr, gyr_warnings = _stream(path, *streams["ArrayGyro"], "gyroscope")
    if len(acc_t_s) == len(gyr_t_s) and np.array_equal(acc_t_s, gyr_t_s):
        return Samples(acc_t_s - acc_t_s[0], acc, gyr), warnings
    samples, _, merge_warnings = merge_by_time(path, acc_t_s, acc, gyr_t_s, gyr)
    return samples, warnings + gyr_warnings + merge_warnings


def _read_csv(path: Path, head: str) -> tuple[Samples, list[str]]:
    names = split_header(head.split("\n", 1)[0], ",")
    columns = {"time": find_column(path, names, _CSV_TIME, "Timestamp (ms)", 1)}
    for kind, pattern in (("acc", "acc"), ("gyr", "gyro?")):
        for axis in "xyz":
            columns[f"{kind}{axis}"] = find_column(path, names, _CSV_AXIS.format(kind=pattern, axis=axis), f"{kind} {axis}", 1)
    table = read_columns(path, 1, ",", columns)
    stamps_ms = table["time"]
    if len(stamps_ms) == 0:
        raise RecordingError(f"{path}: no samples after the header")
    starts = np.flatnonzero(np.concatenate([[True], np.diff(stamps_ms) != 0]))
    counts = np.diff(np.concatenate([starts, [len(stamps_ms)]]))
    t_s = spread_packets(path, stamps_ms[starts] / 1000.0, counts, "packet")
    keep, warnings = clean_time(path, t_s, "sample")
    acc = np.column_stack([table[f"acc{a}"] for a in "xyz"])
    gyr = np.column_stack([table[f"gyr{a}"] for a in "xyz"])
    t_s = t_s[keep]
    return Samples(t_s - t_s[0], acc[keep], gyr[keep]), warnings


def read(path: Path, head: str) -> VendorData:
    if path.suffix.lower() == ".json" or head.lstrip()[:1] in ("{", "["):
        samples, warnings = _read_json(path)
        return VendorData(samples, SENSOR, path.stem, None, None, warnings)
    samples, warnings = _read_csv(path, head)
    return VendorData(samples, SENSOR, path.stem, None, path.with_suffix(".json"), warnings)

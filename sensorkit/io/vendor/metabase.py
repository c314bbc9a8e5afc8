"""MbientLab MetaBase CSV exports: one file per sensor (accelerometer in g, gyroscope in deg/s).

Header generations (see VENDOR_FORMATS.md):
``epoch (ms),time (-13:00),elapsed (s),x-axis (g),...``, ``epoc (ms),timestamp (-0700),elapsed (s),...``
and ``epoc (ms),timestamp (GMT-04:00),elapsed (s),...``. The epoch column (Unix ms, UTC) is the clock;
the offset in the time column's name gives ``started_at`` its zone.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.vendor.common import (LINE, VendorData, clean_time, find_column, merge_by_time, read_columns, split_header,
                                        spread_packets)
from sensorkit.io.vendor.pairs import accelerometer_and_gyroscope, pair_name
from sensorkit.samples import GRAVITY_MS2

SENSOR = "mbientlab-metabase"
TITLE = "MbientLab MetaBase CSV"
_EPOCH = r"epoch? \(ms\)"
#: "time (-13:00)", "time (01:00)", "timestamp (-0700)", "timestamp (GMT-04:00)", "timestamp (GMT)"
_CLOCK = re.compile(r"(?:time|timestamp) \((?:GMT|UTC)?(?:([+-]?)(\d\d):?(\d\d))?\)", re.IGNORECASE)
_AXIS = r"{axis}-axis \({unit}\)"
#: other sensors a MetaBase session exports next to the accelerometer and gyroscope (never recordings)
OTHER_SENSORS = re.compile(
    r"(?:^|[_\-. ])(magnetometer|quaternion|euler[ _]?angles|gravity|linear[ _]?acceleration|temperature|pressure"
    r"|illuminance|humidity|ambient[ _]?light|proximity|color)(?:$|[_\-. ])", re.IGNORECASE)
_ACC_UNIT = r"g"
_GYR_UNIT = r"(?:deg/s|°/s|dps)"


def sniff(path: Path, head: str) -> bool:
    first = head.split("\n", 1)[0].lower()
    return bool(re.match(r"\s*\"?epoch? \(ms\),", first))


def _read_one(path: Path, unit: str, what: str) -> tuple[np.ndarray, np.ndarray, timezone | None, list[str]]:
    """(epoch ms, (n, 3) values as written, header time zone, warnings) of one MetaBase file."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        names = split_header(handle.readline(), ",")
    columns = {"epoch": find_column(path, names, _EPOCH, "epoch (ms)", 1)}
    for axis in "xyz":
        columns[axis] = find_column(path, names, _AXIS.format(axis=axis, unit=unit), f"{axis}-axis {what}", 1)
    zone = None
    for name in names:
        match = _CLOCK.fullmatch(name)
        if match:
            sign = -1 if match.group(1) == "-" else 1
            hours, minutes = int(match.group(2) or 0), int(match.group(3) or 0)
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    cut: list[str] = []
    table = read_columns(path, 1, ",", columns, warnings=cut)
    epoch_ms = table["epoch"]
    values = np.column_stack([table[axis] for axis in "xyz"])
    packed = _spread_packed(path, epoch_ms, what)
    if packed is not None:
        return packed, values, zone, cut
    read_s = (epoch_ms - epoch_ms[0]) / 1000.0 if len(epoch_ms) else epoch_ms
    t_s, keep, warnings = clean_time(path, read_s, what, lines=table[LINE], values=values)
    if t_s is not read_s:  # (re-timed: jitter untangled, or a packet's samples spread)
        epoch_ms = epoch_ms[0] + 1000.0 * t_s
    return epoch_ms[keep], values[keep], zone, cut + warnings


def _spread_packed(path: Path, epoch_ms: np.ndarray, what: str) -> np.ndarray | None:
    """Epoch ms per row of a packed stream, or None when the file is not one.

    Streamed "packed" data (MetaBase 2018 exports) gives every sample of a BLE packet the packet's
    timestamp: runs of 2-3 rows share one epoch. When most timestamps start such a run, the rows of
    each run are spread evenly up to the next run's timestamp (the last run uses the median step).
    """
    if len(epoch_ms) < 2:
        return None
    starts = np.flatnonzero(np.concatenate([[True], np.diff(epoch_ms) != 0]))
    counts = np.diff(np.append(starts, len(epoch_ms)))
    stamps = epoch_ms[starts]
    if 2 * int((counts > 1).sum()) < len(counts) or (np.diff(stamps) < 0).any():
        return None  # single samples with a few repeats, or time going backwards: clean_time decides (and repairs)
    return stamps[0] + 1000.0 * spread_packets(path, (stamps - stamps[0]) / 1000.0, counts, what)


def is_other_sensor(path: Path, head: str) -> bool:
    """A MetaBase file of a sensor other than the accelerometer/gyroscope (magnetometer, fusion...)."""
    return bool(OTHER_SENSORS.search(path.stem)) and sniff(path, head)


def read(path: Path, head: str) -> VendorData:
    if is_other_sensor(path, head):
        raise RecordingError(
            f"{path}: an {TITLE} file of another sensor ({OTHER_SENSORS.search(path.stem).group(1)}); a recording is an"
            f" …Accelerometer… file with its …Gyroscope… file"
        )
    acc_path, gyr_path = accelerometer_and_gyroscope(path, TITLE)
    acc_ms, acc_g, zone, warnings = _read_one(acc_path, _ACC_UNIT, "accelerometer (g)")
    gyr_ms, gyr_dps, _, gyr_warnings = _read_one(gyr_path, _GYR_UNIT, "gyroscope (deg/s)")
    origin_ms = min(acc_ms[0], gyr_ms[0])  # subtracted first: epoch seconds as float lose µs
    samples, start_s, merge_warnings = merge_by_time(
        acc_path, (acc_ms - origin_ms) / 1000.0, acc_g * GRAVITY_MS2, (gyr_ms - origin_ms) / 1000.0, gyr_dps
    )
    start_ms = origin_ms + round(start_s * 1000.0)
    started_at = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=start_ms)).astimezone(zone or timezone.utc)
    return VendorData(samples, SENSOR, pair_name(acc_path), started_at, acc_path.with_suffix(".json"),
                      warnings + gyr_warnings + merge_warnings, acc_path)

"""Polar Sensor Logger exports: ``…_ACC.txt`` (mG) and ``…_GYRO.txt`` (deg/s), ';'-separated.

Header: ``Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]`` (gyro ``X [dps]``). The
sensor timestamp (ns since 2000-01-01, the Polar SDK's epoch) is the clock for ``t``. ``started_at``
comes from the phone timestamp of the first accelerometer row (ISO local time without a zone, read
in this computer's zone, with a warning unless the user's sidecar gives ``started_at``, which then
holds) because a sensor whose clock was never set counts from an arbitrary point; only without a
readable phone timestamp does the sensor clock (taken as UTC) give it.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from sensorkit.io.meta import in_this_computer_zone
from sensorkit.io.vendor.common import (LINE, VendorData, clean_time, find_column, merge_by_time, read_columns,
                                        sidecar_gives_start, split_header)
from sensorkit.io.vendor.pairs import accelerometer_and_gyroscope, pair_name
from sensorkit.samples import GRAVITY_MS2

SENSOR = "polar-sensor-logger"
TITLE = "Polar Sensor Logger"
POLAR_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
_SENSOR_TIME = r"sensor timestamp \[ns\]"


def sniff(path: Path, head: str) -> bool:
    first = head.split("\n", 1)[0].lower()
    return ";" in first and "sensor timestamp [ns]" in first


def _first_phone_time(path: Path, names: list[str], first_row: str) -> tuple[datetime | None, list[str]]:
    """The phone timestamp of the first data row as a local time (or None), and a warning when it
    had no zone, so that it was read in this computer's."""
    phone = [i for i, n in enumerate(names) if n.lower() == "phone timestamp"]
    cells = first_row.rstrip("\r\n").split(";")
    if not phone or len(cells) <= phone[0]:
        return None, []
    written = cells[phone[0]].strip()
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        return None, []
    if moment.tzinfo is not None:
        return moment, []
    moment, offset = in_this_computer_zone(moment)
    return moment, [f"{path}: the phone timestamp ({written}) has no time zone; read in this computer's"
                    f" ({offset}): {PHONE_ZONE_ADVICE}"]


#: what the warning of a phone time without a zone advises (a report, knowing the patient's zone, reads
#: the time there instead and says so)
PHONE_ZONE_ADVICE = ("if the phone was in another, give the session's started_at with its UTC offset in a"
                     " sidecar (NAME.json); a report reads it in the patient's time zone")


def _line_text(path: Path, number: int) -> str:
    """The text of the file's line ``number`` (1-based)."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for index, line in enumerate(handle, start=1):
            if index == number:
                return line
    return ""


def _read_one(path: Path, unit: str, what: str,
              dated: bool | None = True) -> tuple[np.ndarray, np.ndarray, datetime | None, list[str], bool]:
    """(ns since the Polar epoch as int64, (n, 3) values as written, phone time of row 1, warnings,
    whether that phone time had no zone); ``dated``: True, the file's phone time dates the session
    (its zone is warned about); False, the accelerometer file's whose start a sidecar's
    ``started_at`` overrides (not warned about); None, the gyroscope file's (not used)."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        names = split_header(handle.readline(), ";")
    columns = {"ns": find_column(path, names, _SENSOR_TIME, "sensor timestamp [ns]", 1)}
    for axis in "XYZ":
        columns[axis] = find_column(path, names, rf"{axis} \[{unit}\]", f"{axis} {what}", 1)
    cut: list[str] = []
    table = read_columns(path, 1, ";", columns, integer=("ns",), warnings=cut)
    # (the phone time of the first row read: a malformed line left out, or blank lines, before it are passed over)
    phone_time, zone = _first_phone_time(path, names, _line_text(path, int(table[LINE][0])) if len(table[LINE]) else "")
    no_zone = bool(zone) and dated is not None
    zone = zone if dated else []
    ns = table["ns"].astype(np.int64)
    values = np.column_stack([table[axis] for axis in "XYZ"])
    read_s = (ns - ns[0]) / 1e9 if len(ns) else ns.astype(float)
    t_s, keep, warnings = clean_time(path, read_s, what, lines=table[LINE], values=values)
    if t_s is not read_s:  # (re-timed: jitter untangled, or a packet's samples spread; in whole ns)
        ns = ns[0] + np.round(t_s * 1e9).astype(np.int64)
    if len(ns) and not keep[0]:
        phone_time, zone, no_zone = None, [], False
    return ns[keep], values[keep], phone_time, cut + warnings + zone, no_zone


def read(path: Path, head: str) -> VendorData:
    acc_path, gyr_path = accelerometer_and_gyroscope(path, TITLE)
    sidecar = acc_path.with_suffix(".json")
    # (a user's sidecar giving started_at overrides the phone time: its zone is then no question)
    dated = not sidecar_gives_start(sidecar)
    acc_ns, acc_mg, phone_time, warnings, no_zone = _read_one(acc_path, "mg", "accelerometer [mg]", dated)
    gyr_ns, gyr_dps, _, gyr_warnings, _ = _read_one(gyr_path, "dps", "gyroscope [dps]", dated=None)
    origin_ns = min(int(acc_ns[0]), int(gyr_ns[0]))
    samples, start_s, merge_warnings = merge_by_time(
        acc_path, (acc_ns - origin_ns) / 1e9, acc_mg * (GRAVITY_MS2 / 1000.0), (gyr_ns - origin_ns) / 1e9, gyr_dps
    )
    start_ns = origin_ns + round(start_s * 1e9)
    if phone_time is not None:  # the phone's clock at the first accelerometer row, moved to the first kept sample
        started_at = phone_time + timedelta(microseconds=(start_ns - int(acc_ns[0])) // 1000)
    else:
        started_at = POLAR_EPOCH + timedelta(microseconds=start_ns // 1000)
    return VendorData(samples, SENSOR, pair_name(acc_path), started_at, sidecar,
                      warnings + gyr_warnings + merge_warnings, acc_path, started_at_without_offset=no_zone)

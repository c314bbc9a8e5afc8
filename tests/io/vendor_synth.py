"""Write known samples in each vendor layout (as the vendor apps write them) for the vendor reader tests."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from sensorkit.samples import GRAVITY_MS2, Samples

METABASE_HEADERS = {  # generation -> (epoch column, clock column)
    "time": ("epoch (ms)", "time (-13:00)"),
    "time_unsigned": ("epoch (ms)", "time (01:00)"),
    "timestamp_hhmm": ("epoc (ms)", "timestamp (-0700)"),
    "timestamp_gmt": ("epoc (ms)", "timestamp (GMT+05:30)"),
}
METABASE_ZONES = {"time": -timedelta(hours=13), "time_unsigned": timedelta(hours=1), "timestamp_hhmm": -timedelta(hours=7),
                  "timestamp_gmt": timedelta(hours=5, minutes=30)}


def write_metabase(folder: Path, samples: Samples, generation: str, start_epoch_ms: int,
                   gyro_rows: slice = slice(None), stem: str = "MetaWear_2026-11-24T09.30.00.000_C5A2F2B4A0B1") -> tuple[Path, Path]:
    """Accelerometer (g, 4 decimals) and gyroscope (deg/s, 3 decimals) files; returns (acc, gyro) paths."""
    epoch_name, clock_name = METABASE_HEADERS[generation]
    zone = timezone(METABASE_ZONES[generation])
    epoch_ms = start_epoch_ms + np.round(samples.t * 1000).astype(np.int64)
    paths = []
    for sensor, values, unit, digits, rows in (("Accelerometer", samples.acc / GRAVITY_MS2, "g", 4, slice(None)),
                                               ("Gyroscope", samples.gyr, "deg/s", 3, gyro_rows)):
        lines = [f"{epoch_name},{clock_name},elapsed (s),x-axis ({unit}),y-axis ({unit}),z-axis ({unit})"]
        first_ms = int(epoch_ms[rows][0])
        for ms, row in zip(epoch_ms[rows].tolist(), values[rows].tolist()):
            clock = datetime.fromtimestamp(ms / 1000, tz=zone).strftime("%Y-%m-%dT%H.%M.%S.%f")[:-3]
            lines.append(f"{ms},{clock},{(ms - first_ms) / 1000:.3f}," + ",".join(f"{v:.{digits}f}" for v in row))
        path = folder / f"{stem}_{sensor}_1.4.4.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def write_polar(folder: Path, samples: Samples, start_ns: int, stem: str = "Polar_Sense_B5A3F12C_20261124_093000") -> tuple[Path, Path]:
    """ACC (integer mG) and GYRO (dps, 3 decimals) ``.txt`` files; ns since 2000-01-01."""
    ns = start_ns + np.round(samples.t * 1e9).astype(np.int64)
    phone0 = datetime(2026, 11, 24, 10, 30)
    paths = []
    for sensor, values, unit, fmt in (("ACC", samples.acc / GRAVITY_MS2 * 1000, "mg", "{:.0f}"),
                                      ("GYRO", samples.gyr, "dps", "{:.3f}")):
        lines = [f"Phone timestamp;sensor timestamp [ns];X [{unit}];Y [{unit}];Z [{unit}]"]
        for stamp, t_s, row in zip(ns.tolist(), samples.t.tolist(), values.tolist()):
            phone = (phone0 + timedelta(seconds=t_s)).isoformat(timespec="milliseconds")
            lines.append(f"{phone};{stamp};" + ";".join(fmt.format(v) for v in row))
        path = folder / f"{stem}_{sensor}.txt"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def write_movella(path: Path, samples: Samples, first_tick_us: int, utc_start: datetime | None = None) -> Path:
    """A DOT export: preamble, header, SampleTimeFine as uint32 µs (wrapping), Acc m/s², Gyr deg/s."""
    ticks = (first_tick_us + np.round(samples.t * 1e6).astype(np.int64)) % 2**32
    utc = ",UTC_Nano,UTC_Year,UTC_Month,UTC_Day,UTC_Hour,UTC_Minute,UTC_Second,UTC_Valid" if utc_start else ""
    lines = ["DOT app version: 2024.1.0", "Firmware version: 2.6.0", "Device tag: left ankle",
             "Filter profile: General", "Payload: Custom Mode 4", "",
             "PacketCounter,SampleTimeFine,Quat_W,Quat_X,Quat_Y,Quat_Z,Acc_X,Acc_Y,Acc_Z,Gyr_X,Gyr_Y,Gyr_Z" + utc]
    for index, (tick, t_s, acc, gyr) in enumerate(zip(ticks.tolist(), samples.t.tolist(), samples.acc.tolist(), samples.gyr.tolist())):
        extra = ""
        if utc_start:
            moment = utc_start + timedelta(seconds=t_s)
            extra = f",{moment.microsecond * 1000},{moment.year},{moment.month},{moment.day},{moment.hour},{moment.minute},{moment.second},7"
        lines.append(f"{index % 65536},{tick},1,0,0,0," + ",".join(f"{v:.6f}" for v in acc + gyr) + extra)
    path.write_text("\n".join(lines) + "\n")
    return path


def movesense_packets(samples: Samples, per_packet: int, first_ms: int = 123456) -> list[dict]:
    """IMU6 notifications: ms ``Timestamp`` of each packet's first sample, ``per_packet`` samples each."""
    packets = []
    for start in range(0, len(samples) - per_packet + 1, per_packet):
        rows = slice(start, start + per_packet)
        packets.append({
            "Timestamp": first_ms + int(round(samples.t[start] * 1000)),
            "ArrayAcc": [dict(zip("xyz", v)) for v in np.round(samples.acc[rows], 6).tolist()],
            "ArrayGyro": [dict(zip("xyz", v)) for v in np.round(samples.gyr[rows], 6).tolist()],
        })
    return packets


def write_movesense_json_lines(folder: Path, samples: Samples, per_packet: int, stem: str = "20261124T093000Z_212345678") -> tuple[Path, Path]:
    """Showcase recorder files: JSON Lines, one event per line, accelerometer and gyroscope in separate files."""
    paths = []
    for sensor, key, array in (("acc", "acc", "ArrayAcc"), ("gyro", "gyroscope", "ArrayGyro")):
        lines = [json.dumps({key: {"Timestamp": p["Timestamp"], array: p[array]}}) for p in movesense_packets(samples, per_packet)]
        path = folder / f"{stem}_{sensor}.json"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths[0], paths[1]


def write_movesense_imu6_json(path: Path, samples: Samples, per_packet: int) -> Path:
    """One JSON document of IMU6 notifications (acc and gyro in each packet)."""
    body = {"Meas": {"IMU6": [{"Body": packet, "Uri": "ECKI/Meas/IMU6/104"} for packet in movesense_packets(samples, per_packet)]}}
    path.write_text(json.dumps(body))
    return path


def write_movesense_csv(folder: Path, samples: Samples, per_packet: int, stem: str = "20261124T093000Z_212345678") -> tuple[Path, Path]:
    """Showcase "convert to CSV" files: ``timestamp,x,y,z``, the timestamp only on a packet's first sample."""
    paths = []
    for sensor, array in (("acc", "ArrayAcc"), ("gyro", "ArrayGyro")):
        lines = ["timestamp,x,y,z"]
        for packet in movesense_packets(samples, per_packet):
            for index, v in enumerate(packet[array]):
                stamp = str(packet["Timestamp"]) if index == 0 else ""
                lines.append(f"{stamp},{v['x']:.6f},{v['y']:.6f},{v['z']:.6f}")
        path = folder / f"{stem}_{sensor}.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths[0], paths[1]

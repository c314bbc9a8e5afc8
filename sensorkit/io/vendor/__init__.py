"""Vendor exports read like canonical recordings: detection from the content, conversion to canonical units.

    data = read_vendor(path)   # VendorData or None when no supported layout matches

Supported (see VENDOR_FORMATS.md for layouts and sources): MbientLab MetaBase CSV (accelerometer +
gyroscope files), Polar Sensor Logger (ACC + GYRO files), Movella DOT CSV, Movesense Showcase JSON/CSV.
"""
from __future__ import annotations

from pathlib import Path

from sensorkit.io.vendor import metabase, movella, movesense, polar
from sensorkit.io.vendor.common import VendorData, head_text

#: detection order: the first whose ``sniff`` accepts the file's head reads it
FORMATS = (metabase, polar, movella, movesense)
SUPPORTED = (
    "supported: sensorkit CSV (t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z), "
    + ", ".join(f.TITLE for f in FORMATS)
    + "; another CSV: rename its columns and convert its units as docs/formats.md, \"Your own CSV\", shows"
)


def detect(path: Path, head: str | None = None):
    """The format module that reads ``path`` (from its first 64 KiB), or None."""
    head = head_text(path) if head is None else head
    for fmt in FORMATS:
        if fmt.sniff(path, head):
            return fmt
    return None


def read_vendor(path: str | Path) -> VendorData | None:
    """The export at ``path`` in canonical units, or None when no supported layout matches.

    Raises :class:`~sensorkit.errors.RecordingError` for a recognised but broken export.
    """
    path = Path(path)
    head = head_text(path)
    fmt = detect(path, head)
    return None if fmt is None else fmt.read(path, head)


__all__ = ["FORMATS", "SUPPORTED", "VendorData", "detect", "read_vendor"]

"""Read a canonical recording (``NAME.csv`` + optional ``NAME.json``) with validation and safe repairs."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sensorkit.errors import RecordingError
from sensorkit.io.checks import check_time_column
from sensorkit.io.csv_table import file_size, find_truncation, line_at_offset, parse_table, read_header
from sensorkit.io.meta import RecordingMeta, load_meta
from sensorkit.io.units import check_units
from sensorkit.samples import Samples


@dataclass
class Recording:
    """One recording: ``name`` is the file stem; ``warnings`` are one-line notes on repairs made."""

    name: str
    path: Path
    samples: Samples
    meta: RecordingMeta
    warnings: list[str] = field(default_factory=list)


def read_recording(path: str | os.PathLike) -> Recording:
    """Read and validate ``NAME.csv`` and its sidecar.

    Raises :class:`~sensorkit.errors.RecordingError` with one line naming the file (and line and
    column where they apply). Repaired, with a warning each: an incomplete last line (a crash
    mid-write) is dropped; a few exactly repeated timestamps keep the first row; unknown columns
    and sidecar keys are ignored (the keys are kept in ``meta.extra``).
    """
    path = Path(path)
    if file_size(path) == 0:
        raise RecordingError(f"{path}: file is empty")
    header = read_header(path)
    meta, warnings = load_meta(path)
    if header.extra_columns:
        names = ", ".join(header.extra_columns)
        warnings.append(f"{path}: line 1: unknown column{'s' if len(header.extra_columns) > 1 else ''} {names} ignored")
    truncation = find_truncation(path, header)
    if truncation:
        line = line_at_offset(path, truncation.offset)
        warnings.append(f"{path}: line {line}: incomplete last line dropped (recording cut short?): it {truncation.reason}")
    values = parse_table(path, header, truncation.offset if truncation else None)
    keep, time_warnings = check_time_column(path, values[:, 0])
    warnings += time_warnings
    samples = Samples.from_array(values if keep is None else values[keep])
    warnings += check_units(path, samples)
    return Recording(name=path.stem, path=path, samples=samples, meta=meta, warnings=warnings)

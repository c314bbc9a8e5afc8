"""Read a canonical recording (``NAME.csv`` + optional ``NAME.json``) with validation and safe repairs."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from pathlib import Path

from sensorkit.errors import NoDataError, RecordingError, escape_controls
from sensorkit.io.checks import check_time_column, check_time_plausible, epoch_start_s
from sensorkit.io.csv_table import file_size, find_truncation, left_out_warning, line_at_offset, parse_table, read_header
from sensorkit.io.files import sidecar_path
from sensorkit.io.meta import RecordingMeta, load_meta, started_at_from_mtime
from sensorkit.io.units import check_units
from sensorkit.io.vendor import SUPPORTED, VendorData, detect, read_vendor
from sensorkit.io.vendor.common import head_text
from sensorkit.samples import Samples

#: bytes read to tell a vendor export from a canonical CSV in :func:`meta_needs_content`
_META_SNIFF_BYTES = 4096


@dataclass
class Recording:
    """One recording: ``name`` is the file stem; ``warnings`` are one-line notes on repairs made."""

    name: str
    path: Path
    samples: Samples
    meta: RecordingMeta
    warnings: list[str] = field(default_factory=list)


def read_recording(path: str | os.PathLike, sidecar: tuple[RecordingMeta, list[str]] | None = None) -> Recording:
    """Read and validate ``NAME.csv`` and its sidecar.

    Raises :class:`~sensorkit.errors.RecordingError` with one line naming the file (and line and
    column where they apply); :class:`~sensorkit.errors.NoDataError` (one) for the record of a
    session that had no samples (the header alone, the sidecar's ``n_samples`` 0:
    :func:`no_data_reason`). Repaired, with a warning each: an incomplete last line (a crash
    mid-write) is dropped; malformed data lines (a cell not a finite number, a NUL byte, fields
    missing), up to 1 % of them and not all, are left out as lost samples (one warning naming the
    first); ``t``'s clock: steps back of less than a sample period (jitter) re-timed, times stamped
    once per packet spread over their samples, a few exactly repeated timestamps keep the first row
    (:func:`~sensorkit.io.checks.check_time_column`); unknown columns
    and sidecar keys are ignored (the keys are kept in ``meta.extra``). ``sidecar``: what
    :func:`~sensorkit.io.meta.load_meta` gave for this canonical CSV, when the caller has read it
    already (not read again; its meta is the recording's); a vendor export reads its own.
    """
    path = Path(path)
    if file_size(path) == 0:
        raise RecordingError(f"{path}: file is empty")
    if path.suffix.lower() == ".json":
        return _vendor_recording(path, _read_vendor_or_fail(path, None))
    try:
        header = read_header(path)
    except RecordingError as exc:  # not the canonical header: maybe a vendor export
        return _vendor_recording(path, _read_vendor_or_fail(path, exc))
    meta, warnings = load_meta(path) if sidecar is None else (sidecar[0], list(sidecar[1]))
    if header.extra_columns:
        names = ", ".join(header.extra_columns)
        names = names if len(names) <= 200 else f"{names[:150]}... ({len(header.extra_columns)} in all)"
        warnings.append(f"{path}: line 1: unknown column{'s' if len(header.extra_columns) > 1 else ''} {names} ignored")
    truncation = find_truncation(path, header)
    if truncation:
        line = line_at_offset(path, truncation.offset)
        warnings.append(f"{path}: line {line}: incomplete last line dropped (recording cut short?): it {truncation.reason}")
    table = parse_table(path, header, truncation.offset if truncation else None)
    values = table.values
    if table.left_out:
        warnings.append(left_out_warning(path, table.left_out))
    if not len(values) and not truncation and meta.n_samples == 0:
        received = (meta.stream or {}).get("received_samples")
        if meta.write_error is not None or received:  # (samples came and none was saved: lost, a failure)
            said = f"write_error: {meta.write_error}" if meta.write_error is not None else f"stream.received_samples: {received}"
            raise RecordingError(escape_controls(f"{path}: no samples: none of those received was saved "
                                                 f"({sidecar_path(path).name}: {said})"))
        raise NoDataError(no_data_reason(path, meta), meta)
    if truncation and not len(values):
        raise RecordingError(f"{path}: line {line}: no samples: the only data line is incomplete (it {truncation.reason})")
    read_t = values[:, 0]
    t, keep, time_warnings = check_time_column(path, read_t, table.left_out_lines, values)
    warnings += time_warnings
    epoch_s = epoch_start_s(t)
    if epoch_s is not None:  # (times from the first sample, as every output has them; the start from it)
        t = t - epoch_s
        warnings.append(_from_epoch(path, epoch_s, meta))
    if t is not read_t:  # (re-timed: jitter untangled, or a packet's samples spread)
        values[:, 0] = t
    rows = len(values) + len(table.left_out) + (1 if truncation else 0)
    if meta.n_samples is not None and abs(meta.n_samples - rows) > max(2, 0.01 * meta.n_samples):
        warnings.append(f"{sidecar_path(path)}: key n_samples: {meta.n_samples}, but {path.name} holds {rows} data lines:"
                        " the sidecar may belong to another recording, or the file was cut or added to")
    samples = Samples.from_array(values if keep is None else values[keep])
    check_time_plausible(path, samples.t, meta.sample_rate_hz)
    warnings += check_units(path, samples)
    _started_before_written(meta, samples)
    return Recording(name=path.stem, path=path, samples=samples, meta=meta, warnings=_one_line(warnings))


#: what each ``stream.ended_by`` of a session without data says, where its sidecar has no ``stream.error``
_ENDED_BY = {"closed": "stopped by the run before any sample came", "gave_up": "no link within the give-up time",
             "refused": "the sensor would not stream as asked"}


def no_data_reason(path: Path, meta: RecordingMeta) -> str:
    """The one line a recording of a session without data (header only, sidecar ``n_samples`` 0)
    is reported with: the file, and how the session ended as its sidecar says
    (``stream.ended_by``, and ``stream.error`` where there is one)."""
    stream = meta.stream or {}
    ended_by, error = stream.get("ended_by"), stream.get("error")
    how = f" (stream.ended_by {ended_by}: {error or _ENDED_BY.get(ended_by, 'as recorded')})" if ended_by else ""
    return escape_controls(f"{path}: no samples: the session ended before any came{how}")


def _from_epoch(path: Path, epoch_s: float, meta: RecordingMeta) -> str:
    """For a ``t`` column in Unix-epoch seconds, the first at ``epoch_s``: ``meta.started_at`` that
    time where no sidecar gives one (not the file's date), and the warning saying what was done."""
    first = datetime.fromtimestamp(epoch_s, tz=timezone.utc)
    if meta.started_at_from_file_time:
        meta.started_at, meta.started_at_from_file_time = first, False
        start = "started_at is that time"
    else:
        start = f"started_at is the sidecar's ({meta.started_at.isoformat(timespec='seconds')})"
    return (f"{path}: column t: Unix-epoch seconds (first sample {first.isoformat(timespec='seconds')}), not seconds"
            f" since the start: times are counted from the first sample; {start}")


def _started_before_written(meta: RecordingMeta, samples: Samples) -> None:
    """A recording dated by its file's modification time (no ``started_at``) began that long before
    it was last written: the file is written to the end of the recording."""
    if meta.started_at_from_file_time and len(samples):
        meta.started_at = meta.started_at - timedelta(seconds=samples.duration_s)


def read_meta(path: str | os.PathLike) -> RecordingMeta:
    """The metadata of a recording without parsing a canonical CSV (its sidecar; without a
    ``started_at`` there, the file's mtime less the recording's duration, which parses it).

    A vendor export (detected from its first 4 KiB, or any ``.json``) is read whole, since its start
    time and sensor come from its content; its sidecar, when it has one, still overrides.
    """
    path = Path(path)
    if meta_needs_content(path):
        return read_recording(path).meta
    sidecar = load_meta(path)
    if sidecar[0].started_at_from_file_time:  # (its start needs its duration; the sidecar is not read again)
        return read_recording(path, sidecar).meta
    return sidecar[0]


def meta_needs_content(path: str | os.PathLike) -> bool:
    """Does the metadata of ``path`` come from its content (a vendor export: its start time and
    sensor), so that :func:`read_meta` reads it whole? Looks at the name and the first 4 KiB."""
    path = Path(path)
    return path.suffix.lower() == ".json" or detect(path, head_text(path, _META_SNIFF_BYTES)) is not None


def _read_vendor_or_fail(path: Path, canonical_error: RecordingError | None) -> VendorData:
    data = read_vendor(path)
    if data is None:
        if canonical_error is None:
            from sensorkit.io.discover import sidecar_given  # (discover reads vendor layouts: here, not at import)

            if sidecar := sidecar_given(path):  # (a sidecar given for its recording: say so, for every command)
                raise RecordingError(sidecar)
            raise RecordingError(f"{path}: unknown layout (not a supported vendor export); {SUPPORTED}")
        if "header" not in str(canonical_error):  # empty, unreadable: the layout is not the problem
            raise canonical_error
        raise RecordingError(f"{canonical_error}; {SUPPORTED}")
    return data


def _vendor_recording(path: Path, data: VendorData) -> Recording:
    """A Recording from a vendor export: its sidecar (when any) overrides, else the file's own start time."""
    if data.sidecar is None:
        meta, warnings = RecordingMeta(started_at=data.started_at, no_sidecar=True, exercise_assumed=True), []
        if meta.started_at is None:
            meta.started_at, meta.started_at_from_file_time = started_at_from_mtime(path), True
    else:
        meta, warnings = load_meta(path, default_started_at=data.started_at, json_path=data.sidecar)
    if meta.sensor is None:
        meta.sensor = data.sensor
    if data.started_at_without_offset and meta.started_at is data.started_at:
        meta.started_at_without_offset = True  # (the file's own wall-clock time, no sidecar's: a report reads it in the patient's zone)
    warnings += data.warnings
    check_time_plausible(path, data.samples.t, meta.sample_rate_hz)
    warnings += check_units(path, data.samples)
    _started_before_written(meta, data.samples)
    return Recording(name=data.name, path=data.primary or path, samples=data.samples, meta=meta,
                     warnings=_one_line(warnings))


def _one_line(warnings: list[str]) -> list[str]:
    """The warnings with control characters (in a file name) escaped: one line each."""
    return [escape_controls(warning) for warning in warnings]

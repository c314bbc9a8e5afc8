"""Write canonical recordings: whole (:func:`write_recording`) or live and crash-safe (:class:`RecordingWriter`).

Number format: ``t`` with 6 decimals (1 µs), acc with 5 decimals (10 µm/s²), gyr with 4 decimals
(0.0001 deg/s): at least 6 significant digits at the magnitudes a worn IMU sees, '.' decimal point.
"""
from __future__ import annotations

import dataclasses
import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.files import sidecar_path
from sensorkit.io.meta import RecordingMeta, as_meta, meta_from_dict, sidecar_text, write_sidecar
from sensorkit.samples import COLUMNS, Samples

HEADER_LINE = ",".join(COLUMNS) + "\n"
ROW_FORMAT = "%.6f,%.5f,%.5f,%.5f,%.4f,%.4f,%.4f\n"
#: the rounding each column gets on disk (half of one unit in the last written decimal)
WRITTEN_RESOLUTION = np.array([1e-6, 1e-5, 1e-5, 1e-5, 1e-4, 1e-4, 1e-4])
_CHUNK_ROWS = 100_000


def _as_array(samples: Samples | np.ndarray, previous_t_s: float | None) -> np.ndarray:
    """(n, 7) float64 rows, checked: finite, ``t`` never decreasing (also against ``previous_t_s``)."""
    rows = samples.to_array() if isinstance(samples, Samples) else np.asarray(samples, dtype=np.float64).reshape(-1, 7)
    finite = np.isfinite(rows)
    if not finite.all():
        row, column = np.argwhere(~finite)[0]
        raise ValueError(f"sample {row}: column {COLUMNS[column]} is {rows[row, column]}; recordings hold finite numbers only")
    t = rows[:, 0] if previous_t_s is None else np.concatenate([[previous_t_s], rows[:, 0]])
    backwards = np.flatnonzero(np.diff(t) < 0)
    if backwards.size:
        index = int(backwards[0]) + 1
        raise ValueError(f"t goes backwards from {t[index - 1]:.9g} to {t[index]:.9g} s")
    return rows


def _reason(exc: OSError) -> str:
    from sensorkit.io.outputs import reason

    return reason(exc)


#: a field that ROW_FORMAT writes as a negative zero ("-0.00000": a value from -0.000005 to -0.0)
_NEGATIVE_ZERO = re.compile(r"(?<![^,\n])-(0\.0+)(?=[,\n])")


def format_rows(rows: np.ndarray) -> str:
    """CSV text (with line endings) for (n, 7) rows in COLUMNS order; a value that rounds to zero
    is written 0.00000, never with a minus sign."""
    text = "".join(ROW_FORMAT % row for row in map(tuple, rows.tolist()))
    return _NEGATIVE_ZERO.sub(r"\1", text) if "-0.0" in text else text


def write_recording(csv_path: str | os.PathLike, samples: Samples, meta: dict | RecordingMeta | None = None,
                    times_ns: tuple[int, int] | None = None) -> Path:
    """Write ``NAME.csv`` and its ``NAME.json`` sidecar as a pair; returns the CSV path.

    Both are written to hidden temporary files beside them and renamed into place together, the
    sidecar first and the CSV last (the CSV is what a search finds): on an error or Ctrl-C, even
    between the two renames, neither is there (or both are as they were) and no temporary file is
    left. ``times_ns``: the CSV's (access, modification) times in ns, set before it appears.
    ``meta`` is validated like a sidecar (a wrong value type raises :class:`RecordingError`).
    Raises ValueError for NaN/inf samples or ``t`` going backwards, and
    :class:`~sensorkit.io.outputs.OutputError` when a file cannot be written.
    """
    from sensorkit.io.outputs import OutputSet

    csv_path = Path(csv_path)
    meta = as_meta(meta, str(sidecar_path(csv_path)))
    rows = _as_array(samples, None)
    if meta.n_samples is not None:  # keep a recorder's count true for the samples written now
        meta = dataclasses.replace(meta, n_samples=len(rows))
    sidecar = sidecar_text(meta)  # (made before anything is written)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with OutputSet([sidecar_path(csv_path), csv_path]) as outputs:
        outputs.write(sidecar_path(csv_path), sidecar)
        outputs.write(csv_path, HEADER_LINE)
        for start in range(0, len(rows), _CHUNK_ROWS):
            outputs.write(csv_path, format_rows(rows[start : start + _CHUNK_ROWS]))
        if times_ns is not None:
            outputs.set_times(csv_path, times_ns)
    return csv_path


#: bytes of blank space kept at the end of a recording's sidecar while it is written, so that its
#: end (``ended_at``, ``n_samples``, ``write_error``, link statistics) fits in place on a full disk
SIDECAR_RESERVE_BYTES = 16384


def _reserve(path: Path, n_bytes: int) -> None:
    """Blank space (JSON allows it after the value) at the end of ``path``, on disk; none when the
    disk or a file-size limit refuses it (the sidecar is then as it was)."""
    size = path.stat().st_size
    try:
        with open(path, "ab") as handle:
            handle.write(b" " * n_bytes + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        with open(path, "r+b") as handle:
            handle.truncate(size)


def _overwrite_in_place(path: Path, text: str) -> bool:
    """``text`` written over ``path`` from its start, blank-padded to its length (no new disk space
    needed); False when it does not fit, or the write fails."""
    data = text.encode("utf-8")
    try:
        size = path.stat().st_size
        if len(data) > size:
            return False
        with open(path, "r+b") as handle:
            handle.write(data + b" " * (size - len(data)))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        return False
    return True


def taken_reason(csv_path: Path) -> str | None:
    """Why no new recording may be written as ``csv_path`` (the CSV, or its sidecar alone, exists:
    a sidecar left without its recording is someone's notes), or None."""
    if csv_path.exists():
        return f"{csv_path}: already exists; a recording is never overwritten"
    if sidecar_path(csv_path).exists():
        return f"{sidecar_path(csv_path)}: already exists; a recording's sidecar is never overwritten"
    return None


class RecordingWriter:
    """Append samples to ``FOLDER/NAME.csv`` as they arrive, so a crash loses at most ~1 s.

    The sidecar is written at start (``started_at`` = now when not given); rows are buffered and
    written + fsync-ed when ``flush_interval_s`` (wall clock, from ``clock``) has passed since the last
    flush, on :meth:`flush` and on :meth:`close`, which also rewrites the sidecar atomically with
    ``ended_at``, ``n_samples`` and any ``extra_meta`` (e.g. ``gaps``, ``reconnects``). Call
    :meth:`flush_if_due` while no samples arrive. A file cut mid-line by a crash reads back without
    its last, incomplete line.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        name: str,
        meta: dict | RecordingMeta | None = None,
        *,
        flush_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        folder = Path(folder)
        self.path = folder / f"{name}.csv"
        self.meta = dataclasses.replace(as_meta(meta, str(sidecar_path(self.path))))
        if self.meta.started_at is None:
            self.meta.started_at = datetime.now().astimezone()
        self.flush_interval_s = flush_interval_s
        self._clock = clock
        self._pending: list[str] = []
        self._pending_rows = 0
        self._last_t_s: float | None = None
        self.n_samples = 0  # samples appended
        self.n_written = 0  # samples on disk (flushed and fsync-ed)
        self.write_error: str | None = None  # why writing stopped (disk full, ...), once it has
        why = taken_reason(self.path)
        if why:
            raise RecordingError(why)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "x", encoding="utf-8", newline="")
        except FileExistsError:
            raise RecordingError(f"{self.path}: already exists; a recording is never overwritten") from None
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot write: {_reason(exc)}") from None
        try:
            write_sidecar(self.path, self.meta)
            _reserve(sidecar_path(self.path), SIDECAR_RESERVE_BYTES)
            self._file.write(HEADER_LINE)
            self._sync()
        except BaseException as exc:  # (a failed write, or a Ctrl-C between the two files: neither is left)
            self._file.close()
            for made in (self.path, sidecar_path(self.path)):  # (both are this writer's, and empty of data)
                made.unlink(missing_ok=True)
            if not isinstance(exc, OSError):
                raise
            raise RecordingError(f"{self.path}: cannot write: {_reason(exc)}") from None

    @property
    def n_saved_or_pending(self) -> int:
        """Samples on disk, plus those queued for the next flush while writing still works."""
        return self.n_written + (self._pending_rows if self.write_error is None else 0)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._file.closed

    def append(self, samples: Samples | np.ndarray) -> None:
        """Queue a block (Samples or (n, 7) rows); flushes when the interval has passed.

        Raises ValueError for NaN/inf values or ``t`` going backwards (nothing of the block is written).
        """
        if self.closed:
            raise ValueError(f"{self.path}: writer is closed")
        rows = _as_array(samples, self._last_t_s)
        if len(rows):
            self._pending.append(format_rows(rows))
            self._pending_rows += len(rows)
            self._last_t_s = float(rows[-1, 0])
            self.n_samples += len(rows)
        self.flush_if_due()

    def flush_if_due(self) -> bool:
        """Flush if ``flush_interval_s`` has passed since the last flush; returns whether it did."""
        if self._clock() - self._last_flush_s >= self.flush_interval_s:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        """Write the queued rows and fsync them to disk.

        Raises :class:`RecordingError` (one line: the file, the reason, the samples saved) when the
        disk refuses them (full, read-only, a size limit); the writer then writes no more.
        """
        if self.write_error is not None:
            raise RecordingError(f"{self.path}: cannot write: {self.write_error}")
        text, rows = "".join(self._pending), self._pending_rows
        self._pending.clear()
        self._pending_rows = 0
        try:
            if text:
                self._file.write(text)
            self._sync()
        except OSError as exc:
            self.write_error = _reason(exc)
            self.n_written = self._complete_rows_on_disk()  # part of the block may have made it
            raise RecordingError(f"{self.path}: cannot write: {self.write_error}; {self.n_written} samples saved,"
                                 " the recording ends there") from None
        self.n_written += rows

    def _complete_rows_on_disk(self) -> int:
        """Complete data lines in the file as it is on disk (after a write failed part-way)."""
        try:
            with open(self.path, "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        except OSError:
            return self.n_written
        return max(0, min(lines - 1, self.n_samples))

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._last_flush_s = self._clock()

    def close(self, extra_meta: dict | None = None) -> RecordingMeta:
        """Flush, close, and rewrite the sidecar with end info; returns the final metadata.

        Closing twice is harmless (the second call does nothing but return the metadata).
        """
        if self.closed:
            return self.meta
        try:
            self.flush()
        except RecordingError:
            pass  # said by write_error; the sidecar still gets its end below
        finally:
            try:
                self._file.close()
            except OSError:
                pass
        if self.write_error is not None:
            self.n_written = self._complete_rows_on_disk()
        end = {"ended_at": datetime.now().astimezone().isoformat(), "n_samples": self.n_written}
        if self.write_error is not None:
            end["write_error"] = f"{self.write_error}; {self.n_samples - self.n_written} samples not saved"
        self.meta, _ = meta_from_dict({**self.meta.to_dict(), **end, **(extra_meta or {})}, str(sidecar_path(self.path)),
                                      check_entries=False)  # (the recorder's lists as it made them)
        try:
            write_sidecar(self.path, self.meta)
        except OSError as exc:
            # (a full disk: the atomic rewrite needs room for a second copy; the sidecar's own
            # reserve, written at the start, takes the end in place, without the lists of gaps and
            # reconnects should they not fit)
            short = dataclasses.replace(self.meta, gaps=[], reconnects=[])
            if not any(_overwrite_in_place(sidecar_path(self.path), sidecar_text(m)) for m in (self.meta, short)):
                raise RecordingError(f"{sidecar_path(self.path)}: cannot write: {_reason(exc)}; {self.n_written}"
                                     " samples saved in the CSV") from None
        return self.meta

    def __enter__(self) -> "RecordingWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

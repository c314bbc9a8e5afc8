"""Small file helpers shared by the reader and the writers: sidecar path, path identity, atomic replace,
the digest of a file hashed as it is read."""
from __future__ import annotations

import hashlib
import io
import os
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from sensorkit.errors import RecordingError


def sidecar_path(csv_path: str | os.PathLike) -> Path:
    """``NAME.json`` next to ``NAME.csv``."""
    return Path(csv_path).with_suffix(".json")


def resolved(path: str | os.PathLike) -> Path:
    """``path`` made absolute with symlinks resolved, where they can be: a symlink loop (which
    ``Path.resolve`` refuses with a RuntimeError on Python 3.11) is kept as its absolute path, so
    the reader names it as unreadable instead of the whole search failing."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


#: the temporary files being written in this process (by :func:`atomic_write_text` and
#: :class:`~sensorkit.io.outputs.OutputSet`), for :func:`~sensorkit.io.outputs.stop_at_once` to remove
OPEN_TEMPS: set[Path] = set()


def atomic_write_text(path: str | os.PathLike, text: str | Iterable[str]) -> None:
    """Write ``text`` (UTF-8; a string or string chunks) to ``path``: readers see old or new, never half.

    Writes a hidden temporary file in the same folder, fsyncs it and ``os.replace``-s it over ``path``.
    """
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    OPEN_TEMPS.add(temp)
    try:
        with open(temp, "w", encoding="utf-8", newline="") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
        OPEN_TEMPS.discard(temp)


def unsearchable_folder(path: str | os.PathLike, holding: str = "recordings") -> str:
    """The one line for a folder that cannot be listed, naming what is then left out: ``holding``
    is ``"recordings"`` (not analysed) or ``"prescriptions"`` (not read)."""
    fate = "analysed" if holding == "recordings" else "read"
    return f"{path}: a folder that cannot be searched (permission denied): the {holding} in it are not {fate}"


def describe_os_error(exc: BaseException) -> str:
    """A short reason for a failed open/read, for one-line messages."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start})"
    return getattr(exc, "strerror", None) or str(exc)


def file_size(path: Path) -> int:
    """Size in bytes; a :class:`RecordingError` for a missing file, a folder (one a folder search
    could not enter: its recordings are not analysed), no permission, or what is no regular file
    (a named pipe, socket or device: reading one could wait for ever). Here, not in ``csv_table``: every
    command checks its inputs with it, and this module imports no numpy or pandas."""
    try:
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise RecordingError(unsearchable_folder(path))
            raise IsADirectoryError(path)
        status = os.stat(path)
    except FileNotFoundError as exc:
        if path.is_symlink():
            raise RecordingError(f"{path}: a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read: {describe_os_error(exc)}") from None
    if not stat.S_ISREG(status.st_mode):
        raise RecordingError(f"{path}: not a regular file (a named pipe, socket or device), not a recording")
    return status.st_size


#: the SHA-256 (hex) of each file a reader has read whole, by path, while :func:`noting_digests` is on
_DIGESTS: ContextVar[dict[Path, str] | None] = ContextVar("sensorkit_file_digests", default=None)


@contextmanager
def noting_digests() -> Iterator[dict[Path, str]]:
    """Within it, the SHA-256 (hex) of every file a reader reads whole (:func:`read_whole`, or a
    parse through a :class:`Hashing` stream) is noted in the dict given, by path: a batch's check
    for identical recordings needs no second read of each file."""
    digests: dict[Path, str] = {}
    token = _DIGESTS.set(digests)
    try:
        yield digests
    finally:
        _DIGESTS.reset(token)


def note_digest(path: str | os.PathLike, digest: str) -> None:
    """Note ``digest`` (SHA-256, hex) as the content of ``path``, when :func:`noting_digests` is on."""
    digests = _DIGESTS.get()
    if digests is not None:
        digests[Path(path)] = digest


def noting() -> bool:
    """Is :func:`noting_digests` on (the digests of files read to be noted)?"""
    return _DIGESTS.get() is not None


def read_whole(path: str | os.PathLike) -> bytes:
    """The file's bytes (``Path.read_bytes``), their SHA-256 noted (:func:`note_digest`)."""
    data = Path(path).read_bytes()
    if noting():
        note_digest(path, hashlib.sha256(data).hexdigest())
    return data


class Hashing(io.RawIOBase):
    """A binary stream read through, its bytes hashed (SHA-256, when ``digest``) as they pass, and
    whether any was a NUL (``nul``); ``ended``: it was read to its end (a read returned nothing)."""

    def __init__(self, stream: BinaryIO, digest: bool = True) -> None:
        self._stream, self.nul, self.ended = stream, False, False
        self.sha256 = hashlib.sha256() if digest else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        if self.sha256 is not None:
            self.sha256.update(data)
        self.nul = self.nul or b"\0" in data
        self.ended = self.ended or not data
        return len(data)

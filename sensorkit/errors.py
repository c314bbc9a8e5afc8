"""Exceptions: everything sensorkit raises on purpose derives from :class:`SensorkitError`."""
from __future__ import annotations

import codecs
import os
import re

#: a character no UTF-8 text can hold: a surrogate. A file name's bytes that are not UTF-8 (Linux
#: allows any byte but ``/`` and NUL) come into Python as U+DC80..U+DCFF, one per byte
#: (``os.fsdecode``, surrogateescape); a sidecar's JSON can spell any other one (``"\\ud800"``)
_SURROGATE = re.compile("[\ud800-\udfff]")
#: what would break a one-line message: C0 controls (a newline, a tab, ESC), DEL, C1 controls, and
#: the Unicode line and paragraph separators (``str.splitlines`` splits at them); and surrogates
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped_surrogate(char: str) -> str:
    """A byte of a name that is not UTF-8 as ``\\xNN`` (the byte, as ``bytes.decode("utf-8",
    "backslashreplace")`` writes it); any other surrogate as ``\\uDNNN``."""
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def name_text(text: str) -> str:
    """``text`` (a file name or path, as Python read it) as text every output can hold: each byte of
    the name that is not UTF-8 written ``\\xNN`` (``bad\\xffname.csv`` for the bytes
    ``bad``, 0xFF, ``name.csv``, as ``bytes.decode("utf-8", "backslashreplace")`` writes them; a
    shell's ``$'bad\\xffname.csv'`` names the file again), everything else as it is. The ``path`` and
    ``recording`` columns of the tables are written through it (and messages, through
    :func:`escape_controls`)."""
    return _SURROGATE.sub(lambda match: _escaped_surrogate(match.group()), text)


def escape_controls(text: str) -> str:
    """``text`` with each control character written as ``repr`` writes it (``\\n``, ``\\t``,
    ``\\x1b``), and each byte of a file name that is not UTF-8 as ``\\xNN`` (:func:`name_text`),
    everything else as it is: a file name holding a newline stays on one line, an ordinary one
    (``Ärztin 1.csv``, ``C:\\data``) reads as named. Every message that names a path is written
    through it (the errors below, the reader's warnings, the command line's lines)."""
    return _CONTROL.sub(lambda match: _escaped_surrogate(match.group()) if _SURROGATE.match(match.group())
                        else repr(match.group())[1:-1], text)


#: the encoding error handler of the text files sensorkit writes (tables, logs): what UTF-8 cannot
#: hold, a surrogate, written as :func:`name_text` writes it, instead of the write failing
NAME_ERRORS = "sensorkit.names"


def _encode_names(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(_escaped_surrogate(c) if _SURROGATE.match(c) else c.encode("ascii", "backslashreplace").decode()
                   for c in bad), exc.end


codecs.register_error(NAME_ERRORS, _encode_names)


class SensorkitError(Exception):
    """Base of every error sensorkit raises for bad input or a failed operation. Its message is one
    line: control characters in it (in a file name) are escaped (:func:`escape_controls`)."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (escape_controls(args[0]), *args[1:])
        super().__init__(*args)


class RecordingError(SensorkitError):
    """A recording cannot be read; the message names the file (and line where known)."""


class NoDataError(RecordingError):
    """A recording of a session that ended before any sample came (as ``record`` and ``live`` leave
    one: the CSV's header alone, its sidecar's ``n_samples`` 0 and ``stream.ended_by``): nothing to
    analyse, and nothing lost. ``meta``: its sidecar's
    :class:`~sensorkit.io.meta.RecordingMeta` (whose session, when, how it ended)."""

    def __init__(self, message: str, meta: object = None) -> None:
        super().__init__(message)
        self.meta = meta


class ConfigError(SensorkitError, ValueError):
    """A configuration or prescription is invalid; the message names the file and key (a
    ``ValueError`` too: a bad value)."""


class SampleError(SensorkitError, ValueError):
    """Samples handed to the pipeline are unusable (a non-finite reading, time going back, a
    column in the wrong unit); the message names the sample or time (a ``ValueError`` too)."""


def failure_reason(path: str | os.PathLike, message: str) -> str:
    """The one sentence a failed recording is reported with, on stderr, in ``sessions.csv`` and in a
    report's log alike: ``message`` starting with the recording's path (a sidecar's error names the
    sidecar after it: ``data/x.csv: data/x.json: key side: ...``)."""
    shown = escape_controls(str(path))
    return message if message.startswith(f"{shown}: ") else f"{shown}: {message}"

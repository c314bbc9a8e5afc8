"""Exceptions: everything sensorkit raises on purpose derives from :class:`SensorkitError`."""
from __future__ import annotations

import os
import re

#: what would break a one-line message: C0 controls (a newline, a tab, ESC), DEL, C1 controls, and
#: the Unicode line and paragraph separators (``str.splitlines`` splits at them)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """``text`` with each control character written as ``repr`` writes it (``\\n``, ``\\t``,
    ``\\x1b``), everything else as it is: a file name holding a newline stays on one line, an
    ordinary one (``Ärztin 1.csv``, ``C:\\data``) reads as named. Every message that names a path is
    written through it (the errors below, the reader's warnings, the command line's lines)."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class SensorkitError(Exception):
    """Base of every error sensorkit raises for bad input or a failed operation. Its message is one
    line: control characters in it (in a file name) are escaped (:func:`escape_controls`)."""

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (escape_controls(args[0]), *args[1:])
        super().__init__(*args)


class RecordingError(SensorkitError):
    """A recording cannot be read; the message names the file (and line where known)."""


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

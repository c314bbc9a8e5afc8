"""Exceptions: everything sensorkit raises on purpose derives from :class:`SensorkitError`."""
from __future__ import annotations

import os


class SensorkitError(Exception):
    """Base of every error sensorkit raises for bad input or a failed operation."""


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
    return message if message.startswith(f"{path}: ") else f"{path}: {message}"

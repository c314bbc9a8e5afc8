"""Exceptions: everything sensorkit raises on purpose derives from :class:`SensorkitError`."""
from __future__ import annotations


class SensorkitError(Exception):
    """Base of every error sensorkit raises for bad input or a failed operation."""


class RecordingError(SensorkitError):
    """A recording cannot be read; the message names the file (and line where known)."""


class ConfigError(SensorkitError):
    """A configuration or prescription is invalid; the message names the file and key."""


class SampleError(SensorkitError):
    """Samples handed to the pipeline are unusable (a non-finite reading); the message names the time."""

"""Errors of the BLE client. All derive from :class:`sensorkit.errors.SensorkitError`."""
from __future__ import annotations

from sensorkit.errors import SensorkitError


class BleError(SensorkitError):
    """A BLE operation failed (the message says which and with which sensor)."""


class SensorNotFoundError(BleError):
    """No advertising sensor matched the requested address or name within the scan time."""


class AmbiguousSensorError(BleError):
    """More than one advertising sensor has the name asked for (every MetaWear board advertises
    "MetaWear"): none is taken. ``matches``: the :class:`~sensorkit.ble.scan.FoundSensor` of each,
    strongest signal first; the message lists their addresses and signal strengths."""

    def __init__(self, message: str, matches: tuple = ()) -> None:
        super().__init__(message)
        self.matches = matches


class UnknownSensorError(BleError):
    """The sensor was found but no registered protocol claims its advertisement."""


class ConnectError(BleError):
    """Connecting (or setting up streaming after connecting) failed."""


class StreamRefusedError(ConnectError):
    """The sensor connected but cannot stream as asked (it is not of the protocol's kind, or it
    refused the settings): another attempt would fail the same way, so none is made."""


class SubscribeRefusedError(StreamRefusedError):
    """The sensor answered the subscription to ``path`` with a failure ``status`` (HTTP-style code,
    e.g. a Movesense with no free subscription slot: 507)."""

    #: the status that may pass: a Movesense's app frees its subscription slots when the link drops
    TRANSIENT_STATUS = 507

    def __init__(self, message: str, path: str, status: int) -> None:
        super().__init__(message)
        self.path = path
        self.status = status

    @property
    def transient(self) -> bool:
        """Whether a reconnect may clear it (no free slot: 507): the session tries one."""
        return self.status == self.TRANSIENT_STATUS


class DecodeError(BleError, ValueError):
    """A notification the sensor sent that its protocol's decoder cannot read (the session skips
    it and streams on). One line naming the sensor, the packet and what is wrong with it; its
    ``__cause__`` is the decoder's :class:`firmware_protocols.ProtocolError` (a ``ValueError``
    only: ``firmware_protocols`` is pure and imports nothing of sensorkit)."""


class NotConnectedError(BleError):
    """An operation needs a connected session."""

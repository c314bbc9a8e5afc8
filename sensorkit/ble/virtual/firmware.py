"""The device side of a sensor protocol, as a virtual sensor runs it.

A :class:`SensorFirmware` owns the protocol's GATT layout, reacts to control-point writes
(start/stop streaming, configuration) and encodes sample blocks into notification payloads with
the protocol's own encoder. The :class:`~sensorkit.ble.virtual.sensor.VirtualSensor` hosting it
paces the samples and delivers the payloads.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

import numpy as np

from sensorkit.ble.virtual.gatt import VirtualService


class FirmwareHost(Protocol):
    """What the hosting sensor offers its firmware."""

    def notify(self, char_uuid: str, payload: bytes) -> None:
        """Send a notification/indication on ``char_uuid`` to the connected client (if subscribed)."""

    def clock(self) -> float:
        """Sensor seconds since the first start command."""

    def streaming_changed(self) -> None:
        """Tell the sensor that :attr:`SensorFirmware.streaming` changed."""

    def notify_later(self, after_s: float, char_uuid: str, payload: bytes) -> None:
        """:meth:`notify` ``after_s`` sensor seconds from now, on the link of now (not on a later one)."""


class SensorFirmware(ABC):
    """Device side of one protocol. Subclasses set the class attributes and implement the rest."""

    protocol_name: str = ""
    local_name: str = ""
    advertised_uuids: tuple[str, ...] = ()
    #: the largest ATT MTU (bytes) the device's own stack offers; None: no limit of its own (the
    #: hosting sensor's ``max_mtu`` and the client's request decide)
    max_mtu: int | None = None

    def __init__(self, sample_rate_hz: float) -> None:
        self.sample_rate_hz = float(sample_rate_hz)
        self.streaming = False
        self.mtu = 23
        self.host: FirmwareHost | None = None

    @abstractmethod
    def services(self) -> list[VirtualService]:
        """The protocol's GATT services (the sensor adds the Battery Service)."""

    @abstractmethod
    def samples_per_packet(self, mtu: int) -> int:
        """How many samples go into one data notification at this ATT MTU (bytes)."""

    @abstractmethod
    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        """Notifications ``(char_uuid, payload)`` carrying ``rows`` ((n, 7): t s, acc m/s², gyr deg/s)."""

    def on_connect(self, mtu: int) -> None:
        """A client connected with this ATT MTU (bytes); streaming is off until it writes the start command."""
        self.mtu = mtu
        self.streaming = False

    def end_of_samples(self) -> list[tuple[str, bytes]]:
        """The sensor has sent every sample it was given (its simulated session is over): the
        notifications carrying what it still holds (a part-filled frame), as a stop would send them."""
        return []

    def on_disconnect(self) -> None:
        """The link went away: a sensor stops streaming."""
        self.streaming = False

    def set_streaming(self, on: bool) -> None:
        self.streaming = on
        if self.host is not None:
            self.host.streaming_changed()

    def respond(self, char_uuid: str, payload: bytes, after_s: float = 0.0) -> None:
        """Answer the client on ``char_uuid`` now, or ``after_s`` sensor seconds from now."""
        if self.host is None:
            return
        if after_s > 0:
            self.host.notify_later(after_s, char_uuid, payload)
        else:
            self.host.notify(char_uuid, payload)

"""A virtual BLE sensor: a GATT server running a protocol's firmware, fed recorded samples.

Samples are sent in (scaled) real time: sample ``i`` becomes available at sensor time
``samples.t[i] - samples.t[0]`` seconds after the first start command, and a packet goes out once
its last sample is due. ``speed`` scales the clock (10.0 runs ten sensor seconds per wall second).
Test hooks drop or corrupt packets, drop the link for a while, refuse connections, power off,
mute the data while the link stays up (a sensor gone silent, or slow to send its first samples),
and set the battery level (notified to a subscribed client, as a real sensor's changes are).
"""
from __future__ import annotations

import asyncio
from typing import Callable

import numpy as np

from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.uuids import BATTERY_LEVEL_UUID
from sensorkit.ble.virtual.gatt import (VirtualCharacteristic, VirtualService, battery_service,
                                        device_information_service)
from sensorkit.samples import Samples

NotifyCallback = Callable[[bytearray], None]


class LinkRefused(Exception):
    """The sensor does not accept a connection now. ``advertising``: whether it was advertising
    (a refused attempt) or not (a central would keep waiting for it to show up)."""

    def __init__(self, message: str, advertising: bool) -> None:
        super().__init__(message)
        self.advertising = advertising


class Link:
    """One connection between the sensor and a client: subscriptions and the lost-link callback."""

    def __init__(self, mtu: int, on_lost: Callable[[], None]) -> None:
        self.mtu = mtu
        self.on_lost = on_lost
        self.subscriptions: dict[str, NotifyCallback] = {}
        self.alive = True


class VirtualSensor:
    """A peripheral hosting ``firmware`` and streaming ``samples`` (see module doc).

    ``battery_percent``: its Battery Service's level (None: no Battery Service), whose changes it
    notifies when ``battery_notifies``; ``model``/``firmware_revision``: its Device Information
    Service's strings (neither: no such service)."""

    def __init__(self, firmware: SensorFirmware, samples: Samples, *, address: str = "F0:0D:00:00:00:01",
                 speed: float = 1.0, battery_percent: int | None = 87, max_mtu: int = 247,
                 rssi_dbm: int = -55, seed: int = 0, battery_notifies: bool = True, model: str | None = None,
                 firmware_revision: str | None = None) -> None:
        self.firmware = firmware
        self.address = address
        self.speed = float(speed)
        self.max_mtu = max_mtu
        self.rssi_dbm = rssi_dbm
        self.services: list[VirtualService] = firmware.services()
        if battery_percent is not None:
            self.services.append(battery_service(battery_percent, battery_notifies))
        if model or firmware_revision:
            self.services.append(device_information_service(model, firmware_revision))
        self._rows = samples.to_array()
        self._rows[:, 0] -= self._rows[0, 0] if len(self._rows) else 0.0
        self._cursor = 0
        self._powered_at: float | None = None  # host time (s, its event loop's) of the first start command
        self._loop: asyncio.AbstractEventLoop | None = None  # (the loop it runs on, whose clock it reads)
        self._down_until = 0.0  # sensor time before which connections are refused
        self._powered_off = False
        self._refuse_next = 0
        self._drop_next = 0
        self._corrupt_next = 0
        self._drop_probability = 0.0
        self._muted_until = 0.0  # sensor time before which data is not sent (the link stays up)
        self._muted_link: Link | None = None  # a link on which no data is sent at all
        self._rng = np.random.default_rng(seed)
        self._link: Link | None = None
        self._pacer: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self.sent_packets = 0
        self.dropped_packets = 0
        self.muted_samples = 0
        self.sent_samples = 0
        self.connections = 0
        firmware.host = self

    # ---- clock and state ------------------------------------------------------------------
    def clock(self) -> float:
        """Sensor seconds since the first start command (0 before it), on its event loop's clock
        (``time.monotonic`` on asyncio's own loops; a test's loop of simulated time: that time)."""
        if self._powered_at is None:
            return 0.0
        return (self._loop.time() - self._powered_at) * self.speed

    @property
    def local_name(self) -> str:
        return self.firmware.local_name

    @property
    def advertising(self) -> bool:
        return self._link is None and not self._powered_off and self.clock() >= self._down_until

    @property
    def connected(self) -> bool:
        return self._link is not None

    @property
    def sent_until_s(self) -> float:
        """Sensor time (s) of the last sample sent (or dropped, or muted) so far: where a mute or a
        drop made now cuts the data, behind :meth:`clock` when the machine runs the sender late;
        ``-inf`` before the first."""
        return float(self._rows[self._cursor - 1, 0]) if self._cursor else -np.inf

    @property
    def finished(self) -> bool:
        """All samples have been sent (or dropped)."""
        return self._cursor >= len(self._rows)

    # ---- test hooks ----------------------------------------------------------------------
    def drop_packets(self, count: int) -> None:
        """Encode but do not deliver the next ``count`` data packets (sequence numbers advance)."""
        self._drop_next += count

    def corrupt_packets(self, count: int) -> None:
        """Deliver the next ``count`` data packets truncated to their first 3 bytes."""
        self._corrupt_next += count

    def set_drop_probability(self, probability: float) -> None:
        """Lose each data packet independently with this probability (seeded)."""
        self._drop_probability = probability

    def mute(self, duration_s: float | None = None) -> None:
        """Send no data from now on while the link stays up, as a sensor whose firmware hung does:
        for ``duration_s`` sensor seconds (``math.inf``: ever again; before the first start command:
        the first ``duration_s`` seconds of streaming, a sensor slow to start), or, with None, until
        the current link ends (a new connection streams again). The samples due meanwhile are never
        sent; control-point answers still are."""
        if duration_s is None:
            self._muted_link = self._link
        else:
            self._muted_until = self.clock() + duration_s

    def set_battery_percent(self, level_percent: int) -> None:
        """The battery level is now ``level_percent`` (%): read so from now on, and notified to a
        client subscribed to it."""
        char = self.characteristic(BATTERY_LEVEL_UUID)
        char.value = bytes([level_percent])
        if char.notifies:
            self.notify(BATTERY_LEVEL_UUID, char.value)

    def refuse_connections(self, count: int) -> None:
        """Fail the next ``count`` connection attempts."""
        self._refuse_next += count

    def drop_link(self, down_s: float = 0.0) -> None:
        """Lose the connection now (the client is told) and refuse reconnects for ``down_s`` sensor seconds."""
        self._down_until = self.clock() + down_s
        self._lose_link()

    def power_off(self) -> None:
        """Lose the connection and never accept another."""
        self._powered_off = True
        self._lose_link()

    # ---- what the client backend calls ---------------------------------------------------
    def accept(self, requested_mtu: int, on_lost: Callable[[], None]) -> Link:
        if self._refuse_next > 0:
            self._refuse_next -= 1
            raise LinkRefused(f"{self.address}: connection refused (test hook)", advertising=True)
        if not self.advertising:
            raise LinkRefused(f"{self.address}: not advertising", advertising=False)
        self._link = Link(min(requested_mtu, self.max_mtu, self.firmware.max_mtu or self.max_mtu), on_lost)
        self.connections += 1
        self.firmware.on_connect(self._link.mtu)
        self._pacer = asyncio.get_running_loop().create_task(self._pace(self._link))
        return self._link

    def release(self, link: Link) -> None:
        """The client disconnected on purpose."""
        if link is self._link:
            self._end_link()

    def characteristic(self, uuid: str) -> VirtualCharacteristic:
        for service in self.services:
            for char in service.characteristics:
                if char.uuid == uuid:
                    return char
        raise KeyError(uuid)

    def read(self, uuid: str) -> bytes:
        return bytes(self.characteristic(uuid).value)

    def write(self, uuid: str, payload: bytes) -> None:
        char = self.characteristic(uuid)
        if char.on_write is not None:
            char.on_write(bytes(payload))
        else:
            char.value = bytes(payload)

    # ---- FirmwareHost --------------------------------------------------------------------
    def notify(self, char_uuid: str, payload: bytes) -> None:
        link = self._link
        if link is not None and (callback := link.subscriptions.get(char_uuid)) is not None:
            callback(bytearray(payload))

    def notify_later(self, after_s: float, char_uuid: str, payload: bytes) -> None:
        link = self._link

        def deliver() -> None:
            if link is not None and link is self._link and (callback := link.subscriptions.get(char_uuid)):
                callback(bytearray(payload))

        asyncio.get_running_loop().call_later(after_s / self.speed, deliver)

    def streaming_changed(self) -> None:
        if self.firmware.streaming and self._powered_at is None:
            self._loop = asyncio.get_running_loop()
            self._powered_at = self._loop.time()
        self._wake.set()

    # ---- internals -----------------------------------------------------------------------
    def _lose_link(self) -> None:
        link = self._link
        if link is None:
            return
        self._end_link()
        link.on_lost()

    def _end_link(self) -> None:
        if self._link is not None:
            self._link.alive = False
        self._link = None
        self.firmware.on_disconnect()
        if self._pacer is not None:
            self._pacer.cancel()
            self._pacer = None

    async def _pace(self, link: Link) -> None:
        """Send every packet once its last sample is due, while this link streams."""
        was_streaming = False
        while link.alive:
            if not self.firmware.streaming:
                was_streaming = False
                self._wake.clear()
                await self._wake.wait()
                continue
            if not was_streaming:  # samples measured before a restart are never sent; the first start is t = 0
                was_streaming = True
                if self.sent_samples or self.dropped_packets or self.muted_samples:
                    self._cursor = max(self._cursor, int(np.searchsorted(self._rows[:, 0], self.clock())))
            if self.finished:
                self._wake.clear()
                await self._wake.wait()
                continue
            per_packet = max(1, self.firmware.samples_per_packet(link.mtu))
            sent = 0
            while not self.finished and link.alive and self.firmware.streaming:
                end = min(self._cursor + per_packet, len(self._rows))
                if self._rows[end - 1, 0] > self.clock():
                    break
                self._send(link, self._rows[self._cursor:end])
                self._cursor = end
                sent += 1
                if sent % 64 == 0 and not self.finished:  # (finished: the held frame goes out first,
                    await asyncio.sleep(0)                # before anyone can see it finished)
            if self.finished and sent and not self._muted(link):  # its session is over: what the firmware
                self._deliver(link, self.firmware.end_of_samples())  # still holds goes out too
            if not self.finished:
                due = self._rows[min(self._cursor + per_packet, len(self._rows)) - 1, 0]
                await asyncio.sleep(max(due - self.clock(), 0.0) / self.speed)

    def _muted(self, link: Link) -> bool:
        return link is self._muted_link or self.clock() < self._muted_until

    def _send(self, link: Link, rows: np.ndarray) -> None:
        if self._muted(link):
            self.muted_samples += len(rows)
            return
        packets = self.firmware.encode(rows)
        lost = self._drop_next > 0 or (self._drop_probability > 0 and self._rng.random() < self._drop_probability)
        if self._drop_next > 0:
            self._drop_next -= 1
        if lost:
            self.dropped_packets += len(packets)
            return
        self._deliver(link, packets)
        self.sent_samples += len(rows)

    def _deliver(self, link: Link, packets: list[tuple[str, bytes]]) -> None:
        for uuid, payload in packets:
            if self._corrupt_next > 0:
                self._corrupt_next -= 1
                payload = payload[:3]
            if (callback := link.subscriptions.get(uuid)) is not None:
                callback(bytearray(payload))
                self.sent_packets += 1

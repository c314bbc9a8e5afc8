"""A Movesense sensor running the GATT SensorData app, as the virtual sensor plays it
(``firmware_protocols.movesense``, spec: ``firmware_protocols/movesense.md``).

GSP service with a command characteristic (write) and a data characteristic (notify). Commands
are ``[command, client reference, path...]``: ``00 ref`` (HELLO) is answered ``01 ref "Hello"``;
``01 ref "/Meas/IMU6/<rate>"`` (SUBSCRIBE) starts the IMU6 stream tagged ``ref``, with no answer
when it succeeds (as the app's ``handleIncomingCommand`` does), and ``01 ref 01 FB`` (507, no free
subscription slot) when all its slots are taken; ``02 ref`` (UNSUBSCRIBE) stops it. A dropped link
ends every subscription (the app unsubscribes all streams on a disconnect): a client subscribes
again after reconnecting. Test hooks: :attr:`MovesenseFirmware.subscriptions` filled by a test
are freed by a dropped link (a 507 a reconnect clears); :attr:`MovesenseFirmware.slots_held`
are not (a 507 that stays); :attr:`MovesenseFirmware.answer_delay_s` delays the command results
(an answer that comes after the client stopped waiting for it).

Data notifications are ``02 ref`` + the uint32 millisecond timestamp of the packet's first sample
on the sensor's uptime clock (:attr:`MovesenseFirmware.boot_ms` at sensor time 0, then running
through outages) + N float32 acceleration vectors (m/s²) + N float32 angular-rate vectors (deg/s),
encoded with ``firmware_protocols.movesense.encode_imu6``. N is a packet per 1/13 s
(``firmware_protocols.movesense.imu6_packet_samples``: two at 26 Hz, eight at 104 Hz), fewer where
two notifications at a small MTU cannot carry them. The app's ATT MTU is 161 (:attr:`MovesenseFirmware.max_mtu`, "MTU is 161" in its source):
a packet longer than a notification (158 bytes there: 104 Hz, 198 bytes) goes out as the app
sends it, its first 158 bytes and then ``03 ref`` and the rest
(``firmware_protocols.movesense.split_notification``); N is at most what two notifications carry.

Like a MetaWear board, it plays its samples at ``sample_rate_hz``, which must be an IMU6 rate
(13, 26, 52, 104, 208 ... Hz), and streams only a subscription at that rate: one at another rate
is accepted and sends nothing rather than samples whose times would be wrong.
"""
from __future__ import annotations

import numpy as np

from firmware_protocols import movesense as ms
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.gatt import VirtualCharacteristic, VirtualService

#: sensor uptime (ms) at sensor time 0: a sensor switched on a while before the session
BOOT_MS = 7_351_200
#: subscriptions the app keeps at once (``MAX_DATASUB_COUNT``)
MAX_SUBSCRIPTIONS = 4
_NO_FREE_SLOT = bytes((0x01, 0xFB))  # 507 HTTP_CODE_INSUFFICIENT_STORAGE, as the app writes it


class MovesenseFirmware(SensorFirmware):
    """A Movesense (HR+, HR2, MD, Flash) running gatt_sensordata_app (see module doc);
    ``serial``: the number its advertised name carries."""

    protocol_name = "movesense"
    advertised_uuids = ()  # (found by its name: "Movesense <serial>")
    max_mtu = ms.APP_MTU

    def __init__(self, sample_rate_hz: float, serial: str = "174630000192") -> None:
        super().__init__(sample_rate_hz)
        if ms.imu6_rate_hz(sample_rate_hz) != sample_rate_hz:
            rates = ", ".join(str(r) for r in ms.IMU6_RATES_HZ)
            raise ValueError(f"a Movesense streams IMU6 at {rates} Hz, not {sample_rate_hz:g} Hz")
        self.local_name = f"Movesense {serial}"
        #: the sensor's uptime clock (ms) at sensor time 0; a test that changes it plays a sensor restarted
        self.boot_ms = BOOT_MS
        #: client reference -> the resource path subscribed
        self.subscriptions: dict[int, str] = {}
        #: every payload a client wrote, in order
        self.writes: list[bytes] = []
        #: subscription slots held by something other than the connected client: a dropped link
        #: does not free them (a test hook: a 507 that a reconnect does not clear)
        self.slots_held = 0
        #: sensor seconds the app takes to send a command result (a test hook: a late answer)
        self.answer_delay_s = 0.0

    def services(self) -> list[VirtualService]:
        return [VirtualService(ms.SERVICE_UUID, [
            VirtualCharacteristic(ms.COMMAND_CHAR_UUID, ("write",), on_write=self._command),
            VirtualCharacteristic(ms.DATA_CHAR_UUID, ("notify",)),
        ])]

    @property
    def _path(self) -> str:
        return ms.imu6_path(self.sample_rate_hz)

    def samples_per_packet(self, mtu: int) -> int:
        fits = (2 * (mtu - 3) - 2 - ms.HEADER_BYTES) // ms.SAMPLE_BYTES  # (a first part and a second)
        return max(1, min(fits, ms.imu6_packet_samples(self.sample_rate_hz)))

    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        """One packet per subscriber of this rate, in two notifications where it is longer than
        one (see module doc); samples missing from the source (the simulation's dropouts) end a
        packet: the next starts after the hole, with its own timestamp, as a sensor that lost
        samples would send them."""
        references = [ref for ref, path in self.subscriptions.items() if path == self._path]
        holes = np.flatnonzero(np.diff(rows[:, 0]) * self.sample_rate_hz > 1.5) + 1
        packets = []
        for run in np.split(rows, holes):
            timestamp_ms = self.boot_ms + round(run[0, 0] * 1000.0)
            packets += [(ms.DATA_CHAR_UUID, part) for ref in references
                        for part in ms.split_notification(ms.encode_imu6(timestamp_ms, run[:, 1:4], run[:, 4:7], ref),
                                                          self.mtu)]
        return packets

    def on_disconnect(self) -> None:
        super().on_disconnect()
        self.subscriptions.clear()

    def _command(self, payload: bytes) -> None:
        self.writes.append(bytes(payload))
        if len(payload) < 2 or payload[1] == 0:
            return  # (the app reads the command and a reference; 0 is no reference)
        command, reference = payload[0], payload[1]
        if command == ms.CMD_HELLO:
            self.respond(ms.DATA_CHAR_UUID, bytes((ms.RESPONSE_COMMAND_RESULT, reference)) + b"Hello",
                         self.answer_delay_s)
        elif command == ms.CMD_SUBSCRIBE:
            if len(self.subscriptions) + self.slots_held >= MAX_SUBSCRIPTIONS:
                self.respond(ms.DATA_CHAR_UUID, bytes((ms.RESPONSE_COMMAND_RESULT, reference)) + _NO_FREE_SLOT,
                             self.answer_delay_s)
                return
            self.subscriptions[reference] = payload[2:].decode("ascii", "replace")
        elif command == ms.CMD_UNSUBSCRIBE:
            self.subscriptions.pop(reference, None)
        self.set_streaming(self._path in self.subscriptions.values())

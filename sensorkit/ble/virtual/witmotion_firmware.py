"""A WitMotion WT901BLE(CL) / BWT901BLE 5.0 as the virtual sensor plays it (``firmware_protocols.witmotion``).

It streams ``55 61`` packets (one per notification, one per sample) whenever a client is
connected: the real sensor needs no start command. On the write characteristic it takes
``FF AA 69 88 B5`` (unlock), ``FF AA reg lo hi`` (a register write, heeded only after an unlock),
``FF AA 00 00 00`` (save: its settings to flash, counted in ``flash_writes``) and ``FF AA 27 reg 00``
(read, no unlock needed), answered on the notify characteristic with ``55 71 reg 00`` and the
values of registers ``reg`` .. ``reg + 7``. It plays samples at ``sample_rate_hz`` and sends them
at the rate its return rate register says (every tenth at 10 Hz when it plays 100 Hz), from the
moment a client sets it: a sensor saved at another rate streams that rate until then. A register
rate above the one it plays sends every sample it has.
"""
from __future__ import annotations

import numpy as np

from firmware_protocols import witmotion as wm
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.gatt import VirtualCharacteristic, VirtualService

_SAVE_REGISTER, _KEY_REGISTER = 0x00, 0x69


class WitMotionFirmware(SensorFirmware):
    """A WitMotion BLE 5.0 sensor (see module doc); ``rate_code``: its saved return rate register
    (default: the code of ``sample_rate_hz``)."""

    protocol_name = "witmotion"
    local_name = "WT901BLE68"
    advertised_uuids = (wm.SERVICE_UUID,)

    def __init__(self, sample_rate_hz: float, rate_code: int | None = None) -> None:
        super().__init__(sample_rate_hz)
        code = wm.RATE_CODES[wm.return_rate_hz(sample_rate_hz)] if rate_code is None else rate_code
        self.registers: dict[int, int] = {wm.RATE_REGISTER: code}  # the settings in use
        self.flash: dict[int, int] = dict(self.registers)           # the settings saved
        self.flash_writes = 0
        self.unlocked = False
        #: every payload a client wrote, in order
        self.writes: list[bytes] = []

    def services(self) -> list[VirtualService]:
        return [VirtualService(wm.SERVICE_UUID, [
            VirtualCharacteristic(wm.NOTIFY_CHAR_UUID, ("notify",)),
            VirtualCharacteristic(wm.WRITE_CHAR_UUID, ("write", "write-without-response"), on_write=self._command),
        ])]

    def samples_per_packet(self, mtu: int) -> int:
        return 1

    def on_connect(self, mtu: int) -> None:
        super().on_connect(mtu)
        self.unlocked = False
        self.set_streaming(True)  # (it streams while powered; notifications reach a subscribed client)

    @property
    def return_rate_hz(self) -> float:
        """The rate (Hz) its return rate register is set to (unknown codes: the rate it plays)."""
        by_code = {code: hz for hz, code in wm.RATE_CODES.items()}
        return by_code.get(self.registers.get(wm.RATE_REGISTER), self.sample_rate_hz)

    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        every = max(1, round(self.sample_rate_hz / self.return_rate_hz))  # (measured at its return rate)
        index = np.rint(rows[:, 0] * self.sample_rate_hz).astype(int)
        return [(wm.NOTIFY_CHAR_UUID, wm.encode_packet(row[1:4], row[4:7]))
                for row, k in zip(rows, index) if k % every == 0]

    def _command(self, payload: bytes) -> None:
        self.writes.append(bytes(payload))
        if len(payload) != 5 or payload[:2] != b"\xff\xaa":
            return
        register, value = payload[2], payload[3] | payload[4] << 8
        if register == wm.READ_REGISTER:
            values = [self.registers.get(value + i, 0) for i in range(8)]
            reply = bytes((wm.HEADER, wm.FLAG_REGISTER_REPLY, value & 0xFF, value >> 8))
            self.respond(wm.NOTIFY_CHAR_UUID, reply + np.array(values, dtype="<u2").tobytes())
        elif register == _KEY_REGISTER:
            self.unlocked = value == 0xB588
        elif register == _SAVE_REGISTER and value == 0 and self.unlocked:
            self.flash = dict(self.registers)
            self.flash_writes += 1
        elif self.unlocked and register != _SAVE_REGISTER:
            self.registers[register] = value

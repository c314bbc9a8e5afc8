"""A MetaWear / MetaMotion board as the virtual sensor plays it (``firmware_protocols.metawear``).

Command characteristic (write without response): ``03 80`` is answered on the notify
characteristic with ``03 80 impl rev`` (the accelerometer's implementation id: 1 BMI160 for a
MetaMotion R/C, 4 BMI270 for a MetaMotion S); ``03 03 odr range`` / ``13 03 odr range`` set the
ranges, decoded with the board's own chip's range codes; ``03 <packed register> 01`` /
``13 <packed register> 01`` subscribe to packed data, on the registers of the board's chip only;
``03 01 01`` / ``13 01 01`` power the sensors. A sensor that is powered and subscribed streams
packed notifications (3 samples, ``encode_acc``/``encode_gyro``) scaled by its configured range;
its ranges start at the chips' power-on ±2 g and ±2000 deg/s.

A board streams at its chip's output data rates only (BMI160/BMI270: 25, 50, 100, 200 ... Hz; a
board asked for 104 Hz streams 100 Hz): it plays its samples at ``sample_rate_hz``, which must be
one of them, and the ODRs a client configures (``acc_odr_hz``, ``gyro_odr_hz``) must be that rate
for it to stream (a board set to another rate than it plays sends nothing rather than samples
whose times would be wrong).
"""
from __future__ import annotations

import numpy as np

from firmware_protocols import metawear as mw
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.gatt import VirtualCharacteristic, VirtualService

IMPLEMENTATION_IDS = {name: impl for impl, name in mw.ACC_IMPLEMENTATIONS.items()}


class MetaWearFirmware(SensorFirmware):
    """A MetaWear board with a ``chip`` accelerometer (and its gyroscope); see the module doc."""

    protocol_name = "metawear"
    local_name = "MetaWear"
    advertised_uuids = (mw.SERVICE_UUID,)

    DEFAULT_CHIP = "bmi160"

    def __init__(self, sample_rate_hz: float, chip: str = DEFAULT_CHIP) -> None:
        super().__init__(sample_rate_hz)
        self.chip = mw.CHIPS[chip]
        if mw.output_data_rate_hz(chip, sample_rate_hz) != sample_rate_hz:
            rates = ", ".join(f"{r:g}" for r in self.chip.acc_odr_bytes)
            raise ValueError(f"a MetaWear {chip.upper()} board streams at {rates} Hz, not {sample_rate_hz:g} Hz")
        #: the output data rates (Hz) configured (``03 03`` / ``13 03``); at power-on: the rate it plays
        self.acc_odr_hz: float | None = float(sample_rate_hz)
        self.gyro_odr_hz: float | None = float(sample_rate_hz) if self.chip.has_gyro else None
        self.acc_range_g, self.gyro_range_dps = 2, 2000
        self.subscribed: set[int] = set()  # modules subscribed to their packed register
        self.powered: set[int] = set()

    def services(self) -> list[VirtualService]:
        return [VirtualService(mw.SERVICE_UUID, [
            VirtualCharacteristic(mw.COMMAND_CHAR_UUID, ("write", "write-without-response"), on_write=self._command),
            VirtualCharacteristic(mw.NOTIFY_CHAR_UUID, ("notify",)),
        ])]

    def samples_per_packet(self, mtu: int) -> int:
        return mw.SAMPLES_PER_PACKED

    def on_disconnect(self) -> None:
        super().on_disconnect()
        self.subscribed.clear()
        self.powered.clear()

    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        if len(rows) != mw.SAMPLES_PER_PACKED:
            return []  # (the session's last few samples: a board sends whole packed notifications)
        packets = []
        if {mw.ACC_MODULE} <= self.subscribed & self.powered:
            packets.append(mw.encode_acc(rows[:, 1:4], chip=self.chip.name, acc_range_g=self.acc_range_g))
        if self.chip.has_gyro and {mw.GYRO_MODULE} <= self.subscribed & self.powered:
            packets.append(mw.encode_gyro(rows[:, 4:7], chip=self.chip.name, gyro_range_dps=self.gyro_range_dps))
        return [(mw.NOTIFY_CHAR_UUID, p) for p in packets]

    def _command(self, payload: bytes) -> None:
        if len(payload) < 2:
            return
        module, register, data = payload[0], payload[1], payload[2:]
        chip = self.chip
        if (module, register) == (mw.ACC_MODULE, mw.READ_FLAG | mw.MODULE_INFO_REGISTER):
            self.respond(mw.NOTIFY_CHAR_UUID, bytes((module, register, IMPLEMENTATION_IDS[chip.name], 1)))
        elif register == mw.CONFIG_REGISTER and len(data) >= 2:
            if module == mw.ACC_MODULE:
                by_code = {code: g for g, code in chip.acc_range_codes.items()}
                self.acc_range_g = by_code.get(data[1] & (0x03 if chip.name == "bmi270" else 0x0F), self.acc_range_g)
                self.acc_odr_hz = {byte: hz for hz, byte in chip.acc_odr_bytes.items()}.get(data[0])
            elif module == mw.GYRO_MODULE and chip.has_gyro:
                if data[1] & 0x07 < len(mw.GYRO_LSB_PER_DPS):
                    self.gyro_range_dps = list(mw.GYRO_LSB_PER_DPS)[data[1] & 0x07]
                self.gyro_odr_hz = {code: hz for hz, code in mw.GYRO_ODR_CODES.items()}.get(data[0] & 0x0F)
        elif (module, register) in ((mw.ACC_MODULE, chip.acc_packed_register),
                                    (mw.GYRO_MODULE, chip.gyro_packed_register)):
            (self.subscribed.add if data[:1] == b"\x01" else self.subscribed.discard)(module)
        elif register == mw.POWER_MODE_REGISTER and data:
            (self.powered.add if data[0] else self.powered.discard)(module)
        rates = {self.acc_odr_hz} | ({self.gyro_odr_hz} if chip.has_gyro else set())
        self.set_streaming(bool(self.subscribed & self.powered) and rates == {self.sample_rate_hz})

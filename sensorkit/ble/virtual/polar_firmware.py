"""A Polar Verity Sense as the virtual sensor plays it: the PMD service, control point and frames.

Control point (write, indicate): get-settings / start / stop for ACC and GYRO, answered with
``F0 op type status more params`` like the real sensor; the start response carries the gyro
scale factor. A read of the control point answers the features (``0F`` and a bitmap: ACC and
GYRO; an H10: ECG and ACC). Like a real one, it offers one sample rate (a Verity Sense outside SDK mode: 52 Hz;
this one: the rate it simulates), ±8 G and ±250 to ±2000 deg/s, 16 bits, 3 channels, and answers
a start with other settings by an error status (``ERROR_INVALID_SAMPLE_RATE`` ...) and no data,
and a start on a link whose ATT MTU is under :data:`MIN_STREAM_MTU` (``min_stream_mtu``) by
``ERROR_INVALID_MTU`` (a PMD frame is never split over notifications: the sensor streams only
where its frames fit).
An answer longer than a notification continues in notifications ``more, parameters...``. Data (notify): ACC as raw 16-bit mG frames (type 0x01), GYRO as delta-compressed
16-bit frames (type 0x80) scaled by that factor, timestamps in ns since 2000 of each frame's last
sample. Encoding uses ``firmware_protocols.polar_pmd``'s own encoder.
"""
from __future__ import annotations

import struct

import numpy as np

from firmware_protocols import polar_pmd as pmd
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.gatt import VirtualCharacteristic, VirtualService

ACC_FRAME_TYPE = 0x01
GYR_FRAME_TYPE = 0x80
#: deg/s per count of a 16-bit gyro frame at ±2000 deg/s (what a Verity Sense reports)
GYR_FACTOR = 2000.0 / 32768.0
#: the ranges offered: G for ACC, deg/s for GYRO (Polar's documentation of the Verity Sense)
RANGES = {pmd.ACC: (8,), pmd.GYRO: (250, 500, 1000, 2000)}
_STATUS_OK, _INVALID_OP, _INVALID_TYPE, _NOT_SUPPORTED, _INVALID_LENGTH, _ALREADY = 0, 1, 2, 3, 4, 6
_INVALID_RESOLUTION, _INVALID_SAMPLE_RATE, _INVALID_RANGE, _INVALID_MTU, _INVALID_CHANNELS = 7, 8, 9, 10, 11
#: The smallest ATT MTU (bytes) the sensor streams on; a start on a smaller one is answered
#: ``ERROR_INVALID_MTU`` (0x0A). Polar's documentation of the error: "Some devices require a
#: minimum MTU (typically 64 bytes or more)" (polar-ble-sdk, documentation/Device Error Codes &
#: D2H Notifications.md); 64 for the H10, by a Polar engineer (polar-ble-sdk issue #40)
MIN_STREAM_MTU = 64


class PolarVerityFirmware(SensorFirmware):
    """PMD ACC + GYRO streaming (see module doc). ``packet_interval_s``: time one frame spans;
    ``gyro=False`` plays an acc-only Polar H10 (GYRO requests answered "not supported")."""

    protocol_name = "polar_pmd"
    advertised_uuids = (pmd.PMD_SERVICE_UUID,)

    def __init__(self, sample_rate_hz: float, serial: str = "1A2B3C4D", packet_interval_s: float = 0.1,
                 gyro: bool = True) -> None:
        super().__init__(sample_rate_hz)
        self.local_name = f"Polar Sense {serial}" if gyro else f"Polar H10 {serial}"
        self.types = (pmd.ACC, pmd.GYRO) if gyro else (pmd.ACC,)  # an H10 has no gyroscope
        self.features = self.types if gyro else (pmd.ECG, pmd.ACC)  # (this one streams no ECG)
        self.packet_interval_s = packet_interval_s
        self.active: set[int] = set()
        self.start_ns = pmd.EXAMPLE_START_NS
        self.gyr_factor = GYR_FACTOR  # deg/s per count at the range started with
        self.min_stream_mtu = MIN_STREAM_MTU  # (bytes; a test of answers split at MTU 23 lowers it)

    def services(self) -> list[VirtualService]:
        return [VirtualService(pmd.PMD_SERVICE_UUID, [
            VirtualCharacteristic(pmd.PMD_CONTROL_POINT_UUID, ("read", "write", "indicate"),
                                  pmd.encode_features(self.features), on_write=self._control_point),
            VirtualCharacteristic(pmd.PMD_DATA_UUID, ("notify",)),
        ])]

    def samples_per_packet(self, mtu: int) -> int:
        fits = (mtu - 3 - pmd.HEADER_BYTES - 8) // 6  # 16-bit x 3 samples, room for delta block headers
        return max(1, min(fits, round(self.sample_rate_hz * self.packet_interval_s)))

    def on_disconnect(self) -> None:
        super().on_disconnect()
        self.active.clear()

    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        timestamp_ns = self.start_ns + round(rows[-1, 0] * 1e9)
        packets = []
        if pmd.ACC in self.active:
            counts = pmd.counts_from_si(pmd.ACC, ACC_FRAME_TYPE, rows[:, 1:4])
            packets.append((pmd.PMD_DATA_UUID, pmd.encode_frame(pmd.ACC, ACC_FRAME_TYPE, counts, timestamp_ns)))
        if pmd.GYRO in self.active:
            counts = pmd.counts_from_si(pmd.GYRO, GYR_FRAME_TYPE, rows[:, 4:7], self.gyr_factor)
            packets.append((pmd.PMD_DATA_UUID, pmd.encode_frame(pmd.GYRO, GYR_FRAME_TYPE, counts, timestamp_ns)))
        return packets

    def _control_point(self, payload: bytes) -> None:
        if len(payload) < 2:
            return self._respond(payload[0] if payload else 0, 0, _INVALID_LENGTH)
        op, mtype = payload[0], payload[1] & 0x3F
        if op not in (pmd.OP_GET_SETTINGS, pmd.OP_START, pmd.OP_STOP):
            return self._respond(op, mtype, _INVALID_OP)
        if mtype not in self.types:
            return self._respond(op, mtype, _NOT_SUPPORTED if mtype == pmd.GYRO else _INVALID_TYPE)
        if op == pmd.OP_GET_SETTINGS:
            ranges = b"".join(r.to_bytes(2, "little") for r in RANGES[mtype])
            offer = (pmd.settings_tlv({0: self.offered_rate_hz, 1: 16}) + bytes([2, len(RANGES[mtype])]) + ranges
                     + pmd.settings_tlv({4: 3}))
            return self._respond(op, mtype, _STATUS_OK, offer)
        if op == pmd.OP_START:
            if mtype in self.active:
                return self._respond(op, mtype, _ALREADY)
            refusal = _INVALID_MTU if self.mtu < self.min_stream_mtu else self._refusal(mtype, payload[2:])
            if refusal:
                return self._respond(op, mtype, refusal)
            self.active.add(mtype)
            if mtype == pmd.GYRO:
                self.gyr_factor = pmd.parse_settings(payload[2:]).get("range", (2000,))[0] / 32768.0
            factor = 1.0 if mtype == pmd.ACC else self.gyr_factor
            self._respond(op, mtype, _STATUS_OK, bytes([5, 1]) + struct.pack("<f", factor))
        else:
            self.active.discard(mtype)
            self._respond(op, mtype, _STATUS_OK)
        self.set_streaming(bool(self.active))

    @property
    def offered_rate_hz(self) -> int:
        return round(self.sample_rate_hz)

    def _refusal(self, mtype: int, tlv: bytes) -> int:
        """The error status a start with these settings gets (0: none)."""
        try:
            asked = pmd.parse_settings(tlv)
        except pmd.ProtocolError:
            return _INVALID_LENGTH
        for name, offered, status in (("sample_rate", (self.offered_rate_hz,), _INVALID_SAMPLE_RATE),
                                      ("resolution", (16,), _INVALID_RESOLUTION),
                                      ("range", RANGES[mtype], _INVALID_RANGE), ("channels", (3,), _INVALID_CHANNELS)):
            value = asked.get(name, offered[-1:])
            if len(value) != 1 or value[0] not in offered:
                return status
        return 0

    def _respond(self, op: int, mtype: int, status: int, params: bytes = b"") -> None:
        """``F0 op type status more params``; parameters beyond one notification (ATT MTU − 3 bytes)
        follow in notifications ``more, params...`` as a real sensor sends them."""
        room = self.mtu - 3
        first, rest = params[:room - 5], params[room - 5:]
        header = bytes([pmd.CP_RESPONSE_CODE, op, mtype, status, int(bool(rest))])
        self.respond(pmd.PMD_CONTROL_POINT_UUID, header + first)
        while rest:
            part, rest = rest[:room - 1], rest[room - 1:]
            self.respond(pmd.PMD_CONTROL_POINT_UUID, bytes([int(bool(rest))]) + part)

"""Movesense sensors running the GATT SensorData app ("GSP"), IMU6 stream (spec: movesense.md).

Commands go to the command characteristic as ``[command, client reference, path...]``; every
notification on the data characteristic is ``[response type, client reference, payload...]``.
An IMU6 data payload is a uint32 millisecond timestamp (of the first sample) followed by N
acceleration vectors and then N angular-rate vectors, all float32 little-endian, already in
m/s² and deg/s. The timestamps let the decoder place each packet on the sensor's clock and
detect lost, duplicated and late packets.
"""
from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

import numpy as np

from firmware_protocols._device_clock import DeviceClock
from firmware_protocols.base import Command, Decoder, DeviceTime, Protocol, ProtocolError, empty_samples, make_samples

SERVICE_UUID = "34802252-7185-4d5d-b431-630e7050e8f0"
COMMAND_CHAR_UUID = "34800001-7185-4d5d-b431-630e7050e8f0"
DATA_CHAR_UUID = "34800002-7185-4d5d-b431-630e7050e8f0"

CMD_HELLO = 0
CMD_SUBSCRIBE = 1
CMD_UNSUBSCRIBE = 2
RESPONSE_COMMAND_RESULT = 1
RESPONSE_DATA = 2
#: The rest of a data notification longer than one notification: ``03 ref rest...`` (the app's
#: ``DATA_PART2``); the data is the first part's bytes followed by the rest (see movesense.md).
RESPONSE_DATA_PART2 = 3

#: Client reference byte tagging our IMU6 subscription (any non-zero value; 99 as in the vendor sample).
DEFAULT_REFERENCE = 99
IMU6_RATES_HZ = (13, 26, 52, 104, 208, 416, 833, 1666)
TIMESTAMP_TICKS_PER_S = 1000.0
TIMESTAMP_MODULUS = 2**32
HEADER_BYTES = 6  # type, reference, uint32 timestamp
SAMPLE_BYTES = 24  # 3 float32 acc + 3 float32 gyro
#: The app's ATT MTU ("MTU is 161", GATTSensorDataClient.cpp): a notification carries at most
#: 158 bytes, so an IMU6 packet of 7 or more samples (104 Hz: 8, 198 bytes) comes in two parts.
APP_MTU = 161
#: The shortest first part of a split packet: a notification at the smallest ATT MTU (23) − 3. A
#: data notification shorter than this that is not 6 + 24 N bytes is an error at once.
MIN_FIRST_PART_BYTES = 20
#: IMU6 packets the sensor sends per second of a stream: a packet holds rate / 13 samples (at
#: least 1): 8 at 104 Hz, as a real sensor's capture shows (158 + 42 bytes); the other rates'
#: counts are assumed from it (see movesense.md, "Packets longer than a notification").
PACKETS_PER_S = 13
_RECENT_PACKETS = 64


#: What the app answers HELLO with (``01 ref "Hello"``), in place of a status.
HELLO_ANSWER = b"Hello"


@dataclass(frozen=True)
class CommandResult:
    """A command result notification ``01 ref body``: ``status`` is the HTTP-style result code the
    body carries, big-endian as the app writes it (``01 FB`` = 507: no free subscription slot; a
    one-byte body such as ``C8`` = 200 is read the same way), None for the HELLO answer."""

    reference: int
    status: int | None
    body: bytes

    @property
    def failed(self) -> bool:
        """True for a status of 400 or more (the app's own test for a failed subscription)."""
        return self.status is not None and self.status >= 400

    def describe(self) -> str:
        """``"status 507 (Insufficient Storage)"``, or the HELLO answer as text."""
        if self.status is None:
            return repr(self.body.decode("ascii", "replace"))
        try:
            return f"status {self.status} ({HTTPStatus(self.status).phrase})"
        except ValueError:
            return f"status {self.status}"


def parse_command_result(payload: bytes) -> CommandResult:
    """The command result in a ``01 ref body`` notification (see :class:`CommandResult`);
    :class:`ProtocolError` for one that is neither a 1- or 2-byte status nor the HELLO answer."""
    payload = bytes(payload)
    if len(payload) < 2 or payload[0] != RESPONSE_COMMAND_RESULT:
        raise ProtocolError(f"Movesense notification {payload[:8].hex(' ')} is not a command result (01 ref ...)")
    note = classify_notification(payload)
    if isinstance(note, OtherNotification):
        raise ProtocolError(note.why)
    return note


@dataclass(frozen=True)
class DataNotification:
    """A data notification ``02 ref payload`` (``part`` 1): ``payload`` is the SBEM data (IMU6: a
    uint32 ms timestamp, then the float32 vectors), not checked here; or the second part of one
    too long for a notification, ``03 ref rest`` (``part`` 2): ``payload`` is the rest, to follow
    the first part's payload."""

    reference: int
    payload: bytes
    part: int = 1


@dataclass(frozen=True)
class OtherNotification:
    """A notification that is neither a readable command result nor data: ``kind`` (byte 0) and
    ``reference`` (byte 1) where it has them, else None; ``why``: one line naming its bytes."""

    kind: int | None
    reference: int | None
    why: str


Notification = CommandResult | DataNotification | OtherNotification


def classify_notification(payload: bytes) -> Notification:
    """What a notification on the data characteristic is, never raising: a :class:`CommandResult`
    (``01 ref status``: 1 or 2 status bytes, or ``"Hello"``), a :class:`DataNotification` (``02 ref
    ...``, or its second part ``03 ref ...``), or an :class:`OtherNotification` saying why it is
    neither (fewer than 2 bytes, another type, a command result without a status). Vectors:
    movesense.md, "Classifying a notification"."""
    payload = bytes(payload)
    if len(payload) < 2:
        return OtherNotification(payload[0] if payload else None, None,
                                 f"Movesense notification of {len(payload)} byte(s): needs type and reference")
    kind, reference = payload[0], payload[1]
    if kind == RESPONSE_DATA:
        return DataNotification(reference, payload[2:])
    if kind == RESPONSE_DATA_PART2:
        return DataNotification(reference, payload[2:], part=2)
    if kind != RESPONSE_COMMAND_RESULT:
        return OtherNotification(kind, reference, f"Movesense notification type {kind} is not a command result "
                                                  "(1), data (2) or the second part of data (3)")
    body = payload[2:]
    if body == HELLO_ANSWER:
        return CommandResult(reference, None, body)
    if not 1 <= len(body) <= 2:
        return OtherNotification(kind, reference, f"Movesense command result {payload[:12].hex(' ')}: {len(body)} "
                                                  "byte(s) after the reference; expected a 2-byte status or \"Hello\"")
    return CommandResult(reference, int.from_bytes(body, "big"), body)


def imu6_rate_hz(requested_hz: float) -> int:
    """The IMU6 rate the sensor is subscribed at for ``requested_hz`` (nearest in ratio)."""
    if requested_hz <= 0:
        raise ValueError(f"sample rate must be positive, got {requested_hz}")
    return min(IMU6_RATES_HZ, key=lambda r: abs(np.log(r / requested_hz)))


def imu6_path(sample_rate_hz: float) -> str:
    return f"/Meas/IMU6/{imu6_rate_hz(sample_rate_hz)}"


def imu6_packet_samples(sample_rate_hz: float) -> int:
    """Samples in an IMU6 packet the sensor sends when subscribed for ``sample_rate_hz`` (Hz):
    the IMU6 rate / :data:`PACKETS_PER_S`, at least 1 (104 Hz: 8)."""
    return max(1, round(imu6_rate_hz(sample_rate_hz) / PACKETS_PER_S))


class MovesenseDecoder(Decoder):
    """Decodes IMU6 data notifications carrying ``reference``; others are counted and skipped.

    ``t`` is the sensor timestamp of each packet (relative to the first packet) plus
    ``i / sample_rate_hz`` for the i-th sample inside it. A packet that starts later than the
    previous one ends records a gap (lost samples); a packet that starts where an accepted one
    started is a duplicate, one that starts earlier is late (reordered): both are dropped so
    ``t`` stays increasing.

    A packet longer than a notification comes in two (the app's MTU is 161: IMU6 at 104 Hz, 198
    bytes, as 158 + 42): a data notification that is not 6 + 24 N bytes long is held as the first
    part, and the next notification of ``reference``, ``03 ref rest``, completes it. A first part
    whose second never comes, and a second part without its first, are a :class:`ProtocolError`
    naming the part (said when the next notification shows it, or by :meth:`finish` at the
    stream's end); the packets around them decode as usual (a complete packet that showed a lost
    second part comes out with the next notification, or from :meth:`finish`).

    ``packet_samples``: the samples in a packet the sensor sends at this rate (a session knows it
    from its subscription: :func:`imu6_packet_samples`); None: not known. At some ATT MTUs (33,
    57, 81, 105, 129, 153) a first part is 6 + 24 N bytes long, as a whole packet could be: a
    data notification of 6 + 24 ``packet_samples`` bytes is a whole packet, but one of 6 + 24 N
    bytes with another N is held until the next notification of ``reference`` says which it was
    (a type 3: its first part; anything else, or the stream's end: a whole packet, whose samples
    come out then, before that notification's own). Without ``packet_samples`` every 6 + 24 N
    bytes is whole at once (the length alone decides: a first part at those MTUs passes as a
    whole packet, its acceleration read as angular rate).
    """

    def __init__(self, reference: int = DEFAULT_REFERENCE, sample_rate_hz: float = 104.0,
                 packet_samples: int | None = None) -> None:
        super().__init__()
        if not 1 <= reference <= 255:
            raise ValueError(f"reference must be 1..255, got {reference}")
        if packet_samples is not None and packet_samples < 1:
            raise ValueError(f"packet_samples must be 1 or more, got {packet_samples}")
        self.reference = reference
        self.packet_samples = packet_samples
        self.sample_rate_hz = float(imu6_rate_hz(sample_rate_hz))
        self._period_ms = TIMESTAMP_TICKS_PER_S / self.sample_rate_hz
        self._clock = DeviceClock(TIMESTAMP_TICKS_PER_S, TIMESTAMP_MODULUS)
        self._next_start_ms = 0.0
        self._recent_starts: deque[int] = deque(maxlen=_RECENT_PACKETS)
        #: Notifications that are valid GSP traffic but not our samples (other references).
        self.ignored_packets = 0
        #: The last command result notification (any reference): the app sends one for a failed
        #: SUBSCRIBE (``01 ref 01 FB``: status 507) and none for one that succeeded.
        self.last_command_result: CommandResult | None = None
        self._first_part: bytes | None = None  # a split packet's first notification, awaiting its second
        self._maybe_whole = False  # the first part held may be a whole packet (6 + 24 N bytes)
        self._held: np.ndarray | None = None  # decoded samples not yet returned (see the class doc)

    def _decode(self, payload: bytes) -> np.ndarray:
        held, self._held = self._held, None
        try:
            samples = self._decode_notification(payload)
        except ProtocolError:
            if held is not None:  # (never lost: they come out with the next notification decoded)
                self._held = held if self._held is None else np.vstack([held, self._held])
            raise
        return samples if held is None else np.vstack([held, samples])

    def _finish(self) -> np.ndarray:
        """At the stream's end: a first part still waiting for its second is a :class:`ProtocolError`
        naming it; samples held back (after a lost part) are returned, and a notification that
        may have been whole (see the class doc) is decoded as the whole packet it was."""
        first, self._first_part = self._first_part, None
        maybe_whole, self._maybe_whole = self._maybe_whole, False
        held, self._held = self._held, None
        if first is not None and maybe_whole:  # no second part came: it was a whole packet
            try:
                samples = self._decode_packet(first)
            except ProtocolError:
                self._held = held  # (returned by the next finish)
                raise
            return samples if held is None else np.vstack([held, samples])
        if first is not None:
            self._held = held  # (returned by the next finish, should the caller go on)
            (timestamp_ms,) = struct.unpack_from("<I", first, 2)
            raise ProtocolError(f"Movesense IMU6 packet of timestamp {timestamp_ms} ms: its first part ({len(first)} "
                                "bytes) was the last notification; its second part (type 3) never came: dropped")
        return empty_samples() if held is None else held

    def _decode_notification(self, payload: bytes) -> np.ndarray:
        note = classify_notification(payload)
        if isinstance(note, OtherNotification):
            raise ProtocolError(note.why)
        if isinstance(note, CommandResult):
            self.last_command_result = note
            return empty_samples()
        if note.reference != self.reference:
            self.ignored_packets += 1
            return empty_samples()
        first, self._first_part = self._first_part, None
        maybe_whole, self._maybe_whole = self._maybe_whole, False
        if note.part == 2:
            if first is None:
                raise ProtocolError(f"Movesense IMU6 second part ({len(payload)} bytes: {payload[:8].hex(' ')} ...) "
                                    "came without its first part: dropped")
            return self._decode_packet(first + note.payload, f"reassembled from {len(first)} + {len(payload)} bytes")
        out = [empty_samples()]
        error: ProtocolError | None = None
        if first is not None and maybe_whole:  # a data notification, not its second part: it was whole
            try:
                out.append(self._decode_packet(first))
            except ProtocolError as exc:  # (said now, with this notification: the packet is the one before)
                error = ProtocolError(f"{exc} (the notification before this one, held until this one showed it whole)")
        elif first is not None:  # its second part was lost: said now; these samples come out next time
            (timestamp_ms,) = struct.unpack_from("<I", first, 2)
            error = ProtocolError(f"Movesense IMU6 packet of timestamp {timestamp_ms} ms: its first part "
                                  f"({len(first)} bytes) was not followed by its second part (type 3): dropped")
        try:
            out.append(self._take_data(payload))
        except ProtocolError as exc:
            error = error or exc
        samples = np.vstack(out)
        if error is not None:
            self._held = samples if len(samples) else None
            raise error
        return samples

    def _take_data(self, payload: bytes) -> np.ndarray:
        """A data notification (type 2) of ours: a whole packet decoded, or held as a first part
        (one that may be whole: decided by the next notification; see the class doc)."""
        n, remainder = divmod(len(payload) - HEADER_BYTES, SAMPLE_BYTES)
        whole = n >= 1 and not remainder
        if whole and (self.packet_samples is None or n == self.packet_samples):
            return self._decode_packet(payload)
        if not whole and len(payload) < MIN_FIRST_PART_BYTES:
            raise ProtocolError(f"Movesense IMU6 packet has {len(payload)} bytes; expected 6 + 24 * N "
                                f"(or a first part of {MIN_FIRST_PART_BYTES} or more, followed by its second part)")
        self._first_part, self._maybe_whole = payload, whole
        return empty_samples()

    def _decode_packet(self, payload: bytes, how: str = "") -> np.ndarray:
        """The samples of one whole IMU6 packet ``02 ref timestamp acc... gyr...`` (``how``: how it
        was put together, for the error message)."""
        n, remainder = divmod(len(payload) - HEADER_BYTES, SAMPLE_BYTES)
        if n < 1 or remainder:
            raise ProtocolError(f"Movesense IMU6 packet has {len(payload)} bytes{f' ({how})' if how else ''}; "
                                "expected 6 + 24 * N")
        (timestamp_ms,) = struct.unpack_from("<I", payload, 2)
        values = np.frombuffer(payload, dtype="<f4", offset=HEADER_BYTES).astype(np.float64)
        if not np.isfinite(values).all():
            raise ProtocolError(f"Movesense IMU6 packet of timestamp {timestamp_ms} ms holds a non-finite value")
        start_ms = self._place(timestamp_ms, n)
        if start_ms is None:
            return empty_samples()
        out = make_samples(n)
        out[:, 0] = start_ms / TIMESTAMP_TICKS_PER_S + np.arange(n) / self.sample_rate_hz
        out[:, 1:4] = values[: 3 * n].reshape(n, 3)
        out[:, 4:7] = values[3 * n:].reshape(n, 3)
        return out

    def _place(self, timestamp_ms: int, n: int) -> int | None:
        """Start of this packet in ms since the first one, or None when it is dropped."""
        health, clock = self.health, self._clock
        if not clock.started:
            clock.accept(timestamp_ms)
            start = 0
        else:
            start = clock.ticks_since_origin(timestamp_ms)
            if start < self._next_start_ms - self._period_ms / 2:
                if start in self._recent_starts:
                    health.duplicate_packets += 1
                else:
                    health.reordered_packets += 1
                return None
            lost = round((start - self._next_start_ms) / self._period_ms)
            if lost > 0:
                health.add_gap(start / TIMESTAMP_TICKS_PER_S, lost)
            if clock.accept(timestamp_ms):
                health.clock_wraps += 1
        self._next_start_ms = start + n * self._period_ms
        self._recent_starts.append(start)
        if self.clock_origin is None:
            self.clock_origin = DeviceTime(timestamp_ms, TIMESTAMP_TICKS_PER_S, TIMESTAMP_MODULUS)
        return start


class Movesense(Protocol):
    """Movesense (HR+, HR2, MD, Flash) with the gatt_sensordata_app firmware: IMU6 stream."""

    name = "movesense"
    service_uuids = (SERVICE_UUID,)
    name_prefixes = ("Movesense",)
    data_char_uuids = (DATA_CHAR_UUID,)

    def __init__(self, reference: int = DEFAULT_REFERENCE) -> None:
        self.reference = reference

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        """Subscribe to ``Meas/IMU6`` at the supported rate nearest ``sample_rate_hz`` (Hz)."""
        path = imu6_path(sample_rate_hz).encode("ascii")
        return [Command(COMMAND_CHAR_UUID, bytes((CMD_SUBSCRIBE, self.reference)) + path)]

    def stop_commands(self) -> list[Command]:
        """Unsubscribe this client reference."""
        return [Command(COMMAND_CHAR_UUID, bytes((CMD_UNSUBSCRIBE, self.reference)))]

    def decoder(self, **settings) -> MovesenseDecoder:
        """A fresh decoder for this client reference (``settings``: e.g. ``sample_rate_hz``, Hz;
        ``packet_samples``, by default the count the sensor sends at that rate:
        :func:`imu6_packet_samples`)."""
        settings = {"reference": self.reference, **settings}
        if "packet_samples" not in settings:
            settings["packet_samples"] = imu6_packet_samples(settings.get("sample_rate_hz", 104.0))
        return MovesenseDecoder(**settings)


def encode_imu6(timestamp_ms: int, acc_ms2: np.ndarray, gyr_dps: np.ndarray,
                reference: int = DEFAULT_REFERENCE) -> bytes:
    """An IMU6 data notification: N samples of acceleration (m/s²) and angular rate (deg/s)."""
    acc = np.asarray(acc_ms2, dtype="<f4").reshape(-1, 3)
    gyr = np.asarray(gyr_dps, dtype="<f4").reshape(-1, 3)
    if len(acc) != len(gyr) or not len(acc):
        raise ValueError("need the same number (>= 1) of acceleration and angular-rate samples")
    header = struct.pack("<BBI", RESPONSE_DATA, reference, timestamp_ms % TIMESTAMP_MODULUS)
    return header + acc.tobytes() + gyr.tobytes()


def split_notification(packet: bytes, mtu: int = APP_MTU) -> list[bytes]:
    """A data notification as the app sends it over a link of ATT MTU ``mtu`` (bytes): whole when
    it fits in one notification (``mtu`` − 3 bytes), else the first ``mtu`` − 3 bytes and then
    ``03 ref`` followed by the rest (at the app's 161: a 198-byte 104 Hz packet as 158 + 42).
    ValueError for a packet that two notifications cannot carry (the sources show no third part)."""
    room = mtu - 3
    if len(packet) <= room:
        return [bytes(packet)]
    rest = packet[room:]
    if 2 + len(rest) > room:
        raise ValueError(f"a {len(packet)}-byte packet does not fit in two notifications at ATT MTU {mtu}")
    return [bytes(packet[:room]), bytes((RESPONSE_DATA_PART2, packet[1])) + bytes(rest)]


def encode_command_result(status: int, reference: int = DEFAULT_REFERENCE) -> bytes:
    """A command result notification carrying ``status``, its two bytes big-endian as the app
    writes them (507 -> ``01 ref 01 FB``)."""
    return bytes((RESPONSE_COMMAND_RESULT, reference)) + status.to_bytes(2, "big")


def encode_example_payloads() -> list[bytes]:
    """A one-sample and a two-sample IMU6 packet and the app's answer to a SUBSCRIBE it has no free
    slot for, ``01 63 01 FB`` (see movesense.md)."""
    return [
        bytes.fromhex("026340e20100" "0000003f00001cc10000803e" "00002041000020c00000003e"),
        encode_imu6(123466, [[0.0, 0.0, 9.81], [0.1, 0.0, 9.8]], [[1.0, -1.0, 0.5], [0.0, 0.0, 0.0]]),
        bytes.fromhex("016301fb"),
    ]

"""Polar Measurement Data (PMD) service: ACC and GYRO streaming (Verity Sense, H10, OH1).

Pure: bytes in, values out. The byte-level spec, with its sources in Polar's public SDK, is
``polar_pmd.md`` next to this file. In short: a data notification is a 10-byte header
(measurement type, u64 timestamp in ns since 2000-01-01 of the frame's LAST sample, frame type;
bit 7 of the frame type = delta-compressed) followed by raw samples or by a reference sample and
delta blocks. Polar's units: ACC in mG (compressed frames scaled by the settings "factor"),
GYRO in deg/s (times the factor); the decoder converts ACC to m/s².
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from firmware_protocols.base import (
    STANDARD_GRAVITY_MS2, Command, Decoder, DeviceTime, Protocol, ProtocolError, empty_samples, make_samples,
)

PMD_SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL_POINT_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

#: PMD measurement type ids (low 6 bits of the type byte).
MEASUREMENT_TYPES = {0: "ECG", 1: "PPG", 2: "ACC", 3: "PPI", 5: "GYRO", 6: "MAGNETOMETER", 7: "SKIN_TEMP",
                     9: "SDK_MODE", 10: "LOCATION", 11: "PRESSURE", 12: "TEMPERATURE",
                     13: "OFFLINE_RECORDING", 14: "OFFLINE_HR", 15: "OFFLINE_TEMP"}
ECG, ACC, GYRO = 0, 2, 5
OP_GET_SETTINGS, OP_START, OP_STOP = 0x01, 0x02, 0x03
FEATURES_READ_CODE = 0x0F  # byte 0 of a read of the control point: the features the sensor can stream
CP_RESPONSE_CODE, CP_MEASUREMENT_STOPPED = 0xF0, 0x01
CP_STATUS_NAMES = ("SUCCESS", "ERROR_INVALID_OP_CODE", "ERROR_INVALID_MEASUREMENT_TYPE", "ERROR_NOT_SUPPORTED",
                   "ERROR_INVALID_LENGTH", "ERROR_INVALID_PARAMETER", "ERROR_ALREADY_IN_STATE",
                   "ERROR_INVALID_RESOLUTION", "ERROR_INVALID_SAMPLE_RATE", "ERROR_INVALID_RANGE",
                   "ERROR_INVALID_MTU", "ERROR_INVALID_NUMBER_OF_CHANNELS", "ERROR_INVALID_STATE",
                   "ERROR_DEVICE_IN_CHARGER", "ERROR_DISK_FULL")
#: Settings TLV: type id -> (name, value size in bytes). Values little-endian signed; factor = float32 bits.
SETTING_TYPES = {0: ("sample_rate", 2), 1: ("resolution", 2), 2: ("range", 2), 3: ("range_milliunit", 4),
                 4: ("channels", 1), 5: ("factor", 4)}
HEADER_BYTES = 10
COMPRESSED_BIT = 0x80
MAX_FRAME_TYPE_ID = 10  # the SDK knows frame types 0..10 (low 7 bits of the frame type byte)
POLAR_EPOCH_UNIX_NS = 946_684_800_000_000_000  # 2000-01-01T00:00:00Z in ns since 1970
DEFAULT_SAMPLE_RATE_HZ = 52.0  # only spaces the very first frame when the rate is not given
MAX_DELTA_BITS = 32            # the SDK accumulates samples in 32-bit ints


@dataclass(frozen=True)
class FrameFormat:
    """How one (measurement type, frame type byte) is laid out and scaled."""

    compressed: bool
    sample_bits: int           # 8/16/24 raw ints, 16 compressed ints, 32 = float32 bit patterns
    is_float: bool = False
    polar_units_per_count: float = 1.0  # 1000 for ACC compressed type 0 (factor -> G, then mG)
    uses_factor: bool = True
    si_per_polar_unit: float = 1.0      # mG -> m/s² for ACC, 1 for deg/s


_MG = STANDARD_GRAVITY_MS2 / 1000.0
FRAME_FORMATS = {
    (ACC, 0x00): FrameFormat(False, 8, uses_factor=False, si_per_polar_unit=_MG),
    (ACC, 0x01): FrameFormat(False, 16, uses_factor=False, si_per_polar_unit=_MG),
    (ACC, 0x02): FrameFormat(False, 24, uses_factor=False, si_per_polar_unit=_MG),
    (ACC, 0x80): FrameFormat(True, 16, polar_units_per_count=1000.0, si_per_polar_unit=_MG),
    (ACC, 0x81): FrameFormat(True, 16, si_per_polar_unit=_MG),
    (GYRO, 0x80): FrameFormat(True, 16),
    (GYRO, 0x81): FrameFormat(True, 32, is_float=True),
}


@dataclass(frozen=True)
class PmdFrame:
    """One data notification split into its header fields and content bytes."""

    measurement_type: int
    timestamp_ns: int  # of the frame's last sample, ns since 2000-01-01T00:00:00Z (sensor clock)
    frame_type: int    # the full byte, compression bit included
    content: bytes

    @property
    def compressed(self) -> bool:
        return bool(self.frame_type & COMPRESSED_BIT)


def parse_frame(payload: bytes) -> PmdFrame:
    """Split a data notification into header and content; ProtocolError if shorter than a header."""
    if len(payload) < HEADER_BYTES:
        raise ProtocolError(f"polar_pmd: truncated header ({len(payload)} bytes, need {HEADER_BYTES})")
    if payload[9] & 0x7F > MAX_FRAME_TYPE_ID:
        raise ProtocolError(f"polar_pmd: frame type 0x{payload[9]:02x} does not exist")
    return PmdFrame(payload[0] & 0x3F, int.from_bytes(payload[1:9], "little"), payload[9], bytes(payload[10:]))


def _frame_name(frame: PmdFrame, payload: bytes) -> str:
    """``ACC frame 0x80 of timestamp 599616000000000000 ns (110 bytes)``: which notification."""
    name = MEASUREMENT_TYPES.get(frame.measurement_type, f"type {frame.measurement_type}")
    return f"{name} frame 0x{frame.frame_type:02x} of timestamp {frame.timestamp_ns} ns ({len(payload)} bytes)"


def _frame_format(frame: PmdFrame) -> FrameFormat:
    name = MEASUREMENT_TYPES.get(frame.measurement_type)
    if name is None:
        raise ProtocolError(f"polar_pmd: unknown measurement type {frame.measurement_type}")
    fmt = FRAME_FORMATS.get((frame.measurement_type, frame.frame_type))
    if fmt is None:
        raise ProtocolError(f"polar_pmd: {name} frame type 0x{frame.frame_type:02x} not supported")
    return fmt


def _signed(values: np.ndarray, bits: int) -> np.ndarray:
    sign = 1 << (bits - 1)
    return ((values & ((1 << bits) - 1)) ^ sign) - sign


def _le_ints(data: bytes, nbytes: int, signed: bool) -> np.ndarray:
    """Little-endian integers of ``nbytes`` each (two's complement when ``signed``), as int64."""
    if nbytes in (1, 2, 4):
        return np.frombuffer(data, dtype=f"<{'i' if signed else 'u'}{nbytes}").astype(np.int64)
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, nbytes).astype(np.int64)
    values = raw @ (np.int64(1) << (8 * np.arange(nbytes, dtype=np.int64)))
    return _signed(values, 8 * nbytes) if signed else values


def parse_delta_content(content: bytes, channels: int, sample_bits: int, signed: bool = True) -> np.ndarray:
    """Samples of a delta-compressed content: (n, channels) int64, reference sample first.

    Reference: ``channels`` little-endian values of ceil(bits/8) bytes. Then blocks: delta width
    (1 byte, bits), sample count (1 byte), count*channels*width bits packed LSB-first, padded to
    a byte. Sums wrap at 32 bits like the SDK; ``signed=False`` keeps unsigned 32-bit patterns.
    """
    ref_bytes = channels * -(-sample_bits // 8)
    if len(content) < ref_bytes:
        raise ProtocolError(f"polar_pmd: {len(content)} content bytes, reference sample needs {ref_bytes}")
    ref = _le_ints(content[:ref_bytes], ref_bytes // channels, signed=False)
    if signed:
        ref = _signed(ref, sample_bits)  # at the resolution, as the SDK does
    deltas, offset = [], ref_bytes
    while offset < len(content):
        if offset + 2 > len(content):
            raise ProtocolError(f"polar_pmd: delta block header truncated at content byte {offset}")
        width, count = content[offset], content[offset + 1]
        if not 1 <= width <= MAX_DELTA_BITS:
            raise ProtocolError(f"polar_pmd: bad delta width {width} bits at content byte {offset}")
        nbits = width * count * channels
        end = offset + 2 + -(-nbits // 8)
        if end > len(content):
            raise ProtocolError(f"polar_pmd: delta block of {count} samples x {width} bits overflows the payload")
        bits = np.unpackbits(np.frombuffer(content, np.uint8, end - offset - 2, offset + 2), bitorder="little")
        values = bits[:nbits].reshape(-1, width).astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))
        deltas.append(_signed(values, width).reshape(count, channels))
        offset = end
    samples = np.vstack([ref[None, :], *deltas]).cumsum(axis=0)
    return _signed(samples, 32) if signed else samples & 0xFFFFFFFF


def frame_counts(frame: PmdFrame) -> np.ndarray:
    """The frame's channel values as sent: (n, 3) int64 (float frames: uint32 bit patterns)."""
    return _counts(frame, _frame_format(frame))


def _counts(frame: PmdFrame, fmt: FrameFormat) -> np.ndarray:
    if fmt.compressed:
        counts = parse_delta_content(frame.content, 3, fmt.sample_bits, signed=not fmt.is_float)
    else:
        size = 3 * fmt.sample_bits // 8
        if len(frame.content) % size:
            raise ProtocolError(f"polar_pmd: raw content of {len(frame.content)} bytes is not whole {size}-byte samples")
        counts = _le_ints(frame.content, fmt.sample_bits // 8, signed=True).reshape(-1, 3)
    if not len(counts):
        raise ProtocolError("polar_pmd: frame carries no samples")
    return counts


def frame_values(frame: PmdFrame, factor: float = 1.0) -> np.ndarray:
    """The frame's samples in Polar's units: ACC in mG, GYRO in deg/s; (n, 3) float64."""
    return _values(frame, _frame_format(frame), factor)


def _values(frame: PmdFrame, fmt: FrameFormat, factor: float) -> np.ndarray:
    counts = _counts(frame, fmt)
    values = counts.astype(np.uint32).view(np.float32).astype(np.float64) if fmt.is_float else counts.astype(np.float64)
    return values * ((factor if fmt.uses_factor else 1.0) * fmt.polar_units_per_count)


def sample_times_ns(frame_ns: int, n: int, *, previous_ns: int | None = None,
                    period_ns: float | None = None) -> list[int]:
    """Timestamps of a frame's n samples, the SDK's way: the last one is the frame's timestamp;
    the others are spread evenly after ``previous_ns`` (previous frame), else ``period_ns`` apart."""
    if n <= 0:
        raise ProtocolError("polar_pmd: frame carries no samples")
    delta = _spacing_ns(frame_ns, n, previous_ns, period_ns)
    start = float(previous_ns) + delta if previous_ns is not None else float(frame_ns) - delta * (n - 1)
    return [int(v) for v in np.rint(start + delta * np.arange(n - 1))] + [frame_ns]


def _spacing_ns(frame_ns: int, n: int, previous_ns: int | None, period_ns: float | None) -> float:
    """Sample spacing in a frame: (T - previous) / n after a previous frame, else the period."""
    if previous_ns is not None:
        return float(frame_ns - previous_ns) / float(n)
    if period_ns is None:
        raise ValueError("polar_pmd: sample spacing needs previous_ns or period_ns")
    return float(period_ns)


@dataclass(frozen=True)
class ControlPointResponse:
    """A PMD control point response: 0xF0, op code, measurement type, status, more, parameters."""

    op_code: int
    measurement_type: int
    status: int
    more: bool
    parameters: bytes

    @property
    def settings(self) -> dict[str, tuple[float, ...]]:
        """The parameters of a settings query or start response read as settings TLVs."""
        return parse_settings(self.parameters)

    @property
    def ok(self) -> bool:
        return self.status == 0

    @property
    def status_name(self) -> str:
        return CP_STATUS_NAMES[self.status] if self.status < len(CP_STATUS_NAMES) else f"ERROR_{self.status}"

    @property
    def factor(self) -> float | None:
        values = self.settings.get("factor")
        return values[0] if values else None


@dataclass(frozen=True)
class MeasurementStopped:
    """Sent by the sensor on the control point (0x01 ...) when it stops streams by itself."""

    measurement_types: tuple[int, ...]


def parse_settings(data: bytes) -> dict[str, tuple[float, ...]]:
    """Settings TLVs (type id, count, count values) into {name: values}; factor as a float."""
    settings: dict[str, tuple[float, ...]] = {}
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data) or data[offset] not in SETTING_TYPES:
            raise ProtocolError(f"polar_pmd: bad settings TLV at byte {offset}: {data[offset:offset + 2].hex()}")
        name, size = SETTING_TYPES[data[offset]]
        count, offset = data[offset + 1], offset + 2
        if offset + count * size > len(data):
            raise ProtocolError(f"polar_pmd: setting {name} with {count} values overflows the parameters")
        chunk = data[offset:offset + count * size]
        if name == "factor":
            values = struct.unpack(f"<{count}f", chunk)
        else:
            values = tuple(int.from_bytes(chunk[i:i + size], "little", signed=True) for i in range(0, len(chunk), size))
        settings[name] = tuple(values)
        offset += count * size
    return settings


def parse_control_point_response(payload: bytes) -> ControlPointResponse | MeasurementStopped:
    """Parse a control point notification (settings query / start / stop response)."""
    if payload[:1] == bytes([CP_MEASUREMENT_STOPPED]):
        return MeasurementStopped(tuple(b & 0x3F for b in payload[1:]))
    if len(payload) < 4 or payload[0] != CP_RESPONSE_CODE:
        raise ProtocolError(f"polar_pmd: not a control point response: {bytes(payload[:8]).hex()}")
    status = payload[3]
    ok = status == 0
    more = ok and len(payload) > 4 and payload[4] != 0
    return ControlPointResponse(payload[1], payload[2] & 0x3F, status, more, bytes(payload[5:]) if ok else b"")


def parse_features(payload: bytes) -> frozenset[int]:
    """The measurement types a sensor can stream, from a read of the control point: ``0F`` then a
    bitmap in which bit ``t % 8`` of byte ``1 + t // 8`` set means type ``t`` is offered (Polar SDK
    ``PmdMeasurementType.fromByteArray``: an H10 answers ``0F 05 00``, ECG and ACC)."""
    payload = bytes(payload)
    if len(payload) < 2 or payload[0] != FEATURES_READ_CODE:
        raise ProtocolError(f"polar_pmd: not a features read of the control point: {payload[:8].hex()}")
    return frozenset(8 * i + bit for i, byte in enumerate(payload[1:]) for bit in range(8) if byte >> bit & 1)


def feature_names(types) -> str:
    """Measurement types by name, in type order (``ECG, ACC``); an unknown one as ``type N``."""
    return ", ".join(MEASUREMENT_TYPES.get(t, f"type {t}") for t in sorted(types))


def settings_tlv(settings: dict[int, int]) -> bytes:
    """Selected settings as TLVs (one value each) in type-id order; the factor is never sent."""
    out = bytearray()
    for type_id in sorted(settings):
        name, size = SETTING_TYPES[type_id]
        if name != "factor":
            out += bytes([type_id, 1]) + int(settings[type_id]).to_bytes(size, "little")
    return bytes(out)


def get_settings_command(measurement_type: int) -> Command:
    return Command(PMD_CONTROL_POINT_UUID, bytes([OP_GET_SETTINGS, measurement_type]))


def start_measurement_command(measurement_type: int, sample_rate_hz: float, range_units: int,
                              resolution_bits: int = 16, channels: int = 3) -> Command:
    """Start an online stream: op 0x02, type, then sample rate / resolution / range / channels TLVs."""
    tlv = settings_tlv({0: round(sample_rate_hz), 1: resolution_bits, 2: range_units, 4: channels})
    return Command(PMD_CONTROL_POINT_UUID, bytes([OP_START, measurement_type]) + tlv)


def stop_measurement_command(measurement_type: int) -> Command:
    return Command(PMD_CONTROL_POINT_UUID, bytes([OP_STOP, measurement_type]))


@dataclass
class _StreamClock:
    last_ns: int
    period_ns: float | None  # nominal, then learned from consecutive frames


class PolarPmdDecoder(Decoder):
    """Stateful decoder of the PMD data characteristic (ACC and GYRO frames).

    ``sample_rate_hz``: the rate the streams were started with; when None the sample period is
    learned from the first two frames of each stream (assumed gap-free). ``acc_factor`` /
    ``gyr_factor``: the "factor" of the start response (see :meth:`apply_control_point_response`).
    """

    def __init__(self, sample_rate_hz: float | None = None, acc_factor: float = 1.0, gyr_factor: float = 1.0):
        super().__init__()
        for name, value in (("sample_rate_hz", sample_rate_hz), ("acc_factor", acc_factor), ("gyr_factor", gyr_factor)):
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ValueError(f"polar_pmd: {name} must be a positive number, got {value!r}")
        self.factors = {ACC: float(acc_factor), GYRO: float(gyr_factor)}
        self.sample_rate_hz = float(sample_rate_hz) if sample_rate_hz else None
        self._nominal_period_ns = 1e9 / sample_rate_hz if sample_rate_hz else None
        self._clocks: dict[int, _StreamClock] = {}
        self._origin: tuple[int, float] | None = None  # (a frame timestamp in ns, its t in s)

    def apply_control_point_response(self, response: ControlPointResponse) -> None:
        """Take the factor a successful start (or settings) response reports for ACC or GYRO."""
        if isinstance(response, ControlPointResponse) and response.ok and response.measurement_type in self.factors:
            if response.factor is not None:
                self.factors[response.measurement_type] = response.factor

    def _decode(self, payload: bytes) -> np.ndarray:
        frame = parse_frame(payload)
        if frame.measurement_type not in MEASUREMENT_TYPES:
            raise ProtocolError(f"polar_pmd: unknown measurement type {frame.measurement_type}")
        if frame.measurement_type not in self.factors:
            return empty_samples()  # a known PMD stream without acc/gyr (ECG, PPG, ...)
        fmt = _frame_format(frame)
        try:
            values = _values(frame, fmt, self.factors[frame.measurement_type])
        except ProtocolError as exc:  # (its content does not end where its samples do)
            reason = str(exc).removeprefix("polar_pmd: ")
            raise ProtocolError(f"polar_pmd: {_frame_name(frame, payload)} is cut short or has bytes past its "
                                f"samples ({reason}); a PMD frame comes whole in one notification") from None
        if not np.isfinite(values).all():  # float frames can carry NaN or infinity
            raise ProtocolError(f"polar_pmd: {_frame_name(frame, payload)} holds a non-finite value")
        n = len(values)
        stamp = self._stamp(frame, n)
        if stamp is None:
            return empty_samples()
        spacing_s, lost = stamp[0] / 1e9, stamp[1]
        if self._origin is None:  # t = 0 at the first sample this decoder produces
            self._origin = (frame.timestamp_ns, (n - 1) * spacing_s)
            self.clock_origin = DeviceTime(frame.timestamp_ns - round(self._origin[1] * 1e9), 1e9)
        last_s = (frame.timestamp_ns - self._origin[0]) / 1e9 + self._origin[1]
        out = make_samples(n)
        out[:, 0] = last_s - (n - 1 - np.arange(n)) * spacing_s
        columns = slice(1, 4) if frame.measurement_type == ACC else slice(4, 7)
        out[:, columns] = values * fmt.si_per_polar_unit
        if lost:
            self.health.add_gap(float(out[0, 0]), lost)
        return out

    def _stamp(self, frame: PmdFrame, n: int) -> tuple[float, int] | None:
        """(sample spacing in ns, samples lost before the frame); None for a duplicate or late frame."""
        ts, clock = frame.timestamp_ns, self._clocks.get(frame.measurement_type)
        if clock is None:
            self._clocks[frame.measurement_type] = _StreamClock(ts, self._nominal_period_ns)
            return self._nominal_period_ns or 1e9 / DEFAULT_SAMPLE_RATE_HZ, 0
        if ts == clock.last_ns:
            self.health.duplicate_packets += 1
            return None
        if ts < clock.last_ns:
            self.health.reordered_packets += 1
            return None
        span, period = ts - clock.last_ns, clock.period_ns
        clock.last_ns = ts
        if period is not None and span > 1.5 * n * period:  # whole frames missing: no stretching
            return period, max(round(span / period) - n, 0)
        clock.period_ns = _spacing_ns(ts, n, ts - span, None)
        return clock.period_ns, 0


class PolarPmd(Protocol):
    """Polar PMD over BLE: ACC (+ GYRO where the sensor has one) from Verity Sense, H10, OH1."""

    name = "polar_pmd"
    service_uuids = (PMD_SERVICE_UUID,)
    name_prefixes = ("Polar Sense", "Polar H10", "Polar OH1")
    data_char_uuids = (PMD_DATA_UUID,)
    control_point_uuid = PMD_CONTROL_POINT_UUID
    acc_range_g = 8
    gyr_range_dps = 2000

    def settings_commands(self) -> list[Command]:
        """Ask which ACC and GYRO settings the sensor supports (answers: parse_control_point_response)."""
        return [get_settings_command(ACC), get_settings_command(GYRO)]

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        """Start ACC (±``acc_range_g`` g) and GYRO (±``gyr_range_dps`` deg/s) at ``sample_rate_hz``
        (Hz; the sensor must support the rate: see :meth:`settings_commands`)."""
        return [start_measurement_command(ACC, sample_rate_hz, self.acc_range_g),
                start_measurement_command(GYRO, sample_rate_hz, self.gyr_range_dps)]

    def start_commands_for(self, offered: dict[int, dict[str, tuple[float, ...]]],
                           sample_rate_hz: float) -> tuple[float, list[Command]]:
        """The rate (Hz) to stream at and the start writes, chosen from what the sensor ``offered``:
        {measurement type: settings of its answer to :meth:`settings_commands`} (a type missing: the
        sensor has none, e.g. an H10's GYRO). A sensor refuses a start whose settings it did not
        offer (a Verity Sense offers 52 Hz and ±8 G outside SDK mode), so the rate is the offered one
        nearest ``sample_rate_hz`` (in ratio; one that ACC and GYRO share where possible), the range
        ``acc_range_g`` / ``gyr_range_dps`` if offered else the nearest offered (of two as near, the
        wider: a motion clipped is lost), the resolution the highest offered (16 bits if none is
        said) and the channels likewise (3)."""
        if sample_rate_hz <= 0:
            raise ValueError(f"sample rate must be positive, got {sample_rate_hz}")
        rate_sets = [set(offered[t].get("sample_rate", ())) - {0} for t in (ACC, GYRO) if t in offered] or [set()]
        rates = set.intersection(*rate_sets) or rate_sets[0] or {round(sample_rate_hz)}  # none said: as asked
        rate_hz = float(min(rates, key=lambda r: (abs(np.log(r / sample_rate_hz)), r)))
        commands = []
        for mtype, preferred in ((ACC, self.acc_range_g), (GYRO, self.gyr_range_dps)):
            if mtype not in offered:
                continue
            settings = offered[mtype]
            ranges = [r for r in settings.get("range", ()) if r > 0] or [preferred]
            range_units = min(ranges, key=lambda r: (abs(np.log(r / preferred)), -r))  # a tie: the wider
            resolution = int(max(settings.get("resolution", ()) or (16,)))
            channels = int(max(settings.get("channels", ()) or (3,)))
            commands.append(start_measurement_command(mtype, rate_hz, int(range_units), resolution, channels))
        return rate_hz, commands

    def stop_commands(self) -> list[Command]:
        """Stop the ACC and GYRO measurements."""
        return [stop_measurement_command(ACC), stop_measurement_command(GYRO)]

    def decoder(self, sample_rate_hz: float | None = None, acc_factor: float = 1.0,
                gyr_factor: float = 1.0) -> PolarPmdDecoder:
        """A fresh decoder: ``sample_rate_hz`` (Hz) the streams were started at (None: learned from
        the first frames), ``acc_factor``/``gyr_factor`` from the start response (dimensionless)."""
        return PolarPmdDecoder(sample_rate_hz, acc_factor, gyr_factor)


# The encoder (tests, benchmarks, the simulated sensor) lives in polar_pmd_encode.py; its names are
# served from here too (loaded on first use), so the wire format has one entry point.
_ENCODER_NAMES = ("EXAMPLE_START_NS", "counts_from_si", "encode_example_payloads", "encode_features", "encode_frame",
                  "encode_stream")


def __getattr__(name: str):
    if name in _ENCODER_NAMES:
        from firmware_protocols import polar_pmd_encode

        return getattr(polar_pmd_encode, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

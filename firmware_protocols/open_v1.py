"""sensorkit open protocol v1: our own wire format for DIY 6-axis sensors (spec: open_v1.md).

A data frame is ``version, flags, seq (u16), t_first_us (u32), n, n x 6 int16`` little-endian; the
config characteristic gives the sample rate and the LSB scales. The sequence counter finds lost,
duplicated and reordered frames; the microsecond timestamp places samples on the device clock,
finds samples the device itself dropped, and is unwrapped across its 71.6-minute wrap.
"""
from __future__ import annotations

import dataclasses
import math
import struct
from collections import deque
from dataclasses import dataclass

import numpy as np

from firmware_protocols._device_clock import DeviceClock, modular_delta
from firmware_protocols.base import Command, Decoder, DeviceTime, Protocol, ProtocolError, empty_samples, make_samples

SERVICE_UUID = "b7fb4f00-9fae-430d-a566-b215c48b46a2"
DATA_CHAR_UUID = "b7fb4f01-9fae-430d-a566-b215c48b46a2"
CONFIG_CHAR_UUID = "b7fb4f02-9fae-430d-a566-b215c48b46a2"
CONTROL_CHAR_UUID = "b7fb4f03-9fae-430d-a566-b215c48b46a2"

PROTOCOL_VERSION = 1
FLAG_STREAM_START = 0x01  # first frame after a start command; seq restarts at 0
FLAG_DEVICE_OVERFLOW = 0x02  # the device dropped samples before this frame (its timestamp shows how many)
CONTROL_START = 0x01  # + u16 requested rate in Hz
CONTROL_STOP = 0x02

FRAME_HEADER = struct.Struct("<BBHIB")  # version, flags, seq, t_first_us, n
CONFIG = struct.Struct("<BBBBfff")  # version, samples/frame, imu model, reserved, rate, acc scale, gyro scale
SAMPLE_BYTES = 12
SEQ_MODULUS = 2**16
TIMESTAMP_MODULUS = 2**32
IMU_MODELS = {0: "unknown", 1: "MPU-6050", 2: "LSM6DS3"}
_RECENT_FRAMES = 256


@dataclass(frozen=True)
class OpenV1Config:
    """Contents of the config characteristic: rate in Hz, scales per LSB in SI/deg units."""

    sample_rate_hz: float
    acc_ms2_per_lsb: float
    gyro_dps_per_lsb: float
    samples_per_frame: int = 8
    imu_model: int = 0
    version: int = PROTOCOL_VERSION

    def to_bytes(self) -> bytes:
        """The 16 bytes of the config characteristic (rate and scales as float32)."""
        return CONFIG.pack(self.version, self.samples_per_frame, self.imu_model, 0, self.sample_rate_hz,
                           self.acc_ms2_per_lsb, self.gyro_dps_per_lsb)


def parse_config(payload: bytes) -> OpenV1Config:
    """The config characteristic's 16 bytes as an :class:`OpenV1Config` (float32 values widened)."""
    if len(payload) != CONFIG.size:
        raise ProtocolError(f"open_v1 config must be {CONFIG.size} bytes, got {len(payload)}")
    version, per_frame, model, _reserved, rate, acc, gyr = CONFIG.unpack(payload)
    if version != PROTOCOL_VERSION:
        raise ProtocolError(f"open_v1 config has protocol version {version}, expected {PROTOCOL_VERSION}")
    values = np.array([rate, acc, gyr])
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise ProtocolError(f"open_v1 config needs positive rate and scales, got {rate}, {acc}, {gyr}")
    if per_frame < 1:
        raise ProtocolError("open_v1 config: samples per frame must be at least 1")
    return OpenV1Config(rate, acc, gyr, per_frame, model, version)


#: The reference firmware's settings (MPU-6050, ±4 g, ±500 deg/s, 100 Hz), float32 as on the wire.
DEFAULT_CONFIG = parse_config(OpenV1Config(100.0, 9.80665 / 8192, 1 / 65.5, 8, 1).to_bytes())


class OpenV1Decoder(Decoder):
    """Decodes data frames using the scales and rate of ``config`` (parsed, or raw config bytes)."""

    def __init__(self, config: OpenV1Config | bytes | None = None) -> None:
        super().__init__()
        if config is None:
            config = DEFAULT_CONFIG
        elif isinstance(config, (bytes, bytearray)):
            config = parse_config(bytes(config))
        self.config = config
        self.sample_rate_hz = float(config.sample_rate_hz)
        self._scale = np.array([config.acc_ms2_per_lsb] * 3 + [config.gyro_dps_per_lsb] * 3)
        self._period_us = 1e6 / config.sample_rate_hz
        self._clock = DeviceClock(1e6, TIMESTAMP_MODULUS)
        self._last_seq: int | None = None
        self._stream_start: tuple[int, int] | None = None  # (seq, raw time) of the last STREAM_START frame taken
        self._recent_seqs: deque[int] = deque(maxlen=_RECENT_FRAMES)
        self._next_start_us = 0.0
        #: Frames missing according to the sequence counter (their samples are in health.lost_samples).
        self.lost_frames = 0
        #: Frames flagged by the device as following its own sample loss.
        self.device_overflows = 0
        #: Times the device timestamp went backwards (device restart); t continues after the last sample.
        self.clock_resets = 0

    def _decode(self, payload: bytes) -> np.ndarray:
        if len(payload) < FRAME_HEADER.size:
            raise ProtocolError(f"open_v1 frame of {len(payload)} bytes is shorter than "
                                f"its {FRAME_HEADER.size}-byte header")
        version, flags, seq, t_first_us, n = FRAME_HEADER.unpack_from(payload)
        if version != PROTOCOL_VERSION:
            raise ProtocolError(f"open_v1 frame has version {version}, expected {PROTOCOL_VERSION}")
        if n < 1 or len(payload) != FRAME_HEADER.size + SAMPLE_BYTES * n:
            raise ProtocolError(f"open_v1 frame says {n} samples but has {len(payload)} bytes "
                                f"(expected {FRAME_HEADER.size} + 12 x n, n >= 1)")
        if not self._in_order(seq, flags, t_first_us):
            return empty_samples()
        start_us = self._place(t_first_us, n, flags)
        raw = np.frombuffer(payload, dtype="<i2", offset=FRAME_HEADER.size).reshape(n, 6)
        out = make_samples(n)
        out[:, 0] = start_us / 1e6 + np.arange(n) / self.config.sample_rate_hz
        out[:, 1:7] = raw * self._scale
        return out

    def _in_order(self, seq: int, flags: int, t_first_us: int) -> bool:
        """Sequence check: False for duplicates and late frames (dropped and counted)."""
        if flags & FLAG_STREAM_START and (seq, t_first_us) == self._stream_start:
            self.health.duplicate_packets += 1  # the stream's first frame again: not a new stream
            return False
        if self._last_seq is None or flags & FLAG_STREAM_START:
            if flags & FLAG_STREAM_START:
                self._stream_start = (seq, t_first_us)
            self._recent_seqs.clear()
        else:
            step = modular_delta(seq, self._last_seq, SEQ_MODULUS)
            if step <= 0:
                if step == 0 or seq in self._recent_seqs:
                    self.health.duplicate_packets += 1
                else:
                    self.health.reordered_packets += 1
                return False
            self.lost_frames += step - 1
        self._last_seq = seq
        self._recent_seqs.append(seq)
        return True

    def _place(self, t_first_us: int, n: int, flags: int) -> float:
        """Start of this frame in µs since the first frame; records gaps and clock wraps."""
        clock, health = self._clock, self.health
        if flags & FLAG_DEVICE_OVERFLOW:
            self.device_overflows += 1
        if not clock.started:
            clock.accept(t_first_us)
            start = 0.0
        else:
            start = clock.ticks_since_origin(t_first_us)
            lost = round((start - self._next_start_us) / self._period_us)
            if lost < 0:  # the device clock went back (reboot): continue right after the last sample
                start = round(self._next_start_us)
                clock.rebase(t_first_us, start)
                self.clock_resets += 1
            else:
                if lost > 0 and not flags & FLAG_STREAM_START:  # a pause between stop and start is no loss
                    health.add_gap(start / 1e6, lost)
                if clock.accept(t_first_us):
                    health.clock_wraps += 1
        self._next_start_us = start + n * self._period_us
        # (after a reset the device's clock reads differently at t = 0: the origin moves with it)
        self.clock_origin = DeviceTime((t_first_us - int(start)) % TIMESTAMP_MODULUS, 1e6, TIMESTAMP_MODULUS)
        return start


class OpenV1(Protocol):
    """A sensor speaking sensorkit open protocol v1 (see reference_firmware/ for one)."""

    name = "open_v1"
    service_uuids = (SERVICE_UUID,)
    name_prefixes = ("sensorkit-",)
    data_char_uuids = (DATA_CHAR_UUID,)
    config_char_uuid = CONFIG_CHAR_UUID

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        """Ask for ``sample_rate_hz`` (Hz, rounded to a whole number); the device answers with the
        rate it runs at in the config characteristic, which the decoder needs."""
        rate = int(round(sample_rate_hz))
        if not 1 <= rate <= 0xFFFF:
            raise ValueError(f"sample rate must be 1..65535 Hz, got {sample_rate_hz}")
        return [Command(CONTROL_CHAR_UUID, struct.pack("<BH", CONTROL_START, rate))]

    def stop_commands(self) -> list[Command]:
        """Stop streaming (the device sends the samples it still holds first)."""
        return [Command(CONTROL_CHAR_UUID, bytes((CONTROL_STOP,)))]

    def decoder(self, config: OpenV1Config | bytes | None = None, sample_rate_hz: float | None = None) -> OpenV1Decoder:
        """``config``: the config characteristic's bytes (read it after the start command); without
        it, ``sample_rate_hz`` (Hz) with the reference firmware's scales (:data:`DEFAULT_CONFIG`):
        a capture of data frames alone, whose rate is known."""
        if sample_rate_hz is not None:
            if config is not None:
                raise ValueError("give config or sample_rate_hz, not both: the config holds the rate")
            if not (math.isfinite(sample_rate_hz) and sample_rate_hz > 0):
                raise ValueError(f"sample_rate_hz must be a number of Hz above 0, got {sample_rate_hz}")
            config = dataclasses.replace(DEFAULT_CONFIG, sample_rate_hz=float(sample_rate_hz))
        if isinstance(config, str):  # (hex, as a command line gives it)
            try:
                config = bytes.fromhex(config)
            except ValueError:
                raise ValueError(f"config must be the config characteristic's bytes in hex, got {config!r}") from None
        if config is not None and not isinstance(config, (OpenV1Config, bytes, bytearray)):
            raise ValueError(f"config must be the config characteristic's {CONFIG.size} bytes, got {config!r}")
        return OpenV1Decoder(config)


def encode_frame(samples: np.ndarray, *, seq: int, t_first_us: int, config: OpenV1Config = DEFAULT_CONFIG,
                 flags: int = 0) -> bytes:
    """A data frame for ``samples`` (n, 6): acc in m/s² then angular rate in deg/s."""
    values = np.asarray(samples, dtype=np.float64).reshape(-1, 6)
    scale = np.array([config.acc_ms2_per_lsb] * 3 + [config.gyro_dps_per_lsb] * 3)
    raw = np.clip(np.rint(values / scale), -32768, 32767).astype("<i2")
    header = FRAME_HEADER.pack(PROTOCOL_VERSION, flags, seq % SEQ_MODULUS, t_first_us % TIMESTAMP_MODULUS, len(raw))
    return header + raw.tobytes()


def encode_example_payloads() -> list[bytes]:
    """A stream-start frame of two samples and the next frame of one (see open_v1.md)."""
    return [
        bytes.fromhex("0101" "0000" "40420f00" "02" "000000000020" "000000000000"
                      "0a00f6ff0020" "8300000000ff"),
        encode_frame([[0.0, 0.0, 9.81, 1.0, -2.0, 0.5]], seq=1, t_first_us=1_020_000),
    ]

"""WitMotion WT901BLE / BWT901BLE (Bluetooth 5.0) sensors: 0x55 0x61 packets (spec: witmotion.md).

The sensor streams 20-byte packets ``55 61`` + nine int16 little-endian values (acceleration,
angular rate, angle) on a UART-like notify characteristic. Notifications may hold several
packets or a part of one, so the decoder keeps a byte buffer and re-synchronises on ``55 61``.
Packets carry no timestamp or counter: ``t`` is the sample count over the configured rate.
"""
from __future__ import annotations

import numpy as np

from firmware_protocols.base import (
    STANDARD_GRAVITY_MS2,
    Command,
    Decoder,
    Protocol,
    ProtocolError,
    empty_samples,
    make_samples,
)

#: Note the non-standard base: ...-00805f9a34fb, not the Bluetooth SIG's ...-00805f9b34fb.
SERVICE_UUID = "0000ffe5-0000-1000-8000-00805f9a34fb"
NOTIFY_CHAR_UUID = "0000ffe4-0000-1000-8000-00805f9a34fb"
WRITE_CHAR_UUID = "0000ffe9-0000-1000-8000-00805f9a34fb"

HEADER = 0x55
FLAG_DEFAULT_DATA = 0x61  # acc, gyro, angle
FLAG_REGISTER_REPLY = 0x71  # reply to a register read (FF AA 27 reg 00); skipped
PACKET_BYTES = 20

ACC_FULL_SCALE_G = 16.0
GYRO_FULL_SCALE_DPS = 2000.0
ANGLE_FULL_SCALE_DEG = 180.0
ACC_MS2_PER_LSB = ACC_FULL_SCALE_G * STANDARD_GRAVITY_MS2 / 32768.0
GYRO_DPS_PER_LSB = GYRO_FULL_SCALE_DPS / 32768.0
ANGLE_DEG_PER_LSB = ANGLE_FULL_SCALE_DEG / 32768.0

UNLOCK = bytes.fromhex("ffaa6988b5")
#: ``FF AA 00 00 00``: write the settings to the sensor's flash (register SAVE = 0x00, value 0; value 1
#: restores the factory settings, 0xFF restarts: WITMOTION's REG.h ``SAVE_PARAM``/``SAVE_SWRST`` and its
#: BLE 5.0 SDK's ``ReSet``), see witmotion.md.
SAVE = bytes.fromhex("ffaa000000")
RATE_REGISTER = 0x03
READ_REGISTER = 0x27  # ``FF AA 27 reg 00``: the sensor answers ``55 71 reg 00`` + 8 registers
COMMAND_GAP_S = 0.1  # the vendor SDK's pause after an unlock and after a register write
#: Return rate (Hz) -> value of the rate register (RRATE). 0x01..0x09 = 0.2 ... 100 Hz: every source
#: agrees (witmotion.md). 200 Hz is left out: WITMOTION's own SDK for this sensor and its register
#: header give it as 0x0B (0x0A being 125 Hz, "only WT931"), a third-party client citing a WT901BLECL
#: datasheet as 0x0A; a wrong code would stream at another rate than ``t`` assumes.
RATE_CODES = {0.2: 0x01, 0.5: 0x02, 1.0: 0x03, 2.0: 0x04, 5.0: 0x05, 10.0: 0x06, 20.0: 0x07,
              50.0: 0x08, 100.0: 0x09}


def return_rate_hz(requested_hz: float) -> float:
    """The return rate the sensor is set to for ``requested_hz`` (nearest in ratio; at most 100 Hz)."""
    if requested_hz <= 0:
        raise ValueError(f"sample rate must be positive, got {requested_hz}")
    return min(RATE_CODES, key=lambda r: abs(np.log(r / requested_hz)))


def rate_command(sample_rate_hz: float) -> bytes:
    """``FF AA 03 code 00``: set the return rate."""
    return bytes((0xFF, 0xAA, RATE_REGISTER, RATE_CODES[return_rate_hz(sample_rate_hz)], 0x00))


def read_command(register: int) -> bytes:
    """``FF AA 27 reg 00``: ask for registers ``reg`` .. ``reg + 7`` (answered by a ``55 71`` packet;
    no unlock needed: WITMOTION's BLE 5.0 SDK reads its registers this way)."""
    return bytes((0xFF, 0xAA, READ_REGISTER, register & 0xFF, 0x00))


class WitMotionDecoder(Decoder):
    """Reassembles 0x55 0x61 packets from a byte stream; ``t = k / sample_rate_hz``.

    Bytes that cannot start a packet are discarded (``discarded_bytes``). A notification that
    would force a resync and yields neither a sample nor a register reply raises
    :class:`ProtocolError` and is dropped whole, the decoder left as it was (the bytes it held
    before are resynchronised with the next notification).
    """

    def __init__(self, sample_rate_hz: float = 100.0) -> None:
        super().__init__()
        self.sample_rate_hz = return_rate_hz(sample_rate_hz)
        self._buffer = bytearray()
        self._count = 0
        self.discarded_bytes = 0
        #: Register-read replies seen (valid traffic, no samples).
        self.register_replies = 0
        #: Register values the sensor reported in its ``55 71`` replies: register -> uint16.
        self.registers: dict[int, int] = {}

    def _decode(self, payload: bytes) -> np.ndarray:
        buffer = self._buffer + payload  # (a copy: nothing changes until the payload is judged)
        packets, replies, skipped = self._take_packets(buffer)
        if skipped and not packets and not replies:
            raise ProtocolError(f"WitMotion: {skipped} byte(s) outside any 55 61 / 55 71 packet discarded")
        self._buffer = buffer
        self.discarded_bytes += skipped
        for reply in replies:
            self._read_reply(reply)
        if not packets:
            return empty_samples()
        raw = np.frombuffer(b"".join(packets), dtype="<i2").reshape(-1, 10)[:, 1:7].astype(np.float64)
        n = len(raw)
        out = make_samples(n)
        out[:, 0] = (self._count + np.arange(n)) / self.sample_rate_hz
        out[:, 1:4] = raw[:, 0:3] * ACC_MS2_PER_LSB
        out[:, 4:7] = raw[:, 3:6] * GYRO_DPS_PER_LSB
        self._count += n
        return out

    def _take_packets(self, buf: bytearray) -> tuple[list[bytes], list[bytes], int]:
        """Complete data packets and register replies at the front of ``buf`` (taken out of it),
        and how many bytes were skipped."""
        packets, replies, skipped = [], [], 0
        while buf:
            start = self._next_header(buf)
            if start is None:  # keep a trailing 0x55 that may begin the next packet
                keep = 1 if buf[-1] == HEADER else 0
                skipped += len(buf) - keep
                del buf[: len(buf) - keep]
                break
            skipped += start
            del buf[:start]
            if len(buf) < PACKET_BYTES:
                break
            (packets if buf[1] == FLAG_DEFAULT_DATA else replies).append(bytes(buf[:PACKET_BYTES]))
            del buf[:PACKET_BYTES]
        return packets, replies, skipped

    def _read_reply(self, packet: bytes) -> None:
        """``55 71 regL regH`` + 8 uint16: the values of registers ``reg`` .. ``reg + 7``."""
        self.register_replies += 1
        start = packet[2] | packet[3] << 8
        for i, value in enumerate(np.frombuffer(packet, dtype="<u2", offset=4)):
            self.registers[start + i] = int(value)

    @staticmethod
    def _next_header(buf: bytearray) -> int | None:
        """Index of the first plausible packet start: a header followed by a header or the buffer's
        end 20 bytes later (so that a 55 61 pair inside a packet's data is not locked onto). At
        offset 0 (in sync) a header is also taken when stray bytes follow its 20, unless such a
        plausible start lies inside them: then the packet at 0 was cut short (a notification lost
        part way) and is not read together with the start of the next."""
        def plausible(i: int) -> bool:
            after = i + PACKET_BYTES
            return (buf[i] == HEADER and buf[i + 1] in (FLAG_DEFAULT_DATA, FLAG_REGISTER_REPLY)
                    and (after >= len(buf) or buf[after] == HEADER))

        if len(buf) > 1 and buf[0] == HEADER and buf[1] in (FLAG_DEFAULT_DATA, FLAG_REGISTER_REPLY):
            if plausible(0) or not any(plausible(k) for k in range(1, min(PACKET_BYTES, len(buf) - 1))):
                return 0
        for i in range(1, len(buf) - 1):
            if plausible(i):
                return i
        return None


class WitMotion(Protocol):
    """WitMotion WT901BLE(CL) / BWT901BLE 5.0 six-axis stream (angles ignored)."""

    name = "witmotion"
    service_uuids = (SERVICE_UUID,)
    name_prefixes = ("WT901", "BWT901")
    data_char_uuids = (NOTIFY_CHAR_UUID,)

    def read_rate_command(self) -> Command:
        """Ask the sensor its return rate register; feed the notifications to a decoder and pass
        ``decoder.registers.get(RATE_REGISTER)`` to :meth:`start_commands`."""
        return Command(WRITE_CHAR_UUID, read_command(RATE_REGISTER), response=False)

    def start_commands(self, sample_rate_hz: float = 104.0, current_rate_code: int | None = None) -> list[Command]:
        """Unlock, set the return rate, save, 100 ms apart as the vendor SDK writes them
        (``writeReg`` in WITMOTION's ``device_model.py``: a write too soon after the unlock may
        be ignored, and the sensor would stream at its old rate while ``t`` assumes the new one).
        ``current_rate_code``: the rate register the sensor reported (None: not known); when it
        already holds the rate wanted nothing is written, so the flash is not rewritten on every
        connection (the save writes it; the setting then persists: witmotion.md)."""
        wanted = rate_command(sample_rate_hz)
        if current_rate_code is not None and current_rate_code == wanted[3]:
            return []
        return [Command(WRITE_CHAR_UUID, UNLOCK, response=False, pause_after_s=COMMAND_GAP_S),
                Command(WRITE_CHAR_UUID, wanted, response=False, pause_after_s=COMMAND_GAP_S),
                Command(WRITE_CHAR_UUID, SAVE, response=False)]

    def stop_commands(self) -> list[Command]:
        """None: the sensor streams whenever powered; stop by disabling notifications."""
        return []

    def decoder(self, **settings) -> WitMotionDecoder:
        """A fresh decoder (``sample_rate_hz``, Hz: the return rate set; packets carry no time)."""
        return WitMotionDecoder(**settings)


def encode_packet(acc_ms2, gyr_dps, angles_deg=(0.0, 0.0, 0.0)) -> bytes:
    """One 20-byte 0x55 0x61 packet (values clipped to the int16 range)."""
    scaled = np.concatenate([np.asarray(acc_ms2, float) / ACC_MS2_PER_LSB,
                             np.asarray(gyr_dps, float) / GYRO_DPS_PER_LSB,
                             np.asarray(angles_deg, float) / ANGLE_DEG_PER_LSB])
    raw = np.clip(np.rint(scaled), -32768, 32767).astype("<i2")
    return bytes((HEADER, FLAG_DEFAULT_DATA)) + raw.tobytes()


def encode_example_payloads() -> list[bytes]:
    """One packet, two packets in one notification, and a register-read reply (see witmotion.md)."""
    at_rest = bytes.fromhex("5561" "0000" "0000" "0008" "0000" "0000" "0000" "0000" "0000" "0000")
    turning = encode_packet([0.5, -0.25, 9.7], [12.0, -30.0, 1.5], [1.0, 2.0, 45.0])
    reply = bytes.fromhex("5571" "6400" "6a01" + "00" * 14)  # register 0x64 (battery)
    return [at_rest, at_rest + turning, reply]

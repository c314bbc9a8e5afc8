"""MbientLab MetaWear / MetaMotion boards: module/register packets (spec: metawear.md).

Every notification on the MetaWear notify characteristic is ``[module id, register id, data...]``.
This decoder reads the Bosch accelerometer (BMI160, BMI270, BMA255) and gyroscope (BMI160,
BMI270) data registers, single-sample and packed (3 samples per notification), and the
configuration read responses (register | 0x80) that carry the range. Plain streams carry no
timestamps or counters: ``t`` counts samples per channel at the configured output data rate,
and lost, duplicated or reordered notifications cannot be detected.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

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

SERVICE_UUID = "326a9000-85cb-9195-d9dd-464cfbbae75a"
COMMAND_CHAR_UUID = "326a9001-85cb-9195-d9dd-464cfbbae75a"
NOTIFY_CHAR_UUID = "326a9006-85cb-9195-d9dd-464cfbbae75a"

ACC_MODULE = 0x03
GYRO_MODULE = 0x13
POWER_MODE_REGISTER = 0x01
DATA_INTERRUPT_ENABLE_REGISTER = 0x02
CONFIG_REGISTER = 0x03
READ_FLAG = 0x80
MODULE_INFO_REGISTER = 0x00  # read as 0x80: [module, 0x80, implementation, revision, ...]
SAMPLES_PER_PACKED = 3
#: Accelerometer implementation ids in the module info reply (MMA8452Q = 0 is not supported).
ACC_IMPLEMENTATIONS = {1: "bmi160", 3: "bma255", 4: "bmi270"}

#: LSB per g for each accelerometer full-scale range (all three Bosch chips, 16-bit data).
ACC_LSB_PER_G = {2: 16384.0, 4: 8192.0, 8: 4096.0, 16: 2048.0}
#: LSB per deg/s for each gyroscope range; the range code is the index in this order.
GYRO_LSB_PER_DPS = {2000: 16.4, 1000: 32.8, 500: 65.6, 250: 131.2, 125: 262.4}
GYRO_RANGE_CODES = {dps: code for code, dps in enumerate(GYRO_LSB_PER_DPS)}
#: Gyro output data rates (Hz) -> ODR code; config byte 0 is 0x20 | code (bandwidth "normal").
GYRO_ODR_CODES = {25.0: 6, 50.0: 7, 100.0: 8, 200.0: 9, 400.0: 10, 800.0: 11, 1600.0: 12, 3200.0: 13}


@dataclass(frozen=True)
class Chip:
    """Register numbers and configuration bytes that differ between Bosch sensor chips."""

    name: str
    acc_data_register: int
    acc_packed_register: int
    acc_range_codes: dict[int, int]  # g -> range byte
    acc_odr_bytes: dict[float, int]  # Hz -> config byte 0
    gyro_data_register: int | None
    gyro_packed_register: int | None

    @property
    def has_gyro(self) -> bool:
        return self.gyro_data_register is not None


CHIPS = {
    "bmi160": Chip(
        "bmi160", 0x04, 0x1C, {2: 0x03, 4: 0x05, 8: 0x08, 16: 0x0C},
        {12.5: 0x25, 25.0: 0x26, 50.0: 0x27, 100.0: 0x28, 200.0: 0x29, 400.0: 0x2A, 800.0: 0x2B,
         1600.0: 0x2C},
        0x05, 0x07),
    "bmi270": Chip(
        "bmi270", 0x04, 0x05, {2: 0x00, 4: 0x01, 8: 0x02, 16: 0x03},
        {12.5: 0xA5, 25.0: 0xA6, 50.0: 0xA7, 100.0: 0xA8, 200.0: 0xA9, 400.0: 0xAA, 800.0: 0xAB,
         1600.0: 0xAC},
        0x04, 0x05),
    "bma255": Chip(
        "bma255", 0x04, 0x1C, {2: 0x03, 4: 0x05, 8: 0x08, 16: 0x0C},
        {15.62: 0x08, 31.26: 0x09, 62.5: 0x0A, 125.0: 0x0B, 250.0: 0x0C, 500.0: 0x0D, 1000.0: 0x0E,
         2000.0: 0x0F},
        None, None),
}


def _chip(name: str) -> Chip:
    try:
        return CHIPS[name]
    except KeyError:
        raise ValueError(f"unknown MetaWear chip {name!r}; known: {', '.join(CHIPS)}") from None


def output_data_rate_hz(chip: str, requested_hz: float) -> float:
    """The output data rate the board is set to for ``requested_hz``: the nearest (in ratio) rate
    both the accelerometer and, where present, the gyroscope support."""
    spec = _chip(chip)
    rates = [r for r in spec.acc_odr_bytes if not spec.has_gyro or r in GYRO_ODR_CODES]
    if requested_hz <= 0:
        raise ValueError(f"sample rate must be positive, got {requested_hz}")
    return min(rates, key=lambda r: abs(np.log(r / requested_hz)))


def chip_from_module_info(response: bytes) -> str:
    """The accelerometer chip named by the reply to ``identify_command()`` (``03 80 impl rev …``)."""
    if len(response) < 4 or response[0] != ACC_MODULE or response[1] != READ_FLAG | MODULE_INFO_REGISTER:
        raise ProtocolError(f"not an accelerometer module info reply: {response.hex()}")
    try:
        return ACC_IMPLEMENTATIONS[response[2]]
    except KeyError:
        raise ProtocolError(f"MetaWear accelerometer implementation {response[2]} is not supported") from None


def _check_ranges(acc_range_g: int, gyro_range_dps: int) -> None:
    if acc_range_g not in ACC_LSB_PER_G:
        raise ValueError(f"acc_range_g must be one of {sorted(ACC_LSB_PER_G)}, got {acc_range_g}")
    if gyro_range_dps not in GYRO_LSB_PER_DPS:
        raise ValueError(f"gyro_range_dps must be one of {sorted(GYRO_LSB_PER_DPS)}, got {gyro_range_dps}")


class MetaWearDecoder(Decoder):
    """Decodes accelerometer and gyroscope notifications; other modules' packets are ignored.

    Each output row carries one channel (acc or gyro) and NaN in the other, with
    ``t = k / output_data_rate`` for the k-th sample of that channel.
    """

    def __init__(self, chip: str = "bmi160", acc_range_g: int = 16, gyro_range_dps: int = 2000,
                 sample_rate_hz: float = 100.0) -> None:
        super().__init__()
        _check_ranges(acc_range_g, gyro_range_dps)
        self.chip = _chip(chip)
        self.sample_rate_hz = output_data_rate_hz(chip, sample_rate_hz)
        self.acc_ms2_per_lsb = STANDARD_GRAVITY_MS2 / ACC_LSB_PER_G[acc_range_g]
        self.gyro_dps_per_lsb = 1.0 / GYRO_LSB_PER_DPS[gyro_range_dps]
        self.acc_samples = 0
        self.gyro_samples = 0
        #: Notifications from other modules/registers (valid MetaWear traffic, not samples).
        self.ignored_packets = 0

    def _decode(self, payload: bytes) -> np.ndarray:
        if len(payload) < 2:
            raise ProtocolError(f"MetaWear packet of {len(payload)} byte(s): needs module and register")
        module, register = payload[0], payload[1]
        chip = self.chip
        if module == ACC_MODULE:
            if register == chip.acc_data_register:
                return self._vectors(payload, 1, acc=True)
            if register == chip.acc_packed_register:
                return self._vectors(payload, SAMPLES_PER_PACKED, acc=True)
            if register == CONFIG_REGISTER | READ_FLAG:
                self._read_acc_config(payload)
                return empty_samples()
        elif module == GYRO_MODULE and chip.has_gyro:
            if register == chip.gyro_data_register:
                return self._vectors(payload, 1, acc=False)
            if register == chip.gyro_packed_register:
                return self._vectors(payload, SAMPLES_PER_PACKED, acc=False)
            if register == CONFIG_REGISTER | READ_FLAG:
                self._read_gyro_config(payload)
                return empty_samples()
        self.ignored_packets += 1
        return empty_samples()

    def _vectors(self, payload: bytes, n: int, *, acc: bool) -> np.ndarray:
        expected = 2 + 6 * n
        if len(payload) != expected:
            kind = "acceleration" if acc else "rotation"
            raise ProtocolError(f"MetaWear {kind} packet {payload[:2].hex()} has {len(payload)} bytes, "
                                f"expected {expected}")
        raw = np.frombuffer(payload, dtype="<i2", offset=2).reshape(n, 3).astype(np.float64)
        out = make_samples(n)
        if acc:
            out[:, 0] = (self.acc_samples + np.arange(n)) / self.sample_rate_hz
            out[:, 1:4] = raw * self.acc_ms2_per_lsb
            self.acc_samples += n
        else:
            out[:, 0] = (self.gyro_samples + np.arange(n)) / self.sample_rate_hz
            out[:, 4:7] = raw * self.gyro_dps_per_lsb
            self.gyro_samples += n
        return out

    def _read_acc_config(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise ProtocolError(f"MetaWear accelerometer config response too short: {payload.hex()}")
        mask = 0x03 if self.chip.name == "bmi270" else 0x0F
        by_code = {code: g for g, code in self.chip.acc_range_codes.items()}
        code = payload[3] & mask
        if code not in by_code:
            raise ProtocolError(f"MetaWear accelerometer config response has unknown range code {code:#x}")
        self.acc_ms2_per_lsb = STANDARD_GRAVITY_MS2 / ACC_LSB_PER_G[by_code[code]]

    def _read_gyro_config(self, payload: bytes) -> None:
        if len(payload) < 4:
            raise ProtocolError(f"MetaWear gyroscope config response too short: {payload.hex()}")
        code = payload[3] & 0x07
        if code >= len(GYRO_LSB_PER_DPS):
            raise ProtocolError(f"MetaWear gyroscope config response has unknown range code {code}")
        self.gyro_dps_per_lsb = 1.0 / list(GYRO_LSB_PER_DPS.values())[code]


class MetaWear(Protocol):
    """MetaWear / MetaMotion (R, RL, C, S): streams packed acceleration and rotation."""

    name = "metawear"
    service_uuids = (SERVICE_UUID,)
    name_prefixes = ("MetaWear",)
    data_char_uuids = (NOTIFY_CHAR_UUID,)

    def __init__(self, chip: str = "bmi160", acc_range_g: int = 16, gyro_range_dps: int = 2000) -> None:
        _chip(chip)
        _check_ranges(acc_range_g, gyro_range_dps)
        self.chip, self.acc_range_g, self.gyro_range_dps = chip, acc_range_g, gyro_range_dps

    def identify_command(self) -> Command:
        """Read the accelerometer module info; feed the reply to :meth:`with_module_info`."""
        return self._write(ACC_MODULE, READ_FLAG | MODULE_INFO_REGISTER)

    def with_module_info(self, response: bytes) -> "MetaWear":
        """This protocol for the chip the board reported (start commands differ per chip)."""
        return MetaWear(chip_from_module_info(response), self.acc_range_g, self.gyro_range_dps)

    def _write(self, *payload: int) -> Command:
        return Command(COMMAND_CHAR_UUID, bytes(payload), response=False)

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        """Configure, subscribe and power on the accelerometer (and gyroscope) at the supported
        output data rate nearest ``sample_rate_hz`` (Hz; see :func:`output_data_rate_hz`)."""
        chip = CHIPS[self.chip]
        odr = output_data_rate_hz(self.chip, sample_rate_hz)
        cmds = [self._write(ACC_MODULE, CONFIG_REGISTER, chip.acc_odr_bytes[odr],
                            chip.acc_range_codes[self.acc_range_g])]
        if chip.has_gyro:
            cmds.append(self._write(GYRO_MODULE, CONFIG_REGISTER, 0x20 | GYRO_ODR_CODES[odr],
                                    GYRO_RANGE_CODES[self.gyro_range_dps]))
        cmds.append(self._write(ACC_MODULE, chip.acc_packed_register, 0x01))  # subscribe
        if chip.has_gyro:
            cmds.append(self._write(GYRO_MODULE, chip.gyro_packed_register, 0x01))
        for module in self._modules():
            cmds.append(self._write(module, DATA_INTERRUPT_ENABLE_REGISTER, 0x01, 0x00))
        for module in self._modules():
            cmds.append(self._write(module, POWER_MODE_REGISTER, 0x01))
        return cmds

    def stop_commands(self) -> list[Command]:
        """Power the sensors down, disable their data interrupts and unsubscribe."""
        chip = CHIPS[self.chip]
        cmds = [self._write(module, POWER_MODE_REGISTER, 0x00) for module in self._modules()]
        cmds += [self._write(module, DATA_INTERRUPT_ENABLE_REGISTER, 0x00, 0x01) for module in self._modules()]
        cmds.append(self._write(ACC_MODULE, chip.acc_packed_register, 0x00))  # unsubscribe
        if chip.has_gyro:
            cmds.append(self._write(GYRO_MODULE, chip.gyro_packed_register, 0x00))
        return cmds

    def _modules(self) -> tuple[int, ...]:
        return (ACC_MODULE, GYRO_MODULE) if CHIPS[self.chip].has_gyro else (ACC_MODULE,)

    def decoder(self, **settings) -> MetaWearDecoder:
        """A fresh decoder for this chip and these ranges; ``settings`` override them and may give
        ``sample_rate_hz`` (Hz, the output data rate: the stream carries no timestamps)."""
        params = {"chip": self.chip, "acc_range_g": self.acc_range_g, "gyro_range_dps": self.gyro_range_dps}
        params.update(settings)
        return MetaWearDecoder(**params)


def _quantize(values: np.ndarray, per_lsb: float, n: int) -> np.ndarray:
    raw = np.rint(np.asarray(values, dtype=np.float64).reshape(n, 3) / per_lsb)
    return np.clip(raw, -32768, 32767).astype("<i2")


def encode_acc(acc_ms2: np.ndarray, *, chip: str = "bmi160", acc_range_g: int = 16,
               packed: bool = True) -> bytes:
    """One accelerometer notification for 3 (packed) or 1 sample(s) of acceleration in m/s²."""
    spec, n = _chip(chip), (SAMPLES_PER_PACKED if packed else 1)
    register = spec.acc_packed_register if packed else spec.acc_data_register
    body = _quantize(acc_ms2, STANDARD_GRAVITY_MS2 / ACC_LSB_PER_G[acc_range_g], n)
    return bytes((ACC_MODULE, register)) + body.tobytes()


def encode_gyro(gyr_dps: np.ndarray, *, chip: str = "bmi160", gyro_range_dps: int = 2000,
                packed: bool = True) -> bytes:
    """One gyroscope notification for 3 (packed) or 1 sample(s) of angular rate in deg/s."""
    spec, n = _chip(chip), (SAMPLES_PER_PACKED if packed else 1)
    if not spec.has_gyro:
        raise ValueError(f"{chip} boards have no gyroscope")
    register = spec.gyro_packed_register if packed else spec.gyro_data_register
    body = _quantize(gyr_dps, 1.0 / GYRO_LSB_PER_DPS[gyro_range_dps], n)
    return bytes((GYRO_MODULE, register)) + body.tobytes()


def encode_example_payloads() -> list[bytes]:
    """Valid BMI160 notifications (from MbientLab's SDK tests, see metawear.md) plus a config reply."""
    return [
        bytes.fromhex("0304" "16c4" "94a2" "2ad0"),  # acc data
        bytes.fromhex("031c" "62b7530de9fd" "16d04d0e5702" "8affa1050a01"),  # packed acc
        bytes.fromhex("1305" "3e43" "ff7f" "0080"),  # gyro data
        bytes.fromhex("1307" "0915ad2608de" "8a1a0d2665e4" "8d20ac2773ec"),  # packed gyro
        struct.pack("<BBBB", ACC_MODULE, CONFIG_REGISTER | READ_FLAG, 0x28, 0x0C),  # acc config: 16 g
    ]

"""The reference firmware's pure modules, run on CPython, against the open_v1 decoder.

The modules are loaded from their files exactly as the board sees them (top-level modules), and
every frame they build must decode to the raw samples times the config scales, on the device's
sample grid, through sequence and timestamp wrap-around and device-side FIFO overflow.
"""
import ast
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from firmware_protocols import open_v1
from firmware_protocols.open_v1 import OpenV1, OpenV1Decoder, encode_frame, parse_config

FIRMWARE = Path(open_v1.__file__).parent / "reference_firmware"


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, FIRMWARE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


frames_mod = load("open_v1_frames")
mpu_mod = load("mpu6050")


def raw_samples(n: int, seed: int = 0) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    return [tuple(int(v) for v in row) for row in rng.integers(-32768, 32768, (n, 6))]


def config_for(period_us: int, per_frame: int) -> bytes:
    return frames_mod.config_bytes(1e6 / period_us, 9.80665 / 8192, 1 / 65.5, per_frame, frames_mod.IMU_MPU6050)


def stream(builder, samples) -> list[bytes]:
    out = []
    for s in samples:
        out += builder.add(s)
    return out + builder.flush()


@pytest.mark.parametrize("name", ["open_v1_frames", "mpu6050"])
def test_pure_modules_stay_in_the_micropython_subset(name):
    tree = ast.parse((FIRMWARE / f"{name}.py").read_text())
    imports = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imports |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imports == {"struct"}
    annotated = [n for n in ast.walk(tree) if isinstance(n, ast.AnnAssign)
                 or (isinstance(n, ast.arg) and n.annotation) or (isinstance(n, ast.FunctionDef) and n.returns)]
    assert annotated == []


def test_constants_match_the_host_side():
    assert (frames_mod.SERVICE_UUID, frames_mod.DATA_UUID, frames_mod.CONFIG_UUID, frames_mod.CONTROL_UUID) == (
        open_v1.SERVICE_UUID, open_v1.DATA_CHAR_UUID, open_v1.CONFIG_CHAR_UUID, open_v1.CONTROL_CHAR_UUID)
    cfg = parse_config(config_for(10_000, 8))
    assert cfg.to_bytes() == config_for(10_000, 8) and cfg.sample_rate_hz == 100.0
    assert frames_mod.parse_control(OpenV1().start_commands(104)[0].payload) == ("start", 104)
    assert frames_mod.parse_control(OpenV1().stop_commands()[0].payload) == ("stop", 0)
    assert frames_mod.parse_control(b"\x01\x00\x00") is None and frames_mod.parse_control(b"\x07") is None
    assert [frames_mod.max_samples_per_frame(m) for m in (23, 24, 108, 247)] == [0, 1, 8, 19]


def test_frames_decode_exactly_and_match_the_host_encoder():
    builder = frames_mod.FrameBuilder(10_000, 8)
    builder.start(5_000_000)
    samples = raw_samples(45)
    frames = stream(builder, samples)
    assert [f[8] for f in frames] == [8] * 5 + [5] and frames[0][1] == frames_mod.FLAG_STREAM_START
    config = config_for(10_000, 8)
    dec = OpenV1Decoder(config=config)
    rows = np.vstack([dec.feed(f) for f in frames])
    cfg = parse_config(config)
    expected = np.array(samples, float) * ([cfg.acc_ms2_per_lsb] * 3 + [cfg.gyro_dps_per_lsb] * 3)
    np.testing.assert_array_equal(rows[:, 1:], expected)
    np.testing.assert_allclose(rows[:, 0], np.arange(45) / 100)
    # the host-side numpy encoder builds the same bytes from the decoded values
    again = encode_frame(rows[8:16, 1:], seq=1, t_first_us=5_080_000, config=cfg)
    assert again == frames[1]


def test_sequence_and_timestamp_wrap_over_a_long_stream():
    # one sample per frame at 1 kHz: 65 600 frames wrap the u16 sequence; the u32 us clock starts
    # 10 s before its wrap, so it wraps too
    builder = frames_mod.FrameBuilder(1_000, 1)
    builder.start(2**32 - 10_000_000)
    samples = [(i % 32768, -(i % 32768), 0, 1, 2, 3) for i in range(65_600)]
    frames = stream(builder, samples)
    assert frames[65_536][2:4] == b"\x00\x00"  # sequence wrapped to 0
    dec = OpenV1Decoder(config=config_for(1_000, 1))
    rows = np.vstack([dec.feed(f) for f in frames])
    h = dec.health
    assert (h.clock_wraps, h.lost_samples, h.duplicate_packets, h.reordered_packets) == (1, 0, 0, 0)
    assert dec.lost_frames == 0 and len(rows) == 65_600
    np.testing.assert_allclose(rows[:, 0], np.arange(65_600) / 1000, atol=1e-9)


def test_fifo_overflow_and_dropped_notifications_become_counted_gaps():
    builder = frames_mod.FrameBuilder(10_000, 4)
    builder.start(0)
    samples = raw_samples(30, seed=2)
    frames = []
    for s in samples[:10]:
        frames += builder.add(s)
    # FIFO overflow at 0.35 s: samples 10..34 were never read (25 lost)
    assert builder.samples_lost_by(350_000) == 25
    frames += builder.skip(builder.samples_lost_by(350_000))
    for s in samples[10:]:
        frames += builder.add(s)
    frames += builder.flush()
    del frames[4]  # and one notification the BLE stack refused (4 samples)
    dec = OpenV1Decoder(config=config_for(10_000, 4))
    rows = np.vstack([dec.feed(f) for f in frames])
    assert dec.device_overflows == 1 and dec.lost_frames == 1
    assert dec.health.lost_samples == 25 + 4
    assert [g.lost_samples for g in dec.health.gaps] == [25, 4]
    assert rows[10, 0] == pytest.approx(0.35)  # first sample after the overflow, on its true time


def test_clock32_extends_a_30_bit_tick_counter():
    ticks = [0]
    period = 2**30  # ESP32's time.ticks_us wraps here

    def ticks_us():
        return ticks[0] % period

    def ticks_diff(a, b):  # MicroPython semantics: signed difference modulo the tick period
        return (a - b + period // 2) % period - period // 2

    clock = frames_mod.Clock32(ticks_us, ticks_diff, start_us=2**32 - 5)
    seen = []
    for _ in range(40):
        ticks[0] += 2**28 + 7  # under half the tick period between calls
        seen.append(clock.now())
    expected = [(2**32 - 5 + (i + 1) * (2**28 + 7)) % 2**32 for i in range(40)]
    assert seen == expected


class FakeMpu6050Bus:
    """Registers of an MPU-6050 with a FIFO holding the given big-endian records."""

    def __init__(self, fifo: bytes = b"", overflow: bool = False):
        self.writes: list[tuple[int, int]] = []
        self.fifo = bytearray(fifo)
        self.overflow = overflow

    def writeto_mem(self, address, register, data):
        assert address == 0x68
        self.writes.append((register, data[0]))
        if register == mpu_mod.USER_CTRL and data[0] & mpu_mod.USER_CTRL_FIFO_RESET:
            self.fifo.clear()

    def readfrom_mem(self, address, register, n):
        if register == mpu_mod.WHO_AM_I:
            return b"\x68"
        if register == mpu_mod.INT_STATUS:
            flag, self.overflow = self.overflow, False
            return bytes((mpu_mod.INT_FIFO_OFLOW if flag else 0,))
        if register == mpu_mod.FIFO_COUNTH:
            return len(self.fifo).to_bytes(2, "big")
        if register == mpu_mod.FIFO_R_W:
            out, self.fifo[:n] = bytes(self.fifo[:n]), b""
            return out
        raise AssertionError(f"unexpected read of register {register:#x}")


def test_mpu6050_configuration_and_fifo_to_decoded_samples():
    records = raw_samples(25, seed=5)
    fifo = b"".join(int(v).to_bytes(2, "big", signed=True) for rec in records for v in rec) + b"\x01\x02"
    bus = FakeMpu6050Bus(fifo)
    imu = mpu_mod.MPU6050(bus, acc_range_g=4, gyro_range_dps=500)
    period_us = imu.configure(104)
    assert period_us == 10_000  # 1 kHz / (1 + 9)
    assert (mpu_mod.SMPLRT_DIV, 9) in bus.writes and (mpu_mod.GYRO_CONFIG, 0x08) in bus.writes
    assert (mpu_mod.ACCEL_CONFIG, 0x08) in bus.writes and (mpu_mod.FIFO_EN, 0x78) in bus.writes
    bus.fifo[:] = fifo  # samples arrive after the configuration reset the FIFO
    samples, overflowed = imu.read_fifo()
    assert not overflowed and samples == records and bytes(bus.fifo) == b"\x01\x02"  # partial record stays
    builder = frames_mod.FrameBuilder(period_us, 8)
    builder.start(123)
    config = frames_mod.config_bytes(1e6 / period_us, imu.acc_ms2_per_lsb, imu.gyro_dps_per_lsb, 8, 1)
    dec = OpenV1Decoder(config=config)
    rows = np.vstack([dec.feed(f) for f in stream(builder, samples)])
    np.testing.assert_allclose(rows[:, 3], np.array(records)[:, 2] * 9.80665 / 8192, rtol=1e-6)
    np.testing.assert_allclose(rows[:, 4], np.array(records)[:, 3] / 65.5, rtol=1e-6)
    bus.overflow = True
    assert imu.read_fifo() == ([], True) and (mpu_mod.USER_CTRL, mpu_mod.USER_CTRL_FIFO_RESET) in bus.writes[-3:]


class FakeCharacteristic:
    def __init__(self, service, uuid, **properties):
        self.uuid, self.value, self.notified = uuid, None, []

    def write(self, data):
        self.value = bytes(data)

    def notify(self, connection, data):
        if connection.queue_full:
            raise OSError(12)  # ENOMEM: the stack's notification queue is full
        self.notified.append(bytes(data))


def load_main(monkeypatch):
    """main.py with stand-ins for the board-only modules (aioble, bluetooth, machine)."""
    fakes = {
        "aioble": type("aioble", (), {"Service": lambda uuid: object(), "Characteristic": FakeCharacteristic,
                                      "register_services": staticmethod(lambda *s: None)}),
        "bluetooth": type("bluetooth", (), {"UUID": staticmethod(str)}),
        "machine": type("machine", (), {"I2C": object, "Pin": object}),
        "open_v1_frames": frames_mod,
        "mpu6050": mpu_mod,
    }
    for name, module in fakes.items():
        monkeypatch.setitem(__import__("sys").modules, name, module)
    return load("main")


def test_main_streamer_glue(monkeypatch):
    main = load_main(monkeypatch)
    records = raw_samples(20, seed=8)
    bus = FakeMpu6050Bus()
    now = [1_000_000]
    clock = type("Clock", (), {"now": lambda self: now[0]})()
    connection = type("Connection", (), {"mtu": 247, "queue_full": False})()
    streamer = main.Streamer(main.Gatt(), mpu_mod.MPU6050(bus), clock)
    streamer.start(connection, 104)
    config = parse_config(streamer.gatt.config.value)
    assert config.sample_rate_hz == 100.0 and config.samples_per_frame == 8
    bus.fifo[:] = b"".join(int(v).to_bytes(2, "big", signed=True) for rec in records for v in rec)
    streamer.pump(connection)  # 20 samples -> 2 full frames, 4 pending
    connection.queue_full = True
    bus.fifo[:] = bus.fifo + bytes(12 * 8)
    streamer.pump(connection)  # a full frame the stack refuses
    connection.queue_full = False
    streamer.stop(connection)  # flushes the remaining 4
    dec = OpenV1Decoder(config=streamer.gatt.config.value)
    rows = np.vstack([dec.feed(f) for f in streamer.gatt.data.notified])
    assert streamer.notify_failures == 1 and dec.lost_frames == 1 and dec.health.lost_samples == 8
    np.testing.assert_allclose(rows[:16, 1], np.array(records)[:16, 0] * config.acc_ms2_per_lsb)
    np.testing.assert_allclose(rows[:, 0], np.r_[np.arange(16), np.arange(24, 28)] / 100)

"""A DIY sensor speaking sensorkit open protocol v1, run by the reference firmware's own frame code.

The device side (``firmware_protocols/reference_firmware/open_v1_frames.py``, the MicroPython
module that runs on the board) builds the config value, parses control writes and packs the data
frames; this class plays the board around it: an MPU-6050 at ±4 g / ±1000 deg/s whose FIFO
yields the simulated samples, a 32-bit microsecond clock, and sample-grid overflow (a sample
missing from the source is reported with ``skip``, as the board does after a FIFO overflow).
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np

import firmware_protocols
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.gatt import VirtualCharacteristic, VirtualService

ACC_MS2_PER_LSB = 9.80665 / 8192   # MPU-6050 AFS_SEL=1 (±4 g)
GYRO_DPS_PER_LSB = 1 / 32.8        # MPU-6050 FS_SEL=2 (±1000 deg/s)
MAX_SAMPLES_PER_FRAME = 8
BOOT_US = 3_000_000  # device clock when the first stream starts


@lru_cache(maxsize=1)
def reference_frames() -> ModuleType:
    """The reference firmware's device-side frame module, loaded from its file (it is not a package)."""
    path = Path(firmware_protocols.__file__).parent / "reference_firmware" / "open_v1_frames.py"
    spec = importlib.util.spec_from_file_location("open_v1_frames", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OpenV1Firmware(SensorFirmware):
    """Open protocol v1 device (see module doc); streams at its own ``sample_rate_hz`` whatever is asked."""

    protocol_name = "open_v1"
    local_name = "sensorkit-imu"

    def __init__(self, sample_rate_hz: float) -> None:
        super().__init__(sample_rate_hz)
        self.frames = reference_frames()
        self.advertised_uuids = (self.frames.SERVICE_UUID,)
        self.period_us = round(1e6 / sample_rate_hz)
        self.builder = None
        #: the device clock (µs) at sensor time 0: a test that sets it plays a board that restarted
        self.boot_us = BOOT_US
        self._stream_start_s = 0.0
        self._next_index = 0  # sample-grid slots of this stream used so far (sent or skipped)
        self._config = VirtualCharacteristic(self.frames.CONFIG_UUID, ("read",), self._config_value(MAX_SAMPLES_PER_FRAME))

    def services(self) -> list[VirtualService]:
        return [VirtualService(self.frames.SERVICE_UUID, [
            VirtualCharacteristic(self.frames.DATA_UUID, ("notify",)),
            self._config,
            VirtualCharacteristic(self.frames.CONTROL_UUID, ("write", "write-without-response"), on_write=self._control),
        ])]

    def samples_per_packet(self, mtu: int) -> int:
        return self._per_frame(mtu)

    def encode(self, rows: np.ndarray) -> list[tuple[str, bytes]]:
        if self.builder is None:
            return []
        raw = np.column_stack([rows[:, 1:4] / ACC_MS2_PER_LSB, rows[:, 4:7] / GYRO_DPS_PER_LSB])
        raw = np.clip(np.rint(raw), -32768, 32767).astype(int).tolist()
        index = np.rint((rows[:, 0] - self._stream_start_s) * 1e6 / self.period_us).astype(int)
        frames = []
        for k, sample in zip(index.tolist(), raw):
            behind = k - self._next_index
            if behind > 0:  # the source lost samples here: the board would see a FIFO overflow
                frames += self.builder.skip(behind)
                self._next_index += behind
            frames += self.builder.add(sample)
            self._next_index += 1
        return [(self.frames.DATA_UUID, frame) for frame in frames]

    def end_of_samples(self) -> list[tuple[str, bytes]]:
        frames = self.builder.flush() if self.builder is not None else []
        return [(self.frames.DATA_UUID, frame) for frame in frames]

    def on_disconnect(self) -> None:
        super().on_disconnect()
        self.builder = None

    def _per_frame(self, mtu: int) -> int:
        return max(1, min(MAX_SAMPLES_PER_FRAME, self.frames.max_samples_per_frame(mtu)))

    def _config_value(self, per_frame: int) -> bytes:
        return self.frames.config_bytes(1e6 / self.period_us, ACC_MS2_PER_LSB, GYRO_DPS_PER_LSB, per_frame,
                                        self.frames.IMU_MPU6050)

    def _control(self, payload: bytes) -> None:
        command = self.frames.parse_control(payload)
        if command is None:
            return  # the board ignores anything else
        if command[0] == "stop":
            if self.builder is not None:
                for frame in self.builder.flush():
                    self.respond(self.frames.DATA_UUID, frame)
            self.builder = None
            self.set_streaming(False)
            return
        per_frame = self._per_frame(self.mtu)
        self._config.value = self._config_value(per_frame)
        self.builder = self.frames.FrameBuilder(self.period_us, per_frame)
        self.set_streaming(True)  # starts the sensor clock on the very first start
        now_s = self.host.clock() if self.host is not None else 0.0
        # (the grid slot at or before now: a sample measured as the stream starts is stamped with its
        # own time, as on the first start, not one slot late)
        self._stream_start_s = np.floor(now_s * 1e6 / self.period_us) * self.period_us / 1e6
        self.builder.start(self.boot_us + round(self._stream_start_s * 1e6))
        self._next_index = 0

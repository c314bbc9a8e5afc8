"""sensorkit open protocol v1 reference firmware: MicroPython + aioble, MPU-6050 over I2C.

Copy this file, open_v1_frames.py and mpu6050.py to the board (and install aioble:
``mpremote mip install aioble``). Wiring and usage: README.md in this folder. This file touches
hardware and the BLE stack; everything testable lives in the two pure modules it imports.
"""
import asyncio
import time

import aioble
import bluetooth
from machine import I2C, Pin

import open_v1_frames as ov1
from mpu6050 import MPU6050

# --- board settings (ESP32 DevKit defaults; see README.md for nRF52840 boards) --------------------
I2C_ID = 0
SDA_PIN = 21
SCL_PIN = 22
I2C_FREQ_HZ = 400_000
DEVICE_NAME = "sensorkit-imu"
ADV_INTERVAL_US = 250_000
PREFERRED_MTU = 247
MAX_SAMPLES_PER_FRAME = 8
DEFAULT_RATE_HZ = 100
READ_INTERVAL_MS = 40  # the MPU-6050 FIFO holds 85 samples: 0.85 s at 100 Hz


class Gatt:
    """The open protocol v1 service: data (notify), config (read), control (write)."""

    def __init__(self):
        self.service = aioble.Service(bluetooth.UUID(ov1.SERVICE_UUID))
        self.data = aioble.Characteristic(self.service, bluetooth.UUID(ov1.DATA_UUID), notify=True)
        self.config = aioble.Characteristic(self.service, bluetooth.UUID(ov1.CONFIG_UUID), read=True)
        self.control = aioble.Characteristic(self.service, bluetooth.UUID(ov1.CONTROL_UUID), write=True,
                                             capture=True)
        aioble.register_services(self.service)


class Streamer:
    """Runs one connection: waits for start/stop on the control characteristic, streams frames."""

    def __init__(self, gatt, imu, clock):
        self.gatt = gatt
        self.imu = imu
        self.clock = clock
        self.builder = None
        self.notify_failures = 0

    def start(self, connection, rate_hz):
        period_us = self.imu.configure(rate_hz)
        mtu = getattr(connection, "mtu", None) or 23
        per_frame = max(1, min(MAX_SAMPLES_PER_FRAME, ov1.max_samples_per_frame(mtu)))
        self.gatt.config.write(ov1.config_bytes(1_000_000 / period_us, self.imu.acc_ms2_per_lsb,
                                                self.imu.gyro_dps_per_lsb, per_frame, ov1.IMU_MPU6050))
        self.builder = ov1.FrameBuilder(period_us, per_frame)
        self.builder.start(self.clock.now())

    def stop(self, connection):
        if self.builder is not None:
            self.send(connection, self.builder.flush())
        self.builder = None
        self.imu.stop()

    def send(self, connection, frames):
        for frame in frames:
            try:
                self.gatt.data.notify(connection, frame)
            except OSError:  # stack queue full: the frame is lost, its sequence number tells the client
                self.notify_failures += 1

    def pump(self, connection):
        """Move everything in the IMU FIFO into notifications."""
        samples, overflowed = self.imu.read_fifo()
        builder = self.builder
        if overflowed:
            self.send(connection, builder.skip(builder.samples_lost_by(self.clock.now())))
        for sample in samples:
            self.send(connection, builder.add(sample))

    async def control_loop(self, connection):
        while connection.is_connected():
            _, data = await self.gatt.control.written()
            command = ov1.parse_control(data)
            if command is None:
                continue
            if command[0] == "start":
                self.start(connection, command[1])
            else:
                self.stop(connection)

    async def stream_loop(self, connection):
        while connection.is_connected():
            if self.builder is not None:
                self.pump(connection)
            await asyncio.sleep_ms(READ_INTERVAL_MS)


async def serve():
    bluetooth.BLE().config(mtu=PREFERRED_MTU)
    gatt = Gatt()
    i2c = I2C(I2C_ID, sda=Pin(SDA_PIN), scl=Pin(SCL_PIN), freq=I2C_FREQ_HZ)
    imu = MPU6050(i2c)
    clock = ov1.Clock32(time.ticks_us, time.ticks_diff)
    imu.configure(DEFAULT_RATE_HZ)
    imu.stop()
    gatt.config.write(ov1.config_bytes(DEFAULT_RATE_HZ, imu.acc_ms2_per_lsb, imu.gyro_dps_per_lsb,
                                       MAX_SAMPLES_PER_FRAME, ov1.IMU_MPU6050))
    while True:
        connection = await aioble.advertise(ADV_INTERVAL_US, name=DEVICE_NAME,
                                            services=[bluetooth.UUID(ov1.SERVICE_UUID)])
        streamer = Streamer(gatt, imu, clock)
        control = asyncio.create_task(streamer.control_loop(connection))
        stream = asyncio.create_task(streamer.stream_loop(connection))
        await connection.disconnected(timeout_ms=None)
        control.cancel()
        stream.cancel()
        imu.stop()


if __name__ == "__main__":
    asyncio.run(serve())

"""InvenSense MPU-6050 over I2C: configuration and FIFO reading for the reference firmware.

Uses only the ``machine.I2C`` methods ``readfrom_mem``/``writeto_mem`` of the object passed in,
so it runs on MicroPython and, with a fake bus, under CPython. Register numbers and scales are
from the MPU-6000/6050 register map (RM-MPU-6000A, rev. 4.2).
"""
import struct

ADDRESS = 0x68  # AD0 low (GY-521 default)
SMPLRT_DIV = 0x19
CONFIG = 0x1A
GYRO_CONFIG = 0x1B
ACCEL_CONFIG = 0x1C
FIFO_EN = 0x23
INT_STATUS = 0x3A
USER_CTRL = 0x6A
PWR_MGMT_1 = 0x6B
FIFO_COUNTH = 0x72
FIFO_R_W = 0x74
WHO_AM_I = 0x75

WHO_AM_I_VALUE = 0x68
CLOCK_PLL_X_GYRO = 0x01
DLPF_44HZ = 0x03  # with the DLPF on, the gyro output (and FIFO) base rate is 1 kHz
BASE_RATE_HZ = 1000
FIFO_ACCEL_AND_GYRO = 0x78  # XG, YG, ZG, ACCEL -> 12-byte records: ax ay az gx gy gz, big-endian
USER_CTRL_FIFO_EN = 0x40
USER_CTRL_FIFO_RESET = 0x04
INT_FIFO_OFLOW = 0x10
FIFO_BYTES = 1024
RECORD_BYTES = 12
READ_CHUNK = 240  # a multiple of 12 that fits common I2C buffers

ACC_LSB_PER_G = {2: 16384, 4: 8192, 8: 4096, 16: 2048}
ACC_RANGE_CODES = {2: 0, 4: 1, 8: 2, 16: 3}
GYRO_LSB_PER_DPS = {250: 131.0, 500: 65.5, 1000: 32.8, 2000: 16.4}
GYRO_RANGE_CODES = {250: 0, 500: 1, 1000: 2, 2000: 3}
STANDARD_GRAVITY = 9.80665


def rate_divider(requested_hz):
    """SMPLRT_DIV for the rate nearest ``requested_hz``, and the sample period in microseconds."""
    div = int(BASE_RATE_HZ / requested_hz - 1 + 0.5)
    div = min(255, max(0, div))
    return div, 1000 * (1 + div)


def fifo_records(data):
    """Big-endian 12-byte FIFO records as (ax, ay, az, gx, gy, gz) tuples of ints."""
    return [struct.unpack_from(">hhhhhh", data, i) for i in range(0, len(data) - RECORD_BYTES + 1, RECORD_BYTES)]


class MPU6050:
    """The sensor at ``address`` on ``i2c`` with fixed ranges; samples come through its FIFO."""

    def __init__(self, i2c, address=ADDRESS, acc_range_g=4, gyro_range_dps=500):
        self.i2c = i2c
        self.address = address
        self.acc_range_g = acc_range_g
        self.gyro_range_dps = gyro_range_dps
        self.acc_ms2_per_lsb = STANDARD_GRAVITY / ACC_LSB_PER_G[acc_range_g]
        self.gyro_dps_per_lsb = 1.0 / GYRO_LSB_PER_DPS[gyro_range_dps]

    def _write(self, register, value):
        self.i2c.writeto_mem(self.address, register, bytes((value,)))

    def _read(self, register, n):
        return self.i2c.readfrom_mem(self.address, register, n)

    def configure(self, requested_hz):
        """Wake the sensor, set ranges and rate, start the FIFO; returns the sample period (us)."""
        who = self._read(WHO_AM_I, 1)[0]
        if who != WHO_AM_I_VALUE:
            raise OSError("no MPU-6050 at 0x%02x (WHO_AM_I = 0x%02x)" % (self.address, who))
        div, period_us = rate_divider(requested_hz)
        self._write(PWR_MGMT_1, CLOCK_PLL_X_GYRO)
        self._write(CONFIG, DLPF_44HZ)
        self._write(SMPLRT_DIV, div)
        self._write(GYRO_CONFIG, GYRO_RANGE_CODES[self.gyro_range_dps] << 3)
        self._write(ACCEL_CONFIG, ACC_RANGE_CODES[self.acc_range_g] << 3)
        self.reset_fifo()
        return period_us

    def reset_fifo(self):
        self._write(USER_CTRL, USER_CTRL_FIFO_RESET)
        self._write(FIFO_EN, FIFO_ACCEL_AND_GYRO)
        self._write(USER_CTRL, USER_CTRL_FIFO_EN)
        self._read(INT_STATUS, 1)  # reading clears the overflow flag

    def stop(self):
        self._write(FIFO_EN, 0)
        self._write(USER_CTRL, 0)

    def read_fifo(self):
        """(samples, overflowed): the whole records in the FIFO; after an overflow the FIFO is
        reset and no samples are returned (the caller accounts for the lost time)."""
        if self._read(INT_STATUS, 1)[0] & INT_FIFO_OFLOW:
            self.reset_fifo()
            return [], True
        count_hi, count_lo = self._read(FIFO_COUNTH, 2)
        count = (count_hi << 8) | count_lo
        count -= count % RECORD_BYTES
        samples = []
        while count > 0:
            n = min(count, READ_CHUNK)
            samples.extend(fifo_records(self._read(FIFO_R_W, n)))
            count -= n
        return samples, False

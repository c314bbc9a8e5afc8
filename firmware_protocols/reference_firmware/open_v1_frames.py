"""sensorkit open protocol v1, device side: config bytes, control commands, data frames.

Pure logic in the MicroPython-compatible subset of Python (``struct`` only, no numpy, no type
annotations, integer time arithmetic), so the same file runs on the board and under CPython in
the tests. The byte layouts are specified in firmware_protocols/open_v1.md.
"""
import struct

SERVICE_UUID = "b7fb4f00-9fae-430d-a566-b215c48b46a2"
DATA_UUID = "b7fb4f01-9fae-430d-a566-b215c48b46a2"
CONFIG_UUID = "b7fb4f02-9fae-430d-a566-b215c48b46a2"
CONTROL_UUID = "b7fb4f03-9fae-430d-a566-b215c48b46a2"

VERSION = 1
FLAG_STREAM_START = 0x01
FLAG_DEVICE_OVERFLOW = 0x02
CONTROL_START = 0x01
CONTROL_STOP = 0x02

HEADER_FORMAT = "<BBHIB"  # version, flags, sequence, first-sample time (us), sample count
HEADER_SIZE = 9
SAMPLE_FORMAT = "<hhhhhh"  # acc x y z, gyro x y z (raw LSB)
SAMPLE_SIZE = 12
CONFIG_FORMAT = "<BBBBfff"  # version, samples/frame, imu model, reserved, rate Hz, acc m/s2/LSB, gyro dps/LSB
ATT_NOTIFY_OVERHEAD = 3
U32 = 0xFFFFFFFF

IMU_UNKNOWN = 0
IMU_MPU6050 = 1
IMU_LSM6DS3 = 2


def config_bytes(sample_rate_hz, acc_ms2_per_lsb, gyro_dps_per_lsb, samples_per_frame, imu_model):
    """The 16-byte value of the config characteristic."""
    return struct.pack(CONFIG_FORMAT, VERSION, samples_per_frame, imu_model, 0,
                       sample_rate_hz, acc_ms2_per_lsb, gyro_dps_per_lsb)


def parse_control(data):
    """A control write as ("start", rate_hz), ("stop", 0), or None when it is not a command."""
    if len(data) == 3 and data[0] == CONTROL_START:
        rate = data[1] | (data[2] << 8)
        return ("start", rate) if rate > 0 else None
    if len(data) == 1 and data[0] == CONTROL_STOP:
        return ("stop", 0)
    return None


def max_samples_per_frame(mtu):
    """How many samples fit in one notification at ATT MTU ``mtu``."""
    return max(0, (mtu - ATT_NOTIFY_OVERHEAD - HEADER_SIZE) // SAMPLE_SIZE)


class Clock32:
    """A 32-bit microsecond clock built from the port's shorter ``ticks_us`` (2**30 on ESP32).

    ``ticks_us`` and ``ticks_diff`` are passed in (``time.ticks_us``/``time.ticks_diff`` on the
    board); ``now()`` must be called at least once per half wrap of ``ticks_us``.
    """

    def __init__(self, ticks_us, ticks_diff, start_us=0):
        self._ticks_us = ticks_us
        self._ticks_diff = ticks_diff
        self._last = ticks_us()
        self._now = start_us & U32

    def now(self):
        ticks = self._ticks_us()
        self._now = (self._now + self._ticks_diff(ticks, self._last)) & U32
        self._last = ticks
        return self._now


class FrameBuilder:
    """Groups raw 6-axis samples into data frames with sequence numbers and sample times.

    Sample k of a stream is stamped ``start_us + k * period_us`` (mod 2**32), i.e. on the IMU's
    nominal sample grid; ``skip(n)`` records samples the device lost (FIFO overflow).
    """

    def __init__(self, period_us, samples_per_frame):
        if period_us <= 0 or samples_per_frame < 1:
            raise ValueError("period_us and samples_per_frame must be positive")
        self.period_us = int(period_us)
        self.samples_per_frame = samples_per_frame
        self.start_us = 0
        self.seq = 0
        self.index = 0  # sample number (since start) of the first pending sample
        self._pending = []
        self._flags = 0

    def start(self, start_us):
        """Begin a stream whose first sample is taken at device time ``start_us``."""
        self.start_us = start_us & U32
        self.seq = 0
        self.index = 0
        self._pending = []
        self._flags = FLAG_STREAM_START

    def add(self, sample):
        """Queue one sample (6 ints); returns the frames completed by it (0 or 1)."""
        self._pending.append(sample)
        if len(self._pending) >= self.samples_per_frame:
            return [self._frame()]
        return []

    def skip(self, lost):
        """The device lost ``lost`` samples: close the pending frame, jump the sample clock."""
        frames = self.flush()
        if lost > 0:
            self.index += lost
            self._flags |= FLAG_DEVICE_OVERFLOW
        return frames

    def flush(self):
        """Frames for samples still pending (call when stopping)."""
        return [self._frame()] if self._pending else []

    def samples_due(self, now_us):
        """Samples the IMU should have produced between the stream start and ``now_us``."""
        return ((now_us - self.start_us) & U32) // self.period_us

    def samples_lost_by(self, now_us):
        """After a FIFO overflow: samples due by ``now_us`` that were never added."""
        return max(0, self.samples_due(now_us) - self.index - len(self._pending))

    def _frame(self):
        n = len(self._pending)
        first_us = (self.start_us + self.index * self.period_us) & U32
        frame = bytearray(HEADER_SIZE + n * SAMPLE_SIZE)
        struct.pack_into(HEADER_FORMAT, frame, 0, VERSION, self._flags, self.seq, first_us, n)
        for i in range(n):
            struct.pack_into(SAMPLE_FORMAT, frame, HEADER_SIZE + i * SAMPLE_SIZE, *self._pending[i])
        self.seq = (self.seq + 1) & 0xFFFF
        self.index += n
        self._flags = 0
        self._pending = []
        return bytes(frame)

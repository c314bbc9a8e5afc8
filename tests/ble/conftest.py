"""Shared helpers for the BLE tests: synthetic motion, virtual sensors on a virtual radio."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware
from sensorkit.ble.virtual.open_v1_firmware import ACC_MS2_PER_LSB, GYRO_DPS_PER_LSB, OpenV1Firmware
from sensorkit.ble.virtual.polar_firmware import GYR_FACTOR, PolarVerityFirmware
from sensorkit.samples import Samples

from .simulated_time import run_on_simulated_time

RATE_HZ = 104.0


def synthetic_samples(duration_s: float = 10.0, rate_hz: float = RATE_HZ) -> Samples:
    """Smooth, distinct signals on every axis (exact values are what the tests compare), and
    physically one motion: the accelerometer reads gravity as the gyro turns the sensor (plus a
    little acceleration of its own), as the reader checks (sensorkit.io.units)."""
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    gyr = np.column_stack([40 * np.sin(2 * t), 15 * np.cos(t), 5 * np.sin(3 * t)])
    turn = Rotation.identity()
    up = np.empty((len(t), 3))
    for i, rate in enumerate(np.radians(gyr)):  # (the sensor's orientation, the gyro integrated)
        up[i] = turn.inv().apply([0.0, 0.0, 9.81])
        turn = turn * Rotation.from_rotvec(rate / rate_hz)
    acc = up + np.column_stack([0.3 * np.sin(t), 0.3 * np.cos(1.3 * t), 0.2 * np.sin(0.7 * t)])
    return Samples(t, acc, gyr)


def run_async(coro):
    """Run a coroutine to completion in a fresh event loop (30 s limit)."""
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def run():
    return run_async


@pytest.fixture
def run_simulated():
    """:func:`run_async` on simulated time (:mod:`tests.ble.simulated_time`)."""
    return run_on_simulated_time


@dataclass
class Rig:
    """A virtual sensor streaming ``source`` on ``radio``; ``acc_step``/``gyr_step``: wire resolution."""

    sensor: VirtualSensor
    radio: VirtualRadio
    source: Samples
    acc_step: float
    gyr_step: float


FIRMWARES = {
    "open_v1": (OpenV1Firmware, ACC_MS2_PER_LSB, GYRO_DPS_PER_LSB),
    "polar_pmd": (PolarVerityFirmware, 9.80665e-3, GYR_FACTOR),
    "movesense": (MovesenseFirmware, 2e-6, 1e-5),  # (float32: ~1e-7 of the value)
}


def make_rig(protocol: str, duration_s: float = 20.0, speed: float = 20.0) -> Rig:
    firmware, acc_step, gyr_step = FIRMWARES[protocol]
    source = synthetic_samples(duration_s)
    sensor = VirtualSensor(firmware(RATE_HZ), source, speed=speed)
    return Rig(sensor, VirtualRadio([sensor]), source, acc_step, gyr_step)


@pytest.fixture(params=sorted(FIRMWARES))
def rig(request):
    """The same scenario on each simulated protocol."""
    return make_rig(request.param)


@pytest.fixture
def open_v1_rig():
    return make_rig("open_v1")


@pytest.fixture
def polar_sensor():
    rig = make_rig("polar_pmd")
    return rig.sensor, rig.radio, rig.source

"""Shared helpers for the BLE tests: synthetic motion, a virtual sensor on a virtual radio."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware
from sensorkit.samples import Samples


def synthetic_samples(duration_s: float = 10.0, rate_hz: float = 104.0) -> Samples:
    """Smooth, distinct signals on every axis (exact values are what the tests compare)."""
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    acc = np.column_stack([np.sin(t), np.cos(1.3 * t), 9.81 + 0.2 * np.sin(0.7 * t)])
    gyr = np.column_stack([40 * np.sin(2 * t), 15 * np.cos(t), 5 * np.sin(3 * t)])
    return Samples(t, acc, gyr)


def run_async(coro):
    """Run a coroutine to completion in a fresh event loop (30 s limit)."""
    return asyncio.run(asyncio.wait_for(coro, 30))


@pytest.fixture
def run():
    return run_async


@pytest.fixture
def make_samples():
    return synthetic_samples


@pytest.fixture
def polar_sensor():
    samples = synthetic_samples(20.0)
    sensor = VirtualSensor(PolarVerityFirmware(104.0), samples, speed=20.0)
    return sensor, VirtualRadio([sensor]), samples

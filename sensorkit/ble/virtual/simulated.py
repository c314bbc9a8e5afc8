"""The built-in simulated sensor: a physics-simulator session played by a protocol's firmware."""
from __future__ import annotations

from typing import Callable

from sensorkit.ble.virtual.backend import VirtualRadio
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware
from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware
from sensorkit.ble.virtual.sensor import VirtualSensor
from sensorkit.errors import ConfigError
from sensorkit.samples import Samples
from sensorkit.sim import SimulatedSession, simulate_session

#: protocol name -> firmware factory taking the sample rate (Hz)
FIRMWARES: dict[str, Callable[[float], SensorFirmware]] = {"open_v1": OpenV1Firmware, "polar_pmd": PolarVerityFirmware}
DEFAULT_PROTOCOL = "open_v1"


def firmware_for(protocol: str, sample_rate_hz: float) -> SensorFirmware:
    """The virtual firmware speaking ``protocol``; ConfigError naming the ones there are."""
    try:
        return FIRMWARES[protocol](sample_rate_hz)
    except KeyError:
        raise ConfigError(f"no simulated sensor speaks {protocol!r}; available: {', '.join(sorted(FIRMWARES))}") from None


def simulated_sensor(protocol: str = DEFAULT_PROTOCOL, seed: int = 0, speed: float = 1.0,
                     address: str = "F0:0D:00:00:00:01", **sim_options) -> tuple[VirtualSensor, SimulatedSession]:
    """A virtual sensor streaming ``simulate_session(seed, **sim_options)`` at ``speed`` × real time."""
    session = simulate_session(seed, **sim_options)
    rate_hz = float(session.meta["sample_rate_hz"])
    sensor = VirtualSensor(firmware_for(protocol, rate_hz), session.samples, address=address, speed=speed, seed=seed)
    return sensor, session


def demo_radio(sample_rate_hz: float = 104.0) -> VirtualRadio:
    """One idle virtual sensor per simulated protocol (what ``sensorkit scan --simulate`` finds)."""
    sensors = [VirtualSensor(factory(sample_rate_hz), Samples.empty(), address=f"F0:0D:00:00:00:{i + 1:02X}")
               for i, factory in enumerate(FIRMWARES[p] for p in sorted(FIRMWARES))]
    return VirtualRadio(sensors)

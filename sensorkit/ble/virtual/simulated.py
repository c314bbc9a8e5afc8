"""The built-in simulated sensor: a physics-simulator session played by a protocol's firmware."""
from __future__ import annotations

from typing import Callable

import sensorkit
from firmware_protocols import metawear as mw
from firmware_protocols import movesense as ms
from firmware_protocols import witmotion as wm
from sensorkit.ble.virtual.backend import VirtualRadio
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware
from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware
from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware
from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware
from sensorkit.ble.virtual.sensor import VirtualSensor
from sensorkit.ble.virtual.witmotion_firmware import WitMotionFirmware
from sensorkit.errors import ConfigError
from sensorkit.samples import Samples
from sensorkit.sim import SimulatedSession, simulate_session

#: protocol name -> firmware factory taking the sample rate (Hz)
FIRMWARES: dict[str, Callable[[float], SensorFirmware]] = {
    "open_v1": OpenV1Firmware, "polar_pmd": PolarVerityFirmware, "metawear": MetaWearFirmware,
    "movesense": MovesenseFirmware, "witmotion": WitMotionFirmware}
#: protocol name -> the rate (Hz) its sensor streams when asked for a rate (Hz), where it has a
#: fixed set (a MetaWear board: its Bosch chip's output data rates, 104 Hz -> 100 Hz; a Movesense:
#: its IMU6 rates, 100 Hz -> 104 Hz; a WitMotion: its return rates, 104 Hz -> 100 Hz); the others
#: stream at the rate asked
BOARD_RATES: dict[str, Callable[[float], float]] = {
    "metawear": lambda rate_hz: mw.output_data_rate_hz(MetaWearFirmware.DEFAULT_CHIP, rate_hz),
    "movesense": ms.imu6_rate_hz, "witmotion": wm.return_rate_hz}
#: protocol name -> the address its sensor has in ``sensorkit scan --simulate``, fixed: a protocol
#: added later takes the next free one, no other moves (open_v1, the default simulated sensor, is at
#: …:01; ``record``/``live --simulate`` play the protocol's sensor at its address here; docs/sensors.md
#: lists them)
SCAN_ADDRESSES: dict[str, str] = {
    "open_v1": "F0:0D:00:00:00:01", "polar_pmd": "F0:0D:00:00:00:02", "metawear": "F0:0D:00:00:00:03",
    "movesense": "F0:0D:00:00:00:04", "witmotion": "F0:0D:00:00:00:05"}
DEFAULT_PROTOCOL = "open_v1"


def board_rate_hz(protocol: str, sample_rate_hz: float) -> float:
    """The rate (Hz) the simulated ``protocol`` sensor streams at when asked for ``sample_rate_hz``."""
    snap = BOARD_RATES.get(protocol)
    return float(snap(sample_rate_hz)) if snap is not None else float(sample_rate_hz)


def firmware_for(protocol: str, sample_rate_hz: float) -> SensorFirmware:
    """The virtual firmware speaking ``protocol``; ConfigError naming the ones there are."""
    try:
        factory = FIRMWARES[protocol]
    except KeyError:
        raise ConfigError(f"no simulated sensor speaks {protocol!r}; available: {', '.join(sorted(FIRMWARES))}") from None
    return factory(sample_rate_hz)


def simulated_sensor(protocol: str = DEFAULT_PROTOCOL, seed: int = 0, speed: float = 1.0,
                     address: str | None = None, **sim_options) -> tuple[VirtualSensor, SimulatedSession]:
    """A virtual sensor streaming ``simulate_session(seed, **sim_options)`` at ``speed`` × real time,
    simulated at the rate the ``protocol``'s sensor streams (:func:`board_rate_hz`: a MetaWear board
    asked for 104 Hz streams 100 Hz, so the session is simulated at 100 Hz), at ``address`` (by
    default the protocol's :data:`SCAN_ADDRESSES` one, where ``scan --simulate`` lists it); its Device
    Information names it a simulated sensor of that protocol, of sensorkit's version."""
    firmware_for(protocol, board_rate_hz(protocol, 100.0))  # (an unknown protocol: said before simulating)
    if address is None:
        address = SCAN_ADDRESSES[protocol]
    requested_hz = sim_options.get("sample_rate_hz")
    if requested_hz is not None and board_rate_hz(protocol, requested_hz) != requested_hz:
        sim_options["sample_rate_hz"] = _plain(board_rate_hz(protocol, requested_hz))
    session = simulate_session(seed, **sim_options)
    rate_hz = float(session.meta["sample_rate_hz"])
    if board_rate_hz(protocol, rate_hz) != rate_hz:  # (a rate drawn by the simulator that the board lacks)
        session = simulate_session(seed, **{**sim_options, "sample_rate_hz": _plain(board_rate_hz(protocol, rate_hz))})
        rate_hz = float(session.meta["sample_rate_hz"])
    sensor = VirtualSensor(firmware_for(protocol, rate_hz), session.samples, address=address, speed=speed, seed=seed,
                           model=f"sensorkit simulated {protocol} sensor", firmware_revision=sensorkit.__version__)
    return sensor, session


def _plain(rate_hz: float) -> float | int:
    return int(rate_hz) if float(rate_hz).is_integer() else rate_hz


def demo_radio(sample_rate_hz: float = 104.0) -> VirtualRadio:
    """One idle virtual sensor per simulated protocol (what ``sensorkit scan --simulate`` finds), each
    at its :data:`SCAN_ADDRESSES` address."""
    sensors = [VirtualSensor(FIRMWARES[p](board_rate_hz(p, sample_rate_hz)), Samples.empty(),
                             address=SCAN_ADDRESSES[p])
               for p in sorted(FIRMWARES, key=SCAN_ADDRESSES.__getitem__)]
    return VirtualRadio(sensors)

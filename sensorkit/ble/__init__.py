"""The sensor over BLE (bleak): scan, stream a session, reconnect, and a simulated sensor.

::

    from sensorkit.ble import scan, SensorSession
    sensors = await scan(5.0)
    async with SensorSession(sensors[0]) as session:
        async for block in session:   # Samples blocks, t since the session started
            ...
"""
from sensorkit.ble.errors import (
    AmbiguousSensorError,
    BleError, ConnectError, DecodeError, NotConnectedError, SensorNotFoundError, StreamRefusedError, SubscribeRefusedError,
    UnknownSensorError,
)
from sensorkit.ble.link import LinkState, Reconnect, SessionHealth
from sensorkit.ble.scan import FoundSensor, find_sensor, scan
from sensorkit.ble.session import SensorSession

__all__ = ["AmbiguousSensorError",
           "BleError", "ConnectError", "DecodeError", "NotConnectedError", "SensorNotFoundError", "StreamRefusedError",
           "SubscribeRefusedError", "UnknownSensorError",
           "LinkState", "Reconnect", "SessionHealth", "FoundSensor", "find_sensor", "scan", "SensorSession"]

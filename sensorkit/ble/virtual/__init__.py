"""Virtual BLE sensors behind bleak's public backend API (no radio, no network)."""
from sensorkit.ble.virtual.backend import VirtualBleakClient, VirtualBleakScanner, VirtualRadio
from sensorkit.ble.virtual.firmware import SensorFirmware
from sensorkit.ble.virtual.sensor import VirtualSensor

__all__ = ["VirtualRadio", "VirtualBleakClient", "VirtualBleakScanner", "VirtualSensor", "SensorFirmware"]

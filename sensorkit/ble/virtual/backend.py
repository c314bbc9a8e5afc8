"""bleak backends for virtual sensors, injected through bleak's public ``backend=`` parameter.

A :class:`VirtualRadio` holds the virtual sensors in range. Its :attr:`~VirtualRadio.client_backend`
and :attr:`~VirtualRadio.scanner_backend` are classes implementing bleak's
``BaseBleakClient``/``BaseBleakScanner`` for that radio::

    radio = VirtualRadio([sensor])
    async with BleakClient(sensor.address, backend=radio.client_backend) as client: ...
    await BleakScanner.discover(1.0, backend=radio.scanner_backend)
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Iterable

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakError

from sensorkit.ble.virtual.gatt import to_bleak_services
from sensorkit.ble.virtual.sensor import Link, LinkRefused, VirtualSensor

#: ATT MTU the virtual central asks for (what BlueZ/CoreBluetooth typically negotiate)
CENTRAL_MTU = 247


class VirtualRadio:
    """The virtual sensors within reach, and bleak backend classes bound to them."""

    def __init__(self, sensors: Iterable[VirtualSensor] = (), advertising_interval_s: float = 0.02) -> None:
        self.sensors: list[VirtualSensor] = list(sensors)
        self.advertising_interval_s = advertising_interval_s
        self.client_backend: type[BaseBleakClient] = type(
            "VirtualBleakClient", (VirtualBleakClient,), {"radio": self})
        self.scanner_backend: type[BaseBleakScanner] = type(
            "VirtualBleakScanner", (VirtualBleakScanner,), {"radio": self})

    def sensor(self, address: str) -> VirtualSensor:
        for sensor in self.sensors:
            if sensor.address.lower() == address.lower():
                return sensor
        raise BleakDeviceNotFoundError(address, f"Device with address {address} was not found.")


class VirtualBleakClient(BaseBleakClient):
    """A bleak client backend whose peripheral is a :class:`VirtualSensor` of :attr:`radio`."""

    radio: VirtualRadio

    def __init__(self, address_or_ble_device: BLEDevice | str, *, disconnected_callback: Callable[[], None] | None = None,
                 timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        self._link: Link | None = None
        self._sensor: VirtualSensor | None = None

    @property
    def name(self) -> str:
        sensor = self._sensor or self.radio.sensor(self.address)
        return sensor.local_name

    @property
    def mtu_size(self) -> int:
        return self._link.mtu if self._link is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._link is not None and self._link.alive

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        """Like a central: wait (up to ``timeout`` s) for the sensor to advertise, then connect."""
        sensor = self.radio.sensor(self.address)
        async with asyncio.timeout(kwargs.get("timeout", self._timeout)):
            while True:
                await asyncio.sleep(0.002)  # connection establishment takes a few connection events
                try:
                    self._link = sensor.accept(CENTRAL_MTU, self._lost)
                    break
                except LinkRefused as exc:
                    if exc.advertising:
                        raise BleakError(f"{self.address}: le-connection-abort-by-remote ({exc})") from exc
                await asyncio.sleep(self.radio.advertising_interval_s)
        self._sensor = sensor
        self.services = to_bleak_services(sensor.services, self._link.mtu)

    def _lost(self) -> None:
        self._link = None
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        if self._link is not None and self._sensor is not None:
            self._sensor.release(self._link)
        self._link = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def unpair(self) -> None:
        return None

    def _connected_sensor(self) -> VirtualSensor:
        if not self.is_connected or self._sensor is None:
            raise BleakError("Not connected")
        return self._sensor

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False,
                             **kwargs: Any) -> bytearray:
        return bytearray(self._connected_sensor().read(characteristic.uuid))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False,
                                   **kwargs: Any) -> bytearray:
        self._connected_sensor()
        link = self._link
        on = link is not None and descriptor.characteristic_uuid in link.subscriptions
        return bytearray(b"\x01\x00" if on else b"\x00\x00")

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        sensor = self._connected_sensor()
        if response:
            await asyncio.sleep(0)  # the write response comes back in a later connection event
        sensor.write(characteristic.uuid, bytes(data))

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        raise BleakError("write the CCCD through start_notify/stop_notify")

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback,
                           **kwargs: Any) -> None:
        self._connected_sensor()
        if not characteristic.obj.notifies:
            raise BleakError(f"characteristic {characteristic.uuid} cannot notify")
        self._link.subscriptions[characteristic.uuid] = callback

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        self._connected_sensor()
        self._link.subscriptions.pop(characteristic.uuid, None)


class VirtualBleakScanner(BaseBleakScanner):
    """A bleak scanner backend hearing the advertisements of :attr:`radio`'s sensors."""

    radio: VirtualRadio

    def __init__(self, detection_callback=None, service_uuids=None, scanning_mode="active", **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        self._task = asyncio.get_running_loop().create_task(self._advertise())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _advertise(self) -> None:
        while True:
            for sensor in self.radio.sensors:
                if not sensor.advertising:
                    continue
                uuids = [u.lower() for u in sensor.firmware.advertised_uuids]
                if not self.is_allowed_uuid(uuids):
                    continue
                adv = AdvertisementData(local_name=sensor.local_name, manufacturer_data={}, service_data={},
                                        service_uuids=uuids, tx_power=None, rssi=sensor.rssi_dbm, platform_data=())
                device = self.create_or_update_device(sensor.address, sensor.address, sensor.local_name, sensor, adv)
                self.call_detection_callbacks(device, adv)
            await asyncio.sleep(self.radio.advertising_interval_s)

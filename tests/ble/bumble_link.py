"""A real BLE stack in process: bumble controllers on an emulated link (no radio, no network).

- :class:`BumblePeripheral` serves a :class:`VirtualSensor`'s GATT model from a bumble device:
  reads, writes (with and without response), CCCD subscriptions, notifications, indications and
  the ATT MTU exchange all go through bumble's ATT/GATT implementation.
- :func:`bumble_client_backend` is a bleak client backend (``BaseBleakClient``) on a bumble
  central, injected with ``BleakClient(..., backend=...)`` like any other.
"""
from __future__ import annotations

import asyncio
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_str
from bumble.controller import Controller
from bumble.core import UUID
from bumble.device import Device, Peer
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from sensorkit.ble.virtual.sensor import VirtualSensor

_PROPERTIES = {"read": Characteristic.Properties.READ, "write": Characteristic.Properties.WRITE,
               "write-without-response": Characteristic.Properties.WRITE_WITHOUT_RESPONSE,
               "notify": Characteristic.Properties.NOTIFY, "indicate": Characteristic.Properties.INDICATE}


def make_device(link: LocalLink, name: str, address: str) -> Device:
    controller = Controller(name, link=link, public_address=address)
    return Device(name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller)))


def _bleak_uuid(uuid: UUID) -> str:
    return normalize_uuid_str(uuid.to_hex_str("-"))


class BumblePeripheral:
    """Serves ``sensor`` from a bumble device on ``link`` (see module doc)."""

    def __init__(self, sensor: VirtualSensor, link: LocalLink, address: str = "F1:F1:F1:F1:F1:F1") -> None:
        self.sensor = sensor
        self.device = make_device(link, sensor.local_name, address)
        self._characteristics: dict[str, tuple[Characteristic, bool]] = {}
        for service in sensor.services:
            characteristics = []
            for spec in service.characteristics:
                flags = Characteristic.Properties(0)
                for name in spec.properties:
                    flags |= _PROPERTIES[name]
                value = CharacteristicValue(read=lambda _c, uuid=spec.uuid: self.sensor.read(uuid),
                                            write=lambda _c, data, uuid=spec.uuid: self.sensor.write(uuid, bytes(data)))
                characteristic = Characteristic(spec.uuid, flags, Characteristic.READABLE | Characteristic.WRITEABLE, value)
                characteristics.append(characteristic)
                if spec.notifies:
                    self._characteristics[spec.uuid] = (characteristic, "indicate" in spec.properties)
            self.device.add_service(Service(service.uuid, characteristics))
        self.device.on(self.device.EVENT_CONNECTION, self._on_connection)

    async def start(self) -> None:
        await self.device.power_on()
        await self.device.start_advertising(advertising_interval_min=20.0)

    async def _advertise_when_back(self) -> None:
        """Advertise again once the sensor accepts connections (after a test hook's down time)."""
        while not self.sensor.advertising:
            await asyncio.sleep(0.01)
        await self.device.start_advertising(advertising_interval_min=20.0)

    def _on_connection(self, connection) -> None:
        link = self.sensor.accept(connection.att_mtu, lambda: asyncio.ensure_future(connection.disconnect()))
        for uuid, (characteristic, indicate) in self._characteristics.items():
            send = self.device.indicate_subscribers if indicate else self.device.notify_subscribers
            link.subscriptions[uuid] = lambda payload, c=characteristic, s=send: asyncio.ensure_future(s(c, bytes(payload)))

        def mtu_changed(*_args) -> None:
            link.mtu = self.sensor.firmware.mtu = connection.att_mtu

        def disconnected(*_args) -> None:
            self.sensor.release(link)
            asyncio.ensure_future(self._advertise_when_back())

        connection.on(connection.EVENT_CONNECTION_ATT_MTU_UPDATE, mtu_changed)
        connection.on(connection.EVENT_DISCONNECTION, disconnected)


def bumble_client_backend(central: Device) -> type[BaseBleakClient]:
    """A bleak client backend class whose connections are made by ``central``."""
    return type("BumbleBleakClient", (BumbleBleakClient,), {"central": central})


class BumbleBleakClient(BaseBleakClient):
    central: Device

    def __init__(self, address_or_ble_device, *, disconnected_callback=None, timeout: float = 10.0, **kwargs: Any):
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        self._connection = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Any] = {}

    @property
    def name(self) -> str:
        return self.address

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        self._connection = await self.central.connect(self.address, timeout=kwargs.get("timeout", self._timeout))
        self._connection.on(self._connection.EVENT_DISCONNECTION, self._lost)
        self._peer = Peer(self._connection)
        await self._peer.request_mtu(247)
        await self._peer.discover_all()
        self.services = self._collection()

    def _collection(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in self._peer.services:
            bleak_service = BleakGATTService(service, service.handle, _bleak_uuid(service.uuid))
            collection.add_service(bleak_service)
            for char in service.characteristics:
                properties = [name for name, flag in _PROPERTIES.items() if char.properties & flag]
                bleak_char = BleakGATTCharacteristic(char, char.handle, _bleak_uuid(char.uuid), properties,
                                                     lambda: self.mtu_size - 3, bleak_service)
                collection.add_characteristic(bleak_char)
                for descriptor in char.descriptors:
                    collection.add_descriptor(BleakGATTDescriptor(descriptor, descriptor.handle,
                                                                  _bleak_uuid(descriptor.type), bleak_char))
        return collection

    def _lost(self, *_args) -> None:
        was_connected = self._connection is not None
        self._connection = None
        if was_connected and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.disconnect()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("pairing is not used by sensorkit")

    async def unpair(self) -> None:
        raise BleakError("pairing is not used by sensorkit")

    def _require(self) -> Peer:
        if self._connection is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        return bytearray(await self._require().read_value(characteristic.obj))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        return bytearray(await self._require().read_value(descriptor.obj))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data, response: bool) -> None:
        await self._require().write_value(characteristic.obj, bytes(data), with_response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data) -> None:
        await self._require().write_value(descriptor.obj, bytes(data), with_response=True)

    async def start_notify(self, characteristic: BleakGATTCharacteristic, callback, **kwargs: Any) -> None:
        def subscriber(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = subscriber
        await self._require().subscribe(characteristic.obj, subscriber, prefer_notify=True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        subscriber = self._subscribers.pop(characteristic.handle, None)
        await self._require().unsubscribe(characteristic.obj, subscriber)

"""A GATT server model for virtual sensors: services, characteristics, their values and handles.

The model is what a peripheral holds; :func:`to_bleak_services` turns it into the
``BleakGATTServiceCollection`` a bleak client backend must expose after connecting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.uuids import normalize_uuid_str

from sensorkit.ble.uuids import (BATTERY_LEVEL_UUID, BATTERY_SERVICE_UUID, CCCD_UUID, DEVICE_INFORMATION_SERVICE_UUID,
                                 FIRMWARE_REVISION_UUID, MODEL_NUMBER_UUID)

#: ``on_write(payload)`` of a characteristic: what the firmware does with a client's write
WriteHandler = Callable[[bytes], None]


@dataclass
class VirtualCharacteristic:
    """One characteristic: UUID, bleak property names ("read", "write", "notify", ...), value."""

    uuid: str
    properties: tuple[str, ...]
    value: bytes = b""
    on_write: WriteHandler | None = None

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid_str(self.uuid)

    @property
    def notifies(self) -> bool:
        return "notify" in self.properties or "indicate" in self.properties


@dataclass
class VirtualService:
    uuid: str
    characteristics: list[VirtualCharacteristic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.uuid = normalize_uuid_str(self.uuid)


def battery_service(level_percent: int, notifies: bool = True) -> VirtualService:
    """The standard Battery Service (0x180F) with its Battery Level characteristic (0x2A19), which
    notifies its changes (``notifies``) or can only be read."""
    return VirtualService(BATTERY_SERVICE_UUID, [
        VirtualCharacteristic(BATTERY_LEVEL_UUID, ("read", "notify") if notifies else ("read",),
                              bytes([level_percent]))])


def device_information_service(model: str | None, firmware_revision: str | None) -> VirtualService:
    """The standard Device Information Service (0x180A): Model Number and Firmware Revision strings."""
    chars = [VirtualCharacteristic(uuid, ("read",), text.encode())
             for uuid, text in ((MODEL_NUMBER_UUID, model), (FIRMWARE_REVISION_UUID, firmware_revision)) if text]
    return VirtualService(DEVICE_INFORMATION_SERVICE_UUID, chars)


def to_bleak_services(services: list[VirtualService], mtu: int) -> BleakGATTServiceCollection:
    """Number the attributes as a real server would (service, characteristic value, its CCCD)."""
    collection = BleakGATTServiceCollection()
    handle = 0
    for service in services:
        handle += 1
        bleak_service = BleakGATTService(service, handle, service.uuid)
        collection.add_service(bleak_service)
        for char in service.characteristics:
            handle += 2  # declaration + value
            bleak_char = BleakGATTCharacteristic(
                char, handle, char.uuid, list(char.properties), lambda: mtu - 3, bleak_service)
            collection.add_characteristic(bleak_char)
            if char.notifies:
                handle += 1
                collection.add_descriptor(BleakGATTDescriptor(None, handle, CCCD_UUID, bleak_char))
    return collection

"""Find advertising sensors and tell which registered protocol each one speaks."""
from __future__ import annotations

from dataclasses import dataclass, field

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

import firmware_protocols
from sensorkit.ble.errors import BleError, SensorNotFoundError


@dataclass(frozen=True)
class FoundSensor:
    """One advertising sensor: its address, local name, signal strength (dBm) and protocol name."""

    address: str
    name: str | None
    rssi: int
    protocol: str
    service_uuids: tuple[str, ...] = ()
    device: BLEDevice | None = field(default=None, compare=False, repr=False)


def protocol_for(name: str | None, service_uuids: list[str] | tuple[str, ...]) -> str | None:
    """The first registered protocol (in name order) that claims this advertisement, else None."""
    for protocol_name in firmware_protocols.names():
        try:
            protocol = firmware_protocols.get(protocol_name)
        except (ImportError, AttributeError):  # a protocol module not written yet
            continue
        if protocol.matches(name, list(service_uuids)):
            return protocol_name
    return None


def _found(device: BLEDevice, adv: AdvertisementData) -> FoundSensor | None:
    protocol = protocol_for(adv.local_name or device.name, adv.service_uuids)
    if protocol is None:
        return None
    return FoundSensor(device.address, adv.local_name or device.name, adv.rssi, protocol,
                       tuple(adv.service_uuids), device)


async def scan(timeout_s: float = 5.0, backend: type[BaseBleakScanner] | None = None) -> list[FoundSensor]:
    """Listen ``timeout_s`` seconds; return the sensors a registered protocol recognises,
    strongest signal first. ``backend`` overrides bleak's platform scanner (e.g. the simulator)."""
    try:
        seen = await BleakScanner.discover(timeout_s, return_adv=True, **_backend_kw(backend))
    except (BleakError, OSError) as exc:
        raise _scan_error("scan", exc) from exc
    found = [f for device, adv in seen.values() if (f := _found(device, adv)) is not None]
    return sorted(found, key=lambda f: -f.rssi)


async def find_sensor(address_or_name: str, timeout_s: float = 10.0,
                      backend: type[BaseBleakScanner] | None = None) -> FoundSensor:
    """The advertising sensor with this address (case-insensitive) or local name.

    Raises :class:`SensorNotFoundError` when none shows up within ``timeout_s``; a device that
    matches but speaks no registered protocol is returned with ``protocol == ""``.
    """
    wanted = address_or_name.lower()
    seen: dict[str, AdvertisementData] = {}

    def is_wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
        if device.address.lower() == wanted or (adv.local_name or device.name or "").lower() == wanted:
            seen[device.address] = adv
            return True
        return False

    try:
        device = await BleakScanner.find_device_by_filter(is_wanted, timeout=timeout_s, **_backend_kw(backend))
    except (BleakError, OSError) as exc:
        raise _scan_error(f"scan for {address_or_name!r}", exc) from exc
    if device is None:
        raise SensorNotFoundError(f"no sensor {address_or_name!r} advertised within {timeout_s:g} s")
    adv = seen[device.address]
    found = _found(device, adv)
    if found is None:
        return FoundSensor(device.address, adv.local_name or device.name, adv.rssi, "",
                           tuple(adv.service_uuids), device)
    return found


def _scan_error(what: str, exc: Exception) -> BleError:
    if isinstance(exc, OSError):  # no Bluetooth service to talk to (BlueZ/D-Bus missing)
        return BleError(f"{what} failed: Bluetooth is not available on this machine ({exc.strerror or exc}); "
                        "try --simulate")
    return BleError(f"{what} failed: {exc}")


def _backend_kw(backend: type[BaseBleakScanner] | None) -> dict:
    return {} if backend is None else {"backend": backend}

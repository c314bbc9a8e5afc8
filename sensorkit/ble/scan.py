"""Find advertising sensors and tell which registered protocol each one speaks."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.exc import BleakError

import firmware_protocols
from sensorkit.ble.errors import AmbiguousSensorError, BleError, SensorNotFoundError


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


#: After the first sensor with the name asked for is heard, how many more of its advertisements
#: are awaited before the scan ends (others of that name, of the same make, advertise as often:
#: by then they have very likely been heard too) ...
SAME_NAME_REPEATS = 5
#: ... and at most how long (s) after it: a sensor whose repeats the platform does not report
#: (BlueZ reports one only when its data or signal strength changed) is waited for this long
SAME_NAME_LISTEN_S = 3.0


async def find_sensor(address_or_name: str, timeout_s: float = 10.0,
                      backend: type[BaseBleakScanner] | None = None) -> FoundSensor:
    """The advertising sensor with this address (case-insensitive) or local name.

    An address is taken as soon as it is heard. A name is not unique (every MetaWear board
    advertises "MetaWear"): after the first sensor of that name, the scan listens until that one
    has advertised :data:`SAME_NAME_REPEATS` more times or :data:`SAME_NAME_LISTEN_S` have
    passed, and when another sensor of that name was heard meanwhile it takes none and raises
    :class:`AmbiguousSensorError`, one line listing each (address, signal strength in dBm):
    recording the wrong sensor (the other leg's, a partner's) would give a session of someone
    else's movements, or none, under this patient's name.

    Raises :class:`SensorNotFoundError` when none shows up within ``timeout_s``; a device that
    matches but speaks no registered protocol is returned with ``protocol == ""``.
    """
    wanted = address_or_name.lower()
    named: dict[str, tuple[BLEDevice, AdvertisementData]] = {}  # address -> the latest of each of that name
    loop = asyncio.get_running_loop()
    try:
        async with BleakScanner(**_backend_kw(backend)) as scanner:
            async with asyncio.timeout(timeout_s) as listening:
                first, repeats = None, 0
                async for device, adv in scanner.advertisement_data():
                    if device.address.lower() == wanted:
                        return _found_any(device, adv)
                    if (adv.local_name or device.name or "").lower() != wanted:
                        continue
                    named[device.address] = (device, adv)
                    if first is None:
                        first = device.address
                        listening.reschedule(loop.time() + SAME_NAME_LISTEN_S)
                    elif device.address == first:
                        repeats += 1
                        if repeats >= SAME_NAME_REPEATS:
                            break
    except TimeoutError:
        pass
    except (BleakError, OSError) as exc:
        raise _scan_error(f"scan for {address_or_name!r}", exc) from exc
    if not named:
        raise SensorNotFoundError(f"no sensor {address_or_name!r} advertised within {timeout_s:g} s")
    found = sorted((_found_any(device, adv) for device, adv in named.values()), key=lambda f: -f.rssi)
    if len(found) > 1:
        listed = ", ".join(f"{f.address} ({f.rssi} dBm)" for f in found)
        raise AmbiguousSensorError(
            f"{len(found)} sensors advertise as {address_or_name!r}: {listed}; none was taken: give the address "
            "of the one to use (`sensorkit scan` with only that one switched on lists it)",
            tuple(found))
    return found[0]


def _found_any(device: BLEDevice, adv: AdvertisementData) -> FoundSensor:
    """The sensor advertising ``adv``, with ``protocol == ""`` when no registered protocol claims it."""
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

"""What the client needs from a protocol beyond the ``Protocol`` base: how to configure a decoder
for a stream just started (open_v1 reads its config characteristic) and the control-point
responses some sensors send back (Polar PMD reports its scale factors there)."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Awaitable, Callable

from bleak import BleakClient

from firmware_protocols import Decoder, Protocol, ProtocolError
from sensorkit.ble.errors import ConnectError


@dataclass(frozen=True)
class ControlChannel:
    """A characteristic to subscribe to before the start commands, and what to do with its payloads."""

    char_uuid: str
    apply: Callable[[Decoder, bytes], None]


async def make_decoder(protocol: Protocol, client: BleakClient, sample_rate_hz: float) -> Decoder:
    """A fresh decoder for a stream just started: configured from the sensor where the protocol
    says so (open_v1 reads its config characteristic), else told the requested sample rate."""
    factory = _DECODER_FACTORIES.get(protocol.name)
    if factory is not None:
        return await factory(protocol, client)
    if "sample_rate_hz" in inspect.signature(protocol.decoder).parameters:
        return protocol.decoder(sample_rate_hz=sample_rate_hz)
    return protocol.decoder()


async def _open_v1_decoder(protocol: Protocol, client: BleakClient) -> Decoder:
    config = await client.read_gatt_char(protocol.config_char_uuid)
    try:
        return protocol.decoder(config=bytes(config))
    except ProtocolError as exc:
        raise ConnectError(f"{client.address}: unusable config characteristic {bytes(config).hex()}: {exc}") from exc


_DECODER_FACTORIES: dict[str, Callable[[Protocol, BleakClient], Awaitable[Decoder]]] = {"open_v1": _open_v1_decoder}


def _polar_pmd_channel(protocol: Protocol) -> ControlChannel:
    from firmware_protocols import polar_pmd

    def apply(decoder: Decoder, payload: bytes) -> None:
        decoder.apply_control_point_response(polar_pmd.parse_control_point_response(payload))

    return ControlChannel(protocol.control_point_uuid, apply)


_CONTROL_CHANNELS: dict[str, Callable[[Protocol], ControlChannel]] = {"polar_pmd": _polar_pmd_channel}


def control_channel(protocol: Protocol) -> ControlChannel | None:
    """The protocol's control-response channel, or None when it has none."""
    factory = _CONTROL_CHANNELS.get(protocol.name)
    return factory(protocol) if factory else None

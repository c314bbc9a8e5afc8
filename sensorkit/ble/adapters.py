"""What the client needs from a protocol beyond the ``Protocol`` base: decoder settings and the
control-point responses some sensors send back (Polar PMD reports its scale factors there)."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

from firmware_protocols import Decoder, Protocol


@dataclass(frozen=True)
class ControlChannel:
    """A characteristic to subscribe to before the start commands, and what to do with its payloads."""

    char_uuid: str
    apply: Callable[[Decoder, bytes], None]


def make_decoder(protocol: Protocol, sample_rate_hz: float) -> Decoder:
    """A fresh decoder, told the requested sample rate when its protocol takes one."""
    if "sample_rate_hz" in inspect.signature(protocol.decoder).parameters:
        return protocol.decoder(sample_rate_hz=sample_rate_hz)
    return protocol.decoder()


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

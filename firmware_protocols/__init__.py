"""Pure decoders for the wire formats of supported IMU sensors (no I/O).

``firmware_protocols.get(name)`` returns a :class:`Protocol`; ``names()`` lists them;
``decoder_settings(protocol)`` says what its decoder takes. Adding a family: docs/protocols/adding.md.
"""
from __future__ import annotations

import importlib

from firmware_protocols.base import (
    COLUMNS,
    Command,
    Decoder,
    DeviceTime,
    Gap,
    Protocol,
    ProtocolError,
    StreamHealth,
    union_of_gaps,
)
from firmware_protocols.settings import decoder_settings

#: protocol name -> "module:attribute" of its Protocol class; modules load on first use.
_REGISTRY: dict[str, str] = {}


def register(name: str, target: str) -> None:
    """Register a protocol under ``name`` as ``"module:ClassName"``."""
    _REGISTRY[name] = target


def names() -> list[str]:
    """The registered protocol names, sorted (``polar_pmd``, ``metawear``, ...)."""
    return sorted(_REGISTRY)


def get(name: str) -> Protocol:
    """The protocol called ``name``; raises ``KeyError`` naming the known ones."""
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown protocol {name!r}; known: {', '.join(names())}") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)()


register("polar_pmd", "firmware_protocols.polar_pmd:PolarPmd")
register("metawear", "firmware_protocols.metawear:MetaWear")
register("movesense", "firmware_protocols.movesense:Movesense")
register("witmotion", "firmware_protocols.witmotion:WitMotion")
register("open_v1", "firmware_protocols.open_v1:OpenV1")

__all__ = ["COLUMNS", "Command", "Decoder", "DeviceTime", "Gap", "Protocol", "ProtocolError", "StreamHealth",
           "decoder_settings", "get", "names", "register", "union_of_gaps"]

"""What a protocol's decoder takes: its settings by name, each with the type its value has.

One rule, used wherever a decoder is built from outside (``sensorkit decode -s NAME=VALUE``, the
BLE client passing the rate a stream was started at):

- a named parameter of ``Protocol.decoder`` is a setting;
- ``**settings`` are passed on to the decoder class: the factory's return annotation where it is
  a concrete :class:`~firmware_protocols.base.Decoder` subclass, else the class of the decoder
  ``protocol.decoder()`` returns; the named parameters of that class's ``__init__`` are settings;
- a setting's type is its annotation (``float | None`` -> float; the first of bytes, bool, int,
  float, str the annotation allows), else the type of its default value, else unknown (None).
"""
from __future__ import annotations

import inspect
import typing

from firmware_protocols.base import Decoder, Protocol

#: the types a setting's value can be read as from text, in the order an annotation is tried
SETTING_TYPES: tuple[type, ...] = (bytes, bool, int, float, str)


def setting_type(annotation: object, default: object = inspect.Parameter.empty) -> type | None:
    """The type a setting annotated ``annotation`` (with ``default``) takes; None: unknown."""
    allowed = set(typing.get_args(annotation)) or {annotation}
    kind = next((kind for kind in SETTING_TYPES if kind in allowed), None)
    if kind is None and annotation is inspect.Parameter.empty and default is not None:
        kind = next((kind for kind in SETTING_TYPES if type(default) is kind), None)
    return kind


def _decoder_class(protocol: Protocol, annotated: object) -> type | None:
    """The Decoder subclass a ``decoder(**settings)`` factory builds (see the module doc)."""
    if isinstance(annotated, type) and issubclass(annotated, Decoder) and not inspect.isabstract(annotated):
        return annotated
    try:
        return type(protocol.decoder())
    except Exception:  # (a factory that needs a setting to build at all: its class cannot be told)
        return None


def _parameters(function, protocol: Protocol) -> dict[str, type | None] | None:
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # (an annotation that does not resolve: types from defaults, names still known)
        hints = {}
    found: dict[str, type | None] = {}
    passed_on = False
    for param in inspect.signature(function).parameters.values():
        if param.kind is param.VAR_KEYWORD:
            passed_on = True
        elif param.name != "self" and param.kind is not param.VAR_POSITIONAL:
            found[param.name] = setting_type(hints.get(param.name, param.annotation), param.default)
    if passed_on and protocol is not None:
        decoder_class = _decoder_class(protocol, hints.get("return"))
        if decoder_class is None:
            return None
        inner = _parameters(decoder_class.__init__, None) or {}
        found.update({name: kind for name, kind in inner.items() if name not in found})
    return found


def decoder_settings(protocol: Protocol) -> dict[str, type | None] | None:
    """The settings ``protocol.decoder(...)`` takes, each with the type its value has (None: not
    declared), by the rule in the module doc; None when they cannot be told (a ``**settings``
    factory whose decoder class neither its annotation nor a decoder built without settings says)."""
    return _parameters(protocol.decoder, protocol)

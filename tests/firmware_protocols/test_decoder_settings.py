"""The decoder contract's settings rule (firmware_protocols.decoder_settings), which `sensorkit decode
-s` and the BLE client both follow: every registered protocol says its settings, typed, the rate
among them; a family written from the base class's own signature, ``decoder(**settings) -> Decoder``,
is read as well (it was not: its settings passed as text, its rate never given)."""
from __future__ import annotations

import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import Command, Decoder, Protocol, decoder_settings


@pytest.mark.parametrize("name", firmware_protocols.names())
def test_every_protocol_says_its_settings_typed_and_takes_the_rate(name):
    settings = decoder_settings(firmware_protocols.get(name))
    assert settings, f"{name}: its decoder's settings cannot be told"
    assert None not in settings.values(), settings
    assert settings["sample_rate_hz"] is float  # (the BLE client passes the rate the stream was started at)


class _Declared(Decoder):
    def __init__(self, sample_rate_hz: float = 100.0, acc_mg_per_lsb: float = 1.0, label="x", count=3) -> None:
        super().__init__()
        self.sample_rate_hz = sample_rate_hz

    def _decode(self, payload: bytes) -> np.ndarray:
        return np.empty((0, 7))


class _Family(Protocol):
    name = "toy"

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        return []

    def stop_commands(self) -> list[Command]:
        return []


class _AsTheBaseDeclares(_Family):
    def decoder(self, **settings) -> Decoder:  # (the abstract class in the annotation: the one built is read)
        return _Declared(**settings)


class _Annotated(_Family):
    def decoder(self, chip: str = "a", **settings) -> _Declared:
        return _Declared(**settings)


class _NeedsASetting(_Family):
    def decoder(self, **settings) -> Decoder:
        return _Declared(**settings) if settings else None.fail  # (cannot be built without one)


def test_a_factory_declared_as_the_base_class_is_read_through_the_decoder_it_builds():
    # (untyped parameters take their default's type)
    assert decoder_settings(_AsTheBaseDeclares()) == {"sample_rate_hz": float, "acc_mg_per_lsb": float,
                                                      "label": str, "count": int}


def test_named_parameters_and_the_annotated_class_both_count():
    assert decoder_settings(_Annotated()) == {"chip": str, "sample_rate_hz": float, "acc_mg_per_lsb": float,
                                              "label": str, "count": int}


def test_settings_that_cannot_be_told_are_none_not_empty():
    assert decoder_settings(_NeedsASetting()) is None

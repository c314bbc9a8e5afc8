"""``sensorkit decode`` on a sixth family written from the base class and docs alone (review36 #3):
a factory ``decoder(**settings) -> Decoder`` had its settings passed as text ('abc' reached the
decoder, every packet then failed with "ufunc 'multiply' ..." and exit 1); now each is read as the
type its decoder class declares, and a bad one is the documented usage error naming it."""
from __future__ import annotations

import struct

import numpy as np
import pytest
from click.testing import CliRunner

import firmware_protocols
from firmware_protocols import Command, Decoder, Protocol
from firmware_protocols.base import make_samples
from sensorkit.cli import cli


class ToyDecoder(Decoder):
    def __init__(self, sample_rate_hz: float = 100.0, acc_mg_per_lsb: float = 1.0) -> None:
        super().__init__()
        self.sample_rate_hz = sample_rate_hz
        self.acc_mg_per_lsb = acc_mg_per_lsb

    def _decode(self, payload: bytes) -> np.ndarray:
        out = make_samples(1)
        out[0, 0] = struct.unpack("<H", payload[:2])[0] / self.sample_rate_hz
        out[0, 1] = struct.unpack("<h", payload[2:4])[0] * self.acc_mg_per_lsb * 1e-3 * 9.80665
        return out


class Toy(Protocol):
    name = "toy"

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        return []

    def stop_commands(self) -> list[Command]:
        return []

    def decoder(self, **settings) -> Decoder:
        return ToyDecoder(**settings)


class Unreadable(Toy):
    def decoder(self, **settings) -> Decoder:
        return ToyDecoder(**settings) if settings else None.fail  # (its class cannot be told)


@pytest.fixture
def capture(tmp_path, monkeypatch):
    monkeypatch.setitem(firmware_protocols._REGISTRY, "toy", f"{__name__}:Toy")
    monkeypatch.setitem(firmware_protocols._REGISTRY, "unreadable", f"{__name__}:Unreadable")
    path = tmp_path / "cap.hex"
    path.write_text("0000 e803\n0100 e803\n")
    return str(path)


def test_a_setting_of_the_wrong_type_is_a_usage_error_naming_it(capture):
    result = CliRunner().invoke(cli, ["decode", "toy", capture, "-s", "acc_mg_per_lsb=abc"])
    assert result.exit_code == 2, result.output
    assert "bad settings for 'toy': acc_mg_per_lsb='abc': expected a finite number" in result.stderr


def test_settings_reach_the_decoder_as_numbers(capture):
    result = CliRunner().invoke(cli, ["decode", "toy", capture, "-s", "acc_mg_per_lsb=2", "--sample-rate-hz", "25"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["0,19.6133,,,,,", "0.04,19.6133,,,,,"]


def test_an_unknown_setting_names_the_ones_it_takes(capture):
    result = CliRunner().invoke(cli, ["decode", "toy", capture, "-s", "colour=red"])
    assert result.exit_code == 2
    assert ("no setting 'colour'; its settings: sample_rate_hz (a finite number), acc_mg_per_lsb (a finite number)"
            in result.stderr)


def test_settings_a_decoder_does_not_say_are_refused_not_passed_as_text(capture):
    result = CliRunner().invoke(cli, ["decode", "unreadable", capture, "-s", "acc_mg_per_lsb=abc"])
    assert result.exit_code == 2
    assert "its decoder does not say which settings it takes" in result.stderr

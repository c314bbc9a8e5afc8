"""`record --sample-rate-hz` other than the default, for every protocol: ``t`` in seconds of the rate
the sensor streams at, the sidecar's rate that one, no loss invented.

The BLE client told a decoder the rate only when ``sample_rate_hz`` was a named parameter of
``protocol.decoder``; MetaWear, Movesense and WitMotion take ``**settings``, so they were built at
their default rate: at 52 Hz a MetaWear's and a WitMotion's ``t`` ran at half speed (every hold
halved, the sidecar saying 100 Hz), a Movesense reported ~50 % of its samples lost."""
from __future__ import annotations

import asyncio
import struct

import numpy as np
import pytest
from click.testing import CliRunner

from firmware_protocols import Command, Decoder, Protocol
from firmware_protocols.base import make_samples
from sensorkit.ble.adapters import make_decoder
from sensorkit.cli import cli
from sensorkit.io import read_recording

DURATION_S = 10.0

#: protocol, rate asked (Hz), rate the simulated sensor streams at (its nearest supported)
RATES = [("metawear", 52.0, 50.0), ("witmotion", 50.0, 50.0), ("movesense", 52.0, 52.0),
         ("polar_pmd", 52.0, 52.0), ("open_v1", 52.0, 52.0), ("metawear", 25.0, 25.0)]


@pytest.mark.parametrize("protocol, asked_hz, streamed_hz", RATES, ids=[f"{p}-{a:g}" for p, a, _ in RATES])
def test_record_at_a_rate_other_than_the_default_times_samples_at_the_rate_streamed(tmp_path, protocol, asked_hz,
                                                                                    streamed_hz):
    result = CliRunner().invoke(cli, ["record", "--simulate", "--protocol", protocol, "--sample-rate-hz",
                                      f"{asked_hz:g}", "--duration-s", f"{DURATION_S:g}", "--speed", "10",
                                      "--out", str(tmp_path), "--name", "r"])
    assert result.exit_code == 0, result.output
    recording = read_recording(tmp_path / "r.csv")
    t = recording.samples.t
    assert DURATION_S - 0.6 < t[-1] <= DURATION_S + 0.1, t[-1]  # (was 4.9 s for MetaWear, WitMotion)
    assert recording.meta.sample_rate_hz == pytest.approx(streamed_hz, rel=1e-3)  # (was 100, 104)
    assert np.median(np.diff(t)) == pytest.approx(1 / streamed_hz, rel=1e-3)
    stream = recording.meta.stream
    assert stream["loss_fraction"] < 0.03, stream  # (the simulation drops ~1 %; Movesense's was 0.5)
    assert len(t) == pytest.approx(DURATION_S * streamed_hz, rel=0.05)


class _ToyDecoder(Decoder):
    """Declared as docs/protocols/adding.md says: typed named parameters of ``__init__``."""

    def __init__(self, sample_rate_hz: float = 100.0, acc_mg_per_lsb: float = 1.0) -> None:
        super().__init__()
        self.sample_rate_hz = sample_rate_hz
        self.acc_mg_per_lsb = acc_mg_per_lsb

    def _decode(self, payload: bytes) -> np.ndarray:
        (count,) = struct.unpack("<H", payload)
        return make_samples(count)


class _Toy(Protocol):
    """A sixth family written from the base class: ``decoder(**settings) -> Decoder``, as declared."""

    name = "toy"

    def start_commands(self, sample_rate_hz: float = 104.0) -> list[Command]:
        return []

    def stop_commands(self) -> list[Command]:
        return []

    def decoder(self, **settings) -> Decoder:
        return _ToyDecoder(**settings)


def test_a_decoder_taking_settings_on_is_told_the_rate_the_stream_was_started_at():
    decoder = asyncio.run(make_decoder(_Toy(), None, 25.0))  # (no client: the toy reads nothing from it)
    assert decoder.sample_rate_hz == 25.0  # (was 100: its default)

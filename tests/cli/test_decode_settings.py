"""``sensorkit decode PROTOCOL FILE -s NAME=VALUE``: a setting's value is read as the type the protocol's
decoder declares for it; a value of the wrong type, or one the decoder refuses, is a usage error (exit 2)
in one line naming the protocol, the setting, the value given and what it takes, for every setting of
every protocol (it was e.g. "ufunc 'isfinite' not supported ..." for polar_pmd's factors)."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import firmware_protocols
from sensorkit.cli import cli
from sensorkit.cli.decode import decoder_settings
from under_test import env

#: (protocol, setting, its type) for every setting of every registered protocol's decoder
SETTINGS = [(protocol, name, kind) for protocol in firmware_protocols.names()
            for name, kind in decoder_settings(firmware_protocols.get(protocol)).items()]

#: how a decoder says what a setting of text takes where the command line cannot (a chip's name, ...)
SAYS_WHAT_IT_TAKES = ("expected", "must be", "known:")


def decode(tmp_path, protocol: str, *settings: str):
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    return CliRunner().invoke(cli, ["decode", protocol, str(capture), *(a for s in settings for a in ("-s", s))])


def test_every_protocol_declares_its_decoder_settings():
    # (so that SETTINGS below covers each protocol, and each setting has a type the command line can read)
    by_protocol = {protocol: decoder_settings(firmware_protocols.get(protocol)) for protocol in firmware_protocols.names()}
    assert all(by_protocol.values()), by_protocol
    assert all(kind is not None for settings in by_protocol.values() for kind in settings.values()), by_protocol
    assert by_protocol["polar_pmd"] == {"sample_rate_hz": float, "acc_factor": float, "gyr_factor": float}
    assert by_protocol["movesense"] == {"reference": int, "sample_rate_hz": float, "packet_samples": int}


@pytest.mark.parametrize("protocol, name, kind", SETTINGS, ids=[f"{p}-{n}" for p, n, _ in SETTINGS])
def test_a_setting_of_the_wrong_type_is_a_usage_error_naming_setting_value_and_what_it_takes(tmp_path, protocol,
                                                                                             name, kind):
    result = decode(tmp_path, protocol, f"{name}=twelve")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # not even the CSV header
    (message,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"bad settings for '{protocol}'" in message
    assert f"{name}='twelve'" in message
    assert any(words in message for words in SAYS_WHAT_IT_TAKES), message


@pytest.mark.parametrize("protocol, setting, takes", [
    ("polar_pmd", "acc_factor=abc", "acc_factor='abc': expected a finite number"),
    ("polar_pmd", "gyr_factor=inf", "gyr_factor='inf': expected a finite number"),
    ("movesense", "reference=1.5", "reference='1.5': expected a whole number"),
    ("witmotion", "sample_rate_hz=fast", "sample_rate_hz='fast': expected a number of Hz above 0"),
    ("witmotion", "sample_rate_hz=-3", "sample_rate_hz='-3': expected a number of Hz above 0"),
    ("metawear", "acc_range_g=sixteen", "acc_range_g='sixteen': expected a whole number"),
    ("metawear", "acc_range_g=3", "(acc_range_g='3'): acc_range_g must be one of [2, 4, 8, 16], got 3"),
    ("metawear", "chip=bmi999", "(chip='bmi999'): unknown MetaWear chip 'bmi999'; known: "),
    ("movesense", "reference=300", "(reference='300'): reference must be 1..255, got 300"),
    ("movesense", "packet_samples=0", "(packet_samples='0'): packet_samples must be 1 or more, got 0"),
    ("open_v1", "config=0101", "(config='0101'): open_v1 config must be 16 bytes, got 2"),  # (hex, not the int 101)
    ("polar_pmd", "colour=red", "no setting 'colour'; its settings: sample_rate_hz (a finite number),"
                                " acc_factor (a finite number), gyr_factor (a finite number)"),
])
def test_bad_settings_say_what_the_setting_takes(tmp_path, protocol, setting, takes):
    result = decode(tmp_path, protocol, setting)
    assert result.exit_code == 2
    assert takes in result.stderr


def test_settings_of_the_right_type_reach_the_decoder(tmp_path):
    result = decode(tmp_path, "metawear", "chip=bmi270", "acc_range_g=8", "sample_rate_hz=50")
    assert result.exit_code == 1, result.output  # the one payload is too short: decoded and reported, not refused
    assert "capture.hex:1:" in result.stderr


def test_a_bad_setting_is_one_line_from_the_command(tmp_path):
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    result = subprocess.run([sys.executable, "-m", "sensorkit", "decode", "polar_pmd", str(capture), "-s",
                             "acc_factor=abc"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env())
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "bad settings for 'polar_pmd': acc_factor='abc': expected a finite number" in line


def test_two_sample_rates_that_disagree_are_a_usage_error(tmp_path):
    capture = tmp_path / "capture.hex"
    capture.write_text("00\n")
    result = CliRunner().invoke(cli, ["decode", "metawear", str(capture), "--sample-rate-hz", "104",
                                      "-s", "sample_rate_hz=52"])
    assert result.exit_code == 2
    assert "--sample-rate-hz 104 and -s sample_rate_hz=52 disagree: give the rate once" in result.output
    same = CliRunner().invoke(cli, ["decode", "metawear", str(capture), "--sample-rate-hz", "52",
                                    "-s", "sample_rate_hz=52"])
    assert same.exit_code == 1, same.output  # the same rate twice: decoded (the one payload is too short)

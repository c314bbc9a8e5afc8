"""``sensorkit decode PROTOCOL FILE`` on captured Polar PMD payloads."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import firmware_protocols
from firmware_protocols.polar_pmd import PolarPmd, encode_stream
from sensorkit.cli import cli
from sensorkit.samples import COLUMNS

RATE_HZ = 52.0


@pytest.fixture()
def payloads() -> list[bytes]:
    t = np.arange(104) / RATE_HZ
    acc = np.column_stack([np.sin(t), np.cos(t), 9.8 + 0 * t])
    gyr = np.column_stack([20 * np.sin(2 * t), 0 * t, -3 + 0 * t])
    return encode_stream(acc, gyr, RATE_HZ, samples_per_frame=13)


def write_capture(tmp_path, lines: list[str]) -> str:
    path = tmp_path / "capture.hex"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def run(*args: str):
    return CliRunner().invoke(cli, ["decode", *args])


def test_clean_capture_prints_every_sample_as_csv(tmp_path, payloads):
    capture = write_capture(tmp_path, ["# Polar Sense, 52 Hz", ""] + [p.hex(" ") for p in payloads])
    result = run("polar_pmd", capture, "--sample-rate-hz", "52")
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert tuple(table.columns) == COLUMNS
    decoder = PolarPmd().decoder(sample_rate_hz=RATE_HZ)
    expected = np.vstack([decoder.feed(p) for p in payloads])
    np.testing.assert_allclose(table.to_numpy(), expected, rtol=1e-8, atol=1e-9, equal_nan=True)
    acc_line = result.stdout.splitlines()[1]
    assert acc_line.endswith(",,,")  # an ACC frame has no angular rate: empty fields
    assert "104 samples (208 rows: acceleration and angular rate apart), 0 lost" in result.stderr


def test_bad_lines_are_named_counted_and_skipped(tmp_path, payloads):
    lines = [p.hex() for p in payloads[:4]] + ["02 01 02", "not hex at all"] + [p.hex() for p in payloads[4:]]
    result = run("polar_pmd", write_capture(tmp_path, lines))
    assert result.exit_code == 1
    note, *errors = result.stderr.splitlines()
    assert note.startswith("note: polar_pmd: no acc_factor or gyr_factor given")  # (scaled by 1.0: said)
    assert errors[0] == f"{tmp_path / 'capture.hex'}:5: polar_pmd: truncated header (3 bytes, need 10)"
    assert errors[1].endswith(":6: not hex: 'not hex at all'")
    assert "18 payloads, 2 failed; 104 samples (208 rows" in errors[-1]
    assert len(result.stdout.splitlines()) == 1 + 208  # nothing else lost


@pytest.mark.parametrize("rate", [["--sample-rate-hz", "52"], []], ids=["rate_given", "rate_learned"])
def test_one_dropout_of_the_acc_and_gyro_streams_is_one_gap_counted_once(tmp_path, payloads, rate):
    # The ACC and the GYRO frame lost in one dropout were two gaps, and their samples (and the
    # stream's) were counted twice: "182 samples, 26 lost (12.5%) in 2 gaps".
    kept = payloads[:4] + payloads[6:]  # the ACC and the GYRO frame of 13 samples sent together, missing
    result = run("polar_pmd", write_capture(tmp_path, [p.hex() for p in kept]), *rate)
    assert result.exit_code == 0
    assert "91 samples (182 rows: acceleration and angular rate apart), 13 lost (12.5%) in 1 gap," in result.stderr


def test_two_dropouts_are_two_gaps_in_the_summary(tmp_path, payloads):
    kept = payloads[:2] + payloads[4:8] + payloads[10:]  # the 2nd and the 5th send of ACC + GYRO
    result = run("polar_pmd", write_capture(tmp_path, [p.hex() for p in kept]), "--sample-rate-hz", "52")
    assert "78 samples (156 rows: acceleration and angular rate apart), 26 lost (25.0%) in 2 gaps," in result.stderr


def test_decoder_settings_pass_through(tmp_path, payloads):
    capture = write_capture(tmp_path, [p.hex() for p in payloads])
    halved = run("polar_pmd", capture, "-s", "gyr_factor=0.5")  # GYRO float frames are scaled by the factor
    plain = run("polar_pmd", capture)
    gyr = lambda r: pd.read_csv(io.StringIO(r.stdout))["gyr_x"].dropna().to_numpy()  # noqa: E731
    np.testing.assert_allclose(gyr(halved), 0.5 * gyr(plain))


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "unknown protocol 'nosuch'; known: " + ", ".join(firmware_protocols.names())),
    (["polar_pmd", "-s", "colour=red"], "bad settings for 'polar_pmd'"),
    (["polar_pmd", "-s", "acc_factor"], "is not NAME=VALUE"),
    (["polar_pmd", "--sample-rate-hz", "-5"], "Invalid value for '--sample-rate-hz'"),
])
def test_usage_errors_exit_2(tmp_path, payloads, args, message):
    capture = write_capture(tmp_path, [payloads[0].hex()])
    result = run(args[0], capture, *args[1:])
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_file_is_a_usage_error():
    result = run("polar_pmd", "/no/such/capture.hex")
    assert result.exit_code == 2 and "/no/such/capture.hex: cannot read: no such file" in result.stderr


def test_installed_entry_point_reads_stdin(payloads):
    stdin = "\n".join(p.hex() for p in payloads[:2])
    done = subprocess.run([sys.executable, "-m", "sensorkit", "decode", "polar_pmd", "-"], input=stdin,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1 + 26


def test_an_open_v1_capture_of_data_frames_decodes_at_the_rate_given(tmp_path):
    # a capture without the config characteristic: --sample-rate-hz gives the rate, the reference
    # firmware's scales the rest (it was "bad settings for 'open_v1': ... unexpected keyword argument")
    import numpy as np
    from click.testing import CliRunner
    from firmware_protocols.open_v1 import encode_frame
    from sensorkit.cli import cli

    rows = np.tile([0.0, 0.0, 9.81, 1.0, -2.0, 0.5], (8, 1))
    capture = tmp_path / "capture.hex"
    capture.write_text("\n".join(encode_frame(rows, seq=k, t_first_us=k * 8 * 19231).hex() for k in range(3)) + "\n")
    result = CliRunner().invoke(cli, ["decode", "open_v1", str(capture), "--sample-rate-hz", "52"])
    assert result.exit_code == 0, result.stderr
    t = np.array([float(line.split(",")[0]) for line in result.stdout.splitlines()[1:]])
    assert len(t) == 24 and np.allclose(np.diff(t), 1 / 52, atol=2e-4)


def test_an_open_v1_config_given_in_hex_sets_the_rate_and_a_bad_one_is_one_line(tmp_path):
    import dataclasses

    import numpy as np
    from click.testing import CliRunner
    from firmware_protocols.open_v1 import DEFAULT_CONFIG, encode_frame
    from sensorkit.cli import cli

    config = dataclasses.replace(DEFAULT_CONFIG, sample_rate_hz=25.0)
    capture = tmp_path / "capture.hex"
    capture.write_text(encode_frame(np.tile([0.0, 0.0, 9.81, 1.0, -2.0, 0.5], (8, 1)), seq=0, t_first_us=0,
                                    config=config).hex() + "\n")
    good = CliRunner().invoke(cli, ["decode", "open_v1", str(capture), "-s", f"config={config.to_bytes().hex()}"])
    assert good.exit_code == 0, good.stderr
    t = np.array([float(line.split(",")[0]) for line in good.stdout.splitlines()[1:]])
    assert np.allclose(np.diff(t), 1 / 25)
    bad = CliRunner().invoke(cli, ["decode", "open_v1", str(capture), "-s", "config=0101"])  # (was a traceback)
    assert bad.exit_code == 2  # (a usage error: `sensorkit` prints it as one line)
    assert "bad settings for 'open_v1' (config='0101'): open_v1 config must be 16 bytes, got 2" in bad.stderr  # (hex, not 101)


@pytest.mark.parametrize("given, missing", [([], "acc_factor"), (["-s", "acc_factor=0.5"], "gyr_factor")])
def test_the_note_on_unscaled_frames_names_the_setting_to_give(tmp_path, payloads, given, missing):
    # (it said "-s {unscaled[0]}=VALUE", the name unformatted)
    result = run("polar_pmd", write_capture(tmp_path, [p.hex() for p in payloads]), *given)
    note = result.stderr.splitlines()[0]
    assert note.startswith(f"note: polar_pmd: no {missing}") and note.endswith(f"(-s {missing}=VALUE)"), note


def movesense_104_hz_packets(n: int, seed: int, mtu: int = 161):
    """``n`` 8-sample IMU6 packets at 104 Hz, each split as the app sends it (at its MTU, 161:
    158 + 42 bytes): (acc, gyr, each packet's timestamp in ms, each packet's notifications)."""
    from firmware_protocols.movesense import encode_imu6, split_notification

    rng = np.random.default_rng(seed)
    acc, gyr = rng.normal(0, 5, (8 * n, 3)), rng.normal(0, 90, (8 * n, 3))
    times_ms = [5000 + round(i * 8 * 1000 / 104) for i in range(n)]
    parts = [split_notification(encode_imu6(ts, acc[8 * i:8 * i + 8], gyr[8 * i:8 * i + 8]), mtu)
             for i, ts in enumerate(times_ms)]
    return acc, gyr, times_ms, parts


def test_a_movesense_capture_at_mtu_153_joins_first_parts_as_long_as_a_whole_packet(tmp_path):
    # At ATT MTU 153 a first part is 150 bytes, 6 + 24 * 6: it was written as a 6-sample packet
    # (acceleration in the gyro columns) and its second part refused. The decoder knows the 8
    # samples a packet holds at 104 Hz: the parts join, whether the rate is given or not (104 Hz
    # is the default).
    acc, gyr, _times_ms, parts = movesense_104_hz_packets(4, seed=9, mtu=153)
    lines = [part.hex(" ") for pair in parts for part in pair]
    assert {len(pair[0]) for pair in parts} == {150}
    for rate in (("--sample-rate-hz", "104"), ()):
        result = run("movesense", write_capture(tmp_path, lines), *rate)
        assert result.exit_code == 0, result.stderr
        table = pd.read_csv(io.StringIO(result.stdout))
        np.testing.assert_allclose(table[["acc_x", "acc_y", "acc_z"]], acc.astype(np.float32), rtol=1e-6)
        np.testing.assert_allclose(table[["gyr_x", "gyr_y", "gyr_z"]], gyr.astype(np.float32), rtol=1e-6)
        assert "8 payloads, 0 failed; 32 samples, 0 lost" in result.stderr


def test_a_movesense_capture_at_104_hz_joins_each_packets_two_notifications_and_names_a_lost_part(tmp_path):
    # A capture from a real Movesense at 104 Hz holds two notifications per packet (the app's MTU
    # is 161: 158 + 42 bytes); each line was refused alone. Now the halves join; a packet whose
    # second half is missing is one line naming it, and the next packet decodes.
    acc, gyr, times_ms, parts = movesense_104_hz_packets(5, seed=7)
    lines = [part.hex(" ") for i, pair in enumerate(parts) for part in (pair[:1] if i == 2 else pair)]
    result = run("movesense", write_capture(tmp_path, lines), "--sample-rate-hz", "104")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'capture.hex'}:6: Movesense IMU6 packet of timestamp {times_ms[2]} ms: its first part "
        "(158 bytes) was not followed by its second part (type 3): dropped")
    table = pd.read_csv(io.StringIO(result.stdout))
    kept = np.r_[0:16, 24:40]  # every sample but packet 2's
    np.testing.assert_allclose(table[["acc_x", "acc_y", "acc_z"]], acc[kept].astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(table[["gyr_x", "gyr_y", "gyr_z"]], gyr[kept].astype(np.float32), rtol=1e-6)
    assert "32 samples, 8 lost (20.0%) in 1 gap" in result.stderr


def test_a_movesense_capture_ending_between_a_packets_two_notifications_says_so(tmp_path):
    # The capture's last notification is a first part: its second never came. It was dropped with
    # "0 failed" and exit 0 (found by review); the decoder's finish() names it at the end.
    _, _, times_ms, parts = movesense_104_hz_packets(3, seed=8)
    lines = [part.hex(" ") for pair in parts[:2] for part in pair] + [parts[2][0].hex(" ")]
    result = run("movesense", write_capture(tmp_path, lines), "--sample-rate-hz", "104")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{tmp_path / 'capture.hex'}:end: Movesense IMU6 packet of timestamp {times_ms[2]} ms: its first part"
        " (158 bytes) was the last notification; its second part (type 3) never came: dropped")
    assert len(pd.read_csv(io.StringIO(result.stdout))) == 16
    assert "5 payloads, 1 failed" in result.stderr

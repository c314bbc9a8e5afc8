"""sensorkit open protocol v1 decoder: the spec's own vectors (open_v1.md), stream health, errors."""
import struct

import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.open_v1 import (
    DEFAULT_CONFIG,
    FLAG_DEVICE_OVERFLOW,
    FLAG_STREAM_START,
    OpenV1Config,
    OpenV1Decoder,
    encode_example_payloads,
    encode_frame,
    parse_config,
)

CONFIG = OpenV1Config(sample_rate_hz=100.0, acc_ms2_per_lsb=0.001, gyro_dps_per_lsb=0.01, samples_per_frame=4)
N = 4
PERIOD_US = 10_000


def frame(seq: int, index: int, flags: int = 0, start_us: int = 1_000_000, n: int = N) -> bytes:
    """Frame ``seq`` holding samples index..index+n-1; acc x of sample k is k (in m/s²)."""
    k = np.arange(index, index + n, dtype=float)
    samples = np.column_stack([k, np.zeros(n), np.full(n, 9.81), np.zeros(n), -k, np.ones(n)])
    return encode_frame(samples, seq=seq, t_first_us=start_us + index * PERIOD_US, config=CONFIG, flags=flags)


def decode_all(frames: list[bytes], config=CONFIG) -> tuple[OpenV1Decoder, np.ndarray]:
    dec = OpenV1Decoder(config=config)
    return dec, np.vstack([dec.feed(f) for f in frames])


# --- spec vectors -----------------------------------------------------------------------------

def test_spec_example_frame_bytes_and_values():
    # open_v1.md, "Data characteristic": stream start, seq 0, t = 1 000 000 us, 2 samples
    payload = bytes.fromhex("0101" "0000" "40420f00" "02" "000000000020000000000000" "0a00f6ff002083000000" "00ff")
    assert payload == struct.pack("<BBHIB12h", 1, 1, 0, 1_000_000, 2, 0, 0, 8192, 0, 0, 0, 10, -10, 8192, 131, 0, -256)
    assert payload == encode_example_payloads()[0]
    rows = OpenV1Decoder(config=DEFAULT_CONFIG).feed(payload)
    a, g = DEFAULT_CONFIG.acc_ms2_per_lsb, DEFAULT_CONFIG.gyro_dps_per_lsb
    np.testing.assert_array_equal(rows, [[0.0, 0, 0, 8192 * a, 0, 0, 0],
                                         [0.01, 10 * a, -10 * a, 8192 * a, 131 * g, 0, -256 * g]])


def test_spec_default_config_bytes():
    raw = bytes.fromhex("01080100" "0000c842" "0ae89c3a" "2d237a3c")
    assert DEFAULT_CONFIG.to_bytes() == raw
    cfg = parse_config(raw)
    assert (cfg.sample_rate_hz, cfg.samples_per_frame, cfg.imu_model) == (100.0, 8, 1)
    assert cfg.acc_ms2_per_lsb == pytest.approx(9.80665 / 8192, rel=1e-7)
    assert cfg.gyro_dps_per_lsb == pytest.approx(1 / 65.5, rel=1e-7)


def test_commands_and_registry():
    proto = firmware_protocols.get("open_v1")
    assert [c.payload.hex() for c in proto.start_commands(104)] == ["016800"]
    assert [c.payload.hex() for c in proto.stop_commands()] == ["02"]
    assert proto.start_commands()[0].char_uuid == "b7fb4f03-9fae-430d-a566-b215c48b46a2"
    assert proto.matches(None, ["B7FB4F00-9FAE-430D-A566-B215C48B46A2"]) and proto.matches("sensorkit-imu")
    assert isinstance(proto.decoder(config=CONFIG.to_bytes()), OpenV1Decoder)


@pytest.mark.parametrize("raw", [bytes(15), bytes.fromhex("02080100" "0000c842" "0ae89c3a" "2d237a3c"),
                                 OpenV1Config(0.0, 0.001, 0.01).to_bytes(),
                                 OpenV1Config(100.0, -0.001, 0.01).to_bytes(),
                                 OpenV1Config(100.0, 0.001, 0.01, samples_per_frame=0).to_bytes()])
def test_bad_config_raises(raw):
    with pytest.raises(ProtocolError):
        parse_config(raw)


# --- time and stream health -------------------------------------------------------------------

def test_clean_stream_is_continuous():
    dec, rows = decode_all([frame(s, s * N, FLAG_STREAM_START if s == 0 else 0) for s in range(5)])
    np.testing.assert_array_equal(rows[:, 1], np.arange(20))
    np.testing.assert_allclose(rows[:, 0], np.arange(20) / 100)
    assert dec.health.lost_samples == 0 and dec.lost_frames == 0 and dec.health.gaps == []


def test_lost_frame_counts_frames_samples_and_gap():
    dec, rows = decode_all([frame(0, 0), frame(1, 4), frame(3, 12)])  # frame 2 (samples 8..11) lost
    assert dec.lost_frames == 1 and dec.health.lost_samples == 4
    (gap,) = dec.health.gaps
    assert gap.lost_samples == 4 and gap.at_t_s == pytest.approx(0.12)
    np.testing.assert_allclose(rows[8:, 0], np.arange(12, 16) / 100)


def test_duplicates_dropped_reordered_counted():
    dec = OpenV1Decoder(config=CONFIG)
    outs = [dec.feed(f) for f in (frame(0, 0), frame(1, 4), frame(1, 4), frame(3, 12), frame(2, 8), frame(0, 0))]
    assert [len(o) for o in outs] == [4, 4, 0, 4, 0, 0]
    h = dec.health
    assert (h.duplicate_packets, h.reordered_packets, h.lost_samples) == (2, 1, 4)
    t = np.concatenate([o[:, 0] for o in outs])
    assert np.all(np.diff(t) > 0)


def test_a_repeated_stream_start_frame_is_a_duplicate_not_a_new_stream():
    # The first frame of a stream notified twice was taken as a second stream start: its samples
    # recorded twice, every later sample 40 ms late, and a device "reboot" counted.
    start = frame(0, 0, FLAG_STREAM_START)
    dec, rows = decode_all([start, start, frame(1, 4), frame(0, 0, FLAG_STREAM_START), frame(2, 8)])
    np.testing.assert_allclose(rows[:, 0], np.arange(12) / 100)
    np.testing.assert_allclose(rows[:, 1], np.arange(12))  # acc x = sample index: each sample once
    assert (dec.health.duplicate_packets, dec.clock_resets, dec.health.lost_samples) == (2, 0, 0)


def test_sequence_wrap_is_not_loss():
    frames = [frame((65534 + i) % 65536, i * N) for i in range(4)]  # 65534, 65535, 0, 1
    dec, rows = decode_all(frames)
    assert dec.lost_frames == 0 and dec.health.duplicate_packets == 0 and len(rows) == 16


def test_timestamp_wrap_is_unwrapped_and_counted():
    start = 2**32 - 25_000  # wraps during the third frame's samples
    dec, rows = decode_all([frame(i, i * N, start_us=start) for i in range(4)])
    assert dec.health.clock_wraps == 1 and dec.health.lost_samples == 0
    np.testing.assert_allclose(rows[:, 0], np.arange(16) / 100)


def test_device_overflow_gap_from_timestamp_without_sequence_gap():
    # the device lost 7 samples in its FIFO: sequence continues, timestamp jumps, flag set
    dec, rows = decode_all([frame(0, 0), frame(1, 4 + 7, flags=FLAG_DEVICE_OVERFLOW)])
    assert dec.lost_frames == 0 and dec.device_overflows == 1
    assert dec.health.lost_samples == 7 and dec.health.gaps[0].lost_samples == 7
    assert rows[4, 0] == pytest.approx(0.11)
    dec, _ = decode_all([frame(0, 0), frame(1, 4 + 1, flags=FLAG_DEVICE_OVERFLOW)])  # a single lost sample
    assert dec.health.lost_samples == 1


def test_restart_after_pause_and_after_device_reboot():
    dec, rows = decode_all([frame(0, 0, FLAG_STREAM_START), frame(1, 4),
                            frame(0, 100, FLAG_STREAM_START),  # stop, 0.92 s pause, start: not a loss
                            frame(0, 0, FLAG_STREAM_START, start_us=50)])  # rebooted: clock went back
    assert dec.health.lost_samples == 0 and dec.clock_resets == 1
    np.testing.assert_allclose(rows[8:12, 0], np.arange(100, 104) / 100)
    np.testing.assert_allclose(rows[12:, 0], np.arange(104, 108) / 100)


def test_round_trip_within_one_lsb():
    rng = np.random.default_rng(11)
    samples = np.hstack([rng.uniform(-30, 30, (6, 3)), rng.uniform(-300, 300, (6, 3))])
    rows = OpenV1Decoder(config=CONFIG).feed(encode_frame(samples, seq=5, t_first_us=123, config=CONFIG))
    assert np.abs(rows[:, 1:4] - samples[:, :3]).max() <= CONFIG.acc_ms2_per_lsb
    assert np.abs(rows[:, 4:7] - samples[:, 3:]).max() <= CONFIG.gyro_dps_per_lsb


@pytest.mark.parametrize("payload", [
    b"", bytes.fromhex("0100000040420f00"),  # shorter than the header
    bytes.fromhex("0200000040420f0001") + bytes(12),  # version 2
    bytes.fromhex("0100000040420f0000"),  # N = 0
    bytes.fromhex("0100000040420f0002") + bytes(12),  # says 2 samples, carries 1
])
def test_malformed_frames_raise_protocol_error(payload):
    dec = OpenV1Decoder()
    with pytest.raises(ProtocolError):
        dec.feed(payload)
    assert dec.health.corrupt_packets == 1


def test_the_device_clock_at_t_zero_follows_wraps_and_resets():
    # A reconnect is placed by the board's clock: the decoder says where its t = 0 falls on it.
    start = 2**32 - 25_000
    dec, rows = decode_all([frame(i, i * N, start_us=start) for i in range(4)])
    assert dec.clock_origin == firmware_protocols.DeviceTime(start, 1e6, 2**32)
    assert dec.clock_origin.plus_s(rows[-1, 0]).ticks == (start + 15 * PERIOD_US) % 2**32  # past the wrap
    dec, rows = decode_all([frame(0, 0, FLAG_STREAM_START), frame(0, 0, FLAG_STREAM_START, start_us=50)])
    assert dec.clock_resets == 1 and dec.clock_origin.plus_s(rows[4, 0]).ticks == 50  # the rebooted clock


def test_the_open_v1_vector_files_decode_as_they_say():
    # (tests/firmware_protocols/vectors/open_v1*.txt, in the format docs/protocols/adding.md gives)
    from hexvectors import check_file, vector_files

    files = vector_files("open_v1")
    assert files
    assert all(check_file(path) > 0 for path in files)

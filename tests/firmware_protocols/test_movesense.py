"""Movesense GSP IMU6 decoder: layout vectors, commands, stream health, round trips, bad input.

No byte dump with decoded values is published for IMU6 over GSP, so the data vectors below are
built by hand from the documented layout (movesense.md: uint8 type, uint8 reference, uint32 ms
timestamp, N x float32[3] acc, N x float32[3] gyro) and say so. The command bytes follow the
vendor's own client sample, alexisduque/movesense-device-lib
samples/gatt_sensordata_app/python_client/movesense_sensor_data.py (commit 4c25f0f2bc26e917657af2e8198ea58bebb96c3b).
"""
import struct
from pathlib import Path

import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.movesense import (
    CommandResult,
    DataNotification,
    Movesense,
    MovesenseDecoder,
    OtherNotification,
    classify_notification,
    encode_command_result,
    encode_example_payloads,
    encode_imu6,
    imu6_packet_samples,
    imu6_rate_hz,
    parse_command_result,
    split_notification,
)

RATE_HZ = 104.0
PERIOD_MS = 1000.0 / RATE_HZ


def packet(timestamp_ms: int, n: int = 4, first: int = 0, reference: int = 99) -> bytes:
    """n samples whose acc x counts up from ``first`` (so dropped packets are visible)."""
    k = np.arange(first, first + n, dtype=float)
    acc = np.column_stack([k, np.zeros(n), np.full(n, 9.81)])
    gyr = np.column_stack([np.zeros(n), -k, np.ones(n)])
    return encode_imu6(timestamp_ms, acc, gyr, reference=reference)


def stream_times(n_packets: int, start_ms: int = 5000, n: int = 4) -> list[int]:
    return [start_ms + round(i * n * PERIOD_MS) for i in range(n_packets)]


def test_hand_built_vector_from_documented_layout():
    # type 02, reference 0x63, timestamp 123456 ms, acc (0.5, -9.75, 0.25), gyro (10, -2.5, 0.125)
    payload = bytes.fromhex("026340e20100" "0000003f00001cc10000803e" "00002041000020c00000003e")
    assert payload == struct.pack("<BBI6f", 2, 99, 123456, 0.5, -9.75, 0.25, 10.0, -2.5, 0.125)
    rows = MovesenseDecoder().feed(payload)
    np.testing.assert_array_equal(rows, [[0.0, 0.5, -9.75, 0.25, 10.0, -2.5, 0.125]])


def test_acc_block_comes_before_gyro_block():
    payload = bytes.fromhex("0263f0ffffff" "0000803f0000004000004040" "00008040" "0000a040" "0000c040"
                            "0000e04000000041000010410000204100003041" "00004041")
    rows = MovesenseDecoder().feed(payload)  # 2 samples: acc 1..6, gyro 7..12
    np.testing.assert_array_equal(rows[:, 1:4], [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(rows[:, 4:7], [[7, 8, 9], [10, 11, 12]])
    np.testing.assert_allclose(rows[:, 0], [0.0, 1 / RATE_HZ])


def test_subscribe_and_unsubscribe_commands():
    proto = Movesense()
    (start,) = proto.start_commands(104)
    assert start.payload == bytes([1, 99]) + b"/Meas/IMU6/104"
    assert start.payload.hex() == "01632f4d6561732f494d55362f313034"
    assert start.char_uuid == "34800001-7185-4d5d-b431-630e7050e8f0"
    assert [c.payload for c in proto.stop_commands()] == [bytes([2, 99])]
    assert proto.start_commands(100)[0].payload.endswith(b"/104")
    assert imu6_rate_hz(50) == 52 and imu6_rate_hz(12.5) == 13 and imu6_rate_hz(400) == 416
    assert firmware_protocols.get("movesense").matches("Movesense 223430000117", [])


def test_consecutive_packets_follow_the_sensor_clock():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(3)
    rows = np.vstack([dec.feed(packet(ts, first=4 * i)) for i, ts in enumerate(times)])
    np.testing.assert_array_equal(rows[:, 1], np.arange(12))
    expected_t = np.concatenate([(ts - times[0]) / 1000 + np.arange(4) / RATE_HZ for ts in times])
    np.testing.assert_allclose(rows[:, 0], expected_t)
    assert dec.health.lost_samples == 0 and dec.health.gaps == []


def test_lost_packet_becomes_a_gap_with_its_sample_count():
    dec = MovesenseDecoder()
    times = stream_times(4)
    for i in (0, 1, 3):  # packet 2 (samples 8..11) lost
        dec.feed(packet(times[i], first=4 * i))
    assert dec.health.lost_samples == 4
    (gap,) = dec.health.gaps
    assert gap.lost_samples == 4 and gap.at_t_s == pytest.approx((times[3] - times[0]) / 1000)
    assert dec.health.loss_fraction == pytest.approx(4 / 16)


def test_duplicate_dropped_and_late_packet_counted_as_reordered():
    dec = MovesenseDecoder()
    times = stream_times(4)
    out = [dec.feed(packet(times[0], first=0)), dec.feed(packet(times[0], first=0)),  # duplicate
           dec.feed(packet(times[2], first=8)), dec.feed(packet(times[1], first=4)),  # 1 arrives late
           dec.feed(packet(times[3], first=12))]
    assert [len(o) for o in out] == [4, 0, 4, 0, 4]
    h = dec.health
    assert (h.duplicate_packets, h.reordered_packets, h.lost_samples) == (1, 1, 4)
    t = np.concatenate([o[:, 0] for o in out])
    assert np.all(np.diff(t) > 0)


def test_timestamp_wrap_is_unwrapped_and_counted():
    dec = MovesenseDecoder()
    first = 2**32 - 20
    a = dec.feed(packet(first, first=0))
    b = dec.feed(packet((first + 38) % 2**32, first=4))  # 4 samples at 104 Hz = 38.5 ms later
    assert dec.health.clock_wraps == 1 and dec.health.lost_samples == 0
    assert b[0, 0] == pytest.approx(0.038) and b[0, 0] > a[-1, 0]


def test_other_references_and_command_results_are_not_samples():
    dec = MovesenseDecoder()
    assert len(dec.feed(packet(1000, reference=98))) == 0 and dec.ignored_packets == 1
    assert len(dec.feed(bytes.fromhex("016301fb"))) == 0  # a refused subscribe: 507
    assert dec.last_command_result == CommandResult(99, 507, b"\x01\xfb")
    assert dec.health.samples == 0


def test_a_command_result_status_is_big_endian_as_the_app_writes_it():
    # GATTSensorDataClient.cpp (movesense.md's sources), a SUBSCRIBE with no free slot:
    #     // 507: HTTP_CODE_INSUFFICIENT_STORAGE
    #     uint8_t errorMsg[] = {COMMAND_RESULT, reference, 0x01,0xFB};
    # 0x01FB = 507. Read little-endian, as this decoder's doc said (`c8 00` = 200), it was 64257.
    result = parse_command_result(bytes([1, 99, 0x01, 0xFB]))
    assert (result.reference, result.status, result.failed) == (99, 507, True)
    assert result.describe() == "status 507 (Insufficient Storage)"
    assert encode_command_result(507) == bytes([1, 99, 0x01, 0xFB])
    # the offline app's one-byte OK (`{COMMAND_RESULT, reference, 200u}`), and HELLO's answer
    assert parse_command_result(bytes([1, 7, 200])) == CommandResult(7, 200, b"\xc8")
    assert not parse_command_result(bytes([1, 7, 200])).failed
    hello = parse_command_result(b"\x01\x07Hello")
    assert (hello.status, hello.failed, hello.describe()) == (None, False, "'Hello'")


@pytest.mark.parametrize("payload", [b"\x01\x63", bytes.fromhex("016301fb00"), b"\x01\x63Hi there"])
def test_a_command_result_without_a_status_is_a_protocol_error_naming_its_bytes(payload):
    dec = MovesenseDecoder()
    with pytest.raises(ProtocolError, match=f"Movesense command result {payload[:12].hex(' ')}: "
                                            f"{len(payload) - 2} byte"):
        dec.feed(payload)
    assert dec.health.corrupt_packets == 1 and dec.last_command_result is None


def test_round_trip_is_exact_to_float32():
    rng = np.random.default_rng(3)
    acc, gyr = rng.normal(0, 20, (8, 3)), rng.normal(0, 300, (8, 3))
    rows = MovesenseDecoder(sample_rate_hz=208).feed(encode_imu6(77, acc, gyr))
    np.testing.assert_array_equal(rows[:, 1:4], acc.astype(np.float32))
    np.testing.assert_array_equal(rows[:, 4:7], gyr.astype(np.float32))
    np.testing.assert_allclose(rows[:, 0], np.arange(8) / 208)


def test_example_payloads_decode():
    dec = MovesenseDecoder()
    assert [len(dec.feed(p)) for p in encode_example_payloads()] == [1, 2, 0]
    # the command result among them is one the app sends (a success gets no answer): 507, 01 FB
    assert encode_example_payloads()[2] == bytes([1, 99, 0x01, 0xFB])
    assert dec.last_command_result.status == 507


@pytest.mark.parametrize("payload", [
    b"", b"\x02", bytes.fromhex("026340e201"),  # too short
    bytes.fromhex("026340e20100") + bytes(13),  # not 6 + 24 N, and too short for a first part
    bytes.fromhex("036340e20100") + bytes(24),  # a second part (type 3) without a first
    bytes.fromhex("046340e20100") + bytes(24),  # type 4: no packet is split in three
    struct.pack("<BBI6f", 2, 99, 1, float("nan"), 0, 0, 0, 0, 0),
])
def test_malformed_payloads_raise_protocol_error(payload):
    dec = MovesenseDecoder()
    with pytest.raises(ProtocolError):
        dec.feed(payload)
    assert dec.health.corrupt_packets == 1


def test_the_sensor_clock_at_t_zero_is_the_first_packets_timestamp():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(3, start_ms=2**32 - 10)  # the millisecond counter wraps in the second packet
    rows = np.vstack([dec.feed(packet(ts)) for ts in times])
    origin = dec.clock_origin
    assert (origin.ticks, origin.ticks_per_s, origin.modulus) == (2**32 - 10, 1000.0, 2**32)
    later = origin.plus_s(rows[8, 0])
    assert later.ticks == times[2] % 2**32 and origin.seconds_until(later) == pytest.approx(rows[8, 0])


def spec_classification_vectors() -> list[tuple[bytes, str, dict]]:
    """movesense.md's "Classifying a notification" table: (bytes, what it is, its fields; "none": None)."""
    spec = (Path(__file__).parents[2] / "firmware_protocols" / "movesense.md").read_text()
    section = spec.split("### Classifying a notification", 1)[1].split("\n\n")[2]
    vectors = []
    for line in section.splitlines()[2:]:
        hex_cell, kind, fields = (cell.strip() for cell in line.strip("|").split("|"))
        payload = b"" if hex_cell == "(none)" else bytes.fromhex(hex_cell.strip("`"))
        values = {}
        for field in fields.split(", "):
            key, value = field.split(" ", 1)
            values[key] = None if value == "none" else bytes.fromhex(value) if key == "payload" else int(value)
        vectors.append((payload, kind, values))
    return vectors


def test_the_spec_has_a_classification_vector_of_every_kind():
    assert {kind for _, kind, _ in spec_classification_vectors()} == {"command result", "data", "data part 2", "other"}
    assert len(spec_classification_vectors()) == 11


@pytest.mark.parametrize("payload, kind, fields", spec_classification_vectors(), ids=lambda v: v.hex() or "empty"
                         if isinstance(v, bytes) else None)
def test_a_notification_is_classified_as_the_spec_says(payload, kind, fields):
    note = classify_notification(payload)
    if kind == "command result":
        status = fields["status"]
        body = b"Hello" if status is None else payload[2:]
        assert note == CommandResult(fields["reference"], status, body)
    elif kind.startswith("data"):
        part = 2 if kind == "data part 2" else 1
        assert note == DataNotification(fields["reference"], fields["payload"] or b"", part)
    else:
        assert isinstance(note, OtherNotification)
        assert (note.kind, note.reference) == (fields["type"], fields["reference"])
        with pytest.raises(ProtocolError) as error:  # the decoder's error is the classification's why
            MovesenseDecoder().feed(payload)
        assert str(error.value) == note.why


def test_an_unreadable_command_result_is_classified_with_the_decoders_one_line():
    note = classify_notification(bytes.fromhex("016301fb00"))
    assert note.why == ('Movesense command result 01 63 01 fb 00: 3 byte(s) after the reference; '
                        'expected a 2-byte status or "Hello"')


# --- a packet longer than a notification: DATA (2) + DATA_PART2 (3), movesense.md ----------------

def split_104_hz_packet(timestamp_ms: int, first: int = 0) -> list[bytes]:
    """An 8-sample packet (104 Hz: 198 bytes) as the app sends it at its MTU of 161."""
    return split_notification(packet(timestamp_ms, n=8, first=first))


def test_a_104_hz_packet_comes_as_158_and_42_bytes_and_the_parts_join_without_the_second_header():
    whole = packet(7_351_200, n=8)
    first, second = split_notification(whole)  # the app's MTU, 161: 158 bytes a notification
    assert (len(whole), len(first), len(second)) == (198, 158, 42)
    assert first == whole[:158] and second[:2] == bytes([3, 99]) and second[2:] == whole[158:]
    assert split_notification(packet(7_351_200, n=4)) == [packet(7_351_200, n=4)]  # 102 bytes: fits


def test_a_split_104_hz_packet_decodes_to_the_samples_of_the_whole():
    # the user's report: 158 + 42 bytes gave "packet has 158 bytes" and "type 3 is not a command result"
    dec = Movesense().decoder(sample_rate_hz=104)
    first, second = split_104_hz_packet(5000)
    assert len(dec.feed(first)) == 0
    rows = dec.feed(second)
    np.testing.assert_array_equal(rows, MovesenseDecoder().feed(packet(5000, n=8)))
    np.testing.assert_array_equal(rows[:, 1], np.arange(8))
    assert (dec.health.corrupt_packets, dec.health.samples) == (0, 8)


def test_a_stream_of_split_packets_loses_nothing():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(5, n=8)
    rows = np.vstack([dec.feed(part) for i, ts in enumerate(times) for part in split_104_hz_packet(ts, first=8 * i)])
    np.testing.assert_array_equal(rows[:, 1], np.arange(40))
    assert dec.health.lost_samples == 0 and dec.health.corrupt_packets == 0


def test_a_lost_second_part_is_one_error_naming_the_packet_and_the_next_packet_decodes():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(3, n=8)
    a, b, c = (split_104_hz_packet(ts, first=8 * i) for i, ts in enumerate(times))
    out = [dec.feed(a[0]), dec.feed(a[1])]
    out.append(dec.feed(b[0]))  # b's second part is lost on the way
    with pytest.raises(ProtocolError) as error:
        dec.feed(c[0])
    assert str(error.value) == (f"Movesense IMU6 packet of timestamp {times[1]} ms: its first part (158 bytes) "
                                "was not followed by its second part (type 3): dropped")
    out.append(dec.feed(c[1]))
    rows = np.vstack(out)
    np.testing.assert_array_equal(rows[:, 1], [*range(8), *range(16, 24)])  # b's 8 samples, no more
    assert dec.health.corrupt_packets == 1 and dec.health.lost_samples == 8
    assert dec.health.gaps[0].at_t_s == pytest.approx((times[2] - times[0]) / 1000)


def test_a_second_part_without_its_first_is_one_error_and_the_next_packet_decodes():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(3, n=8)
    a, b, c = (split_104_hz_packet(ts, first=8 * i) for i, ts in enumerate(times))
    rows = [dec.feed(a[0]), dec.feed(a[1])]
    with pytest.raises(ProtocolError) as error:  # b's first part is lost on the way
        dec.feed(b[1])
    assert str(error.value) == (f"Movesense IMU6 second part (42 bytes: {b[1][:8].hex(' ')} ...) came without "
                                "its first part: dropped")
    rows += [dec.feed(c[0]), dec.feed(c[1])]
    np.testing.assert_array_equal(np.vstack(rows)[:, 1], [*range(8), *range(16, 24)])
    assert dec.health.corrupt_packets == 1 and dec.health.lost_samples == 8


def test_a_whole_packet_that_shows_a_lost_second_part_comes_out_with_the_next_notification():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    times = stream_times(3, n=8)
    a = split_104_hz_packet(times[0])
    whole = packet(times[1], n=4, first=8)  # (102 bytes: one notification)
    dec.feed(a[0])  # a's second part is lost
    with pytest.raises(ProtocolError, match=f"timestamp {times[0]} ms: its first part"):
        dec.feed(whole)
    rows = dec.feed(packet(times[1] + round(4 * PERIOD_MS), n=4, first=12))
    np.testing.assert_array_equal(rows[:, 1], np.arange(8, 16))  # the whole packet's 4, then the next 4
    assert np.all(np.diff(rows[:, 0]) > 0) and dec.health.samples == 8


def test_a_second_part_of_another_subscription_is_skipped_and_ours_still_joins():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    ours = split_104_hz_packet(5000)
    theirs = split_notification(packet(5000, n=8, reference=100))
    out = [dec.feed(ours[0]), dec.feed(theirs[0]), dec.feed(theirs[1]), dec.feed(ours[1])]
    assert [len(o) for o in out] == [0, 0, 0, 8] and dec.ignored_packets == 2


def test_parts_that_join_into_no_packet_are_an_error_saying_how_they_were_joined():
    dec = MovesenseDecoder(sample_rate_hz=RATE_HZ)
    first, second = split_104_hz_packet(5000)
    dec.feed(first)
    with pytest.raises(ProtocolError, match=r"has 197 bytes \(reassembled from 158 \+ 41 bytes\); expected 6 \+ 24"):
        dec.feed(second[:-1])


def test_the_streams_end_names_a_first_part_still_waiting_and_the_decoder_starts_afresh():
    dec = Movesense().decoder(sample_rate_hz=104)
    first, second = split_104_hz_packet(5000)
    assert len(dec.feed(first)) == 0
    with pytest.raises(ProtocolError, match="its first part .158 bytes. was the last notification"):
        dec.finish()
    assert dec.health.corrupt_packets == 1 and len(dec.finish()) == 0  # (nothing held any more)
    other = Movesense().decoder(sample_rate_hz=104)
    other.feed(first)
    assert len(other.feed(second)) == 8 and len(other.finish()) == 0  # (a whole packet: nothing at the end)


# --- a first part as long as a whole packet (ATT MTU 33, 57, 81, 105, 129, 153) --------------------

#: the MTUs at which a notification's room, MTU − 3, is 6 + 24 N bytes: a first part's length
AMBIGUOUS_MTUS = (33, 57, 81, 105, 129, 153)


def packet_samples_at(mtu: int) -> int:
    """Samples in a 104 Hz packet as the virtual sensor sends it: 8, fewer where two notifications
    at ``mtu`` cannot carry them (MTU 33: 2, 57: 4, 81: 6)."""
    return min(8, (2 * (mtu - 3) - 2 - 6) // 24)


def test_the_sensors_packets_at_a_rate_and_at_these_mtus_a_first_part_has_a_length_a_whole_packet_could_have():
    assert [imu6_packet_samples(hz) for hz in (13, 30, 52, 104)] == [1, 2, 4, 8]
    for mtu in AMBIGUOUS_MTUS:
        first, second = split_notification(packet(5000, n=packet_samples_at(mtu)), mtu)
        assert len(first) == mtu - 3 and (len(first) - 6) % 24 == 0 and second[0] == 3


@pytest.mark.parametrize("mtu", AMBIGUOUS_MTUS)
def test_a_first_part_as_long_as_a_whole_packet_is_joined_to_its_second_not_read_as_whole(mtu):
    n = packet_samples_at(mtu)
    dec = Movesense().decoder(sample_rate_hz=104)  # (told the sensor's packets at 104 Hz: 8 samples)
    times = stream_times(4, n=n)
    parts = [part for i, ts in enumerate(times) for part in split_notification(packet(ts, n=n, first=n * i), mtu)]
    assert len(parts) == 8 and all((len(p) - 6) % 24 == 0 for p in parts[0::2])  # (each first part looks whole)
    rows = np.vstack([dec.feed(p) for p in parts] + [dec.finish()])
    np.testing.assert_array_equal(rows[:, 1], np.arange(4 * n))  # acc x counts up; gyro y counts down
    np.testing.assert_array_equal(rows[:, 5], -np.arange(4 * n))
    np.testing.assert_array_equal(rows[:, 3], 9.81 * np.ones(4 * n, dtype=np.float32))
    assert (dec.health.corrupt_packets, dec.health.lost_samples, dec.health.samples) == (0, 0, 4 * n)


def test_a_packet_whose_length_is_not_the_expected_one_waits_for_the_next_notification_to_say_it_was_whole():
    # a short packet (a sensor that lost samples ends a packet there) at MTU 153: 4 samples, 102
    # bytes, fits one notification; the next packet's first part (150 bytes) looks whole too
    dec = Movesense().decoder(sample_rate_hz=104)
    short = packet(5000, n=4)
    after = split_notification(packet(5000 + round(4 * PERIOD_MS), n=8, first=4), 153)
    assert len(dec.feed(short)) == 0  # (a whole packet or a first part: the next notification says)
    rows = dec.feed(after[0])  # a data notification, not a type 3: the short one was whole
    np.testing.assert_array_equal(rows[:, 1], np.arange(4))
    np.testing.assert_array_equal(dec.feed(after[1])[:, 1], np.arange(4, 12))
    assert len(dec.finish()) == 0 and dec.health.corrupt_packets == 0


def test_a_packet_that_may_be_whole_at_the_streams_end_comes_out_of_finish():
    dec = Movesense().decoder(sample_rate_hz=104)
    assert len(dec.feed(packet(5000, n=4))) == 0
    np.testing.assert_array_equal(dec.finish()[:, 1], np.arange(4))
    assert dec.health.samples == 4 and dec.health.corrupt_packets == 0


def test_a_packet_of_the_expected_length_decodes_at_once_and_an_unknown_count_keeps_the_length_rule():
    told = MovesenseDecoder(sample_rate_hz=RATE_HZ, packet_samples=4)
    assert len(told.feed(packet(5000, n=4))) == 4
    untold = MovesenseDecoder(sample_rate_hz=RATE_HZ)  # (packet_samples None: the length alone decides)
    assert len(untold.feed(packet(5000, n=2))) == 2
    with pytest.raises(ValueError, match="packet_samples must be 1 or more, got 0"):
        MovesenseDecoder(packet_samples=0)



def test_a_packet_that_may_be_whole_and_is_unreadable_is_said_when_the_next_notification_decides():
    dec = Movesense().decoder(sample_rate_hz=104)
    nan = encode_imu6(5000, [[np.nan, 0.0, 9.81]] * 4, [[0.0, 0.0, 0.0]] * 4)
    assert len(dec.feed(nan)) == 0  # (4 samples: a whole packet or a first part, not known yet)
    with pytest.raises(ProtocolError, match="packet of timestamp 5000 ms holds a non-finite value.*"
                                            r"\(the notification before this one"):
        dec.feed(packet(5000 + round(4 * PERIOD_MS), n=4, first=4))  # (said with this one: named as the one before)
    np.testing.assert_array_equal(dec.finish()[:, 1], np.arange(4, 8))  # (the next: whole at the end)
    assert dec.health.corrupt_packets == 1

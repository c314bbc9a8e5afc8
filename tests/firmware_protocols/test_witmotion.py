"""WitMotion WT901BLE decoder: packet layout, stream reassembly/resync, commands, round trips.

Layout and scales: WITMOTION/WitBluetooth_BWT901BLE5_0 Python/BWT901BLE5.0_python_sdk/device_model.py
(commit 069867a9db41255f4a2945bfd7bd8ca9c4dbd022) and the Android Bwt901bleResolver/Bwt901bleProcessor
(commit 5acaef3eb9d160600098dd1caae2bb0049a83089). WitMotion publishes no byte dump with decoded values,
so the data vectors are built by hand from that layout (stated beside each).
"""
import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.base import STANDARD_GRAVITY_MS2 as G
from firmware_protocols.witmotion import (
    ACC_MS2_PER_LSB,
    GYRO_DPS_PER_LSB,
    WitMotion,
    WitMotionDecoder,
    encode_example_payloads,
    encode_packet,
)

# hand-built from the layout: ax=0x1000 (2 g), ay=0xf000 (-2 g), az=0x0800 (1 g),
# wx=0x0400 (62.5 deg/s), wy=0xfc00 (-62.5), wz=0x0001 (2000/32768 deg/s), angles 0x4000 (90 deg) x3
PACKET = bytes.fromhex("5561" "0010" "00f0" "0008" "0004" "00fc" "0100" "0040" "0040" "0040")
PACKET_VALUES = [2 * G, -2 * G, G, 62.5, -62.5, 2000 / 32768]


def stream(n: int, seed: int = 0) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(seed)
    acc, gyr = rng.uniform(-30, 30, (n, 3)), rng.uniform(-500, 500, (n, 3))
    data = b"".join(encode_packet(a, w) for a, w in zip(acc, gyr))
    return data, np.hstack([acc, gyr])


def test_hand_built_packet():
    rows = WitMotionDecoder().feed(PACKET)
    assert rows.shape == (1, 7)
    np.testing.assert_allclose(rows[0, 1:], PACKET_VALUES, rtol=1e-12)
    assert rows[0, 0] == 0.0


def test_several_packets_in_one_notification_count_time():
    dec = WitMotionDecoder(sample_rate_hz=50)
    data, _ = stream(3)
    first = dec.feed(data)
    second = dec.feed(PACKET)
    np.testing.assert_allclose(np.concatenate([first[:, 0], second[:, 0]]), [0, 0.02, 0.04, 0.06])
    assert dec.health.samples == 4 and dec.health.lost_samples == 0


@pytest.mark.parametrize("split", [1, 2, 7, 19, 20, 21, 33, 39])
def test_packets_split_across_notifications_decode_identically(split):
    data, values = stream(2)
    dec = WitMotionDecoder()
    rows = np.vstack([dec.feed(data[:split]), dec.feed(data[split:])])
    assert rows.shape == (2, 7)
    assert np.abs(rows[:, 1:] - values).max() <= max(ACC_MS2_PER_LSB, GYRO_DPS_PER_LSB) / 2


def test_one_byte_per_notification():
    data, values = stream(3, seed=1)
    dec = WitMotionDecoder()
    rows = np.vstack([dec.feed(data[i:i + 1]) for i in range(len(data))])
    assert rows.shape == (3, 7) and dec.discarded_bytes == 0


def test_resync_after_garbage_and_mid_packet_start():
    p, q, r = PACKET, encode_packet([0, 0, G], [1, 2, 3]), encode_packet([0, G, 0], [4, 5, 6])
    inner = bytearray(p)
    inner[8:10] = b"\x55\x61"  # a 55 61 pair inside the data must not be taken for a header
    dec = WitMotionDecoder()
    rows = dec.feed(bytes(inner[5:]) + q + r)  # the stream starts in the middle of a packet
    assert rows.shape == (2, 7) and dec.discarded_bytes == 15
    np.testing.assert_allclose(rows[:, 4:7], [[1, 2, 3], [4, 5, 6]], atol=GYRO_DPS_PER_LSB)


def test_garbage_only_notification_raises_then_stream_continues():
    dec = WitMotionDecoder()
    with pytest.raises(ProtocolError):
        dec.feed(b"\x00\x01\x02\x03")
    assert dec.health.corrupt_packets == 1  # (dropped whole: the decoder as it was, its bytes not held)
    assert len(dec.feed(PACKET)) == 1 and dec.discarded_bytes == 0


def test_a_register_reply_amid_stray_bytes_is_read_not_refused():
    reply = bytes.fromhex("5571" "0300" "0900") + bytes(14)
    dec = WitMotionDecoder()
    assert len(dec.feed(b"\x00\x01" + reply)) == 0
    assert dec.registers[3] == 9 and dec.discarded_bytes == 2


def test_a_packet_cut_short_is_dropped_not_joined_to_the_next():
    q = encode_packet([0, 0, G], [1, 2, 3])
    dec = WitMotionDecoder()
    assert len(dec.feed(PACKET)) == 1
    assert len(dec.feed(PACKET[:5])) == 0  # a notification lost part way (its rest may still come)
    rows = dec.feed(q)  # the next packet: the 5 bytes before it are no packet of their own
    assert rows.shape == (1, 7) and dec.discarded_bytes == 5
    np.testing.assert_allclose(rows[0, 4:7], [1, 2, 3], atol=GYRO_DPS_PER_LSB)


def test_a_whole_packet_followed_by_a_stray_byte_is_kept():
    dec = WitMotionDecoder()
    assert len(dec.feed(PACKET + b"\x00")) == 1  # (the stray byte is discarded with the next notification)


def test_register_reply_is_skipped():
    dec = WitMotionDecoder()
    reply = bytes.fromhex("5571" "6400" "6a01" + "00" * 14)
    assert len(dec.feed(reply + PACKET)) == 1 and dec.register_replies == 1


def test_commands_unlock_rate_save():
    # unlock FF AA 69 88 B5 and save FF AA 00 00 00: Bwt901ble.java unlockReg()/saveReg(); rate
    # FF AA 03 <code> 00: setReturnRate(); codes 0x06 = 10 Hz, 0x08 = 50 Hz, 0x09 = 100 Hz, 0x0A = 200 Hz
    # per rubenmuehlhans/esphome-witmotion components/witmotion/witmotion_struct.h (RateArg) and
    # LiDline/witmotion_wt901blecl_ts src/functions/CommandsForDevice.ts (rate_10, rate_50)
    proto = WitMotion()
    assert [c.payload.hex() for c in proto.start_commands(104)] == ["ffaa6988b5", "ffaa030900", "ffaa000000"]
    assert proto.start_commands(50)[1].payload.hex() == "ffaa030800"
    assert proto.start_commands(10)[1].payload.hex() == "ffaa030600"
    assert proto.stop_commands() == []
    assert all(c.char_uuid == "0000ffe9-0000-1000-8000-00805f9a34fb" for c in proto.start_commands())
    assert proto.data_char_uuids == ("0000ffe4-0000-1000-8000-00805f9a34fb",)  # 9a34fb, not 9b34fb


def test_the_start_writes_are_paced_as_the_vendor_sdk_paces_them():
    # WITMOTION's device_model.py writeReg: unlock, 100 ms, write the register, 100 ms, save.
    # Written back to back, a register write right after the unlock can be ignored: the sensor
    # then streams at its old rate while t assumes the one asked for.
    unlock, rate, save = WitMotion().start_commands(104)
    assert (unlock.pause_after_s, rate.pause_after_s, save.pause_after_s) == (0.1, 0.1, 0.0)


def test_200_hz_is_not_asked_for_while_its_rate_code_is_disputed():
    # WITMOTION's BWT901BLE5.0 SDK (DeviceModel.SetRRate: 200 -> 11) and its REG.h (RRATE_200HZ 0x0b,
    # 0x0a = 125 Hz "only WT931") say 0x0B; rubenmuehlhans/esphome-witmotion, citing a WT901BLECL
    # datasheet, says 0x0A. Either code, if wrong, streams at a rate other than the one t assumes;
    # 100 Hz (0x09) is the highest rate every source agrees on.
    proto = WitMotion()
    for requested_hz in (150, 200, 250, 1000):
        assert proto.start_commands(requested_hz)[1].payload.hex() == "ffaa030900"
        assert proto.decoder(sample_rate_hz=requested_hz).sample_rate_hz == 100.0
    assert proto.start_commands(140)[1].payload.hex() == "ffaa030900"


def test_a_rate_register_reply_is_read_and_the_rate_written_only_when_it_differs():
    # FF AA 27 03 00 is answered 55 71 03 00 + registers 0x03..0x0a (WT901BLECL datasheet 6.1.2);
    # each start wrote unlock, rate, save: the save rewrites the sensor's flash every connection.
    proto = WitMotion()
    assert proto.read_rate_command().payload.hex() == "ffaa270300"
    dec = WitMotionDecoder()
    reply = bytes.fromhex("5571" "0300" "0900" "0600") + bytes(12)  # RRATE 0x09 (100 Hz), BAUD 6
    assert len(dec.feed(PACKET + reply[:7])) == 1 and dec.feed(reply[7:] + PACKET).shape[0] == 1
    assert dec.registers[0x03] == 0x09 and dec.registers[0x04] == 0x06 and dec.register_replies == 1
    assert proto.start_commands(104, current_rate_code=dec.registers[0x03]) == []
    assert [c.payload.hex() for c in proto.start_commands(104, current_rate_code=0x06)] == [
        "ffaa6988b5", "ffaa030900", "ffaa000000"]
    assert len(proto.start_commands(104, current_rate_code=None)) == 3  # not known: set and saved


def test_registry():
    proto = firmware_protocols.get("witmotion")
    assert proto.matches("WT901BLE68", []) and proto.matches(None, ["0000FFE5-0000-1000-8000-00805F9A34FB"])
    assert proto.decoder(sample_rate_hz=104).sample_rate_hz == 100.0


def test_round_trip_within_one_lsb():
    data, values = stream(50, seed=9)
    rows = WitMotionDecoder().feed(data)
    assert np.abs(rows[:, 1:4] - values[:, :3]).max() <= ACC_MS2_PER_LSB
    assert np.abs(rows[:, 4:7] - values[:, 3:]).max() <= GYRO_DPS_PER_LSB


def test_example_payloads_decode():
    dec = WitMotionDecoder()
    assert [len(dec.feed(p)) for p in encode_example_payloads()] == [1, 2, 0]


@pytest.mark.parametrize("payload", [b"\xff", b"\x00" * 25, bytes.fromhex("5562") + bytes(18)])
def test_malformed_payloads_raise_protocol_error(payload):
    with pytest.raises(ProtocolError):
        WitMotionDecoder().feed(payload)


def test_the_witmotion_vector_files_decode_as_they_say():
    # (tests/firmware_protocols/vectors/witmotion*.txt, in the format docs/protocols/adding.md gives)
    from hexvectors import check_file, vector_files

    files = vector_files("witmotion")
    assert files
    assert all(check_file(path) > 0 for path in files)

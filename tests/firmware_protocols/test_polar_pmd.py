"""Polar PMD: the SDK's own test vectors, round trips through the encoder, and stream health.

Vectors are copied (bytes and expected values only) from polarofficial/polar-ble-sdk, Android
unit tests under sources/Android/android-communications/library/src/test/java/com/polar/
androidcommunications/api/ble/model/gatt/client/ — abbreviated below as ``.../client/``;
the commit each file was read at is named beside its vectors.
"""
from __future__ import annotations

import struct

import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.base import STANDARD_GRAVITY_MS2
from firmware_protocols.polar_pmd import (
    ACC, GYRO, PMD_CONTROL_POINT_UUID, PMD_DATA_UUID, PMD_SERVICE_UUID, MeasurementStopped, PolarPmd,
    counts_from_si, encode_frame, encode_stream, frame_counts, frame_values, parse_control_point_response,
    parse_delta_content, parse_frame, parse_settings, sample_times_ns, settings_tlv,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", "").replace("\n", ""))


def float_bits(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]


# --- .../client/pmd/model/AccDataTest.kt @ 0aabf34a84cd3760ed5de52350a91340659ace95 --------------

# "process acc raw data frame type 1": header 02 | 00 94 35 77 00 00 00 00 (2e9 ns) | 01, then int16 mG
ACC_RAW_TYPE1 = h("02 0094357700000000 01") + h("""
F7 FF FF FF E7 03 F8 FF FE FF E5 03 F9 FF FF FF E5 03 FA FF FF FF E6 03 FA FF FE FF E6 03 F9 FF FF FF
E5 03 F8 FF FF FF E6 03 F8 FF FE FF E6 03 FA FF FF FF E5 03 FA FF FF FF E7 03 FA FF FF FF E5 03 F8 FF
FF FF E6 03 F7 FF FF FF E6 03 F8 FF FE FF E6 03 F9 FF FE FF E7 03 F9 FF 00 00 E6 03 F9 FF FF FF E6 03
F7 FF FE FF E5 03 F9 FF FF FF E5 03 F9 FF FF FF E5 03 FA FF 00 00 E6 03 F9 FF FE FF E6 03 F8 FF FF FF
E6 03 F8 FF FF FF E5 03 F9 FF FF FF E6 03 F9 FF FF FF E5 03 FA FF FF FF E6 03 F9 FF FF FF E5 03 F9 FF
FF FF E5 03 F8 FF FE FF E6 03 F9 FF FF FF E6 03 F9 FF FF FF E6 03 F9 FF 00 00 E5 03 F9 FF FE FF E6 03
F8 FF FE FF E6 03 F7 FF FE FF E6 03""")

# "process acc compressed data type 0" (same content as .../client/BlePmdClientThreeAxisTest.java
# @ fd87fd3f9e193646a6bf7138981bb1e4d4587f69): reference 71 07 F0 6A 9E 8D, one block of 56 x 10 bits
ACC_DELTA_CONTENT = h("""
71 07 F0 6A 9E 8D 0A 38 BE 5C BE BA 2F 96 B3 EE 4B E5 AD FB 42 B9 EB BE 4C FE BA 2F 92 BF EE 4B E4 B1
FB 12 B9 EC BD 3C 3E BB 2F 8F D3 DE 4B E3 B5 F7 D2 B8 ED BD 30 7E 7B 2F 8B E3 CE 8B E2 BA F7 A2 B8 EE
BC 20 BE 7B 2F 88 F3 CE CB E1 BD EF 52 F8 EF BC 18 FE 3B 2F 84 03 BF CB E0 C2 EF 32 B8 F0 BB 04 4E BC
2E 81 13 AF 0B E0 C6 EF F2 F7 F1 B9 FC 7D BC 2E 7D 27 9F 4B DF CA EB C2 F7 F2 B8 EC CD 7C 2E 7B 37 8F
4B DE CE E3 92 F7 F3 B8 E0 0D FD 2D 77 4B 7F CB DD D2 DF 62 37 F5 B7 D4 4D BD 2D 74 5B 6F CB DC D7 D7
32 37 F6 B5 C8 8D 7D 2D 71 6B 4F 4B DC DC D3 F2 36 F7 B4 BC DD FD 2C 6F 7B 3F 4B DB E0 CF D2 36 F8 B2
B0 2D BE 2C 6C 8F 1F CB DA E3 C7 A2 76 F9""")
ACC_COMPRESSED_TYPE0 = h("02 0094357700000000 80") + ACC_DELTA_CONTENT

# "process acc compressed data type 1": timestamp 0x65 = 101 ns, 6-bit deltas
ACC_COMPRESSED_TYPE1 = h("02 6500000000000000 81  F1FF 1400 F003  06 01 7B 0F 08")

# --- .../client/pmd/model/GyrDataTest.kt @ 0aabf34a84cd3760ed5de52350a91340659ace95 --------------

# "process gyro compressed data type 0": timestamp 0x7FFFFFFFFFFFFFFF, 3-bit deltas
GYRO_COMPRESSED_TYPE0 = h("05 FFFFFFFFFFFFFF7F 80  EAFF 0800 0D00  03 01 DF 00")
# "process gyro compressed data type 1": float32 reference 1.0, 10.0, 20.0, one 28-bit delta sample
GYRO_COMPRESSED_TYPE1 = h("05 0094357700000000 81  0000803F 00002041 0000A041  1C 01 0000A001000008CDCCEC0D")


def test_header_fields_of_an_acc_frame():
    frame = parse_frame(ACC_RAW_TYPE1)
    assert (frame.measurement_type, frame.timestamp_ns, frame.frame_type, frame.compressed) == (ACC, 2_000_000_000, 1, False)
    assert len(frame.content) == 216


def test_acc_raw_int16_frame_is_milli_g_without_factor():
    frame = parse_frame(ACC_RAW_TYPE1)
    counts = frame_counts(frame)
    assert counts.shape == (36, 3)  # 216 bytes / 2 bytes / 3 channels
    assert counts[0].tolist() == [-9, -1, 999]
    assert counts[1].tolist() == [-8, -2, 997]
    # the factor is not applied to raw ACC frames: values stay in mG
    assert frame_values(frame, factor=0.5)[0].tolist() == [-9.0, -1.0, 999.0]
    times = sample_times_ns(frame.timestamp_ns, len(counts), period_ns=1e9 / 52)  # SDK test: 52 Hz
    assert times[-1] == 2_000_000_000


def test_decoder_turns_the_raw_frame_into_m_per_s2_and_seconds():
    samples = PolarPmd().decoder(sample_rate_hz=52).feed(ACC_RAW_TYPE1)
    assert samples.shape == (36, 7)
    np.testing.assert_allclose(samples[0, 1:4], np.array([-9, -1, 999]) * STANDARD_GRAVITY_MS2 / 1000)
    assert np.isnan(samples[:, 4:]).all()  # an ACC frame carries no angular rate
    np.testing.assert_allclose(samples[:, 0], np.arange(36) / 52, atol=1e-9)


def test_acc_compressed_type0_factor_gives_g_then_milli_g():
    frame = parse_frame(ACC_COMPRESSED_TYPE0)
    counts = frame_counts(frame)
    assert len(counts) == 1 + 56
    assert counts[0].tolist() == [1905, 27376, -29282]
    assert (counts[1] - counts[0]).tolist() == [190, -105, -85]
    factor = float(np.float32(2.44e-4))
    milli_g = frame_values(frame, factor)
    for row in (0, 1):  # the SDK asserts (factor * count * 1000f).toInt() for the first two samples
        expected = [int(np.float32(factor) * np.float32(c) * np.float32(1000)) for c in counts[row]]
        assert np.trunc(milli_g[row]).astype(int).tolist() == expected
    assert np.abs(milli_g).max() <= 8 * 1000  # range 8 G
    times = sample_times_ns(frame.timestamp_ns, 57, previous_ns=100)
    assert times[0] == round(100 + (2_000_000_000 - 100) / 57) and times[-1] == 2_000_000_000


def test_three_axis_delta_vector_in_g():
    # BlePmdClientThreeAxisTest.java: factor * count in G, within 0.001 G
    factor = float(np.float32(2.44e-4))
    g = frame_values(parse_frame(ACC_COMPRESSED_TYPE0), factor) / 1000
    np.testing.assert_allclose(g[0], factor * np.array([1905, 27376, -29282]), atol=1e-3)
    np.testing.assert_allclose(g[1], factor * np.array([1905 + 190, 27376 - 105, -29282 - 85]), atol=1e-9)


def test_acc_compressed_type1_and_its_timestamps():
    frame = parse_frame(ACC_COMPRESSED_TYPE1)
    assert frame_counts(frame).tolist() == [[-15, 20, 1008], [-20, 17, 1008]]
    assert sample_times_ns(frame.timestamp_ns, 2, previous_ns=100) == [100, 101]  # round half to even


def test_gyro_compressed_type0_with_3_bit_deltas():
    frame = parse_frame(GYRO_COMPRESSED_TYPE0)
    assert frame.timestamp_ns == 9_223_372_036_854_775_807
    assert frame_values(frame).tolist() == [[-22.0, 8.0, 13.0], [-23.0, 11.0, 16.0]]


@pytest.mark.parametrize("factor", [1.0, 0.5])
def test_gyro_compressed_type1_deltas_apply_to_float_bit_patterns(factor):
    frame = parse_frame(GYRO_COMPRESSED_TYPE1)
    bits = frame_counts(frame)
    assert [hex(b) for b in bits[1]] == [hex(0x3F800000 + 0x1A00000), hex(0x41200000 + 0x0800000),
                                         hex((0x41A00000 + 0xFDECCCCD) & 0xFFFFFFFF)]
    expected = np.float32(factor) * np.array([[float_bits(0x3F800000), float_bits(0x41200000), float_bits(0x41A00000)],
                                              [float_bits(0x3F800000 + 0x1A00000), float_bits(0x41200000 + 0x0800000),
                                               float_bits(0x41A00000 + 0xFDECCCCD)]], dtype=np.float32)
    assert (frame_values(frame, factor).astype(np.float32) == expected).all()


def test_decoder_fills_gyro_columns_for_gyro_frames():
    samples = PolarPmd().decoder(sample_rate_hz=52).feed(GYRO_COMPRESSED_TYPE0)
    assert np.isnan(samples[:, 1:4]).all()
    assert samples[:, 4:].tolist() == [[-22.0, 8.0, 13.0], [-23.0, 11.0, 16.0]]
    # 0x7FFF_FFFF_FFFF_FFFF ns: float64 (the SDK's arithmetic too) resolves only ~2 us there
    assert samples[:, 0].tolist() == pytest.approx([0.0, 1 / 52], abs=1e-6)


# --- .../client/pmd/BlePmdClientParsersTest.kt @ c492d74d90574c4090dc8abaec93dbbed02359fe ----------

def test_reference_sample_signed_16_bit_with_four_channels():
    assert parse_delta_content(h("FFFF 0000 FF7F 0080"), 4, 16).tolist() == [[-1, 0, 32767, -32768]]


def test_reference_sample_float_bit_patterns():
    assert parse_delta_content(h("00000000 FFFFFFFF 00000080"), 3, 32, signed=False).tolist() == [
        [0x00000000, 0xFFFFFFFF, 0x80000000]]


REAL_VECTOR_BLOCKS = h("""
1C 06 00 00 A0 01 00 00 08 CD CC EC 0D 00 00 08 CD CC EC 3D 33 33 1A CD CC EC 3D 33 33 1A 00 00
C0 30 33 33 1A 00 00 C0 A0 99 99 DA 00 00 C0 A0 99 99 DA 66 66 A6 A1 99 99 DA 66 66 A6 01 00 00 0E
20 03 66 66 A6 01 00 00 E0 00 42 6C 45 0E 00 00 E0 00 42 6C 45 0E 2B F8 ED 21 00 00 60 FD BE 93 BA F0
93 9B 4C CF""")


def test_delta_blocks_of_28_and_32_bits_real_vector():
    content = h("0000803F 00002041 0000A041") + REAL_VECTOR_BLOCKS * 2
    bits = parse_delta_content(content, 3, 32, signed=False)
    assert len(bits) == 1 + 6 + 3 + 6 + 3
    assert bits[0].tolist() == [0x3F800000, 0x41200000, 0x41A00000]
    assert bits[1].tolist() == [0x3F800000 + 0x1A00000, 0x41200000 + 0x0800000, (0x41A00000 + 0xFDECCCCD) & 0xFFFFFFFF]


def test_delta_block_of_17_samples_x_32_bits():
    content = h("""
02 00 00 00 19 32 99 E9 00 DA FE FF 20 11 17 32 99 E9 E7 A7 65 16 38 DB 06 46 E7 A7 65 16 38 DB 06 46
73 41 3B B8 7A 26 04 01 C9 0A FF 59 77 07 D1 32 87 BF 01 9F 21 3E 0D 91 E5 01 76 AD 21 3E 0D 91 E5 01
76 AD 92 01 38 CD E5 01 76 AD 92 01 38 CD 00 54 84 87 92 01 38 CD 00 54 84 87 78 CB EE 40 00 54 84 87
78 CB EE 40 F1 DE CC 8B 78 CB EE 40 F1 DE CC 8B 17 32 99 E9 F1 DE CC 8B 17 32 99 E9 E7 A7 65 16 17 32
99 E9 E7 A7 65 16 38 DB 06 46 E7 A7 65 16 38 DB 06 46 73 41 3B B8 7A 26 04 01 C9 0A FF 59 77 07 D1 32
87 BF 01 9F 21 3E 0D 91 E5 01 76 AD 21 3E 0D 91 E5 01 76 AD 92 01 38 CD E5 01 76 AD 92 01 38 CD 00 54
84 87 92 01 38 CD 00 54 84 87 78 CB EE 40""")
    bits = parse_delta_content(content, 3, 32, signed=False)
    assert len(bits) == 18
    assert bits[0].tolist() == [0x00000002, 0xE9993219, 0xFFFEDA00]
    assert bits[1].tolist() == [(0x00000002 + 0xE9993217) & 0xFFFFFFFF, (0xE9993219 + 0x1665A7E7) & 0xFFFFFFFF,
                                (0xFFFEDA00 + 0x4606DB38) & 0xFFFFFFFF]


def test_ten_delta_blocks_of_3_and_4_bits():
    content = h("""
C9 FF 12 00 11 00 03 09 41 FE 2B 0F 9C 0B BF 15 00 4F 00 04 1E F1 EF 00 F0 C1 23 E4 ED F4 D1 F1 F1 F5
FF 22 DE 31 00 F1 FE 21 02 1F 0E 2B 1F 00 E2 20 00 0E 02 E1 1E 20 FF F1 F1 02 C5 D0 02 E0 E1 02 03 0A
31 2E FB BA 90 2B AA 0E 23 40 9E 03 04 14 E3 EF F3 0F 02 1F 01 E0 0F 04 9E 13 E2 D0 04 E2 22 E2 C2 0E
20 0F 20 02 FE 00 0F 1C 32 EE 03 0A 89 00 07 08 7C 00 CE 2F E8 3A 9E 03 04 1E 01 00 11 19 4F 00 2F 12
FD 13 FF 0E 10 00 00 F1 C0 12 E4 EF 21 00 00 01 F1 FF FF 02 10 10 2B 51 0B 4E 31 FC 2E BF 31 14 EC 0E
2F 52 EF 03 0A 06 9E 04 0E 02 A8 88 EE E0 07 9A 00 04 0A 1F 21 1E 4E 2E FE C6 C0 02 EF 03 01 02 EE 11
03 0A F8 13 00 00 F0 40 BF A5 E7 00 76 00""")
    samples = parse_delta_content(content, 3, 16)
    assert len(samples) == 1 + 9 + 30 + 10 + 20 + 10 + 30 + 10 + 10 + 10
    assert samples[:2].tolist() == [[-55, 18, 17], [-54, 18, 18]]


# --- .../client/pmd/model/PmdTimeStampUtilsTest.kt @ f83e7bad67ecc691a96dcb5eacf8f72bc40801be ------

def test_first_frame_is_spread_at_the_nominal_rate():
    assert sample_times_ns(10_000_000_000, 10, period_ns=1e9) == [i * 1_000_000_000 for i in range(1, 11)]
    assert sample_times_ns(1_000_000_000, 1, period_ns=1e9) == [1_000_000_000]


def test_later_frames_are_spread_from_the_previous_frame():
    assert sample_times_ns(11_000_000_000, 10, previous_ns=1_000_000_000) == [i * 1_000_000_000 for i in range(2, 12)]
    assert sample_times_ns(2_000_000_000, 3, previous_ns=100) == [666666733, 1333333367, 2_000_000_000]
    assert sample_times_ns(2_000_000_000, 1, previous_ns=1_000_000_000) == [2_000_000_000]


# --- .../client/pmd/PmdSettingTest.kt @ f83e7bad67ecc691a96dcb5eacf8f72bc40801be ------------------

def test_settings_query_answer_with_four_ranges():
    settings = parse_settings(h("00 01 3400  01 01 1000  02 04 F500 F401 E803 D007  04 01 03"))
    assert settings == {"sample_rate": (52,), "resolution": (16,), "range": (245, 500, 1000, 2000), "channels": (3,)}


def test_settings_with_range_in_milliunits_are_signed_32_bit():
    settings = parse_settings(h("03 02 FFFFFFFF FF000000  01 01 0E00"))
    assert settings == {"range_milliunit": (-1, 255), "resolution": (14,)}


def test_selected_settings_serialize_without_the_factor():
    selected = {0: 0x7FFF, 1: 0, 2: 15, 3: 2**31 - 1, 4: 4, 5: 15}
    assert parse_settings(settings_tlv(selected)) == {
        "sample_rate": (0x7FFF,), "resolution": (0,), "range": (15,), "range_milliunit": (2**31 - 1,), "channels": (4,)}


# --- .../client/pmd/BlePmdClientControlPointResponseTest.kt @ 2692dc448e7cc8bdaac65d7f6ac4f48c1aef748f

def test_control_point_success_envelope():
    response = parse_control_point_response(h("F0 01 02 00 00 FFFFFF"))
    assert (response.op_code, response.measurement_type, response.status_name, response.more) == (1, ACC, "SUCCESS", False)
    assert response.parameters == h("FFFFFF")


def test_control_point_error_has_no_parameters():
    response = parse_control_point_response(h("F0 01 06 07 00"))
    assert (response.ok, response.status_name, response.more, response.parameters) == (
        False, "ERROR_INVALID_RESOLUTION", False, b"")


def test_start_response_carries_the_factor():
    # Constructed from the layouts in PmdControlPointResponse.kt / PmdSetting.kt (no SDK vector has one):
    # F0, op 02 (start), type 02 (ACC), status 00, more 00, then TLV 05 01 <float32 bits>.
    response = parse_control_point_response(h("F0 02 02 00 00 05 01") + struct.pack("<f", 2.44e-4))
    assert response.factor == pytest.approx(2.44e-4)
    decoder = PolarPmd().decoder()
    decoder.apply_control_point_response(response)
    assert decoder.factors[ACC] == pytest.approx(2.44e-4)


def test_sensor_side_stop_notification():
    # BlePmdClientTest.kt @ 0aabf34a: 01 01 02 = measurement stopped for PPG and ACC
    assert parse_control_point_response(h("01 01 02")) == MeasurementStopped((1, ACC))


# --- features: a read of the control point (PmdMeasurementType.fromByteArray @ 0aabf34a) ----------

@pytest.mark.parametrize("payload, types, names", [
    ("0f 05 00", {0, 2}, "ECG, ACC"),                            # a Polar H10: no gyroscope
    ("0f 24 00", {ACC, GYRO}, "ACC, GYRO"),
    ("0f 6e 02", {1, 2, 3, 5, 6, 9}, "PPG, ACC, PPI, GYRO, MAGNETOMETER, SDK_MODE"),
    ("0f 00 08", {11}, "PRESSURE"),                              # byte 2, bit 3 (the SDK's 0x08)
    ("0f 00 00", set(), ""),
])
def test_features_read_names_the_types_the_sensor_streams(payload, types, names):
    from firmware_protocols.polar_pmd import encode_features, feature_names, parse_features

    assert parse_features(h(payload)) == types and feature_names(types) == names
    assert encode_features(types) == h(payload)


@pytest.mark.parametrize("payload", ["", "0f", "f0 01 02 00 00"])
def test_a_read_that_is_no_features_answer_is_a_protocol_error(payload):
    from firmware_protocols.polar_pmd import parse_features

    with pytest.raises(ProtocolError, match="not a features read"):
        parse_features(h(payload))


# --- commands and advertisement (UUIDs from .../main/.../pmd/BlePMDClient.kt) -------------------

def test_uuids_and_commands():
    protocol = firmware_protocols.get("polar_pmd")
    assert (PMD_SERVICE_UUID, PMD_CONTROL_POINT_UUID, PMD_DATA_UUID)[0].startswith("fb005c80")
    assert protocol.data_char_uuids == (PMD_DATA_UUID,)
    acc, gyro = protocol.start_commands(sample_rate_hz=52)
    assert acc.char_uuid == PMD_CONTROL_POINT_UUID and acc.response
    assert acc.payload == h("02 02  00 01 3400  01 01 1000  02 01 0800  04 01 03")   # 52 Hz, 16 bit, 8 G, 3 ch
    assert gyro.payload == h("02 05  00 01 3400  01 01 1000  02 01 D007  04 01 03")  # 2000 deg/s
    assert [c.payload for c in protocol.stop_commands()] == [h("03 02"), h("03 05")]
    assert [c.payload for c in protocol.settings_commands()] == [h("01 02"), h("01 05")]
    assert protocol.matches("Polar Sense B5D1A22F") and protocol.matches(None, [PMD_SERVICE_UUID.upper()])
    assert not protocol.matches("Movesense 123")


# --- malformed input raises ProtocolError only -------------------------------------------------

@pytest.mark.parametrize("payload, reason", [
    (b"", "truncated header"),                                            # PmdDataFrameValidationTest.kt
    (h("01 0000000000000000"), "9 bytes"),                                # PmdDataFrameValidationTest.kt
    (h("01 386C3172A4D3230D 7F"), "does not exist"),                      # BlePmdClientTest.kt: frame type 0x7F
    (h("02 0100000000000000 83 00"), "not supported"),                    # BlePmdClientTest.kt: ACC compressed 3
    (h("04 0100000000000000 00 00"), "unknown measurement type"),
    (h("02 0100000000000000 01 0102"), "whole 6-byte samples"),
    (h("05 0100000000000000 80 EAFF 0800 0D00 00 01 00"), "bad delta width 0"),
    (h("05 0100000000000000 80 EAFF 0800 0D00 21 01 00"), "bad delta width 33"),
    (h("05 0100000000000000 80 EAFF 0800 0D00 03 09 DF"), "overflows the payload"),
    (h("05 0100000000000000 80 EAFF 0800 0D00 03"), "block header truncated"),
    (h("05 0100000000000000 80 EAFF 08"), "reference sample"),
    (h("02 0100000000000000 01"), "no samples"),
])
def test_malformed_frames(payload, reason):
    decoder = PolarPmd().decoder()
    with pytest.raises(ProtocolError, match=reason):
        decoder.feed(payload)
    assert decoder.health.corrupt_packets == 1


# A PMD data frame comes whole in one notification: both SDKs read every data notification as one
# frame (no continuation byte, unlike a control point answer's "more"), and a sensor refuses an
# online start at an ATT MTU too small for its frames (status 0A, ERROR_INVALID_MTU); see
# polar_pmd.md, "Data frames". A frame whose content does not end where its samples do was cut
# short (a stack that truncated the notification) or carries bytes past them: one line naming it.

def walk_counts(n: int, seed: int) -> np.ndarray:
    return np.cumsum(np.random.default_rng(seed).integers(-40, 40, (n, 3)), axis=0)


def test_a_frame_cut_short_is_one_error_naming_the_frame():
    frame = encode_frame(GYRO, 0x80, walk_counts(36, seed=1), timestamp_ns=599_616_000_123_456_789)
    assert len(frame) > 60
    decoder = PolarPmd().decoder(sample_rate_hz=52)
    with pytest.raises(ProtocolError) as error:
        decoder.feed(frame[:20])  # what a notification at ATT MTU 23 holds of it
    width = frame[16]  # (the first delta block's width, after the 6-byte reference sample)
    assert str(error.value) == (
        "polar_pmd: GYRO frame 0x80 of timestamp 599616000123456789 ns (20 bytes) is cut short or has bytes "
        f"past its samples (delta block of 32 samples x {width} bits overflows the payload); a PMD frame comes "
        "whole in one notification")
    assert decoder.health.corrupt_packets == 1 and len(decoder.feed(frame)) == 36  # (the next frame decodes)


def test_a_frame_with_bytes_past_its_samples_is_one_error_naming_the_frame():
    frame = encode_frame(ACC, 0x01, walk_counts(4, seed=2), timestamp_ns=2_000_000_000) + bytes(2)
    with pytest.raises(ProtocolError) as error:
        PolarPmd().decoder().feed(frame)
    assert str(error.value) == (
        "polar_pmd: ACC frame 0x01 of timestamp 2000000000 ns (36 bytes) is cut short or has bytes past its "
        "samples (raw content of 26 bytes is not whole 6-byte samples); a PMD frame comes whole in one notification")


@pytest.mark.parametrize("kept, lost, first_at_period, spacing_periods", [(4, 6, 26.0, 1.0), (8, 0, 20.25, 1.25)])
def test_a_frame_cut_at_a_sample_boundary_cannot_be_told_from_frames_lost_before_it(kept, lost, first_at_period,
                                                                                   spacing_periods):
    # The limit polar_pmd.md states: no error; the frame's timestamp is that of a sample the cut
    # removed, so it reads as a whole frame after lost ones. Frames of 10 samples at 52 Hz, the
    # third cut to `kept`: its samples are those of periods 20.. (sample 20 is at period 20)
    period_ns = 1e9 / 52
    frames = [encode_frame(ACC, 0x01, walk_counts(10, seed=k),
                           timestamp_ns=2_000_000_000 + round((10 * k + 9) * period_ns)) for k in range(4)]
    decoder = PolarPmd().decoder(sample_rate_hz=52)
    blocks = [decoder.feed(frame[:10 + 6 * kept] if k == 2 else frame) for k, frame in enumerate(frames)]
    cut = blocks[2][:, 0] * 52
    assert decoder.health.corrupt_packets == 0 and len(cut) == kept
    assert decoder.health.lost_samples == lost  # (as a gap before the frame, though its tail is missing)
    assert cut[0] == pytest.approx(first_at_period, abs=1e-6)  # (it was measured at period 20)
    assert np.diff(cut) == pytest.approx(spacing_periods, abs=1e-6)
    assert np.diff(blocks[3][:, 0] * 52) == pytest.approx(1.0, abs=1e-6)  # (the next frame is spaced right)


def test_other_pmd_streams_are_skipped_quietly():
    # PmdDataFrameValidationTest.kt: a 10-byte ECG frame is a valid header with no content
    assert PolarPmd().decoder().feed(h("00 0000000000000000 00")).shape == (0, 7)


# --- encoder round trips ----------------------------------------------------------------------

FORMATS = [(ACC, 0x00, 1.0), (ACC, 0x01, 1.0), (ACC, 0x02, 1.0), (ACC, 0x80, 2.44e-4), (ACC, 0x81, 0.5),
           (GYRO, 0x80, 0.0610352), (GYRO, 0x81, 1.0)]


@pytest.mark.parametrize("mtype, ftype, factor", FORMATS)
def test_round_trip_within_one_lsb(mtype, ftype, factor):
    rng = np.random.default_rng(ftype + mtype)
    walk = np.cumsum(rng.normal(0, 0.2, (50, 3)), axis=0)
    values = (walk + [0, 0, 9.8]) if mtype == ACC else 40 * walk
    if (mtype, ftype) == (ACC, 0x00):
        values = np.clip(values, -1.2, 1.2)  # int8 mG: about +-1.2 m/s² fits
    payload = encode_frame(mtype, ftype, counts_from_si(mtype, ftype, values, factor), 1_000_000_000)
    decoder = PolarPmd().decoder(acc_factor=factor, gyr_factor=factor)
    columns = slice(1, 4) if mtype == ACC else slice(4, 7)
    decoded = decoder.feed(payload)[:, columns]
    if ftype == 0x81 and mtype == GYRO:
        np.testing.assert_allclose(decoded, values, rtol=2**-23)  # float32
    else:
        lsb = {0x00: 1, 0x01: 1, 0x02: 1, 0x80: 1000 * factor, 0x81: factor}[ftype] if mtype == ACC else factor
        lsb *= STANDARD_GRAVITY_MS2 / 1000 if mtype == ACC else 1
        assert np.abs(decoded - values).max() <= 0.5 * lsb + 1e-12


def test_encoder_reproduces_the_sdk_delta_frame_values():
    counts = frame_counts(parse_frame(ACC_COMPRESSED_TYPE0))
    again = encode_frame(ACC, 0x80, counts, 2_000_000_000)
    assert frame_counts(parse_frame(again)).tolist() == counts.tolist()
    assert len(again) <= len(ACC_COMPRESSED_TYPE0)  # never larger than the sensor's own packing


def _stream(seconds=4.0, rate_hz=52.0):
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    acc = np.column_stack([np.sin(t), np.cos(t), 9.8 + 0 * t])
    gyr = np.column_stack([30 * np.sin(3 * t), 0 * t, 5 + 0 * t])
    return t, acc, gyr, encode_stream(acc, gyr, rate_hz, samples_per_frame=13)


def _decode_all(payloads, **settings):
    decoder = PolarPmd().decoder(**settings)
    return decoder, np.vstack([decoder.feed(p) for p in payloads])


def test_stream_round_trip_times_and_values():
    t, acc, gyr, payloads = _stream()
    decoder, rows = _decode_all(payloads, sample_rate_hz=52)
    acc_rows, gyr_rows = rows[~np.isnan(rows[:, 1])], rows[~np.isnan(rows[:, 4])]
    np.testing.assert_allclose(acc_rows[:, 0], t, atol=1e-6)
    np.testing.assert_allclose(gyr_rows[:, 0], t, atol=1e-6)
    assert np.abs(acc_rows[:, 1:4] - acc).max() <= 0.5 * STANDARD_GRAVITY_MS2 / 1000
    np.testing.assert_allclose(gyr_rows[:, 4:7], gyr, rtol=1e-6, atol=1e-5)
    assert (decoder.health.packets, decoder.health.samples, decoder.health.lost_samples) == (len(payloads), 2 * len(t), 0)


def test_decoder_times_follow_the_sdk_rule():
    _, _, _, payloads = _stream()
    acc = payloads[0::2][:3]
    _, rows = _decode_all(acc, sample_rate_hz=52)
    stamps = [parse_frame(p).timestamp_ns for p in acc]
    sdk_ns = (sample_times_ns(stamps[0], 13, period_ns=1e9 / 52)
              + sample_times_ns(stamps[1], 13, previous_ns=stamps[0])
              + sample_times_ns(stamps[2], 13, previous_ns=stamps[1]))
    # the SDK rounds absolute float64 ns: at 2026 timestamps (~8.2e17 ns) float64 steps are 128 ns
    np.testing.assert_allclose(rows[:, 0] * 1e9, np.array(sdk_ns) - sdk_ns[0], atol=2 * 128)
    assert rows[0, 0] == 0.0


def test_sample_rate_is_learned_when_not_given():
    t, _, _, payloads = _stream(rate_hz=208.0)
    decoder, rows = _decode_all(payloads)  # first frame spaced at 52 Hz, then learned
    acc_rows = rows[~np.isnan(rows[:, 1])]
    np.testing.assert_allclose(np.diff(acc_rows[13:, 0]), 1 / 208, atol=1e-6)
    assert decoder.health.gaps == []


# --- stream health --------------------------------------------------------------------------

def test_lost_frames_are_counted_as_a_gap():
    t, _, _, payloads = _stream()
    del payloads[6:10]  # frames 3 and 4 of both ACC and GYRO: 2 x 13 samples each
    decoder, rows = _decode_all(payloads, sample_rate_hz=52)
    assert decoder.health.lost_samples == 2 * 26
    assert [(round(g.at_t_s, 4), g.lost_samples) for g in decoder.health.gaps] == [(round(t[65], 4), 26)] * 2
    acc_rows = rows[~np.isnan(rows[:, 1])]
    np.testing.assert_allclose(acc_rows[39:45, 0], t[65:71], atol=1e-6)  # after the gap: on time, not stretched


def test_duplicates_and_reordered_frames_are_dropped_and_counted():
    _, _, _, payloads = _stream()
    acc = payloads[0::2]
    fed = [acc[0], acc[1], acc[1], acc[3], acc[2], acc[4]]  # a repeat, then 2 arriving after 3
    decoder, rows = _decode_all(fed, sample_rate_hz=52)
    assert (decoder.health.duplicate_packets, decoder.health.reordered_packets) == (1, 1)
    assert decoder.health.lost_samples == 13  # frame 2 was missing when frame 3 came
    assert len(rows) == 4 * 13
    assert (np.diff(rows[:, 0]) > 0).all()


def test_streams_keep_separate_clocks():
    # as BlePmdClientTest.kt "test previous timestamp": another stream in between does not disturb ACC
    _, _, _, payloads = _stream()
    decoder, _ = _decode_all(payloads[:8] + [h("03 0100000000000000 00 00")] + payloads[8:], sample_rate_hz=52)
    assert decoder.health.gaps == [] and decoder.health.duplicate_packets == decoder.health.reordered_packets == 0


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_float_frame_holding_a_non_finite_value_is_a_bad_packet(bad):
    values = np.full((4, 3), 10.0)
    values[2, 1] = bad
    payload = encode_frame(GYRO, 0x81, counts_from_si(GYRO, 0x81, values), 1_000_000_000)
    with pytest.raises(ProtocolError, match="non-finite"):
        PolarPmd().decoder().feed(payload)


def test_start_uses_the_settings_the_sensor_offers_nearest_the_rate_asked():
    # Polar's settings example (PmdSettingTest): 52 Hz, 16 bit, ranges 245/500/1000/2000, 3 channels.
    # A Verity Sense offers 52 Hz only outside SDK mode and answers a 104 Hz start with an error,
    # then sends nothing: the start must ask for what was offered.
    offer = parse_settings(bytes.fromhex("00013400 01011000 0204f500f401e803d007 040103"))
    rate_hz, commands = PolarPmd().start_commands_for({ACC: parse_settings(bytes.fromhex(
        "00013400 01011000 02010800 040103")), GYRO: offer}, 104.0)
    assert rate_hz == 52.0
    assert [c.payload.hex(" ") for c in commands] == [
        "02 02 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03",  # ACC 52 Hz, 16 bit, 8 G, 3 channels
        "02 05 00 01 34 00 01 01 10 00 02 01 d0 07 04 01 03",  # GYRO 52 Hz, 16 bit, 2000 deg/s
    ]


def test_start_prefers_a_rate_acc_and_gyro_share_and_skips_a_type_not_offered():
    acc = {"sample_rate": (26, 52, 104, 208), "range": (2, 4, 16)}
    gyr = {"sample_rate": (52, 208), "range": (250, 500)}
    rate_hz, commands = PolarPmd().start_commands_for({ACC: acc, GYRO: gyr}, 104.0)
    assert rate_hz == 52.0  # 104 only ACC offers; of the shared ones 52 and 208 are as near: the lower
    acc_start, gyr_start = (parse_settings(c.payload[2:]) for c in commands)
    assert acc_start["range"] == (16,) and gyr_start["range"] == (500,)  # the nearest offered to 8 G, 2000 deg/s
    rate_hz, commands = PolarPmd().start_commands_for({ACC: acc}, 100.0)  # an H10: no GYRO
    assert rate_hz == 104.0 and [c.payload[1] for c in commands] == [ACC]


def test_the_sensor_clock_at_t_zero_is_the_first_samples_timestamp():
    # The frames' nanoseconds since 2000 place a reconnect: the decoder says where its t = 0 falls.
    _, _, _, payloads = _stream()
    decoder, rows = _decode_all(payloads[:4], sample_rate_hz=52)
    stamps = [parse_frame(p).timestamp_ns for p in payloads[:4]]
    origin = decoder.clock_origin
    assert origin.ticks == stamps[0] - round(12 * 1e9 / 52) and (origin.ticks_per_s, origin.modulus) == (1e9, None)
    assert origin.plus_s(rows[-1, 0]).ticks == pytest.approx(stamps[-1], abs=256)

"""MetaWear decoder: MbientLab's own SDK test vectors, commands, round trips, malformed input.

Sources (see firmware_protocols/metawear.md):
  CPP   = mbientlab/MetaWear-SDK-Cpp, test/*.py (commit 2ddab46519f71408b6c4b059a587842d7bafc249 unless noted)
  DROID = mbientlab/MetaWear-SDK-Android, library/src/test/java/com/mbientlab/metawear/*.java
"""
import struct

import numpy as np
import pytest

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.base import STANDARD_GRAVITY_MS2 as G
from firmware_protocols.metawear import (
    MetaWear,
    MetaWearDecoder,
    encode_acc,
    encode_example_payloads,
    encode_gyro,
    output_data_rate_hz,
)


def f32(*hex_bits: str) -> list[float]:
    """Java ``Float.intBitsToFloat`` of the expected values in the Android SDK tests."""
    return [struct.unpack(">f", bytes.fromhex(h))[0] for h in hex_bits]


def decode(payload_hex: str, **settings) -> np.ndarray:
    return MetaWearDecoder(**settings).feed(bytes.fromhex(payload_hex))


# --- acceleration -----------------------------------------------------------------------------

def test_bmi160_acceleration_at_4g():
    # CPP test_accelerometer_bmi160.py::test_get_acceleration_data_g; DROID TestAccelerometer.java
    # (commit 59d6e9a5afda10bd6a4886095a57bde0583d2608) receiveAccData, expected bits below.
    rows = decode("030416c494a22ad0", chip="bmi160", acc_range_g=4)
    assert rows.shape == (1, 7)
    np.testing.assert_allclose(rows[0, 1:4], np.array(f32("bfefa800", "c03ad800", "bfbf5800")) * G, rtol=1e-12)
    assert np.isnan(rows[0, 4:]).all() and rows[0, 0] == 0.0


def test_bmi270_acceleration_uses_same_data_register():
    # CPP test_accelerometer_bmi270.py::test_get_acceleration_data_g (same bytes, -1.872, -2.919, -1.495 g)
    rows = decode("030416c494a22ad0", chip="bmi270", acc_range_g=4)
    np.testing.assert_allclose(rows[0, 1:4] / G, [-1.872, -2.919, -1.495], atol=5e-4)


def test_bmi160_packed_acceleration_at_8g_three_samples_in_order():
    # CPP test_accelerometer_bmi160.py::TestBmi160HighFreqAccData; DROID TestAccelerometer.receivedPackedData
    rows = decode("031c62b7530de9fd16d04d0e57028affa1050a01", chip="bmi160", acc_range_g=8)
    expected = [f32("c0913c00", "3f553000", "be05c000"),
                f32("c03fa800", "3f64d000", "3e15c000"),
                f32("bcec0000", "3eb42000", "3d850000")]
    np.testing.assert_allclose(rows[:, 1:4], np.array(expected) * G, rtol=1e-12)
    np.testing.assert_allclose(rows[:, 0], [0.0, 0.01, 0.02])  # 100 Hz default


def test_bmi270_packed_acceleration_register_0x05():
    # CPP test_accelerometer_bmi270.py::TestBmi270HighFreqAccData (-4.539, 0.833, -0.131), ...
    rows = decode("030562b7530de9fd16d04d0e57028affa1050a01", chip="bmi270", acc_range_g=8)
    np.testing.assert_allclose(rows[:, 1:4] / G, [[-4.539, 0.833, -0.131], [-2.995, 0.894, 0.146],
                                                  [-0.029, 0.352, 0.065]], atol=5e-4)


def test_bma255_acceleration_and_packed():
    # DROID TestAccelerometer.receiveAccData / receivedPackedData (BMA255 branch); CPP
    # test_accelerometer_bma255.py (commit 175dae5d98ecba867e859ca42409de5ff553a7c5)
    one = decode("0304e1b3a124b12e", chip="bma255", acc_range_g=8)
    np.testing.assert_allclose(one[0, 1:4], np.array(f32("c0983e00", "40128400", "403ac400")) * G, rtol=1e-12)
    packed = decode("031c" "312655f96577" "392989dbfd7f" "953d61c1f17f", chip="bma255", acc_range_g=4)
    expected = [f32("3f98c400", "be556000", "406eca00"), f32("3fa4e400", "bf91dc00", "407ffa00"),
                f32("3ff65400", "bffa7c00", "407fe200")]
    np.testing.assert_allclose(packed[:, 1:4], np.array(expected) * G, rtol=1e-12)


# --- rotation ---------------------------------------------------------------------------------

def test_bmi160_rotation_at_500dps():
    # CPP test_gyro_bmi160.py::test_rotation_data_handler: (262.409, 499.497, -499.512) deg/s
    rows = decode("13053e43ff7f0080", acc_range_g=16, gyro_range_dps=500)
    np.testing.assert_allclose(rows[0, 4:7], [262.409, 499.497, -499.512], atol=5e-4)
    assert np.isnan(rows[0, 1:4]).all()


def test_bmi160_packed_rotation_at_1000dps():
    # CPP test_gyro_bmi160.py::TestGyroBmi160HighFreqDataHandler
    rows = decode("13070915ad2608de8a1a0d2665e48d20ac2773ec", gyro_range_dps=1000)
    np.testing.assert_allclose(rows[:, 4:7], [[164.177, 301.860, -265.122], [207.134, 296.982, -215.457],
                                              [254.055, 309.634, -152.591]], atol=5e-4)


def test_bmi270_packed_rotation_register_0x05():
    # DROID TestGyro270PackedData.java (commit ccbc107a1968d3ddb6b22d0fe289be627239f09d), float bits
    rows = decode("13050915ad2608de8a1a0d2665e48d20ac2773ec", chip="bmi270", gyro_range_dps=1000)
    expected = [f32("43242d45", "4396ee0d", "c3848f9c"), f32("434f2258", "43947da9", "c3577513"),
                f32("437e0e0d", "439ad12c", "c318976a")]
    np.testing.assert_allclose(rows[:, 4:7], expected, rtol=1e-7)  # the SDK computes in float32


@pytest.mark.parametrize("acc_range_g,lsb_per_g", [(2, 16384), (4, 8192), (8, 4096), (16, 2048)])
@pytest.mark.parametrize("chip", ["bmi160", "bmi270", "bma255"])
def test_acc_scale_table(chip, acc_range_g, lsb_per_g):
    # LSB per g per range: CPP src/metawear/sensor/cpp/accelerometer_bosch.cpp (BMI160/BMA255/BMI270_FSR_SCALE)
    payload = bytes.fromhex("0304") + struct.pack("<3h", lsb_per_g, -lsb_per_g, lsb_per_g // 2)
    rows = MetaWearDecoder(chip=chip, acc_range_g=acc_range_g).feed(payload)
    np.testing.assert_allclose(rows[0, 1:4], [G, -G, G / 2], rtol=1e-15)


@pytest.mark.parametrize("gyro_range_dps,lsb_per_dps", [(2000, 16.4), (1000, 32.8), (500, 65.6), (250, 131.2),
                                                        (125, 262.4)])
def test_gyro_scale_table(gyro_range_dps, lsb_per_dps):
    # LSB per deg/s: CPP src/metawear/sensor/cpp/gyro_bosch.cpp (FSR_SCALE)
    raw = round(10 * lsb_per_dps)
    rows = MetaWearDecoder(gyro_range_dps=gyro_range_dps).feed(bytes.fromhex("1305") + struct.pack("<3h", raw, 0, 0))
    np.testing.assert_allclose(rows[0, 4], raw / lsb_per_dps, rtol=1e-15)


def test_channels_count_time_separately():
    dec = MetaWearDecoder(sample_rate_hz=50)
    acc = dec.feed(bytes.fromhex("031c62b7530de9fd16d04d0e57028affa1050a01"))
    gyr = dec.feed(bytes.fromhex("13070915ad2608de8a1a0d2665e48d20ac2773ec"))
    acc2 = dec.feed(bytes.fromhex("030416c494a22ad0"))
    np.testing.assert_allclose(acc[:, 0], [0.0, 0.02, 0.04])
    np.testing.assert_allclose(gyr[:, 0], [0.0, 0.02, 0.04])
    np.testing.assert_allclose(acc2[:, 0], [0.06])
    assert dec.health.samples == 7 and dec.health.packets == 3


def test_config_read_response_sets_the_range():
    # [0x03, 0x83, odr, range]: the accelerometer config read reply; 0x03 = 2 g on the BMI160
    dec = MetaWearDecoder(chip="bmi160", acc_range_g=16)
    assert dec.feed(bytes.fromhex("03832803")).shape == (0, 7)
    rows = dec.feed(bytes.fromhex("0304004000000000"))  # x = 16384 LSB
    np.testing.assert_allclose(rows[0, 1], G)
    dec.feed(bytes.fromhex("13832802"))  # gyro range code 2 = 500 deg/s
    np.testing.assert_allclose(dec.feed(bytes.fromhex("13053e43ff7f0080"))[0, 4], 262.409, atol=5e-4)


def test_other_modules_are_ignored_not_errors():
    dec = MetaWearDecoder()
    # sensor fusion corrected-acc packet, CPP test_sensor_fusion.py::test_received_data
    assert dec.feed(bytes.fromhex("1904203e53c50cfe79460cfe79c600")).shape == (0, 7)
    assert dec.ignored_packets == 1 and dec.health.corrupt_packets == 0


# --- commands ---------------------------------------------------------------------------------

def commands(protocol: MetaWear, rate_hz: float) -> list[str]:
    return [c.payload.hex() for c in protocol.start_commands(rate_hz)]


def test_bmi160_start_commands_from_sdk_vectors():
    # acc config 100 Hz/16 g = 03 03 28 0c (CPP test_set_range); gyro config 100 Hz/2000 dps = 13 03 28 00
    # (CPP test_mbl_mw_gyro_bmi160_set_fsr pattern); subscribe packed 03 1c 01 / 13 07 01; enable
    # 03 02 01 00 / 13 02 01 00 and start 03 01 01 / 13 01 01 (CPP test_sensor_fusion.py::test_sensor_control)
    assert commands(MetaWear(), 104) == ["0303280c", "13032800", "031c01", "130701",
                                         "03020100", "13020100", "030101", "130101"]
    stops = [c.payload.hex() for c in MetaWear().stop_commands()]
    assert stops == ["030100", "130100", "03020001", "13020001", "031c00", "130700"]
    assert all(c.char_uuid == "326a9001-85cb-9195-d9dd-464cfbbae75a" for c in MetaWear().start_commands())


def test_config_bytes_for_rates_and_ranges():
    # CPP test_accelerometer_bmi160.py::test_set_odr_and_range: 200 Hz, 8 g -> 03 03 29 08
    assert commands(MetaWear("bmi160", 8, 125), 200)[:2] == ["03032908", "13032904"]
    # CPP test_gyro_bmi160.py::test_mbl_mw_gyro_bmi160_set_all_config: 50 Hz, 125 dps -> 13 03 27 04
    assert commands(MetaWear("bmi160", 16, 125), 50)[1] == "13032704"
    # CPP test_accelerometer_bmi270.py::test_set_odr_and_range: 200 Hz, 8 g -> 03 03 a9 02
    assert commands(MetaWear("bmi270", 8, 2000), 200)[:3] == ["0303a902", "13032900", "030501"]
    # CPP test_accelerometer_bma255.py::test_set_odr_and_range: 250 Hz, 4 g -> 03 03 0c 05 (no gyro)
    assert commands(MetaWear("bma255", 4), 250) == ["03030c05", "031c01", "03020100", "030101"]
    assert output_data_rate_hz("bma255", 104) == 125.0 and output_data_rate_hz("bmi160", 104) == 100.0


def test_chip_identification_from_module_info():
    # module info reply layout [module, 0x80, implementation, revision, extra...]: CPP
    # test_sensor_fusion.py::TestSensorFusionRev1 (19 80 00 01 ...); accelerometer implementation
    # ids BMI160 = 1, BMA255 = 3, BMI270 = 4: CPP src/metawear/sensor/accelerometer_bosch.h
    proto = MetaWear(acc_range_g=8)
    assert proto.identify_command().payload.hex() == "0380"
    s_board = proto.with_module_info(bytes.fromhex("03800401"))
    assert s_board.chip == "bmi270" and s_board.acc_range_g == 8
    assert s_board.start_commands(100)[0].payload.hex() == "0303a802"
    assert proto.with_module_info(bytes.fromhex("03800103")).chip == "bmi160"
    assert proto.with_module_info(bytes.fromhex("0380030100")).chip == "bma255"
    for bad in ("0380", "03800001", "13800001", "0380ff01"):  # absent, MMA8452Q, gyro, unknown
        with pytest.raises(ProtocolError):
            proto.with_module_info(bytes.fromhex(bad))


def test_registry_and_scan_matching():
    proto = firmware_protocols.get("metawear")
    assert proto.matches("MetaWear", []) and proto.matches(None, ["326A9000-85CB-9195-D9DD-464CFBBAE75A"])
    assert not proto.matches("Polar Sense", [])


# --- round trips and malformed input ----------------------------------------------------------

@pytest.mark.parametrize("chip", ["bmi160", "bmi270"])
@pytest.mark.parametrize("acc_range_g,gyro_range_dps", [(2, 125), (16, 2000), (4, 500)])
def test_round_trip_within_one_lsb(chip, acc_range_g, gyro_range_dps):
    rng = np.random.default_rng(7)
    dec = MetaWearDecoder(chip=chip, acc_range_g=acc_range_g, gyro_range_dps=gyro_range_dps)
    acc = rng.uniform(-0.99, 0.99, (3, 3)) * acc_range_g * G
    gyr = rng.uniform(-0.99, 0.99, (3, 3)) * gyro_range_dps
    for packed, n in ((True, 3), (False, 1)):
        got_acc = dec.feed(encode_acc(acc[:n], chip=chip, acc_range_g=acc_range_g, packed=packed))[:, 1:4]
        got_gyr = dec.feed(encode_gyro(gyr[:n], chip=chip, gyro_range_dps=gyro_range_dps, packed=packed))[:, 4:7]
        assert np.abs(got_acc - acc[:n]).max() <= dec.acc_ms2_per_lsb
        assert np.abs(got_gyr - gyr[:n]).max() <= dec.gyro_dps_per_lsb


def test_example_payloads_decode():
    dec = MetaWearDecoder()
    assert sum(len(dec.feed(p)) for p in encode_example_payloads()) == 8


@pytest.mark.parametrize("payload_hex", ["", "03", "030416c494a22a", "031c62b7530de9fd16d04d0e57028affa1050a",
                                         "13053e43ff7f008000", "0383", "13830007"])
def test_malformed_payloads_raise_protocol_error(payload_hex):
    dec = MetaWearDecoder()
    with pytest.raises(ProtocolError):
        dec.feed(bytes.fromhex(payload_hex))
    assert dec.health.corrupt_packets == 1


def test_the_metawear_vector_files_decode_as_they_say():
    # (tests/firmware_protocols/vectors/metawear*.txt, in the format docs/protocols/adding.md gives)
    from hexvectors import check_file, vector_files

    files = vector_files("metawear")
    assert files
    assert all(check_file(path) > 0 for path in files)

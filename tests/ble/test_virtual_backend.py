"""The virtual sensor seen only through bleak's public API (BleakScanner/BleakClient, backend=)."""
import asyncio

import numpy as np
from bleak import BleakClient, BleakScanner

from firmware_protocols import polar_pmd as pmd
from sensorkit.ble.uuids import BATTERY_LEVEL_UUID


def test_scanner_backend_reports_advertisements(polar_sensor, run):
    sensor, radio, _ = polar_sensor
    found = run(BleakScanner.discover(0.1, return_adv=True, backend=radio.scanner_backend))
    device, adv = found[sensor.address]
    assert adv.local_name.startswith("Polar Sense")
    assert pmd.PMD_SERVICE_UUID in adv.service_uuids


def test_client_backend_serves_gatt_reads_writes_and_notifications(polar_sensor, run):
    sensor, radio, _ = polar_sensor

    async def session():
        responses, frames = [], []
        async with BleakClient(sensor.address, backend=radio.client_backend) as client:
            assert client.is_connected and client.mtu_size == 247
            assert client.services.get_service(pmd.PMD_SERVICE_UUID) is not None
            battery = await client.read_gatt_char(BATTERY_LEVEL_UUID)
            await client.start_notify(pmd.PMD_CONTROL_POINT_UUID, lambda _c, d: responses.append(bytes(d)))
            await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, d: frames.append(bytes(d)))
            for command in pmd.PolarPmd().start_commands(104.0):
                await client.write_gatt_char(command.char_uuid, command.payload, response=True)
            await asyncio.sleep(0.2)
            await client.write_gatt_char(pmd.PMD_CONTROL_POINT_UUID, bytes([pmd.OP_STOP, pmd.ACC]), response=True)
        assert not sensor.connected
        return battery, responses, frames

    battery, responses, frames = run(session())
    assert battery[0] == 87
    parsed = [pmd.parse_control_point_response(r) for r in responses]
    assert [(p.op_code, p.measurement_type, p.ok) for p in parsed] == [
        (pmd.OP_START, pmd.ACC, True), (pmd.OP_START, pmd.GYRO, True), (pmd.OP_STOP, pmd.ACC, True)]
    assert parsed[1].factor == np.float32(2000 / 32768)
    kinds = {pmd.parse_frame(f).measurement_type for f in frames}
    assert kinds == {pmd.ACC, pmd.GYRO} and len(frames) >= 4


def test_dropped_link_calls_bleaks_disconnected_callback_and_refuses_until_back(polar_sensor, run):
    sensor, radio, _ = polar_sensor

    async def session():
        lost = asyncio.Event()
        client = BleakClient(sensor.address, lambda _c: lost.set(), backend=radio.client_backend, timeout=0.05)
        await client.connect()
        sensor.drop_link(down_s=100.0)  # 5 s wall at speed 20
        await asyncio.wait_for(lost.wait(), 1)
        assert not client.is_connected
        try:
            await client.connect()
        except TimeoutError:
            return True
        return False

    assert run(session())


def test_connect_once_works_with_and_without_bleak_retry_connector(polar_sensor, run):
    from sensorkit.ble.connect import connect_once
    from sensorkit.ble.scan import find_sensor

    sensor, radio, _ = polar_sensor

    async def go(use_retry_connector):
        found = await find_sensor(sensor.address, 1.0, radio.scanner_backend)
        client = await connect_once(found.device, backend=radio.client_backend, disconnected_callback=lambda c: None,
                                    timeout_s=1.0, use_retry_connector=use_retry_connector)
        connected = client.is_connected
        await client.disconnect()
        return connected

    assert run(go(False)) and run(go(True))


def test_the_virtual_verity_sense_refuses_a_rate_it_does_not_offer_like_a_real_one(run):
    # Polar's documentation: a Verity Sense streams ACC and GYRO at 52 Hz (outside SDK mode); a
    # start at 104 Hz gets an error status and no data. The virtual one used to stream anyway.
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    sensor = VirtualSensor(PolarVerityFirmware(52.0), synthetic_samples(5.0, rate_hz=52.0), speed=20.0)
    radio = VirtualRadio([sensor])

    async def session():
        responses, frames = [], []
        async with BleakClient(sensor.address, backend=radio.client_backend) as client:
            await client.start_notify(pmd.PMD_CONTROL_POINT_UUID, lambda _c, d: responses.append(bytes(d)))
            await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, d: frames.append(bytes(d)))
            for command in [pmd.get_settings_command(pmd.ACC), *pmd.PolarPmd().start_commands(104.0)]:
                await client.write_gatt_char(command.char_uuid, command.payload, response=True)
            await asyncio.sleep(0.2)
        return [pmd.parse_control_point_response(r) for r in responses], frames

    (offer, acc_start, gyr_start), frames = run(session())
    assert offer.settings == {"sample_rate": (52,), "resolution": (16,), "range": (8,), "channels": (3,)}
    assert [acc_start.status_name, gyr_start.status_name] == ["ERROR_INVALID_SAMPLE_RATE"] * 2
    assert frames == [] and not sensor.firmware.streaming


def test_a_finished_sensor_has_sent_its_last_part_filled_frame_before_anyone_sees_it_finished(run):
    # The pacer yielded every 64 packets; when the 64th was the session's last, it yielded with
    # `finished` already true and the part-filled frame still held: a run stopped on `finished`
    # (run_session's until) could miss it.
    import firmware_protocols
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware

    from .conftest import synthetic_samples

    firmware = OpenV1Firmware(104.0)
    per_packet = firmware.samples_per_packet(247)
    n = 63 * per_packet + per_packet // 2  # 64 packets, the last one part-filled, the 64th sent last
    source = synthetic_samples(n / 104.0)[:n]
    assert len(source) == n
    sensor = VirtualSensor(firmware, source, speed=1e9)  # every sample due at once: one burst of 64
    radio = VirtualRadio([sensor])

    async def session():
        frames, seen = [], []

        async def watch():
            while not sensor.finished:
                await asyncio.sleep(0)
            seen.append(len(frames))  # what had come when it first looked finished

        async with BleakClient(sensor.address, backend=radio.client_backend) as client:
            await client.start_notify(firmware.frames.DATA_UUID, lambda _c, d: frames.append(bytes(d)))
            watcher = asyncio.get_running_loop().create_task(watch())
            for command in firmware_protocols.get("open_v1").start_commands(104.0):
                await client.write_gatt_char(command.char_uuid, command.payload, response=command.response)
            await asyncio.wait_for(watcher, 5)
            await asyncio.sleep(0.05)
        return seen[0], len(frames)

    seen, total = run(session())
    assert total == 64 and seen == total


def test_the_virtual_movesense_answers_and_streams_as_the_gatt_sensordata_app_does(run):
    # HELLO is answered "Hello"; a subscription to /Meas/IMU6 at the rate it plays starts the
    # stream, without an answer (the app answers only a failure); one at another rate streams
    # nothing; UNSUBSCRIBE ends it. Each packet: 02, the reference, the first sample's ms
    # timestamp on the sensor's uptime clock, N acceleration then N angular-rate float32 vectors,
    # in two notifications where it is longer than one.
    from firmware_protocols import movesense as ms
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.movesense_firmware import BOOT_MS, MovesenseFirmware

    from .conftest import synthetic_samples

    source = synthetic_samples(4.0)
    sensor = VirtualSensor(MovesenseFirmware(104.0), source, speed=20.0)
    radio = VirtualRadio([sensor])
    got = []

    async def go():
        async with BleakClient(sensor.address, backend=radio.client_backend) as client:
            await client.start_notify(ms.DATA_CHAR_UUID, lambda _c, data: got.append(bytes(data)))
            await client.write_gatt_char(ms.COMMAND_CHAR_UUID, bytes((ms.CMD_HELLO, 7)), response=True)
            await client.write_gatt_char(ms.COMMAND_CHAR_UUID, b"\x01\x63/Meas/IMU6/52", response=True)
            await asyncio.sleep(0.1)
            hello_and_nothing_else = list(got)
            await client.write_gatt_char(ms.COMMAND_CHAR_UUID, b"\x02\x63", response=True)
            (start,) = ms.Movesense().start_commands(100.0)  # 01 63 "/Meas/IMU6/104"
            await client.write_gatt_char(start.char_uuid, start.payload, response=start.response)
            await asyncio.sleep(0.1)  # 2 s of the sensor's time
            (stop,) = ms.Movesense().stop_commands()
            await client.write_gatt_char(stop.char_uuid, stop.payload, response=stop.response)
            streamed = len(got)
            await asyncio.sleep(0.05)
            return hello_and_nothing_else, streamed

    hello_and_nothing_else, streamed = run(go())
    assert hello_and_nothing_else == [b"\x01\x07Hello"]
    data = got[1:]
    assert len(got) == streamed and len(data) >= 10  # (none after the unsubscribe)
    # 8 samples (1/13 s each): 6 + 24 * 8 = 198 bytes, over the app's MTU of 161 (158 bytes a
    # notification) as the app sends it: its first 158 bytes, then 03 63 and the other 40
    assert sensor.firmware.mtu == 161 and len(data) % 2 == 0
    assert all(p[:2] == b"\x02\x63" and len(p) == 158 for p in data[0::2])
    assert all(p[:2] == b"\x03\x63" and len(p) == 42 for p in data[1::2])
    decoder = ms.MovesenseDecoder(sample_rate_hz=104.0)
    out = np.vstack([decoder.feed(p) for p in data])
    # (decoder t is 0 at its first packet; its raw timestamp says where on the sensor's clock that was)
    first_ms = int.from_bytes(data[0][2:6], "little") - BOOT_MS
    index = np.rint((out[:, 0] + first_ms / 1000.0) * 104.0).astype(int)
    assert np.abs(out[:, 1:4] - source.acc[index]).max() < 1e-5
    assert np.abs(out[:, 4:7] - source.gyr[index]).max() < 1e-4
    assert decoder.health.lost_samples == 0 and np.all(np.diff(index) == 1)

"""A Polar sensor on a link whose ATT MTU is too small for its frames refuses to stream, as a real one does."""
import pytest

from sensorkit.ble import SensorSession, StreamRefusedError
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.polar_firmware import MIN_STREAM_MTU, PolarVerityFirmware

from .conftest import synthetic_samples


def polar_on_link(max_mtu: int) -> tuple[VirtualSensor, SensorSession]:
    sensor = VirtualSensor(PolarVerityFirmware(104.0), synthetic_samples(4.0), speed=20.0, max_mtu=max_mtu)
    radio = VirtualRadio([sensor])
    return sensor, SensorSession(sensor.address, client_backend=radio.client_backend,
                                 scanner_backend=radio.scanner_backend, clock=sensor.clock, give_up_s=2.0)


def test_a_polar_sensor_refuses_to_stream_on_the_smallest_mtu_in_one_line_naming_it(run):
    # The simulated Verity Sense streamed one-sample frames at ATT MTU 23; a real Polar answers the
    # start ERROR_INVALID_MTU (PMD frames are never split over notifications), and nothing streams
    sensor, session = polar_on_link(23)

    async def go():
        async with session:
            pass

    with pytest.raises(StreamRefusedError) as caught:
        run(go())
    said = str(caught.value)
    assert "\n" not in said and "refused to start ACC" in said and "ERROR_INVALID_MTU" in said
    assert "ATT MTU, 23 bytes" in said
    assert sensor.sent_packets == 0 and not sensor.firmware.streaming


def test_a_polar_sensor_streams_on_the_smallest_mtu_it_takes(run):
    sensor, session = polar_on_link(MIN_STREAM_MTU)

    async def go():
        async with session:
            async for block in session:
                if len(block):
                    return session.mtu

    assert run(go()) == MIN_STREAM_MTU

"""Integration over a real BLE host stack (bumble) on an in-process emulated link: the session's
ATT traffic (MTU exchange, discovery, CCCD writes, writes with response, notifications,
indications) is encoded and parsed by bumble, not by our simulator."""
import numpy as np
import pytest

pytest.importorskip("bumble")

from bleak.backends.device import BLEDevice  # noqa: E402
from bumble.link import LocalLink  # noqa: E402

from sensorkit.ble import FoundSensor, LinkState, SensorSession  # noqa: E402
from sensorkit.ble.virtual import VirtualSensor  # noqa: E402
from sensorkit.samples import Samples  # noqa: E402
from .bumble_link import BumblePeripheral, bumble_client_backend, make_device  # noqa: E402
from .conftest import FIRMWARES, RATE_HZ, synthetic_samples  # noqa: E402

PERIPHERAL = "F1:F1:F1:F1:F1:F1"


async def stream_over_bumble(protocol, until_s=3.0, drop_at_s=None):
    firmware, acc_step, gyr_step = FIRMWARES[protocol]
    source = synthetic_samples(12.0)
    sensor = VirtualSensor(firmware(RATE_HZ), source, address=PERIPHERAL, speed=4.0)
    link = LocalLink()
    peripheral = BumblePeripheral(sensor, link, PERIPHERAL)
    central = make_device(link, "central", "F0:F0:F0:F0:F0:F0")
    await central.power_on()
    await peripheral.start()
    found = FoundSensor(PERIPHERAL, sensor.local_name, -50, protocol, device=BLEDevice(PERIPHERAL, sensor.local_name, None))
    blocks = []
    async with SensorSession(found, client_backend=bumble_client_backend(central), clock=sensor.clock,
                             give_up_s=5.0, backoff_initial_s=0.05) as session:
        # (dropped, and ended, by the data's time, not the sensor's clock: a busy host's data lag it)
        async for block in session.blocks(idle_tick_s=0.05):
            blocks.append(block)
            if (drop_at_s is not None and len(block) and block.t[-1] > drop_at_s and sensor.connections == 1
                    and sensor.connected):
                sensor.drop_link(down_s=0.5)
            if len(block) and block.t[-1] >= until_s:
                break
    return Samples.concat(blocks), session, source, sensor, (acc_step, gyr_step)


@pytest.mark.parametrize("protocol", sorted(FIRMWARES))
def test_session_over_a_real_host_stack(protocol, run):
    out, session, source, sensor, (acc_step, gyr_step) = run(stream_over_bumble(protocol))
    assert session.mtu == 247 and session.battery_percent == 87 and session.state is LinkState.CLOSED
    assert len(out) > 200 and session.health.corrupt_packets == 0 and session.health.lost_samples == 0
    index = np.arange(len(out))
    assert np.abs(out.acc - source.acc[index]).max() <= acc_step / 2 + 1e-9
    assert np.abs(out.gyr - source.gyr[index]).max() <= gyr_step / 2 + 1e-9
    assert not sensor.firmware.streaming  # the stop command went through bumble too


def test_reconnect_over_a_real_host_stack(run):
    out, session, source, sensor, _ = run(stream_over_bumble("open_v1", until_s=5.0, drop_at_s=2.0))
    assert sensor.connections == 2 and len(session.reconnects) == 1
    gap = session.reconnects[0]
    assert gap.resumed_at_t_s is not None and gap.lost_s >= 0.5

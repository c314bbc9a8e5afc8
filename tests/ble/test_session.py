"""SensorSession end to end over the virtual Polar sensor (the real polar_pmd decoder and encoder)."""
import asyncio

import numpy as np
import pytest

from sensorkit.ble import ConnectError, LinkState, SensorNotFoundError, SensorSession, scan
from sensorkit.samples import Samples


def session_for(sensor, radio, **options):
    defaults = dict(client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                    sample_rate_hz=104.0, clock=sensor.clock, scan_timeout_s=1.0, give_up_s=3.0,
                    backoff_initial_s=0.02, backoff_max_s=0.2)
    return SensorSession(sensor.local_name, **(defaults | options))


async def collect(session, sensor, until_s, during=None):
    """Blocks until the sensor clock passes ``until_s``; ``during(clock_s)`` runs on each block."""
    blocks = []
    async for block in session.blocks(idle_tick_s=0.05):
        blocks.append(block)
        if during is not None:
            during(sensor.clock())
        if sensor.clock() >= until_s:
            break
    return Samples.concat(blocks)


def source_at(samples, t):
    return np.searchsorted(samples.t, t - 1e-4)


def test_scan_recognises_the_protocol(polar_sensor, run):
    sensor, radio, _ = polar_sensor
    found = run(scan(0.1, backend=radio.scanner_backend))
    assert [(f.address, f.protocol) for f in found] == [(sensor.address, "polar_pmd")]


def test_streamed_samples_equal_the_source_within_wire_quantisation(polar_sensor, run):
    sensor, radio, source = polar_sensor

    async def go():
        async with session_for(sensor, radio) as session:
            out = await collect(session, sensor, 5.0)
            return out, session

    out, session = run(go())
    assert session.state is LinkState.CLOSED and session.mtu == 247 and session.battery_percent == 87
    assert len(out) > 400 and out.t[0] == 0.0 and np.all(np.diff(out.t) > 0)
    idx = source_at(source, out.t)
    assert np.allclose(out.t, source.t[idx], atol=1e-6)              # sensor timestamps, not arrival times
    assert np.abs(out.acc - source.acc[idx]).max() < 0.0050           # 1 mG steps
    assert np.abs(out.gyr - source.gyr[idx]).max() < 0.031            # 2000/32768 deg/s steps
    assert not sensor.connected and not sensor.firmware.active       # stop commands written, link closed


def test_dropped_and_corrupt_packets_are_counted_and_skipped(polar_sensor, run):
    sensor, radio, source = polar_sensor

    async def go():
        async with session_for(sensor, radio) as session:
            def hooks(clock_s):
                if 1.0 < clock_s and not sensor._corrupt_next and session.health.corrupt_packets == 0:
                    sensor.corrupt_packets(2)
                    sensor.drop_packets(3)
            return await collect(session, sensor, 4.0, hooks), session

    out, session = run(go())
    assert session.health.corrupt_packets == 2
    assert session.state is LinkState.CLOSED
    idx = source_at(source, out.t)
    assert np.abs(out.gyr - source.gyr[idx]).max() < 0.031           # nothing misplaced after the hole
    assert np.diff(out.t).max() > 0.2                                   # the hole is a gap in t


def test_link_drop_reconnects_and_records_the_gap(polar_sensor, run):
    sensor, radio, source = polar_sensor
    states = []

    async def go():
        async with session_for(sensor, radio, on_state=states.append) as session:
            def hooks(clock_s):
                if clock_s > 3.0 and sensor.connections == 1 and sensor.connected:
                    sensor.drop_link(down_s=2.0)
            return await collect(session, sensor, 9.0, hooks), session

    out, session = run(go())
    assert states[:3] == [LinkState.STREAMING, LinkState.RECONNECTING, LinkState.STREAMING]
    assert sensor.connections == 2 and len(session.reconnects) == 1
    gap = session.reconnects[0]
    assert 2.8 <= gap.dropped_at_t_s < 3.5  # the last packet before the drop
    assert 2.0 <= gap.lost_s < 3.0 and gap.resumed_at_t_s == pytest.approx(gap.dropped_at_t_s + gap.lost_s, abs=0.02)
    assert gap.lost_samples == pytest.approx(gap.lost_s * 104, abs=2)
    # after the gap, session time still tracks the sensor's clock (within the host's timing jitter)
    after = out.t > gap.resumed_at_t_s
    idx = source_at(source, out.t[after])
    assert np.abs(out.t[after] - source.t[idx]).max() < 0.1
    assert np.all(np.diff(out.t) > 0)


def test_session_gives_up_cleanly_when_the_sensor_is_gone(polar_sensor, run):
    sensor, radio, _ = polar_sensor

    async def go():
        async with session_for(sensor, radio, give_up_s=0.3) as session:
            blocks = []
            async for block in session:
                blocks.append(block)
                if sensor.clock() > 2.0 and sensor.connected:
                    sensor.power_off()
            return Samples.concat(blocks), session

    out, session = run(go())
    assert session.state is LinkState.GAVE_UP
    assert out.t[-1] >= 1.9
    gap = session.reconnects[0]
    assert gap.resumed_at_t_s is None and gap.attempts >= 1 and gap.lost_s > 0


def test_unknown_device_is_a_one_line_error(polar_sensor, run):
    _, radio, _ = polar_sensor
    with pytest.raises(SensorNotFoundError, match="no sensor 'Nope'"):
        run(SensorSession("Nope", scanner_backend=radio.scanner_backend, scan_timeout_s=0.1).open())


def test_connect_failure_after_give_up_raises(polar_sensor, run):
    sensor, radio, _ = polar_sensor
    sensor.refuse_connections(1000)
    with pytest.raises(ConnectError, match="could not connect"):
        run(session_for(sensor, radio, give_up_s=0.2).open())


def test_cancellation_stops_the_stream_and_disconnects(polar_sensor, run):
    sensor, radio, _ = polar_sensor

    async def go():
        async def consume():
            async with session_for(sensor, radio) as session:
                async for _ in session:
                    pass
        task = asyncio.create_task(consume())
        while sensor.sent_packets < 4:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(go())
    assert not sensor.connected and not sensor.firmware.active

"""SensorSession end to end over virtual sensors running the real protocols (open_v1, polar_pmd)."""
import asyncio
import json
import logging
import math
import time
from types import SimpleNamespace

import numpy as np
import pytest

from firmware_protocols import polar_pmd as pmd
from sensorkit.ble import ConnectError, LinkState, SensorNotFoundError, SensorSession, StreamRefusedError, scan
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware
from sensorkit.samples import Samples
from .conftest import run_async, synthetic_samples


@pytest.fixture
def run(run_simulated):
    """Sessions here run on simulated time (:mod:`tests.ble.simulated_time`): a loaded machine
    that ran the session late made a stream test fail (two seconds of the sensor's clock gone while
    the process waited for a core: a reconnect given up, a silence said). Those timed on the host's
    clock (``time.monotonic``, a sensor reused across runs) ask for ``run_on_host_time``."""
    return run_simulated


@pytest.fixture
def run_on_host_time():
    return run_async


def session_for(rig, **options):
    defaults = dict(client_backend=rig.radio.client_backend, scanner_backend=rig.radio.scanner_backend,
                    sample_rate_hz=104.0, clock=rig.sensor.clock, scan_timeout_s=1.0, give_up_s=3.0,
                    backoff_initial_s=0.02, backoff_max_s=0.2)
    return SensorSession(rig.sensor.local_name, **(defaults | options))


async def collect(session, sensor, until_s, during=None, max_blocks=None, data_until_s=None):
    """Blocks until the sensor clock passes ``until_s``, and then every block the sensor had sent
    or owed by then (:func:`sent_by_now`), or until more than ``max_blocks`` came (a sensor that
    sends nothing must not hang a test); ``during(clock_s)`` runs on each block read before that
    end. With ``data_until_s``: until the samples reach that time instead, however far the
    sensor's clock ran ahead of them (a machine under load delivers a simulated sensor's samples
    late); a callable: the time it says at each block."""
    blocks = []
    async for block in session.blocks(idle_tick_s=0.05):
        blocks.append(block)
        if during is not None:
            during(sensor.clock())
        if data_until_s is not None:
            if len(block) > 0 and block.t[-1] >= (data_until_s() if callable(data_until_s) else data_until_s):
                break
        elif sensor.clock() >= until_s:
            blocks += await sent_by_now(session)
            break
        if max_blocks is not None and len(blocks) > max_blocks:
            break
    return Samples.concat(blocks)


async def sent_by_now(session, quiet_turns: int = 3) -> list:
    """The blocks the simulated sensor has sent, or owes, by now that the session has not handed
    over yet. Its clock runs on the wall clock; on a loaded machine the event loop runs its sender
    and the reader late, seconds of its clock at 20 times real time: a test that stops at a time
    on that clock had read less than the sensor sent by then (280 samples for 5 s). The loop is
    given turns (the sender then sends all that is due, the session decodes it) until
    ``quiet_turns`` in a row bring nothing (at most 1000 turns: a sensor still sending is not
    followed for ever)."""
    blocks, quiet = [], 0
    for _ in range(1000):
        if quiet >= quiet_turns:
            break
        await asyncio.sleep(0)
        more = session.drain()
        quiet = 0 if more else quiet + 1
        blocks += more
    return blocks


def streamed(run, sensor, radio, until_s, max_blocks, watch=None, name=None, data_until_s=None, **options):
    """(session, samples) of a session with ``sensor`` over ``radio``, on its clock, to ``until_s``
    (at most ``max_blocks`` blocks; ``data_until_s``: until the samples reach it): :func:`collect`;
    ``watch(session)`` runs on each block."""
    session = SensorSession(name or sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, **options)
    during = (lambda _clock_s: watch(session)) if watch is not None else None

    async def go():
        async with session:
            return await collect(session, sensor, until_s, during, max_blocks, data_until_s)

    return session, run(go())


class DropOnce:
    """``collect``'s hook (``during``) and end (``data_until_s``): the link dropped for ``down_s``
    once the sensor's clock passes ``after_s`` (``before()`` run first), then read until the
    samples reach ``resumed_for_s`` past the first one after the gap. (Read until a time on the
    sensor's clock, which a loaded machine's data lag, a test had ended before the data resumed:
    the gap still open, lost_s 0.0.)"""

    def __init__(self, session, sensor, after_s=3.0, down_s=2.0, resumed_for_s=3.0, before=None):
        self.session, self.sensor, self.after_s, self.down_s = session, sensor, after_s, down_s
        self.resumed_for_s, self.before = resumed_for_s, before

    def __call__(self, clock_s):
        if clock_s > self.after_s and self.sensor.connections == 1 and self.sensor.connected:
            if self.before is not None:
                self.before()
            self.sensor.drop_link(down_s=self.down_s)

    def data_until_s(self):
        resumed_t_s = self.session.reconnects[0].resumed_at_t_s if self.session.reconnects else None
        return math.inf if resumed_t_s is None else resumed_t_s + self.resumed_for_s


def past_the_gap(session, for_s: float):
    """``collect``'s ``data_until_s``: ``for_s`` seconds of data past the first reconnect gap
    (infinite while it is open). A test that read until a time on the sensor's clock ended, on a
    busy host whose data lag that clock, before the link was let go or came back."""
    def until_s():
        resumed_t_s = session.reconnects[0].resumed_at_t_s if session.reconnects else None
        return math.inf if resumed_t_s is None else resumed_t_s + for_s
    return until_s


def nearest(source, t):
    """Index of the source sample nearest to each time."""
    return np.searchsorted(source.t, t - 0.5 / 104.0)


def assert_values_match(out, rig, index):
    # (half a step, and the float32 rounding of the scales on the wire: under 1e-6 at 20 m/s²)
    assert np.abs(out.acc - rig.source.acc[index]).max() <= rig.acc_step / 2 + 1e-6
    assert np.abs(out.gyr - rig.source.gyr[index]).max() <= rig.gyr_step / 2 + 1e-5


def test_scan_recognises_each_protocol(rig, run):
    found = run(scan(0.1, backend=rig.radio.scanner_backend))
    assert [(f.address, f.protocol) for f in found] == [(rig.sensor.address, rig.sensor.firmware.protocol_name)]


def test_streamed_samples_equal_the_source_within_wire_resolution(rig, run):
    async def go():
        async with session_for(rig) as session:
            return await collect(session, rig.sensor, 5.0), session

    out, session = run(go())
    # (the MTU the virtual central asks for; a Movesense's app offers at most 161)
    assert session.state is LinkState.CLOSED and session.battery_percent == 87
    assert session.mtu == (161 if rig.sensor.firmware.protocol_name == "movesense" else 247)
    assert len(out) > 400 and out.t[0] == 0.0 and np.all(np.diff(out.t) > 0)
    index = np.arange(len(out))  # nothing lost: sample i is source sample i
    assert np.abs(out.t - rig.source.t[index]).max() < 1e-3     # sensor timestamps, not arrival times
    assert_values_match(out, rig, index)
    assert session.health.packets > 0 and session.health.lost_total_samples == 0
    assert not rig.sensor.connected and not rig.sensor.firmware.streaming  # stop written, link closed


def test_dropped_and_corrupt_packets_are_counted_and_skipped(rig, run):
    sensor = rig.sensor

    fired = []  # the sensor time of its last sample sent before the packets it spoils

    async def go():
        async with session_for(rig) as session:
            def hooks(clock_s):
                # once: the hook may run again before the sensor has dropped anything (a busy machine)
                if clock_s > 1.0 and sensor.sent_packets and not fired:
                    fired.append(sensor.sent_until_s)
                    sensor.corrupt_packets(2)
                    sensor.drop_packets(3)
            # (until its data pass 1 s after them, the hole included: not a time on its clock, which a
            # loaded machine's data lag)
            return await collect(session, sensor, math.inf, hooks, 5000,
                                 lambda: fired[0] + 1.0 if fired else math.inf), session

    out, session = run(go())
    assert session.health.corrupt_packets == 2
    assert session.health.lost_samples > 0                       # seen by sequence numbers / timestamps
    assert np.diff(out.t).max() > 0.1                             # the hole is a gap in t
    assert_values_match(out, rig, nearest(rig.source, out.t))    # nothing misplaced after the hole


def test_link_drop_reconnects_and_records_the_gap(rig, run):
    sensor, states, dropped, resumed = rig.sensor, [], [], []

    async def go():
        async with session_for(rig, on_state=states.append) as session:
            blocks = []
            async for block in session.blocks(idle_tick_s=0.05):
                blocks.append(block)
                # dropped once the data (not the clock: a busy host may hand a block over late) passes 3 s
                if len(block) and block.t[-1] > 3.0 and sensor.connections == 1 and sensor.connected:
                    dropped.append((float(block.t[-1]), sensor.clock()))
                    sensor.drop_link(down_s=2.0)
                # until the data is 3 s past the gap (it read until the sensor's clock passed 9 s: on a
                # busy host, whose data lag that clock, it ended before the data passed 3 s, no drop made)
                resumed_t_s = session.reconnects[0].resumed_at_t_s if session.reconnects else None
                if resumed_t_s is not None and not resumed:
                    resumed.append(sensor.clock())  # (the sensor's clock when the data after the gap is read)
                if resumed_t_s is not None and len(block) and block.t[-1] >= resumed_t_s + 3.0:
                    break
            return Samples.concat(blocks), session

    out, session = run(go())
    assert states[:3] == [LinkState.STREAMING, LinkState.RECONNECTING, LinkState.STREAMING]
    assert sensor.connections == 2 and len(session.reconnects) == 1
    gap = session.reconnects[0]
    (seen_t_s, drop_clock_s), = dropped
    assert seen_t_s <= gap.dropped_at_t_s <= drop_clock_s  # the last packet before the drop
    # the 2 s down time (less a sample period: the time between two samples) plus reconnecting,
    # which a busy machine makes long (at 20x real time: 0.4 s of its time was 8 s, and the bound
    # was 10 s): no more than the sensor's clock ran from the last data before it to the data after
    (resumed_clock_s,) = resumed
    assert 2.0 - 1 / 104 <= gap.lost_s <= resumed_clock_s - seen_t_s
    assert gap.resumed_at_t_s == pytest.approx(gap.dropped_at_t_s + gap.lost_s, abs=0.02)
    assert gap.lost_samples == pytest.approx(gap.lost_s * 104, abs=2)
    assert np.all(np.diff(out.t) > 0)
    # after the gap, session time still tracks the sensor's clock (within the host's timing jitter)
    after = out.t > gap.resumed_at_t_s
    assert np.abs(out.t[after] - rig.source.t[nearest(rig.source, out.t[after])]).max() < 0.1


def test_a_first_block_replayed_late_does_not_shorten_a_later_gap(rig, run, monkeypatch):
    # The data that came while the stream was set up waited for the decoder and was placed on the
    # clock when replayed, not when it came: the session's start late by that wait, every later
    # connection's times that much early, its gap that much short (the test above, on a busy host:
    # lost_s 1.9 for a 2 s outage). Here the decoder takes 1 s of sensor time to make.
    import sensorkit.ble.session as session_module

    real_make_decoder = session_module.make_decoder
    sensor = rig.sensor

    async def slow_make_decoder(*args, **kwargs):
        if sensor.connections == 1:
            await asyncio.sleep(1.0 / sensor.speed)
        return await real_make_decoder(*args, **kwargs)

    monkeypatch.setattr(session_module, "make_decoder", slow_make_decoder)

    async def go():
        async with session_for(rig) as session:
            drop = DropOnce(session, sensor)
            return await collect(session, sensor, math.inf, drop, 5000, drop.data_until_s), session

    out, session = run(go())
    (gap,) = session.reconnects
    assert gap.lost_s >= 2.0 - 0.3  # the 2 s down (host-timed: within 15 ms of real time at 20x)
    after = out.t > gap.resumed_at_t_s
    assert np.abs(out.t[after] - rig.source.t[nearest(rig.source, out.t[after])]).max() < 0.3


def test_session_gives_up_cleanly_when_the_sensor_is_gone(rig, run):
    sensor = rig.sensor

    async def go():
        async with session_for(rig, give_up_s=0.3) as session:
            blocks = []
            async for block in session:
                blocks.append(block)
                # (once its data, not its clock, which a loaded machine's data lag, pass 2 s)
                if len(block) and block.t[-1] > 2.0 and sensor.connected:
                    sensor.power_off()
            return Samples.concat(blocks), session

    out, session = run(go())
    assert session.state is LinkState.GAVE_UP
    assert out.t[-1] >= 1.9
    gap = session.reconnects[0]
    assert gap.resumed_at_t_s is None and gap.attempts >= 1 and gap.lost_s > 0


def test_unknown_device_is_a_one_line_error(rig, run):
    with pytest.raises(SensorNotFoundError, match="no sensor 'Nope'"):
        run(SensorSession("Nope", scanner_backend=rig.radio.scanner_backend, scan_timeout_s=0.1).open())


def test_connect_failure_after_give_up_raises(rig, run):
    rig.sensor.refuse_connections(1000)
    with pytest.raises(ConnectError, match="could not connect"):
        run(session_for(rig, give_up_s=0.2).open())


def test_cancellation_stops_the_stream_and_disconnects(rig, run):
    sensor = rig.sensor

    async def go():
        async def consume():
            async with session_for(rig) as session:
                async for _ in session:
                    pass
        task = asyncio.create_task(consume())
        while sensor.sent_packets < 4:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(go())
    assert not sensor.connected and not sensor.firmware.streaming


def test_a_stream_that_cannot_be_set_up_is_not_left_connected(open_v1_rig, run):
    firmware = open_v1_rig.sensor.firmware
    firmware._config_value = lambda per_frame: bytes([2]) + bytes(15)  # a config of protocol version 2
    with pytest.raises(ConnectError, match="could not connect"):
        run(session_for(open_v1_rig, give_up_s=0.3).open())
    assert open_v1_rig.sensor.connections >= 2 and not open_v1_rig.sensor.connected


def test_no_bluetooth_service_is_a_one_line_error(run):
    from bleak.backends.scanner import BaseBleakScanner

    from sensorkit.ble import BleError

    class NoBluez(BaseBleakScanner):
        def __init__(self, *args, **kwargs):
            super().__init__(None, None)

        async def start(self):
            raise FileNotFoundError(2, "No such file or directory")  # what a missing D-Bus socket gives

        async def stop(self):
            pass

    with pytest.raises(BleError, match="Bluetooth is not available on this machine"):
        run(scan(0.1, backend=NoBluez))
    with pytest.raises(BleError, match="scan for 'AA:BB' failed: Bluetooth is not available"):
        run(SensorSession("AA:BB", scanner_backend=NoBluez).open())


def test_a_sensor_without_gyroscope_is_refused_before_it_streams_in_one_line(run):
    # A Polar H10 (ECG and ACC, no gyroscope) was connected and started; its ACC frames never made
    # a complete sample, and only after 50 packets a warning said so, the session "streaming" with
    # nothing recorded. Its PMD features (a read of the control point) say it before anything starts.
    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble import StreamRefusedError
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    sensor = VirtualSensor(PolarVerityFirmware(104.0, gyro=False), synthetic_samples(20.0), speed=20.0)
    radio = VirtualRadio([sensor])
    control = sensor.characteristic(pmd.PMD_CONTROL_POINT_UUID)
    written, firmware_write = [], control.on_write
    control.on_write = lambda payload: (written.append(payload), firmware_write(payload))
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=30.0, backoff_initial_s=0.02)
    with pytest.raises(StreamRefusedError) as error:
        run(session.open())
    assert str(error.value) == ("F0:0D:00:00:00:01 (Polar H10 1A2B3C4D) offers no gyroscope stream (PMD features: "
                                "ECG, ACC); sensorkit needs an accelerometer and a gyroscope")
    assert written == [] and sensor.sent_packets == 0  # nothing asked, nothing started
    assert sensor.connections == 1 and not sensor.connected  # no 30 s of attempts; the link let go


def test_a_polar_sensor_whose_features_cannot_be_read_is_refused_by_its_gyro_settings_answer(run):
    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble import StreamRefusedError
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    sensor = VirtualSensor(PolarVerityFirmware(104.0, gyro=False), synthetic_samples(20.0), speed=20.0)
    sensor.characteristic(pmd.PMD_CONTROL_POINT_UUID).value = b""  # a read that is no features answer
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=30.0, backoff_initial_s=0.02)
    with pytest.raises(StreamRefusedError) as error:
        run(session.open())
    assert str(error.value) == ("F0:0D:00:00:00:01 (Polar H10 1A2B3C4D) offers no gyroscope stream (its GYRO "
                                "settings query answered ERROR_NOT_SUPPORTED); sensorkit needs an accelerometer and "
                                "a gyroscope")
    assert not sensor.firmware.active and sensor.sent_packets == 0  # ACC was not started either
    assert sensor.connections == 1 and not sensor.connected


@pytest.mark.parametrize("features_read", [True, False])
@pytest.mark.parametrize("status", [5, 12, 13])  # INVALID_PARAMETER, INVALID_STATE (busy), DEVICE_IN_CHARGER
def test_a_polar_sensor_with_a_gyroscope_that_will_not_say_its_gyro_settings_is_not_called_gyroless(
        run, status, features_read):
    # A Verity Sense (features ACC and GYRO) busy or in its charger answered the GYRO settings query
    # with an error and was told it "offers no gyroscope stream". Only a features list without GYRO,
    # or (features unreadable) ERROR_NOT_SUPPORTED / ERROR_INVALID_MEASUREMENT_TYPE, says that.
    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble import StreamRefusedError
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    firmware = PolarVerityFirmware(104.0)
    sensor = VirtualSensor(firmware, synthetic_samples(20.0), speed=20.0)
    control = sensor.characteristic(pmd.PMD_CONTROL_POINT_UUID)
    if not features_read:
        control.value = b""  # a read that is no features answer
    firmware_write = control.on_write

    def on_write(payload):
        if payload[0] == pmd.OP_GET_SETTINGS and (payload[1] & 0x3F) == pmd.GYRO:
            return firmware._respond(payload[0], pmd.GYRO, status)
        return firmware_write(payload)

    control.on_write = on_write
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=30.0, backoff_initial_s=0.02)
    with pytest.raises(StreamRefusedError) as error:
        run(session.open())
    name = pmd.CP_STATUS_NAMES[status]
    assert str(error.value) == (f"F0:0D:00:00:00:01 (Polar Sense 1A2B3C4D): the sensor refuses to say its GYRO "
                                f"settings ({name})")
    assert "gyroscope" not in str(error.value)


def refused_metawear(firmware, run):
    """Open a session with a virtual MetaWear running ``firmware`` (6 s of motion at its rate),
    which must refuse to stream: (the sensor, the :class:`StreamRefusedError` raised)."""
    from sensorkit.ble import StreamRefusedError
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor

    from .conftest import synthetic_samples

    sensor = VirtualSensor(firmware, synthetic_samples(6.0, rate_hz=firmware.sample_rate_hz), speed=20.0)
    radio = VirtualRadio([sensor])
    session = SensorSession("MetaWear", client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            give_up_s=30.0, backoff_initial_s=0.02)
    with pytest.raises(StreamRefusedError) as error:
        run(session.open())
    return sensor, error.value


def test_a_metawear_board_without_gyroscope_is_refused_before_it_streams(run):
    from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware

    sensor, error = refused_metawear(MetaWearFirmware(125.0, chip="bma255"), run)
    assert str(error) == ("F0:0D:00:00:00:01 (MetaWear) offers no gyroscope stream (module info: a BMA255 "
                          "accelerometer, no gyroscope); sensorkit needs an accelerometer and a gyroscope")
    assert not sensor.firmware.subscribed and not sensor.firmware.powered and sensor.sent_packets == 0
    assert sensor.connections == 1 and not sensor.connected


def test_a_metawear_board_whose_chip_is_unknown_is_refused_with_the_decoders_error_as_its_cause(run):
    # (the refusal said the decoder's words but dropped its error: `raise ... from None`)
    from firmware_protocols import ProtocolError
    from firmware_protocols import metawear as mw
    from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware

    class UnknownChip(MetaWearFirmware):
        def _command(self, payload: bytes) -> None:
            if payload[:2] == bytes((mw.ACC_MODULE, mw.READ_FLAG | mw.MODULE_INFO_REGISTER)):
                self.respond(mw.NOTIFY_CHAR_UUID, payload[:2] + bytes((9, 1)))  # implementation 9: none known
                return
            super()._command(payload)

    _, error = refused_metawear(UnknownChip(100.0), run)
    assert str(error) == ("F0:0D:00:00:00:01 (MetaWear): MetaWear accelerometer implementation 9 is not "
                          "supported")
    assert isinstance(error.__cause__, ProtocolError) and str(error.__cause__) in str(error)


def starts_made(monkeypatch) -> list:
    """How each stream start of the sessions made from now on ended, in order: the
    :class:`~sensorkit.ble.adapters.StreamStart` it returned, or the error it raised. A start's wait
    for the sensor's answer that ran out (a data notification or a refusal not read) returns one
    with ``unanswered`` set: that, not the host's clock, says the answer ended the wait."""
    import sensorkit.ble.session as session_module

    real_start, ends = session_module.start_stream, []

    async def start_stream(*args, **kwargs):
        try:
            started = await real_start(*args, **kwargs)
        except Exception as exc:
            ends.append(exc)
            raise
        ends.append(started)
        return started

    monkeypatch.setattr(session_module, "start_stream", start_stream)
    return ends


def test_a_movesense_that_refuses_the_subscription_is_one_error_naming_path_and_status(run, monkeypatch):
    # The GATT SensorData app answers a SUBSCRIBE it has no free slot for with `01 63 01 FB` (507)
    # and then sends nothing. The client went on as if streaming: the answer sat unread in the
    # decoder, and the user saw silence, then the data watchdog's reconnects, then a give-up.
    from sensorkit.ble import SubscribeRefusedError
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    firmware = MovesenseFirmware(104.0)
    # every slot held by something a dropped link does not free (the app keeps MAX_DATASUB_COUNT = 4)
    firmware.slots_held = MAX_SUBSCRIPTIONS
    sensor = VirtualSensor(firmware, synthetic_samples(20.0), speed=20.0)
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=30.0, backoff_initial_s=0.02)
    starts = starts_made(monkeypatch)
    with pytest.raises(SubscribeRefusedError) as error:
        run(session.open())
    assert str(error.value) == ("F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to "
                                "/Meas/IMU6/104: status 507 (Insufficient Storage)")
    assert (error.value.path, error.value.status) == ("/Meas/IMU6/104", 507)
    assert isinstance(error.value, StreamRefusedError)  # (a BleError: the CLI's one line, exit 2)
    # one reconnect-and-resubscribe (a 507 may pass: the app frees its slots when the link drops), no more
    assert firmware.writes == [b"\x01\x63/Meas/IMU6/104"] * 2 and sensor.sent_packets == 0
    assert sensor.connections == 2 and not sensor.connected  # the link let go
    # the answers, not the 5 s wait for them (nor the 30 s give-up), ended both starts: each raised
    # the 507 (a wait run out returns, unanswered; it was timed on the host's clock: < 2 s)
    assert [str(end) for end in starts] == [str(error.value)] * 2


def test_a_movesense_that_refuses_the_subscription_on_reconnecting_ends_the_stream_with_that_error(run, caplog,
                                                                                                 monkeypatch):
    # The link drops and, while the client is away, other subscriptions take every slot: the
    # resubscription is answered 507. That was a warning in the log and a "gave up": the reader's
    # stream just ended, as if the sensor were out of reach. It now ends with the error the first
    # subscription raises, at once (no further attempts), the samples before it read as usual.
    from sensorkit.ble import SubscribeRefusedError
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    firmware = MovesenseFirmware(104.0)
    sensor = VirtualSensor(firmware, synthetic_samples(20.0), speed=20.0)
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            clock=sensor.clock, give_up_s=30.0, backoff_initial_s=0.02, backoff_max_s=0.2)
    blocks = []

    async def go():
        async with session:
            async for block in session.blocks(idle_tick_s=0.05):
                blocks.append(block)
                # (once the data, not the clock, passes 2 s: a busy host's data lag the clock, and
                # what was due but not yet sent by the drop is never sent)
                if len(block) and block.t[-1] > 2.0 and sensor.connections == 1 and sensor.connected:
                    sensor.drop_link()
                    firmware.slots_held = MAX_SUBSCRIPTIONS
                if sensor.clock() > 15.0:
                    break

    starts = starts_made(monkeypatch)
    with pytest.raises(SubscribeRefusedError) as error:
        run(go())
    assert str(error.value) == ("F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to "
                                "/Meas/IMU6/104: status 507 (Insufficient Storage)")
    assert sensor.connections == 3 and not sensor.connected  # the reconnect, refused, tried once more, let go
    assert len(Samples.concat(blocks)) > 100  # what came before the drop was read
    (gap,) = session.reconnects
    assert gap.resumed_at_t_s is None and gap.attempts == 2
    assert "gave up" not in caplog.text
    # the answer, not the 30 s give-up, ended it (this was timed on the host's clock: < 10 s): the
    # first start streamed on its data, the two on reconnecting each raised the 507 it was answered
    assert starts[0].unanswered is None and [str(end) for end in starts[1:]] == [str(error.value)] * 2


def refusal_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and " refused the subscription" in
            r.getMessage()]


def test_a_movesense_507_that_a_reconnect_clears_is_retried_once_and_streams(run, caplog):
    # A 507 may pass: the app frees its subscription slots when the link drops (slots a link that
    # went away without unsubscribing left taken). The session gave up at once; it now reconnects
    # and subscribes once more, saying so, and streams.
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    firmware = MovesenseFirmware(104.0)
    firmware.subscriptions.update({ref: "/Meas/Acc/13" for ref in range(1, MAX_SUBSCRIPTIONS + 1)})  # freed by a drop
    sensor = VirtualSensor(firmware, synthetic_samples(10.0), speed=20.0)
    radio = VirtualRadio([sensor])
    session, out = streamed(run, sensor, radio, math.inf, 2000, data_until_s=2.0, sample_rate_hz=104.0,
                            backoff_initial_s=0.02)
    assert refusal_warnings(caplog) == [
        "F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to /Meas/IMU6/104: status 507 "
        "(Insufficient Storage); reconnecting once to subscribe again"]
    assert firmware.writes[:2] == [b"\x01\x63/Meas/IMU6/104"] * 2 and sensor.connections == 2
    assert len(out) > 150 and not session.reconnects  # (before the stream: no gap in it)


def late_507_session(monkeypatch, slots_held: int, clock=None):
    """A Movesense whose 507 comes after the client's wait for it (shortened here to 0.01 s: the
    answer comes 3 sensor seconds, 0.3 s, after the SUBSCRIBE, the data watchdog's 7 s long after);
    every slot taken, freed by a dropped link except ``slots_held``; ``clock``: the session's (the
    sensor's by default, which starts with its first stream). (session, sensor)."""
    from sensorkit.ble import adapters
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    monkeypatch.setattr(adapters, "CONTROL_ANSWER_TIMEOUT_S", 0.01)
    firmware = MovesenseFirmware(104.0)
    firmware.subscriptions.update({ref: "/Meas/Acc/13" for ref in range(1, MAX_SUBSCRIPTIONS + 1 - slots_held)})
    firmware.slots_held = slots_held
    firmware.answer_delay_s = 3.0
    sensor = VirtualSensor(firmware, synthetic_samples(20.0), speed=10.0)
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            clock=clock or sensor.clock, give_up_s=30.0, backoff_initial_s=0.02, backoff_max_s=0.2)
    return session, sensor


def test_a_movesense_507_answered_after_the_wait_is_said_and_a_resubscription_tried(run, monkeypatch, caplog):
    # The 507 came after the client had stopped waiting for an answer: it was only stored (the
    # decoder's last_command_result), and the stream sat silent until the data watchdog's "no data
    # from ..." reconnect. It is now said at once, and the one reconnect-and-resubscribe tried.
    session, sensor = late_507_session(monkeypatch, slots_held=0)

    async def go():
        async with session:
            return await collect(session, sensor, math.inf, max_blocks=2000, data_until_s=1.5)

    out = run(go())
    assert refusal_warnings(caplog) == [
        "F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to /Meas/IMU6/104: status 507 "
        "(Insufficient Storage) (an answer that came after the 0.01 s wait for it); reconnecting once to "
        "subscribe again"]
    assert not silence_warnings(caplog) and sensor.connections == 2
    assert sensor.firmware.writes.count(b"\x01\x63/Meas/IMU6/104") == 2
    assert len(out) > 150 and len(session.reconnects) == 1  # (streaming when it came: the reconnect is a gap)


def test_a_movesense_507_answered_after_the_wait_again_ends_the_stream_with_it(run, monkeypatch, caplog):
    from sensorkit.ble import SubscribeRefusedError

    session, sensor = late_507_session(monkeypatch, slots_held=4, clock=time.monotonic)  # (it never streams)

    async def go():
        async with session:
            return await collect(session, sensor, 15.0, max_blocks=600)

    started = time.monotonic()
    with pytest.raises(SubscribeRefusedError) as error:
        run(go())
    ran_s = time.monotonic() - started
    assert str(error.value) == ("F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to "
                                "/Meas/IMU6/104: status 507 (Insufficient Storage)")
    assert [w.split("(an answer that came after the 0.01 s wait for it)")[1] for w in refusal_warnings(caplog)] == [
        "; reconnecting once to subscribe again", ""]  # said each time; the second ends the stream
    assert session.state is LinkState.REFUSED and sensor.connections == 2 and not sensor.connected
    # the answers ended it: neither the watchdog's silence (7 s) nor the give-up (30 s) did (this was
    # timed on the host's clock too: < 10 s)
    assert not silence_warnings(caplog) and "gave up" not in caplog.text
    (gap,) = session.reconnects  # (the first link, let go for the resubscription: it never resumed)
    # (on the session's clock, the host's here: within the run, however long a busy host made it)
    assert gap.resumed_at_t_s is None and gap.attempts == 1 and 0 < gap.lost_s < ran_s


def test_a_movesense_subscription_that_succeeds_streams_without_an_answer(run, monkeypatch):
    # (the app sends no result for a SUBSCRIBE that succeeds: its first data is the sign)
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    firmware = MovesenseFirmware(104.0)
    firmware.subscriptions.update({ref: "/Meas/Acc/13" for ref in range(1, MAX_SUBSCRIPTIONS)})  # one slot free
    sensor = VirtualSensor(firmware, synthetic_samples(10.0), speed=20.0)
    radio = VirtualRadio([sensor])
    starts = starts_made(monkeypatch)
    session, out = streamed(run, sensor, radio, 2.0, 300, sample_rate_hz=104.0)
    assert session.stream_sample_rate_hz == 104.0 and len(out) > 150 and out.t[0] == 0.0
    # the first data ended the start's wait, not the 5 s an answer is waited for at most (this was
    # timed on the host's clock: < 4 s)
    (start,) = starts
    assert start.unanswered is None


def test_a_movesense_subscription_to_a_path_it_does_not_serve_ends_in_one_error_naming_it(
        tmp_path, run_on_host_time, monkeypatch, caplog):
    run = run_on_host_time  # (timed on the host's clock)
    # The app answers a SUBSCRIBE to a path it does not serve with nothing at all. The session
    # waited for data: "no data from ... reconnecting" after the start's wait and the watchdog's
    # 7 s, the same subscription again on every reconnect until the give-up time, then "gave up
    # reconnecting", the path never named. Now, once the watchdog's wait for the first data has
    # passed in silence, the stream ends with one line naming the sensor and the path.
    from sensorkit.ble import adapters
    from sensorkit.ble.link import FIRST_DATA_ALLOWANCE_S
    from sensorkit.ble.recorder import SessionRecorder, run_session
    from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware

    from .test_recorder import Quiet

    monkeypatch.setattr(adapters, "CONTROL_ANSWER_TIMEOUT_S", 0.05)  # (the start's wait for an answer)
    sensor = VirtualSensor(MovesenseFirmware(104.0), synthetic_samples(10.0), speed=20.0)  # streams 104 Hz only
    radio = VirtualRadio([sensor])
    # (the sensor's clock starts with its stream, which never starts: a clock at its 20 times real time)
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, sample_rate_hz=52.0,
                            clock=lambda: 20.0 * time.monotonic(), give_up_s=2.0, backoff_initial_s=0.02)
    recorder = SessionRecorder(tmp_path, "unserved", {"sample_rate_hz": 52.0})

    with pytest.raises(StreamRefusedError) as error:
        run(run_session(session, recorder, Quiet(), duration_s=10.0))

    message = str(error.value)
    waited_s = float(message.split(" s after ")[0].rsplit(" ", 1)[1])
    assert message == (f"F0:0D:00:00:00:01 (Movesense 174630000192) sent no data and no answer in {waited_s:.1f} s "
                       "after the subscription to /Meas/IMU6/52 (a path the sensor does not serve gets no answer at all)")
    assert waited_s >= FIRST_DATA_ALLOWANCE_S  # (the watchdog's wait for a first sample, counted from the SUBSCRIBE)
    assert sensor.firmware.writes[0] == b"\x01\x63/Meas/IMU6/52" and sensor.connections == 1 and not sensor.connected
    assert session.state is LinkState.REFUSED and "no data from" not in caplog.text and "gave up" not in caplog.text
    # the live displays are given it; nothing came: the record of the session is the CSV's header and
    # a sidecar saying how it ended (it left nothing behind: nothing said the session was tried)
    assert recorder.status.state is LinkState.REFUSED and recorder.status.error == message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unserved.csv", "unserved.json"]
    stream = json.loads((tmp_path / "unserved.json").read_text())["stream"]
    assert (stream["ended_by"], stream["error"], stream["received_samples"]) == ("refused", message, 0)


def test_a_movesense_subscription_answered_after_the_wait_is_not_said_to_have_had_no_answer(
        run_on_host_time, monkeypatch, caplog):
    run = run_on_host_time  # (timed on the host's clock)
    # A subscription answered (200, as the offline app does) after the start's wait, then no data:
    # the session ended with "sent no data and no answer ... (a path the sensor does not serve gets
    # no answer at all)", though the sensor had answered. An answered subscription is no unserved
    # path: the silence is a silent sensor's (reconnected until the give-up time), not that error.
    from firmware_protocols import movesense as ms
    from sensorkit.ble import adapters
    from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware

    class AnswersLate(MovesenseFirmware):
        def _command(self, payload: bytes) -> None:
            super()._command(payload)
            if payload[:1] == bytes((ms.CMD_SUBSCRIBE,)):  # 200, 3 sensor seconds after the wait for it
                self.respond(ms.DATA_CHAR_UUID, bytes((ms.RESPONSE_COMMAND_RESULT, payload[1], 0xC8)), 3.0)

    monkeypatch.setattr(adapters, "CONTROL_ANSWER_TIMEOUT_S", 0.05)
    sensor = VirtualSensor(AnswersLate(104.0), synthetic_samples(10.0), speed=20.0)  # streams 104 Hz only
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, sample_rate_hz=52.0,
                            clock=lambda: 20.0 * time.monotonic(), give_up_s=2.0, backoff_initial_s=0.02)

    async def go():
        async with session:
            return await collect(session, sensor, math.inf, max_blocks=2000)

    try:
        run(go())
    except StreamRefusedError as error:
        assert "no answer" not in str(error), str(error)
    assert session.state is not LinkState.REFUSED
    assert silence_warnings(caplog)  # (said as a silent sensor: "no data from ... reconnecting")


@pytest.mark.parametrize("protocol", ["movesense", "open_v1", "polar_pmd"])
def test_a_reconnected_sensor_that_stays_silent_is_said_after_the_same_silence_whatever_its_family(
        protocol, run, monkeypatch, caplog):
    # A Movesense's start waits for the sensor's first word after the SUBSCRIBE; the watchdog's
    # 7 s for the first data (FIRST_DATA_ALLOWANCE_S: the same 5 s for an answer, then the 2 s
    # floor) counted from the end of that wait, so a silent Movesense was said 5 s later than a
    # sensor of another family. The silence now counts from the command that asks for the stream
    # (the last write of the set-up) for every family.
    from sensorkit.ble import adapters
    from sensorkit.ble.link import FIRST_DATA_ALLOWANCE_S

    from .conftest import make_rig

    # the start's wait for an answer: 1 s (4 s of the sensor's clock at 4 times real time); the old
    # code said a silent Movesense after 4 + 7 = 11 s, the new one after 7 s and the watchdog's next
    # look (every 0.2 s of the sensor's clock here): the 2 s between them are 0.5 s of a loaded loop
    monkeypatch.setattr(adapters, "CONTROL_ANSWER_TIMEOUT_S", 1.0)
    rig = make_rig(protocol, duration_s=30.0, speed=4.0)
    sensor, writes, lost_after_writes = rig.sensor, [], []
    original_write = sensor.write
    sensor.write = lambda uuid, payload: (writes.append(sensor.clock()), original_write(uuid, payload))

    def on_state(state):
        if state is LinkState.RECONNECTING:
            lost_after_writes.append((sensor.clock(), len(writes)))

    async def go():
        async with session_for(rig, give_up_s=30.0, on_state=on_state) as session:
            async for block in session.blocks(idle_tick_s=0.05):
                if len(block) and block.t[-1] >= 1.0 and not sensor.muted_samples:
                    sensor.mute(math.inf)  # silent from now on, on every link
                if len(lost_after_writes) == 2:
                    return session

    session = run(go())
    (first_lost_s, _), (lost_s, n_writes) = lost_after_writes
    silence_s = lost_s - writes[n_writes - 1]  # from the reconnect's last set-up write (the stream asked for)
    assert len(session.reconnects) == 1  # (one gap: the second link was silent too)
    assert FIRST_DATA_ALLOWANCE_S <= silence_s < FIRST_DATA_ALLOWANCE_S + 2.0


def test_a_polar_sensor_slow_to_answer_its_start_is_said_silent_7_s_after_the_start_was_asked(run, caplog):
    # A Polar sensor answers each start on its control point; the set-up waits for the answer (up
    # to 5 s). The first-data allowance (7 s) counted from the end of that wait for Polar alone, so
    # one that answered its starts 4 s late and then sent nothing was said silent 4 + 7 = 11 s
    # after the start that asks for its stream; every other family is said 7 s after that command.
    from sensorkit.ble.link import FIRST_DATA_ALLOWANCE_S

    class AnswersStartsLate(PolarVerityFirmware):
        def respond(self, char_uuid, payload, after_s=0.0):
            is_start_answer = payload[:2] == bytes((pmd.CP_RESPONSE_CODE, pmd.OP_START))
            super().respond(char_uuid, payload, 4.0 if is_start_answer else after_s)  # (4 sensor s)

    # (at 4 times real time: the 4 s late answer is 1 s of the 5 s the set-up waits for it; the
    # 3 s allowed past the 7 below for the watchdog's next look are 0.75 s of a loaded loop's)
    sensor = VirtualSensor(AnswersStartsLate(104.0), synthetic_samples(30.0), speed=4.0)
    sensor.mute(math.inf)  # it never sends a sample
    rig = SimpleNamespace(sensor=sensor, radio=VirtualRadio([sensor]))
    start_writes_s, lost_s = [], []
    original_write = sensor.write

    def write(uuid, payload):
        if payload[:1] == bytes((pmd.OP_START,)):
            start_writes_s.append(sensor.clock())
        original_write(uuid, payload)

    sensor.write = write

    def on_state(state):
        if state is LinkState.RECONNECTING and not lost_s:
            lost_s.append(sensor.clock())
            lost_s.append(len(start_writes_s))  # (the reconnect's own starts come after)

    async def go():
        async with session_for(rig, give_up_s=30.0, on_state=on_state) as session:
            async for _ in session.blocks(idle_tick_s=0.05):
                if lost_s:
                    return session

    session = run(go())
    lost_at_s, n_starts = lost_s
    assert n_starts == 2  # ACC, then GYRO: the stream asked for
    # (the ACC start's answer waited for: 4 s after it was scheduled, a moment before the clock began)
    assert start_writes_s[1] - start_writes_s[0] > 3.5
    silence_s = lost_at_s - start_writes_s[1]
    assert FIRST_DATA_ALLOWANCE_S <= silence_s < FIRST_DATA_ALLOWANCE_S + 3.0  # (the old code: 11 s)
    (said_s,) = silence_warnings(caplog)  # the warning says the silence since the stream was asked for
    assert said_s == pytest.approx(silence_s, abs=0.5) and session.reconnects


def mute_once_after(sensor, after_s: float, muted: list):
    """``collect``'s hook: mute ``sensor`` once its clock passes ``after_s`` (no data on that link;
    a new connection streams again), noting in ``muted`` the sensor time of the last sample it had
    sent then (where its data stop: its clock, which a loaded machine's sender lags, is later)."""
    def hooks(clock_s):
        if clock_s > after_s and not muted:
            muted.append(sensor.sent_until_s)
            sensor.mute()
    return hooks


def silence_warnings(caplog):
    """The seconds each "no data from ..." warning said."""
    return [float(r.getMessage().split(" for ")[1].split(" s")[0]) for r in caplog.records
            if r.levelname == "WARNING" and r.getMessage().startswith("no data from ")]


@pytest.mark.parametrize("protocol", ["movesense", "open_v1", "polar_pmd"])
def test_a_sensor_silent_while_connected_is_said_once_and_reconnected_like_a_dropped_link(protocol, run, caplog):
    # The sensor stopped sending but kept its link: the session stayed "streaming" and nothing came,
    # for ever (a frozen live view, a recording that stopped growing).
    from .conftest import make_rig

    # (at 5 times real time: the 3 s of the sensor's clock allowed past the floor below for the
    # watchdog's next look are 0.6 s of a loaded loop's, 0.15 s at 20 times: it was said after 5.6 s)
    rig = make_rig(protocol, speed=5.0)
    sensor, states, muted = rig.sensor, [], []

    async def go():
        async with session_for(rig, on_state=states.append) as session:
            return await collect(session, sensor, math.inf, mute_once_after(sensor, 3.0, muted),
                                 data_until_s=past_the_gap(session, 2.5)), session

    out, session = run(go())
    name = sensor.local_name
    (said_s,) = silence_warnings(caplog)  # said once
    assert 2.0 <= said_s < 5.0  # the 2 s floor (+ the watchdog's look every 0.25 s of sensor time at 5x)
    assert f"no data from F0:0D:00:00:00:01 ({name}) for {said_s:.1f} s; reconnecting" in caplog.text
    assert states[:3] == [LinkState.STREAMING, LinkState.RECONNECTING, LinkState.STREAMING]
    assert sensor.connections == 2 and len(session.reconnects) == 1  # the silent link was let go first
    gap = session.reconnects[0]
    assert gap.dropped_at_t_s == pytest.approx(muted[0], abs=0.02) and gap.attempts == 1  # its last sample
    assert gap.resumed_at_t_s is not None and gap.lost_s >= 2.0
    assert gap.lost_samples == pytest.approx(gap.lost_s * 104, abs=2)
    assert out.t[-1] > gap.resumed_at_t_s + 2.0 and np.all(np.diff(out.t) > 0)  # the data came back


def test_a_sensor_slow_to_send_its_first_samples_is_not_taken_for_a_silent_one(rig, run, caplog):
    sensor, states = rig.sensor, []
    sensor.mute(4.0)  # its first samples come 4 s after the start: twice the silence taken for a stop

    async def go():
        async with session_for(rig, on_state=states.append) as session:
            # (4 s of its data: the clock, which a loaded machine's data lags, is not waited on)
            return await collect(session, sensor, math.inf, max_blocks=5000, data_until_s=4.0), session

    out, session = run(go())
    assert not silence_warnings(caplog) and not session.reconnects and sensor.connections == 1
    assert states[:1] == [LinkState.STREAMING] and LinkState.RECONNECTING not in states
    assert len(out) > 300  # 4 s of data after the slow start


def test_a_sensor_silent_for_good_is_given_up_after_give_up_s_as_one_gap(open_v1_rig, run, caplog):
    # Each reconnect succeeds but brings nothing: without a limit it would be reconnected for ever;
    # the give-up time counts from the first loss, over links that brought no data, in one gap.
    # That gap is said once (a clinic's log: one line per outage); the later silent links at info.
    # Its lost_s runs from the last data to the give-up: it was short by the watchdog's detection
    # time (the 2 s floor and more), counted from when the silence was seen.
    caplog.set_level(logging.INFO, logger="sensorkit.ble.session")
    sensor, gave_up_clock_s = open_v1_rig.sensor, []

    def on_state(state):
        if state is LinkState.GAVE_UP:
            gave_up_clock_s.append(sensor.clock())

    async def go():
        async with session_for(open_v1_rig, give_up_s=0.5, on_state=on_state) as session:
            async for _ in session.blocks(idle_tick_s=0.05):
                if sensor.clock() > 2.0 and not sensor.muted_samples:
                    sensor.mute(math.inf)
            return session

    session = run(go())
    assert session.state is LinkState.GAVE_UP and sensor.connections >= 2
    (gap,) = session.reconnects
    assert gap.resumed_at_t_s is None and gap.attempts == sensor.connections - 1
    silent_for_s = gave_up_clock_s[0] - gap.dropped_at_t_s  # from the last sample to the give-up
    assert silent_for_s - 1.5 <= gap.lost_s <= silent_for_s + 0.01  # (the last data's arrival: just after it)
    assert gap.lost_samples == pytest.approx(gap.lost_s * 104, abs=2)
    (said_s,) = silence_warnings(caplog)  # one warning for the gap
    assert said_s < 5.0
    again = [r for r in caplog.records if r.levelname == "INFO" and r.getMessage().startswith("no data from ")]
    assert len(again) == sensor.connections - 1  # each later link that brought nothing: info
    assert all(float(r.getMessage().split(" for ")[1].split(" s")[0]) >= 7.0 for r in again)  # (a new link:
    assert "gave up reconnecting to F0:0D:00:00:00:01 after 0.5 s" in caplog.text  # 7 s for its first data)


def test_give_up_s_zero_still_tries_one_reconnect_as_it_tries_one_connect(open_v1_rig, run):
    # --give-up-s 0: open() makes one connection attempt; a dropped link was given up at once,
    # without the one attempt (its deadline had already passed).
    sensor, states = open_v1_rig.sensor, []

    async def go():
        async with session_for(open_v1_rig, give_up_s=0.0, on_state=states.append) as session:
            def hooks(clock_s):
                if clock_s > 2.0 and sensor.connections == 1 and sensor.connected:
                    sensor.drop_link()  # it advertises again at once
            return await collect(session, sensor, math.inf, hooks, data_until_s=past_the_gap(session, 0.5)), session

    out, session = run(go())
    assert states[:3] == [LinkState.STREAMING, LinkState.RECONNECTING, LinkState.STREAMING]
    assert sensor.connections == 2 and LinkState.GAVE_UP not in states
    (gap,) = session.reconnects
    assert gap.attempts == 1 and gap.resumed_at_t_s is not None and out.t[-1] > gap.resumed_at_t_s


def test_a_decoded_sample_holding_nan_or_infinity_is_dropped_and_counted(rig, run, monkeypatch):
    """The decoders refuse such packets; should one slip through (a decoder bug), the session drops
    those samples (never recorded, never fed to the pipeline) and counts them."""
    import sensorkit.ble.session as session_module

    real_make_decoder = session_module.make_decoder
    spoiled = []

    async def spoiling_make_decoder(*args, **kwargs):
        decoder = await real_make_decoder(*args, **kwargs)
        feed = decoder.feed

        def feed_with_a_bad_value(payload):
            rows = feed(payload)
            if len(rows) and len(spoiled) < 2:  # the first two packets with samples
                rows = rows.copy()
                present = np.flatnonzero(np.isfinite(rows[0, 1:])) + 1  # Polar frames carry acc or gyr
                rows[0, present[-1]] = (np.inf, -np.inf)[len(spoiled)]
                spoiled.append(rows[0, 0])
            return rows

        decoder.feed = feed_with_a_bad_value
        return decoder

    monkeypatch.setattr(session_module, "make_decoder", spoiling_make_decoder)

    async def go():
        async with session_for(rig) as session:
            return await collect(session, rig.sensor, 2.0), session

    out, session = run(go())
    assert len(spoiled) == 2 and len(out) > 100
    assert np.isfinite(out.acc).all() and np.isfinite(out.gyr).all()
    # open_v1: the two spoiled samples; Polar: the merged samples an infinite value reached
    assert session.health.nonfinite_samples >= (2 if rig.sensor.firmware.protocol_name == "open_v1" else 1)


def test_a_stop_that_arrives_with_a_block_still_stops_the_reader():
    # Ctrl-C / SIGTERM cancel the reading task; when a block arrives in the same instant, Python
    # 3.11's asyncio.wait_for returned the block and dropped the cancellation (the recording ran on)
    async def scenario():
        session = SensorSession("sensor", protocol="open_v1")
        session.protocol = "open_v1"  # as open() leaves it: the reader only needs a protocol
        got = []

        async def read():
            async for block in session.blocks(idle_tick_s=5.0):
                got.append(block)

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.01)  # the reader waits for a block
        session._queue.put_nowait((0.0, Samples.empty()))
        reader.cancel()
        done, _ = await asyncio.wait({reader}, timeout=1.0)
        assert reader in done and reader.cancelled()

    asyncio.run(scenario())


def verity_sense_at(rate_hz, run_s=20.0):
    """A virtual Verity Sense that, like a real one outside SDK mode, offers one rate (``rate_hz``)
    and refuses a start at any other."""
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    sensor = VirtualSensor(PolarVerityFirmware(rate_hz), synthetic_samples(run_s, rate_hz=rate_hz), speed=20.0)
    return sensor, VirtualRadio([sensor])


def test_a_polar_sensor_streams_at_the_rate_it_offers_when_another_is_asked_for(run):
    # 104 Hz asked (the command line's default), the sensor offers 52 Hz: it used to be started at
    # 104 Hz, answer ERROR_INVALID_SAMPLE_RATE, and the session sat "streaming" with no data.
    sensor, radio = verity_sense_at(52.0)
    session, out = streamed(run, sensor, radio, 3.0, 200, sample_rate_hz=104.0)
    assert session.stream_sample_rate_hz == 52.0 and len(out) > 100
    assert np.median(np.diff(out.t)) == pytest.approx(1 / 52, rel=1e-3)


def test_a_start_the_polar_sensor_refuses_is_one_line_without_retrying(run, monkeypatch):
    sensor, radio = verity_sense_at(52.0)
    monkeypatch.setattr(sensor.firmware, "_refusal", lambda mtype, tlv: 9)  # ERROR_INVALID_RANGE, whatever is asked
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=30.0, backoff_initial_s=0.02)
    with pytest.raises(ConnectError, match=r"refused to start ACC at 52 Hz \(settings .*\): ERROR_INVALID_RANGE$"):
        run(session.open())
    assert sensor.connections == 1 and not sensor.connected  # no 30 s of attempts; the link let go


def test_a_sensor_of_another_kind_is_one_line_at_once_not_a_minute_of_retries(run):
    # --protocol open_v1 given for a Polar sensor: each attempt connected, found no open_v1
    # characteristic, and was retried for give_up_s; then "could not connect ... within 60 s".
    sensor, radio = verity_sense_at(52.0)
    session = SensorSession(sensor.local_name, protocol="open_v1", client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, give_up_s=5.0, backoff_initial_s=0.02)
    with pytest.raises(ConnectError) as error:
        run(session.open())
    assert str(error.value) == ("F0:0D:00:00:00:01 (Polar Sense 1A2B3C4D) does not speak open_v1: it has no "
                                "characteristic b7fb4f01-9fae-430d-a566-b215c48b46a2; its advertisement says polar_pmd")
    assert sensor.connections == 1 and not sensor.connected


@pytest.mark.parametrize("chip", ["bmi160", "bmi270"])
def test_a_metawear_board_is_asked_its_chip_and_streamed_with_that_chips_registers(chip, run):
    # A MetaMotion S (BMI270) was started as a BMI160 (another packed register, range byte 0x0c
    # read as +-2 g) and streamed nothing; the board is now asked first (03 80 -> 03 80 04 ..).
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware

    from .conftest import synthetic_samples

    source = synthetic_samples(6.0, rate_hz=100.0)  # 104 Hz asked: the Bosch chips' nearest rate is 100 Hz
    sensor = VirtualSensor(MetaWearFirmware(100.0, chip=chip), source, speed=20.0)
    radio = VirtualRadio([sensor])
    session, out = streamed(run, sensor, radio, 3.0, 300, name="MetaWear", sample_rate_hz=104.0)
    assert session.protocol.chip == chip and session.stream_sample_rate_hz == 100.0 and len(out) > 150
    index = np.rint(out.t * 100.0).astype(int)
    assert np.abs(out.acc - source.acc[index]).max() <= 9.80665 / 2048 / 2 + 1e-9  # +-16 g: 2048 LSB per g
    assert np.abs(out.gyr - source.gyr[index]).max() <= 1 / 16.4 / 2 + 1e-9      # +-2000 deg/s


def test_a_witmotion_sensor_is_read_first_and_its_flash_written_only_when_its_rate_changes(run_on_host_time):
    run = run_on_host_time  # (timed on the host's clock)
    # Every connection wrote unlock, rate, save (FF AA 00 00 00): each save rewrites the sensor's
    # flash. Now its rate register is read first (FF AA 27 03 00 -> 55 71 03 00 ...), and written
    # and saved only when it differs: once for a sensor saved at 10 Hz, never again after.
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.witmotion_firmware import WitMotionFirmware

    from .conftest import synthetic_samples

    source = synthetic_samples(8.0, rate_hz=100.0)
    firmware = WitMotionFirmware(100.0, rate_code=0x06)  # saved at 10 Hz
    sensor = VirtualSensor(firmware, source, speed=2.0)  # (the writes' 0.1 s pauses are wall time)
    radio = VirtualRadio([sensor])
    session, out = streamed(run, sensor, radio, 2.0, 300, sample_rate_hz=104.0)
    assert [w.hex() for w in firmware.writes] == ["ffaa270300", "ffaa6988b5", "ffaa030900", "ffaa000000"]
    assert firmware.flash == {0x03: 0x09} and firmware.flash_writes == 1
    assert session.stream_sample_rate_hz == 100.0 and len(out) > 50
    for _ in range(2):  # reconnections: the sensor says 100 Hz, nothing is written
        firmware.writes.clear()
        session, out = streamed(run, sensor, radio, sensor.clock() + 1.0, 300, sample_rate_hz=104.0)
        assert [w.hex() for w in firmware.writes] == ["ffaa270300"] and len(out) > 50
    assert firmware.flash_writes == 1 and sensor.connections == 3


@pytest.mark.parametrize("saved_rate_code, rate_written", [(0x06, True), (0x09, False)],
                         ids=["saved_10hz", "saved_100hz"])
def test_witmotion_samples_measured_before_its_rate_is_set_are_not_stamped_at_the_new_rate(
        run, caplog, saved_rate_code, rate_written):
    # A WitMotion streams from the moment it is connected, at the rate saved in it. A sensor saved at
    # 10 Hz sent several 10 Hz samples while its rate was read and set to 100 Hz; they waited for
    # the decoder and were stamped 0.01 s apart (its packets carry no time: t counts samples at the
    # rate set), every later sample placed that much early. They are now dropped (nothing can tell
    # where the rate changed among them); a sensor already at the rate asked keeps them all.
    from firmware_protocols import witmotion as wm
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.witmotion_firmware import WitMotionFirmware

    source = synthetic_samples(8.0, rate_hz=100.0)
    firmware = WitMotionFirmware(100.0, rate_code=saved_rate_code)
    sensor = VirtualSensor(firmware, source, speed=4.0)  # (the writes' 0.1 s pauses: 0.4 s on its clock)
    radio = VirtualRadio([sensor])
    command = sensor.characteristic(wm.WRITE_CHAR_UUID)
    written_at_s = {}  # payload -> the sensor's clock (s) when it was written
    command.on_write = lambda payload, write=command.on_write: (written_at_s.setdefault(payload, sensor.clock()),
                                                                 write(payload))
    with caplog.at_level(logging.INFO, logger="sensorkit.ble.session"):
        session, out = streamed(run, sensor, radio, 3.0, 1000, sample_rate_hz=104.0)
    measured = source_index_by_values(source, out)
    assert len(out) > 100 and session.stream_sample_rate_hz == 100.0
    # every sample as far after the first as the sensor measured it (within half a sample)
    assert np.abs((out.t - out.t[0]) - (source.t[measured] - source.t[measured[0]])).max() < 0.005
    assert np.all(np.diff(measured) == 1)  # all of them measured at 100 Hz, one after another
    rate_write = wm.rate_command(100.0)
    dropped = [r.getMessage() for r in caplog.records if "before its rate was set dropped" in r.getMessage()]
    assert (rate_write in written_at_s) == rate_written and bool(dropped) == rate_written
    if rate_written:  # the first sample kept was measured after the rate was set
        assert source.t[measured[0]] >= written_at_s[rate_write] - 0.01


def test_a_virtual_metawear_board_streams_only_at_its_chips_rates():
    # The simulator played MetaWear boards at 104 Hz, a rate no BMI160 has (the client asks it for
    # 100 Hz): samples stamped 1/100 s apart that were measured 1/104 s apart.
    from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware

    with pytest.raises(ValueError, match="MetaWear BMI160 board streams at 12.5, 25, 50, 100, 200, "
                                         "400, 800, 1600 Hz, not 104 Hz"):
        MetaWearFirmware(104.0)
    board = MetaWearFirmware(100.0)
    for command in ("031c01", "130701", "030101", "130101"):  # subscribed and powered at power-on rates
        board._command(bytes.fromhex(command))
    assert board.streaming and board.acc_odr_hz == board.gyro_odr_hz == 100.0
    board._command(bytes.fromhex("0303290c"))  # acc set to 200 Hz: not the rate it plays
    assert not board.streaming and board.acc_odr_hz == 200.0
    board._command(bytes.fromhex("0303280c"))
    assert board.streaming


def test_the_simulated_metawear_board_is_simulated_at_the_rate_it_streams():
    from sensorkit.ble.virtual.simulated import demo_radio, simulated_sensor

    sensor, sim = simulated_sensor("metawear", 3, sample_rate_hz=104.0, max_duration_s=20)
    assert sim.meta["sample_rate_hz"] == 100 and sensor.firmware.sample_rate_hz == 100.0
    assert np.median(np.diff(sim.samples.t)) == pytest.approx(0.01, rel=1e-3)  # (104 Hz: 0.0096 s)
    sensor, sim = simulated_sensor("metawear", 3, max_duration_s=20)  # the rate drawn: snapped too
    assert sim.meta["sample_rate_hz"] in (25, 50, 100, 200)
    assert sorted(s.firmware.protocol_name for s in demo_radio().sensors) == ["metawear", "movesense", "open_v1",
                                                                             "polar_pmd", "witmotion"]


def test_ctrl_c_while_the_stream_is_set_up_lets_the_sensor_go(run):
    # Cancelled between connecting and streaming (here: waiting for the Polar sensor's answer), the
    # session left the link up: `async with` never entered, so nothing disconnected it.
    from firmware_protocols import polar_pmd as pmd

    sensor, radio = verity_sense_at(52.0)
    sensor.characteristic(pmd.PMD_CONTROL_POINT_UUID).on_write = lambda payload: None  # a sensor slow to answer

    async def go():
        session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                                scanner_backend=radio.scanner_backend)
        task = asyncio.create_task(session.open())
        while not sensor.connected:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(go())
    assert sensor.connections == 1 and not sensor.connected


def test_a_hole_in_a_polar_stream_is_one_gap_of_recording_samples(polar_sensor, run):
    # Polar sends ACC and GYRO frames apart; a lost notification pair is a hole in both. The
    # sidecar listed it twice and counted its samples twice (60 lost for 30), doubling loss_fraction.
    sensor, radio, source = polar_sensor
    fired = []

    async def go():
        # (the packets dropped once the data, not the sensor's clock, passes 1 s, and read until the
        # data is 1 s past the hole: the test read until that clock's 3 s, and on a busy host, whose
        # data lag it, the hole came at the end of what was read, the samples after it not read)
        async with session_for(SimpleNamespace(sensor=sensor, radio=radio)) as session:
            blocks = []
            async for block in session.blocks(idle_tick_s=0.05):
                blocks.append(block)
                if len(block) and block.t[-1] > 1.0 and not fired:
                    fired.append(float(block.t[-1]))
                    sensor.drop_packets(3)  # 3 sends of an ACC + a GYRO frame, 10 samples each
                gaps = session.health.gaps
                if gaps and len(block) and block.t[-1] >= gaps[0]["at_t_s"] + 1.0:
                    break
            return Samples.concat(blocks), session

    out, session = run(go())
    per_packet = sensor.firmware.samples_per_packet(247)
    assert [gap["lost_samples"] for gap in session.health.gaps] == [3 * per_packet]
    assert session.health.lost_samples == 3 * per_packet
    assert np.diff(out.t).max() == pytest.approx((3 * per_packet + 1) / 104, abs=1e-3)  # the hole the gap says


def test_polar_holes_that_overlap_without_lining_up_are_one_gap_of_their_union(run):
    # A real sensor's ACC and GYRO frames carry different numbers of samples: the holes one radio
    # dropout leaves in the two streams overlap but neither start nor end together. They were
    # taken as the same hole only when they ended within half a sample of each other: here two
    # gaps (36 and 24 lost) for the 48 recording samples missing. Now one, of the union.
    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import ACC_FRAME_TYPE, GYR_FRAME_TYPE, PolarVerityFirmware

    from .conftest import synthetic_samples

    class UnevenFrames(PolarVerityFirmware):
        """ACC frames of 36 samples, GYRO frames of 24; frames sent while the radio is out
        (``dropout``: the sample indices during which) are lost."""

        frame_samples = {pmd.ACC: 36, pmd.GYRO: 24}
        dropout = (175, 195)  # loses ACC [144, 180) (sent at 179) and GYRO [168, 192) (at 191)

        def __init__(self, rate_hz):
            super().__init__(rate_hz)
            self.held = {pmd.ACC: np.empty((0, 7)), pmd.GYRO: np.empty((0, 7))}

        def samples_per_packet(self, mtu):
            return 12

        def encode(self, rows):
            packets = []
            for mtype, frame_type, columns, factor in ((pmd.ACC, ACC_FRAME_TYPE, slice(1, 4), 1.0),
                                                       (pmd.GYRO, GYR_FRAME_TYPE, slice(4, 7), self.gyr_factor)):
                held, n = np.vstack([self.held[mtype], rows]), self.frame_samples[mtype]
                while mtype in self.active and len(held) >= n:
                    frame, held = held[:n], held[n:]
                    if self.dropout[0] <= round(frame[-1, 0] * self.sample_rate_hz) <= self.dropout[1]:
                        continue
                    counts = pmd.counts_from_si(mtype, frame_type, frame[:, columns], factor)
                    timestamp_ns = self.start_ns + round(frame[-1, 0] * 1e9)
                    packets.append((pmd.PMD_DATA_UUID, pmd.encode_frame(mtype, frame_type, counts, timestamp_ns)))
                self.held[mtype] = held
            return packets

    sensor = VirtualSensor(UnevenFrames(104.0), synthetic_samples(10.0), speed=20.0)
    radio = VirtualRadio([sensor])

    async def go():
        async with session_for(SimpleNamespace(sensor=sensor, radio=radio)) as session:
            return await collect(session, sensor, 3.0), session

    out, session = run(go())
    health = session.health
    assert [gap["lost_samples"] for gap in health.gaps] == [48]  # samples 144 to 191
    resumed = int(np.argmax(np.diff(out.t))) + 1
    assert health.gaps[0]["at_t_s"] == pytest.approx(out.t[resumed], abs=1e-3)  # where the recording resumes
    assert out.t[resumed] - out.t[resumed - 1] == pytest.approx(49 / 104, abs=1e-3)  # the hole the gap says
    assert health.lost_samples == health.lost_total_samples == 48  # (the sidecar's loss_fraction counts these)


def test_packet_loss_gaps_are_counted_as_the_union_of_the_holes_they_say():
    from sensorkit.ble import SessionHealth

    health, p = SessionHealth(), 0.01
    health.add_gap(1.80, 36, p)  # ACC: [1.44, 1.80]
    health.add_gap(1.92, 24, p)  # GYRO: [1.68, 1.92], overlapping: one hole [1.44, 1.92]
    health.add_gap(3.00, 10, p)  # another hole
    health.add_gap(3.2, 10, p)   # [3.1, 3.2]: apart from it by more than a sample
    assert health.gaps == [{"at_t_s": 1.92, "lost_samples": 48}, {"at_t_s": 3.0, "lost_samples": 10},
                           {"at_t_s": 3.2, "lost_samples": 10}]
    health.add_gap(3.15, 25, p)  # [2.9, 3.15] joins both: [2.9, 3.2]
    health.add_gap(4.0, 10, p)
    health.add_gap(4.1, 10, p)   # [4.0, 4.1] meets [3.9, 4.0]: one hole of 20
    assert health.gaps == [{"at_t_s": 1.92, "lost_samples": 48}, {"at_t_s": 3.2, "lost_samples": 30},
                           {"at_t_s": 4.1, "lost_samples": 20}]
    assert health.lost_samples == 98


def test_a_polar_settings_answer_longer_than_a_notification_is_read_whole(run):
    # At the default ATT MTU (23) a Verity Sense's GYRO settings (four ranges) do not fit in one
    # notification: the rest follows as [more, parameters...] (Polar SDK, BlePmdClient). Read as
    # one notification, the offer was cut inside its ranges: the range asked for (300 deg/s, not
    # offered) could not be mapped to an offered one, and the sensor refused the start.
    from firmware_protocols.polar_pmd import PolarPmd
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware

    from .conftest import synthetic_samples

    sensor = VirtualSensor(PolarVerityFirmware(52.0), synthetic_samples(10.0, rate_hz=52.0), speed=20.0, max_mtu=23)
    sensor.firmware.min_stream_mtu = 23  # (a real one refuses to stream at 23: test_polar_mtu.py)
    radio = VirtualRadio([sensor])
    protocol = PolarPmd()
    protocol.gyr_range_dps = 300
    session = SensorSession(sensor.local_name, protocol=protocol, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, sample_rate_hz=104.0, clock=sensor.clock)

    async def go():
        async with session:
            return session.mtu, session.stream_sample_rate_hz

    assert run(go()) == (23, 52.0)
    assert sensor.firmware.gyr_factor == 250 / 32768  # the offered range nearest 300 deg/s


def test_a_polar_answer_in_several_notifications_reaches_the_decoder_whole(run, caplog):
    # At ATT MTU 23 each part of a GYRO settings offer was also replayed into the decoder alone
    # after setup: two "ignored control response" warnings on every connection (the first part:
    # "setting range with 4 values overflows the parameters", the rest: "not a control point
    # response"). Whole answers only now: the start answers' scale factors, and no word.
    import logging

    from firmware_protocols import polar_pmd as pmd
    from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
    from sensorkit.ble.virtual.polar_firmware import GYR_FACTOR, PolarVerityFirmware

    source = synthetic_samples_at(52.0)
    sensor = VirtualSensor(PolarVerityFirmware(52.0), source, speed=20.0, max_mtu=23)
    sensor.firmware.min_stream_mtu = 23  # (a real one refuses to stream at 23: test_polar_mtu.py)
    radio = VirtualRadio([sensor])
    caplog.set_level(logging.WARNING)
    factors = {}  # (the live decoder's, read while it streams: it is gone once the session closes)
    # (2 s of its data, whatever the sensor's clock says: on a loaded machine the data lags it)
    session, out = streamed(run, sensor, radio, math.inf, 2000, data_until_s=2.0, sample_rate_hz=52.0,
                            watch=lambda session: factors.update(session._decoder.factors))
    assert session.mtu == 23 and len(out) > 50
    assert "ignored control response" not in caplog.text
    assert factors == {pmd.ACC: 1.0, pmd.GYRO: pytest.approx(GYR_FACTOR)}  # (a decoder's own: 1.0)
    assert 39 < np.abs(out.gyr).max() <= 40 + GYR_FACTOR  # (40 sin 2t deg/s about x: 16 times that unscaled)


def test_the_session_waits_the_pause_a_command_asks_for(open_v1_rig, run_on_host_time):
    run = run_on_host_time  # (timed on the host's clock)
    # (WitMotion's unlock and register writes each need 100 ms before the next write)
    from firmware_protocols import Command
    from firmware_protocols.open_v1 import CONTROL_CHAR_UUID, CONTROL_STOP, OpenV1

    class PausingOpenV1(OpenV1):  # a stop (the byte 0x02) before the start, then a pause
        def start_commands(self, sample_rate_hz=104.0):
            return [Command(CONTROL_CHAR_UUID, b"\x02", pause_after_s=0.3), *super().start_commands(sample_rate_hz)]

    rig = open_v1_rig
    control = rig.sensor.characteristic(CONTROL_CHAR_UUID)
    written, firmware_write = [], control.on_write
    control.on_write = lambda payload: (written.append((time.monotonic(), bytes(payload))), firmware_write(payload))

    async def go():
        async with session_for(rig, protocol=PausingOpenV1()) as session:
            return len(await collect(session, rig.sensor, 1.0))

    assert run(go()) > 0
    # (b"\\x02", four characters, was written before: no command, the board ignored it)
    assert written[0][1] == bytes([CONTROL_STOP])
    assert rig.sensor.firmware.frames.parse_control(written[0][1]) == ("stop", 0)
    assert written[1][0] - written[0][0] >= 0.3


def test_a_polar_sensor_stopping_its_streams_by_itself_is_said(run, caplog):
    # The control point's "measurement stopped" (01 02 05) was ignored: the data just stopped.
    from firmware_protocols import polar_pmd as pmd

    sensor, radio = verity_sense_at(52.0)

    async def go():
        session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                                scanner_backend=radio.scanner_backend, clock=sensor.clock)
        async with session:
            sensor.notify(pmd.PMD_CONTROL_POINT_UUID, bytes([0x01, pmd.ACC, pmd.GYRO]))

    run(go())
    assert "the Polar sensor stopped streaming ACC, GYRO by itself" in caplog.text


def test_a_polar_stream_still_running_is_restarted_to_learn_its_scale(run):
    # A start answered "already in state" (the sensor still streaming from before) carries no scale
    # factor; it was taken as success, the gyro then scaled by factor 1 instead of 2000/32768 (16
    # times too large). The stream is now stopped and started again, and its answer read.
    from firmware_protocols import polar_pmd as pmd

    sensor, radio = verity_sense_at(52.0)
    sensor.firmware.active = {pmd.ACC, pmd.GYRO}
    _, out = streamed(run, sensor, radio, 2.0, 200)
    source = synthetic_samples_at(52.0)
    index = np.rint(out.t * 52.0).astype(int)
    assert len(out) > 50 and np.abs(out.gyr - source.gyr[index]).max() <= 2000 / 32768 / 2 + 1e-6


def synthetic_samples_at(rate_hz):
    from .conftest import synthetic_samples

    return synthetic_samples(20.0, rate_hz=rate_hz)


def held_after_reconnect(session, sensor, hold_s):
    """Hold the first notifications of the sensor's second connection for ``hold_s`` sensor seconds,
    then hand them over in order (a host busy, or a Bluetooth stack handing over a backlog, as the
    link comes back): the computer's clock says they came that much later than they were sent."""
    real, held, released = session._on_notification, [], []

    def release():
        released.append(True)
        for args in held:
            real(*args)

    def on_notification(sender, payload, *args):
        if sensor.connections == 2 and not released:
            if not held:
                asyncio.get_running_loop().call_later(hold_s / sensor.speed, release)
            held.append((sender, bytes(payload), *args))
            return
        real(sender, payload, *args)

    session._on_notification = on_notification


def test_a_resumed_stream_is_placed_by_the_sensors_own_clock(rig, run):
    # After a reconnect the resumed samples were placed by the computer's clock (when their first
    # block came); a block that came 0.8 s late put them all 0.8 s late, and the gap 0.8 s long.
    # The sensor's clock (open_v1's microseconds, Polar's nanoseconds) says how long it was down.
    sensor = rig.sensor
    session = session_for(rig)
    held_after_reconnect(session, sensor, hold_s=0.8)

    async def go():
        async with session:
            drop = DropOnce(session, sensor)
            return await collect(session, sensor, math.inf, drop, 5000, drop.data_until_s)

    out = run(go())
    (gap,) = session.reconnects
    after = out.t >= gap.resumed_at_t_s
    assert after.sum() > 100
    # every resumed sample at its source time (the sensor's clock; open_v1's board clock ticks on a
    # grid of whole microseconds: within half a sample), not 0.8 s late
    measured = source_index_by_values(rig.source, out[after])
    assert np.abs(out.t[after] - rig.source.t[measured]).max() < 0.5 / 104
    # the gap: from the last sample before the drop to the first after it, as the source has them
    last = source_index_by_values(rig.source, out[~after][-1:])[0]
    assert gap.lost_s == pytest.approx(rig.source.t[measured[0]] - rig.source.t[last] - 1 / 104, abs=0.5 / 104)
    assert gap.lost_samples == pytest.approx(measured[0] - last - 1, abs=1)


def source_index_by_values(source, out):
    """The index of the source sample each of ``out`` carries (the nearest in its values)."""
    distance = (np.abs(source.acc[None, :, :] - out.acc[:, None, :]).sum(axis=2)
                + np.abs(source.gyr[None, :, :] - out.gyr[:, None, :]).sum(axis=2) / 30)
    return np.argmin(distance, axis=1)


@pytest.mark.parametrize("jump_s", [-3600.0, 3600.0], ids=["clock_went_back", "clock_jumped_ahead"])
def test_a_sensor_clock_that_restarted_leaves_the_resumed_stream_to_the_computers_clock(rig, run, jump_s):
    # A sensor whose clock restarted while the link was down (a board rebooted, a Polar set to
    # another time) says nothing about the outage: its clock going back an hour, or ahead by more
    # than the computer saw pass, is not believed; the computer's clock places the resumed samples.
    sensor = rig.sensor

    def restart_the_sensor_clock():
        firmware = sensor.firmware
        if hasattr(firmware, "boot_us"):
            firmware.boot_us += round(jump_s * 1e6)
        elif hasattr(firmware, "boot_ms"):
            firmware.boot_ms += round(jump_s * 1e3)
        else:
            firmware.start_ns += round(jump_s * 1e9)

    async def go():
        async with session_for(rig) as session:
            drop = DropOnce(session, sensor, before=restart_the_sensor_clock)
            return await collect(session, sensor, math.inf, drop, 5000, drop.data_until_s), session

    out, session = run(go())
    (gap,) = session.reconnects
    assert 2.0 - 1 / 104 <= gap.lost_s < 10.0 and np.all(np.diff(out.t) > 0)
    after = out.t >= gap.resumed_at_t_s
    assert after.sum() > 100
    assert np.abs(out.t[after] - rig.source.t[nearest(rig.source, out.t[after])]).max() < 0.1


def test_a_link_gap_counts_its_lost_samples_at_the_streams_own_rate_despite_packet_loss(rig, run):
    # The lost samples of a reconnect gap were its seconds over the mean spacing of the samples that
    # came: with a third of the packets lost that mean is half as long again, the count a third short.
    sensor = rig.sensor
    sensor.set_drop_probability(0.3)

    async def go():
        async with session_for(rig) as session:
            def hooks(clock_s):
                if clock_s > 4.0 and sensor.connections == 1 and sensor.connected:
                    sensor.set_drop_probability(0.0)
                    sensor.drop_link(down_s=2.0)
            return await collect(session, sensor, math.inf, hooks, data_until_s=past_the_gap(session, 1.0)), session

    out, session = run(go())
    assert session.health.lost_samples >= 50  # (the packets lost before the drop)
    (gap,) = session.reconnects
    assert gap.lost_s >= 2.0 - 1 / 104
    assert gap.lost_samples == pytest.approx(gap.lost_s * 104, abs=1)


class AccOnlyPolar(PolarVerityFirmware):
    """A Polar sensor that offers and starts GYRO but streams ACC frames only."""

    def encode(self, rows):
        return [packet for packet in super().encode(rows) if packet[1][0] & 0x3F == pmd.ACC]


def test_a_sensor_that_claims_a_gyroscope_but_streams_acceleration_only_ends_in_one_line(run, caplog):
    # It was reconnected again and again ("no data from ...") until the give-up time: a minute of
    # retries for a sensor that will never send angular rate, and a message that did not say so.
    # (at 5 times real time: the 8 s of the sensor's clock allowed below past the 7 s for the
    # watchdog's look are 1.6 s of a loaded loop's; at 20 times, 0.4 s: 16.5 s once)
    sensor = VirtualSensor(AccOnlyPolar(104.0), synthetic_samples(30.0), speed=5.0)
    radio = VirtualRadio([sensor])
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, give_up_s=60.0)

    async def go():
        async with session:
            return await collect(session, sensor, 25.0)

    with pytest.raises(StreamRefusedError) as error:
        run(go())
    message = str(error.value)
    assert message.startswith("F0:0D:00:00:00:01 (Polar Sense 1A2B3C4D) sends no angular rate (gyroscope) data: ")
    came = message.split(" data: ")[1]
    n_samples, seconds = int(came.split(" samples")[0]), float(came.split(" came in ")[1].split(" s")[0])
    # (after the 7 s a sensor may take to start sending)
    assert 7.0 <= seconds < 15.0 and n_samples == pytest.approx(seconds * 104, rel=0.1)
    assert came.endswith(" s, none of angular rate; sensorkit needs an accelerometer and a gyroscope")
    assert sensor.connections == 1 and not sensor.connected and not sensor.firmware.streaming  # stopped, let go
    assert not session.reconnects and "reconnecting" not in caplog.text
    assert session.state is LinkState.REFUSED and session.refusal is error.value  # (not "closed")


def test_give_up_s_zero_gives_its_one_attempt_the_whole_connect_timeout(open_v1_rig, run):
    # --give-up-s 0: the one attempt had 0.1 s to connect; a real sensor takes longer (here 0.3 s)
    rig = open_v1_rig

    class SlowToConnect(rig.radio.client_backend):
        async def connect(self, *args, **kwargs):
            await asyncio.sleep(0.3)
            await super().connect(*args, **kwargs)

    async def go():
        # (a connect timeout no busy machine's 0.3 s reaches: the attempt had 0.1 s)
        async with session_for(rig, give_up_s=0.0, client_backend=SlowToConnect, connect_timeout_s=60.0) as session:
            return await collect(session, rig.sensor, 1.0), session

    out, session = run(go())
    assert rig.sensor.connections == 1 and len(out) > 50


def test_a_silent_sensor_is_sent_its_stop_command_before_it_is_let_go(open_v1_rig, run):
    # The watchdog let a silent sensor go without a stop: one that had only stopped sending for a
    # while (or stops notifying but keeps measuring) went on streaming with nobody to stop it.
    sensor, writes, muted = open_v1_rig.sensor, [], []
    real_write = sensor.write

    def write(uuid, payload):
        writes.append((sensor.connections, sensor.connected, bytes(payload)))
        real_write(uuid, payload)

    sensor.write = write

    async def go():
        async with session_for(open_v1_rig) as session:
            return await collect(session, sensor, math.inf, mute_once_after(sensor, 2.0, muted),
                                 data_until_s=past_the_gap(session, 1.0)), session

    out, session = run(go())
    assert sensor.connections == 2 and len(session.reconnects) == 1
    first_link = [payload for connection, connected, payload in writes if connection == 1 and connected]
    assert first_link[-1] == bytes([0x02])  # the stop, the last thing written before the link was let go


def test_gaps_stay_in_time_order_when_the_streams_report_their_holes_out_of_step():
    # A Polar sensor's GYRO stream may say a hole after the ACC stream said a later one; merged or
    # not, the sidecar's gaps were listed as they were said, not in time order.
    from sensorkit.ble import SessionHealth

    health, p = SessionHealth(), 0.01
    health.add_gap(3.0, 10, p)   # [2.9, 3.0]
    health.add_gap(2.0, 10, p)   # [1.9, 2.0], said after it
    health.add_gap(1.0, 10, p)   # [0.9, 1.0]
    health.add_gap(2.05, 10, p)  # [1.95, 2.05] joins [1.9, 2.0]
    health.add_gap(3.5, 60, p)   # [2.9, 3.5] joins [2.9, 3.0]
    assert health.gaps == [{"at_t_s": 1.0, "lost_samples": 10}, {"at_t_s": 2.05, "lost_samples": 15},
                           {"at_t_s": 3.5, "lost_samples": 60}]
    assert health.lost_samples == 85


def test_the_health_counts_each_sample_once_also_from_split_acc_and_gyro_frames(rig, run):
    # A Polar sensor's ACC and GYRO rows of one instant were counted apart: twice the samples.
    async def go():
        async with session_for(rig) as session:
            out = await collect(session, rig.sensor, 3.0)
        return out, session

    out, session = run(go())
    rest = session.drain()  # (decoded before the end, not read)
    assert session.health.samples == len(out) + sum(len(block) for block in rest) > 200


def test_a_movesense_at_104_hz_over_the_apps_mtu_of_161_streams_every_sample(run):
    # A user's report: on a real Movesense at 104 Hz nothing usable came. The app's MTU is 161, a
    # notification carries 158 bytes, and a 104 Hz IMU6 packet (8 samples) is 198: the app sends
    # it as 158 + 42 bytes (DATA, then DATA_PART2: 03 ref and the rest), and the decoder refused
    # both halves. The simulated sensor offered 247 and never split. Now it splits as the app does,
    # and the client joins the halves: every sample arrives.
    from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware

    source = synthetic_samples(10.0)
    sensor = VirtualSensor(MovesenseFirmware(104.0), source, speed=20.0)
    radio = VirtualRadio([sensor])
    session, out = streamed(run, sensor, radio, 5.0, 5000, sample_rate_hz=104.0, give_up_s=3.0,
                            scan_timeout_s=1.0, backoff_initial_s=0.02)
    assert session.mtu == 161 and sensor.firmware.mtu == 161  # (the virtual central asks for 247)
    sent = sensor.sent_samples
    assert sent >= 400 and sent % 8 == 0 and sensor.sent_packets == 2 * (sent // 8)  # each packet in two
    assert len(out) == sent and session.health.corrupt_packets == 0 and session.health.lost_total_samples == 0
    np.testing.assert_allclose(out.t, source.t[:sent], atol=1e-3)  # the sensor's timestamps
    np.testing.assert_allclose(out.acc, source.acc[:sent], rtol=1e-6, atol=1e-6)  # float32 on the wire
    np.testing.assert_allclose(out.gyr, source.gyr[:sent], rtol=1e-6, atol=1e-5)


def test_a_packet_the_decoder_cannot_read_is_said_as_a_sensorkit_error_naming_the_sensor_and_packet(rig, run, caplog):
    # firmware_protocols.ProtocolError derives from ValueError only (the decoders are pure: they
    # import nothing of sensorkit), so what a session said of an unreadable packet escaped a user's
    # `except SensorkitError`. The session says it as a DecodeError (a BleError), the decoder's
    # error its cause, in one line naming the sensor and the packet, and streams on.
    import logging

    from firmware_protocols import ProtocolError
    from sensorkit.ble import DecodeError
    from sensorkit.errors import SensorkitError

    sensor, fired = rig.sensor, []
    caplog.set_level(logging.WARNING)

    async def go():
        async with session_for(rig) as session:
            def hooks(clock_s):
                if clock_s > 1.0 and sensor.sent_packets and not fired:
                    fired.append(sensor.sent_until_s)
                    sensor.corrupt_packets(1)  # (its first 3 bytes only)
            return await collect(session, sensor, math.inf, hooks, 5000,
                                 lambda: fired[0] + 1.0 if fired else math.inf), session

    out, session = run(go())
    error = session.last_decode_error
    assert isinstance(error, DecodeError) and isinstance(error, SensorkitError)
    assert isinstance(error.__cause__, ProtocolError)
    message = str(error)
    number = int(message.split("skipped packet ")[1].split(":")[0])
    assert message == f"{sensor.address} ({sensor.local_name}): skipped packet {number}: {error.__cause__}"
    assert "\n" not in message and message in caplog.text  # (the warning: the same line)
    assert session.health.corrupt_packets >= 1 and out.t[-1] > fired[0] + 0.5  # (streamed on)


@pytest.mark.parametrize("mtu", (33, 57, 81, 105, 129, 153))
def test_a_movesense_at_an_mtu_where_a_first_part_looks_whole_streams_its_samples_unchanged(run, mtu):
    # At these ATT MTUs a split packet's first part (MTU − 3 bytes) is 6 + 24 N bytes long, as a
    # whole packet could be: it was decoded as one, its acceleration read as angular rate, and its
    # second part refused ("came without its first part"). The session's decoder now knows the
    # sensor's packets at 104 Hz (8 samples) and waits for the next notification where a length
    # could be either.
    from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware

    source = synthetic_samples(8.0)
    sensor = VirtualSensor(MovesenseFirmware(104.0), source, speed=20.0, max_mtu=mtu)
    rig = SimpleNamespace(sensor=sensor, radio=VirtualRadio([sensor]), source=source, acc_step=2e-6, gyr_step=1e-5)

    async def go():
        async with session_for(rig) as session:
            return await collect(session, sensor, 3.0), session

    out, session = run(go())
    per_packet = sensor.firmware.samples_per_packet(mtu)
    room = mtu - 3
    assert session.mtu == mtu and 6 + 24 * per_packet > room and (room - 6) % 24 == 0  # (every packet split so)
    assert len(out) > 200 and out.t[0] == 0.0 and np.all(np.diff(out.t) > 0)
    index = np.arange(len(out))  # nothing lost: sample i is source sample i
    assert np.abs(out.t - source.t[index]).max() < 1e-3
    assert_values_match(out, rig, index)
    assert session.health.corrupt_packets == 0 and session.health.lost_total_samples == 0
    assert session.last_decode_error is None and session.stream_sample_rate_hz == 104.0


def second_part_lost_sensor(n_samples: int, lost_at: int, drop_down_s: float | None = None, speed: float = 5.0):
    """A virtual Movesense at 104 Hz playing ``n_samples`` samples that loses the second part of its
    packet of samples ``lost_at`` ... ``lost_at + 7`` (its first part comes, the rest never); its
    next packet then goes out whole, in one notification: the rest of the source when that is
    short (the session's end), or, with ``drop_down_s``, its first 3 samples, after which the link
    drops for ``drop_down_s`` sensor seconds (the packet's other samples lost with it).
    (sensor, radio, source)."""
    from sensorkit.ble.virtual.movesense_firmware import MovesenseFirmware

    source = synthetic_samples(n_samples / 104.0)[:n_samples]
    assert len(source) == n_samples and lost_at % 8 == 0

    class SecondPartLost(MovesenseFirmware):
        packets_seen = 0

        def encode(self, rows):
            number, self.packets_seen = self.packets_seen, self.packets_seen + 1
            if number == lost_at // 8:
                first, _second = super().encode(rows)
                return [first]
            if number == lost_at // 8 + 1 and drop_down_s is not None:
                asyncio.get_running_loop().call_soon(sensor.drop_link, drop_down_s)  # (after its delivery)
                return super().encode(rows[:3])
            return super().encode(rows)

    sensor = VirtualSensor(SecondPartLost(104.0), source, speed=speed)
    return sensor, VirtualRadio([sensor]), source


def test_a_movesense_packet_held_at_the_sessions_end_is_in_the_recording(run):
    # A packet that showed a lost second part is given out with the next notification; the
    # sensor's last packet came after such a part, and the session only logged "3 samples decoded
    # at the link's end were not placed": the recording lacked its last 3 samples, which `sensorkit
    # decode` of the same notifications writes. They are placed now, at their own times.
    sensor, radio, source = second_part_lost_sensor(8 * 30 + 3, lost_at=8 * 29)
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, give_up_s=3.0)
    blocks = []

    async def go():
        async with session:
            async for block in session.blocks(idle_tick_s=0.02):
                blocks.append(block)
                if sensor.finished:  # (its last notification decoded: the session ends before the watchdog's 2 s)
                    break
        blocks.extend(session.drain())  # (what the end placed)

    run(go())
    out = Samples.concat(blocks)
    kept = np.r_[0:8 * 29, 8 * 30:8 * 30 + 3]  # all but the broken packet's 8
    assert len(out) == len(kept) and not session.reconnects
    assert np.abs(out.t - source.t[kept]).max() < 1e-3  # the last 3 at their times on the sensor's clock
    assert np.abs(out.acc - source.acc[kept]).max() < 1e-5 and np.abs(out.gyr - source.gyr[kept]).max() < 1e-4
    assert session.health.samples == len(kept) and session.health.lost_samples == 8
    assert "its first part (158 bytes) was not followed by its second part" in str(session.last_decode_error)


def test_a_movesense_packet_held_when_the_link_drops_is_placed_before_the_gap(run):
    # The same at a reconnect: the 3 samples of the packet that was the dropped link's last
    # notification were logged as not placed; they are in the stream now, before the gap, at their
    # own times, and the gap starts after them.
    sensor, radio, source = second_part_lost_sensor(104 * 8, lost_at=8 * 20, drop_down_s=0.5)
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, give_up_s=5.0,
                            backoff_initial_s=0.02, backoff_max_s=0.2)

    async def go():
        async with session:
            return await collect(session, sensor, math.inf, max_blocks=3000,
                                 data_until_s=past_the_gap(session, 1.0))

    out = run(go())
    held = np.arange(8 * 21, 8 * 21 + 3)  # the packet after the broken one: its first 3, its last notification
    before = out.t < session.reconnects[0].resumed_at_t_s
    np.testing.assert_array_equal(nearest(source, out.t[before]), np.r_[0:8 * 20, held])
    assert np.abs(out.t[before] - source.t[np.r_[0:8 * 20, held]]).max() < 1e-3
    assert np.abs(out.acc[before][-3:] - source.acc[held]).max() < 1e-5
    assert session.reconnects[0].dropped_at_t_s == pytest.approx(source.t[held[-1]], abs=1e-3)
    assert session.health.corrupt_packets == 1 and np.all(np.diff(out.t) > 0)

"""What ``run_session`` writes for a real sensor's stream: the recording and its sidecar."""
import logging
from typing import Callable

import pytest

from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.session import SensorSession
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware
from sensorkit.io import read_recording
from sensorkit.samples import Samples

from .conftest import synthetic_samples


class Quiet:
    """A display that shows nothing."""

    def show(self, status):
        pass

    def rep(self, rep, status):
        pass

    def close(self, status):
        pass


def test_the_sidecar_rate_is_the_rate_the_sensor_streams_not_the_one_asked_for(tmp_path, run):
    # The command line asks for 104 Hz; this sensor runs at 50 Hz (it says so in its config, as a
    # Movesense asked for 30 Hz runs at 26). A sidecar saying 104 Hz made the recording unreadable:
    # "sidecar key sample_rate_hz: 104 Hz disagrees with the timestamps".
    sensor = VirtualSensor(OpenV1Firmware(50.0), synthetic_samples(4.0, rate_hz=50.0), speed=20.0)
    radio = VirtualRadio([sensor])
    recorder = SessionRecorder(tmp_path, "asked_104", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, sample_rate_hz=104.0, clock=sensor.clock)
    run(run_session(session, recorder, Quiet(), duration_s=3.5))

    recording = read_recording(recorder.path)
    assert recording.meta.sample_rate_hz == 50.0 and len(recording.samples) > 100
    assert session.stream_sample_rate_hz == 50.0


def test_a_simulated_run_ends_once_the_sensor_has_sent_its_whole_session(tmp_path, run):
    # `sensorkit live --simulate` ended when the samples reached the session's end time, which an
    # open_v1 board's last, part-filled frame (sent only on stop) and the simulated timestamps'
    # jitter kept them from reaching: the run sat 10 % + 5 s in silence after the last rep.
    from sensorkit.ble.virtual.simulated import simulated_sensor

    # It ends at its first look after the sensor has sent everything. (It was checked by the clock:
    # under 1 s of the sensor's after the session's end, 50 ms of a loop at 20 times real time, which
    # a loaded machine's backlog outlasted: 20.9 s for 19.7 + 1.) A look is a block or an idle tick,
    # ticks every 10 ms here: the old run, waiting for 10 % + 5 s of the sensor's clock (0.35 s),
    # looked dozens of times after the end.
    sensor, sim = simulated_sensor("open_v1", 3, speed=20.0, sample_rate_hz=104, max_duration_s=20)
    radio = VirtualRadio([sensor])
    looks_after_the_end = []

    class Looking(Quiet):
        def show(self, status):
            if sensor.finished:
                looks_after_the_end.append(status.t_s)

    recorder = SessionRecorder(tmp_path, "whole", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock)
    run(run_session(session, recorder, Looking(), duration_s=sim.samples.duration_s, tick_s=0.01,
                    until=lambda: sensor.finished))

    assert len(looks_after_the_end) <= 1  # not the 10 % + 5 s of silence after it
    recording = read_recording(recorder.path)
    assert len(recording.samples) == len(sim.samples) and session.reconnects == []  # its last frame too
    assert "cut_short_s" not in recording.meta.stream


def test_a_quick_reconnect_passes_through_reconnecting_on_the_live_view(tmp_path, run):
    # A link back between two blocks was never shown as down: the view went from "streaming" to
    # "streaming" (the page's "Reconnected ... lost" with no "reconnecting" before it).
    sensor = VirtualSensor(OpenV1Firmware(104.0), synthetic_samples(8.0), speed=20.0)
    radio = VirtualRadio([sensor])
    shown = []

    class Watching(Quiet):
        def show(self, status):
            if not shown or shown[-1] is not status.state:
                shown.append(status.state)
            if status.t_s > 2.0 and sensor.connections == 1 and sensor.connected:
                sensor.drop_link()  # it advertises again at once: back within a block or two

    recorder = SessionRecorder(tmp_path, "quick", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, backoff_initial_s=0.02)
    run(run_session(session, recorder, Watching(), duration_s=5.0))

    assert sensor.connections == 2 and len(session.reconnects) == 1
    assert shown == [LinkState.STREAMING, LinkState.RECONNECTING, LinkState.STREAMING]


#: how many times faster than a lagging sensor sends its samples the clock of its run runs
LAG = 5.0


def lagging_sensor(duration_s: float = 8.0) -> tuple[VirtualSensor, VirtualRadio, Samples, Callable[[], float]]:
    """A simulated sensor falling behind the clock its run goes by, as one on a machine too slow for
    its ``--speed`` does: (sensor, radio, its samples, that clock, running :data:`LAG` times the
    pace it sends at: its 8 s of samples take 40 s of it)."""
    source = synthetic_samples(duration_s)
    sensor = VirtualSensor(OpenV1Firmware(104.0), source, speed=20.0)
    return sensor, VirtualRadio([sensor]), source, lambda: LAG * sensor.clock()


def test_a_simulated_run_falling_behind_its_clock_waits_for_the_whole_session(tmp_path, run):
    # `--simulate` on a machine too slow for --speed: the run was ended 10 % + 5 s after the
    # session's end on its clock, the samples not yet sent lost without a word. A simulated sensor
    # says when it has sent everything: the run waits for that, and nothing is lost.
    sensor, radio, source, clock = lagging_sensor()
    recorder = SessionRecorder(tmp_path, "slow", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=clock)
    run(run_session(session, recorder, Quiet(), duration_s=source.duration_s, until=lambda: sensor.finished))

    assert session.elapsed_s > 1.1 * source.duration_s + 5.0  # it fell behind past the old cut
    recording = read_recording(recorder.path)
    assert len(recording.samples) == len(source) and "cut_short_s" not in recording.meta.stream


def test_a_run_ended_by_its_clock_before_the_data_reached_its_end_says_how_much_is_missing(tmp_path, run,
                                                                                          caplog):
    # A sensor that cannot say when it is done (a real one) streaming behind its clock: the run still
    # ends 10 % + 5 s after the duration on its clock, but one warning says how many seconds of the
    # duration are missing, and so does the sidecar (stream.cut_short_s).
    sensor, radio, source, clock = lagging_sensor()
    recorder = SessionRecorder(tmp_path, "cut", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=clock)
    with caplog.at_level(logging.WARNING, logger="sensorkit.ble.recorder"):
        run(run_session(session, recorder, Quiet(), duration_s=source.duration_s))

    recording = read_recording(recorder.path)
    missing_s = source.duration_s - float(recording.samples.t[-1])
    assert missing_s > 2.0 and len(recording.samples) < len(source)  # (it ended before the sensor had sent it)
    assert recording.meta.stream["cut_short_s"] == pytest.approx(missing_s, abs=1e-3)
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "sensorkit.ble.recorder"]
    assert f"the last {missing_s:.1f} s are missing from {recorder.path}" in warning
    assert f"reached {recording.samples.t[-1]:.1f} s of the {source.duration_s:g} s asked" in warning


def test_a_recording_ended_by_the_sensors_refusal_says_so_and_why_in_its_sidecar(tmp_path, run):
    # The link drops, and the Movesense's resubscription is answered 507 (no free subscription
    # slot). The run ends with that error, but the sidecar said `stream.ended_by: "closed"`, as if
    # the run had been stopped: now "refused", with the error's text.
    from sensorkit.ble import SubscribeRefusedError
    from sensorkit.ble.virtual.movesense_firmware import MAX_SUBSCRIPTIONS, MovesenseFirmware

    firmware = MovesenseFirmware(104.0)
    sensor = VirtualSensor(firmware, synthetic_samples(20.0), speed=20.0)
    radio = VirtualRadio([sensor])

    class TakeEverySlotAfterADrop(Quiet):
        def show(self, status):
            if status.t_s > 2.0 and sensor.connections == 1 and sensor.connected:
                sensor.drop_link()
                firmware.slots_held = MAX_SUBSCRIPTIONS  # (not freed by the reconnect tried for a 507)

    recorder = SessionRecorder(tmp_path, "refused", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock, give_up_s=30.0,
                            backoff_initial_s=0.02, backoff_max_s=0.2)
    with pytest.raises(SubscribeRefusedError) as error:
        run(run_session(session, recorder, TakeEverySlotAfterADrop(), duration_s=15.0))

    recording = read_recording(recorder.path)
    stream = recording.meta.stream
    assert stream["ended_by"] == "refused" and session.state is LinkState.REFUSED
    assert stream["error"] == str(error.value) == (
        "F0:0D:00:00:00:01 (Movesense 174630000192) refused the subscription to /Meas/IMU6/104: "
        "status 507 (Insufficient Storage)")
    assert recording.samples.t[-1] > 2.0 and recording.meta.n_samples == len(recording.samples)
    # the live displays are given it too (the live page's banner says it)
    assert recorder.status.state is LinkState.REFUSED and recorder.status.error == str(error.value)

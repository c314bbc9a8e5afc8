"""What ``run_session`` writes for a real sensor's stream: the recording and its sidecar."""
from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.session import SensorSession
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.open_v1_firmware import OpenV1Firmware
from sensorkit.io import read_recording

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

    sensor, sim = simulated_sensor("open_v1", 3, speed=20.0, sample_rate_hz=104, max_duration_s=20)
    radio = VirtualRadio([sensor])
    recorder = SessionRecorder(tmp_path, "whole", {"sample_rate_hz": 104.0})
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend,
                            scanner_backend=radio.scanner_backend, clock=sensor.clock)
    run(run_session(session, recorder, Quiet(), duration_s=sim.samples.duration_s, until=lambda: sensor.finished))

    assert session.elapsed_s < sim.samples.duration_s + 1.0  # not 1.1 x 20 + 5 s
    recording = read_recording(recorder.path)
    assert len(recording.samples) == len(sim.samples) and session.reconnects == []  # its last frame too


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

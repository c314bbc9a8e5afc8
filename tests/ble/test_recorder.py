"""What ``run_session`` writes for a real sensor's stream: the recording and its sidecar."""
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

"""Which sensor a session is with: the sidecar naming the one used."""
import json

import sensorkit
from sensorkit.ble import SensorSession
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.virtual import VirtualRadio
from sensorkit.ble.virtual.simulated import simulated_sensor
from sensorkit.io import read_recording

from .test_recorder import Quiet

NEAR = "F0:0D:00:00:00:0B"


def test_the_sidecar_names_the_sensor_by_address_model_and_firmware_from_the_first_samples(tmp_path, run):
    # The sidecar said "sensor": "MetaWear" (the --device given) and nothing else: of two boards of
    # that name, the therapist could not tell which one a session came from.
    sensor, _sim = simulated_sensor("metawear", 1, speed=20.0, address=NEAR, max_duration_s=8)
    radio = VirtualRadio([sensor])
    recorder = SessionRecorder(tmp_path, "s", {"sensor": "MetaWear"})
    session = SensorSession(NEAR, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            clock=sensor.clock, sample_rate_hz=100.0)
    identity = {"address": NEAR, "advertised_name": "MetaWear", "model": "sensorkit simulated metawear sensor",
                "firmware": sensorkit.__version__}
    written_while_streaming = []

    class Watch(Quiet):
        def show(self, status):
            if recorder.writer is not None and not written_while_streaming:  # (the files exist: read them)
                written_while_streaming.append(json.loads(recorder.path.with_suffix(".json").read_text()))

    run(run_session(session, recorder, Watch(), duration_s=3.0))
    assert written_while_streaming[0]["stream"] == identity  # (a recorder killed now still says which)
    stream = json.loads(recorder.path.with_suffix(".json").read_text())["stream"]
    assert {key: stream[key] for key in identity} == identity and stream["battery_percent"] == 87
    warnings = read_recording(recorder.path).warnings
    assert not [w for w in warnings if "s.json" in w]  # (the keys are read without a word)

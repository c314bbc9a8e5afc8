"""Which sensor a session is with: two that advertise one name, and the sidecar naming the one used."""
import functools
import json

import pytest
from click.testing import CliRunner

import sensorkit
from sensorkit.ble import AmbiguousSensorError, SensorSession, find_sensor
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.metawear_firmware import MetaWearFirmware
from sensorkit.ble.virtual.simulated import simulated_sensor
from sensorkit.cli import cli
from sensorkit.io import read_recording

from .conftest import synthetic_samples
from .test_recorder import Quiet

FAR, NEAR = "F0:0D:00:00:00:0A", "F0:0D:00:00:00:0B"


def twins(duration_s: float = 4.0, speed: float = 20.0) -> tuple[VirtualRadio, VirtualSensor, VirtualSensor]:
    """Two MetaWear boards, both advertising "MetaWear" (every board does by default): the farther
    one (-55 dBm) first on the radio, so it is heard first."""
    far, near = (VirtualSensor(MetaWearFirmware(100.0), synthetic_samples(duration_s, rate_hz=100.0), address=address,
                               speed=speed, rssi_dbm=rssi)
                 for address, rssi in ((FAR, -55), (NEAR, -40)))
    return VirtualRadio([far, near]), far, near


def test_two_sensors_of_the_name_asked_for_are_said_in_one_line_and_neither_is_taken(run):
    # find_sensor took the first that advertised (the farther board, every time), without a word
    radio, far, near = twins()
    with pytest.raises(AmbiguousSensorError) as caught:
        run(find_sensor("MetaWear", 2.0, radio.scanner_backend))
    said = str(caught.value)
    assert "\n" not in said
    assert said.startswith(f"2 sensors advertise as 'MetaWear': {NEAR} (-40 dBm), {FAR} (-55 dBm); ")
    assert "give the address" in said
    assert [f.address for f in caught.value.matches] == [NEAR, FAR]


def test_one_of_two_twins_is_taken_by_its_address_and_a_name_heard_once_by_its_name(run):
    radio, far, near = twins()
    assert run(find_sensor(NEAR.lower(), 2.0, radio.scanner_backend)).address == NEAR
    radio.sensors.remove(far)
    found = run(find_sensor("metawear", 2.0, radio.scanner_backend))
    assert (found.address, found.name, found.protocol) == (NEAR, "MetaWear", "metawear")


class RareAdvertiser(VirtualSensor):
    """A sensor heard at every ``every``-th advertising round of the radio only (farther, or
    advertising less often)."""

    every = 2
    _looks = 0

    @property
    def advertising(self) -> bool:
        self._looks += 1
        return self._looks % self.every == 0 and super().advertising


def test_a_twin_heard_half_as_often_as_the_first_is_still_heard_before_the_scan_ends(run):
    radio, far, near = twins()
    rare = RareAdvertiser(MetaWearFirmware(100.0), synthetic_samples(1.0, rate_hz=100.0), address=NEAR,
                          rssi_dbm=-40)
    radio.sensors[1] = rare
    with pytest.raises(AmbiguousSensorError):
        run(find_sensor("MetaWear", 2.0, radio.scanner_backend))


def test_live_with_a_name_two_sensors_advertise_is_exit_2_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    import sensorkit.cli.ble_commands as ble_commands

    radio, far, near = twins()
    monkeypatch.setattr(ble_commands, "SensorSession", functools.partial(
        SensorSession, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend, clock=near.clock))
    result = CliRunner().invoke(cli, ["live", "--device", "MetaWear", "--side", "right", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("error: 2 sensors advertise as 'MetaWear': ") and NEAR in line and FAR in line
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


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

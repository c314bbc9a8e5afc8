"""Live = batch: reps streamed packet by packet through the simulated BLE path equal the reps of
the pipeline run over the saved recording file."""
import asyncio

import pytest

pytest.importorskip("sensorkit.pipeline.pipeline")

from sensorkit.ble.recorder import SessionRecorder, run_session  # noqa: E402
from sensorkit.ble.session import SensorSession  # noqa: E402
from sensorkit.ble.virtual import VirtualRadio  # noqa: E402
from sensorkit.ble.virtual.simulated import simulated_sensor  # noqa: E402
from sensorkit.io import read_recording  # noqa: E402
from sensorkit.pipeline import Pipeline  # noqa: E402


SPEED = 20.0  # the pipeline costs ~1 ms per packet: 20x real time keeps up on one core


class EventLog:
    """A display that keeps what it was told, with the recording time of the newest sample at each rep event."""

    def __init__(self):
        self.events, self.closed = [], None

    def show(self, status):
        pass

    def rep(self, rep, status):
        self.events.append((status.t_s, rep))

    def close(self, status):
        self.closed = status


def stream_simulation(tmp_path, seed, run, **sim_options):
    sensor, sim = simulated_sensor("polar_pmd", seed, speed=SPEED, sample_rate_hz=104, **sim_options)
    radio = VirtualRadio([sensor])
    meta = {k: v for k, v in sim.meta.items() if k in ("side", "sample_rate_hz", "target_rom_deg", "target_hold_s")}
    recorder = SessionRecorder(tmp_path, f"sim{seed}", meta, Pipeline(meta=meta))
    log = EventLog()
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            sample_rate_hz=104.0, clock=sensor.clock)
    run(run_session(session, recorder, log, duration_s=sim.samples.duration_s + 0.5))
    return sim, recorder, log


@pytest.mark.parametrize("seed", [3, 11])
def test_streamed_reps_equal_the_reps_of_the_saved_recording(tmp_path, run, seed):
    sim, recorder, log = stream_simulation(tmp_path, seed, run, max_duration_s=60)
    live = [rep for _, rep in log.events]
    assert live == recorder.reps and len(live) >= 3

    recording = read_recording(recorder.path)
    assert len(recording.samples) == recorder.status.samples_saved
    batch = Pipeline(meta=recording.meta.to_dict()).run(recording.samples)

    assert [r.kind for r in live] == [r.kind for r in batch]
    for a, b in zip(live, batch):
        assert a.rom_deg == pytest.approx(b.rom_deg, abs=0.1)
        assert a.hold_s == pytest.approx(b.hold_s, abs=0.1)
        assert a.end_s == pytest.approx(b.end_s, abs=0.05)

    # each rep was reported as it ended (newest sample streamed at the event vs the rep's end)
    assert all(t - rep.end_s < 0.5 for t, rep in log.events if rep.kind != "rejected")
    assert log.events[0][0] < sim.samples.duration_s - 10

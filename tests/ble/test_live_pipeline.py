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
    # (until the sensor has sent its whole session, as `sensorkit live --simulate` runs: silent after
    # it, the sensor would be taken for a lost link)
    run(run_session(session, recorder, log, duration_s=sim.samples.duration_s + 0.5, until=lambda: sensor.finished))
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


class DropLinkOnce(EventLog):
    """Drops the link for ``down_s`` sensor seconds right after the first counted rep, once."""

    def __init__(self, sensor, down_s, power_off=False):
        super().__init__()
        self.sensor, self.down_s, self.power_off = sensor, down_s, power_off

    def rep(self, rep, status):
        super().rep(rep, status)
        if rep.kind != "rejected" and self.sensor.connections == 1 and self.sensor.connected:
            self.sensor.power_off() if self.power_off else self.sensor.drop_link(self.down_s)


#: the speed of the runs whose link is cut after the first rep: the cut comes when the pipeline has
#: seen that rep, and the sensor had by then sent what the pipeline had still to read; at 20 times
#: real time a loaded machine's pipeline fell behind by over 10 s of data (200 packets a second,
#: ~1 ms each, on a fifth of a core): the cut came after the session's last rep (none after the gap).
#: At 8 times, 80 packets a second, it keeps up.
GAP_SPEED = 8.0


def stream_with(tmp_path, run, display_factory, seed=3, give_up_s=5.0):
    sensor, sim = simulated_sensor("open_v1", seed, speed=GAP_SPEED, sample_rate_hz=104, max_duration_s=60)
    radio = VirtualRadio([sensor])
    meta = {"side": sim.meta["side"], "sample_rate_hz": 104}
    recorder = SessionRecorder(tmp_path, "gap", meta, Pipeline(meta=meta))
    log = display_factory(sensor)
    session = SensorSession(sensor.local_name, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                            clock=sensor.clock, give_up_s=give_up_s, backoff_initial_s=0.02, backoff_max_s=0.1)
    run(run_session(session, recorder, log, duration_s=sim.samples.duration_s + 0.5, until=lambda: sensor.finished))
    return sim, session, recorder, log


def test_reps_before_and_after_a_reconnect_survive_and_the_gap_is_in_the_sidecar(tmp_path, run):
    sim, session, recorder, log = stream_with(tmp_path, run, lambda sensor: DropLinkOnce(sensor, down_s=1.5))
    first_end = log.events[0][1].end_s
    before = [rep for _, rep in log.events if rep.end_s <= first_end]
    after = [rep for _, rep in log.events if rep.start_s > first_end + 1.5]
    assert len(before) >= 1 and len(after) >= 1
    numbers = [r.rep for r in recorder.reps if r.counted]
    assert numbers == list(range(1, len(numbers) + 1))  # one count across the reconnect

    recording = read_recording(recorder.path)
    (gap,) = recording.meta.reconnects
    assert gap["lost_s"] >= 1.5 and gap["resumed_at_t_s"] > gap["dropped_at_t_s"] >= first_end
    assert gap["lost_samples"] == pytest.approx(gap["lost_s"] * 104, rel=0.02, abs=2)  # at the stream's mean rate
    assert recording.meta.ended_at is not None and recording.meta.n_samples == len(recording.samples)
    gap_in_t = recording.samples.t[recording.samples.t > gap["dropped_at_t_s"]][0] - gap["dropped_at_t_s"]
    assert gap_in_t == pytest.approx(gap["lost_s"] + 1 / 104, abs=0.02)


class MuteOnce(EventLog):
    """After the first counted rep the sensor stops sending, its link up (until the link ends)."""

    def __init__(self, sensor):
        super().__init__()
        self.sensor = sensor

    def rep(self, rep, status):
        super().rep(rep, status)
        if rep.kind != "rejected" and not self.sensor.muted_samples and self.sensor.connections == 1:
            self.sensor.mute()


def test_a_sensor_gone_silent_is_recorded_and_shown_as_a_dropped_link_is(tmp_path, run):
    sim, session, recorder, log = stream_with(tmp_path, run, MuteOnce)
    assert log.closed.reconnects == 1 and log.closed.state.value == "closed"  # the display's summary
    first_end = log.events[0][1].end_s
    assert [rep for _, rep in log.events if rep.start_s > first_end + 2.0]  # reps after the silence
    numbers = [r.rep for r in recorder.reps if r.counted]
    assert numbers == list(range(1, len(numbers) + 1))

    recording = read_recording(recorder.path)
    (gap,) = recording.meta.reconnects
    assert gap["lost_s"] >= 2.0 and gap["resumed_at_t_s"] > gap["dropped_at_t_s"] >= first_end
    assert gap["lost_samples"] == pytest.approx(gap["lost_s"] * 104, rel=0.02, abs=2)
    stream = recording.meta.stream
    assert stream["ended_by"] == "closed" and stream["lost_samples"] >= gap["lost_samples"]
    assert recording.meta.n_samples == len(recording.samples)
    gap_in_t = recording.samples.t[recording.samples.t > gap["dropped_at_t_s"]][0] - gap["dropped_at_t_s"]
    assert gap_in_t == pytest.approx(gap["lost_s"] + 1 / 104, abs=0.02)


def test_give_up_ends_the_run_cleanly_with_everything_saved(tmp_path, run):
    sim, session, recorder, log = stream_with(tmp_path, run, lambda sensor: DropLinkOnce(sensor, 0, power_off=True),
                                              give_up_s=0.3)
    assert session.state.value == "gave_up" and log.closed is not None
    recording = read_recording(recorder.path)
    assert recording.meta.reconnects[0]["resumed_at_t_s"] is None
    assert recording.meta.n_samples == len(recording.samples) == recorder.status.samples_saved
    assert recording.samples.t[-1] >= log.events[0][1].end_s   # the first rep's samples are all there

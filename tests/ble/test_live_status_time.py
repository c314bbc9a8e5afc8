"""The live status is stamped with the time of the sample it describes: the last one the pipeline
analysed (``Pipeline.time_s_``). A last sample fed a step over ``spike_gyr_dps`` from the one before
(a glitch, or a foot striking the floor) waits in the spike filter for the next: the angle and
phase shown are the sample's before it, and so is their time; the recording's own progress (how
far the data has come: the run's duration) is the last sample recorded."""
from __future__ import annotations

import numpy as np

from sensorkit.ble.recorder import SessionRecorder
from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples
from sensorkit.web.live_hub import LiveHub

RATE_HZ = 50.0


def still_leg(duration_s: float) -> Samples:
    t = np.arange(0.0, duration_s, 1.0 / RATE_HZ)
    return Samples(t, np.tile([0.0, 0.0, 9.81], (len(t), 1)), np.zeros((len(t), 3)))


def test_the_status_time_is_the_last_sample_analysed_not_the_one_waiting(tmp_path):
    samples = still_leg(4.0)
    gyr = samples.gyr.copy()
    gyr[149] = [400.0, 0.0, 0.0]  # (3 s in: a glitch of the gyro, the last sample of its packet)
    samples = Samples(samples.t, samples.acc, gyr)
    recorder = SessionRecorder(tmp_path, "waits", {"sample_rate_hz": RATE_HZ}, Pipeline())
    hub = LiveHub()
    for packet in samples[:150].chunks(5):
        recorder.feed(packet)
        hub.show(recorder.status)

    t = samples.t
    assert recorder.pipeline.time_s_ == t[148]  # (the glitch waits for the sample after it)
    assert recorder.status.t_s == t[148] and hub.snapshot()["state"]["t_s"] == round(t[148], 2)
    assert recorder.last_t_s == t[149]  # (recorded: the run's duration counts it)

    recorder.feed(samples[150:155])  # the sample after it comes: the glitch is mended and analysed
    hub.show(recorder.status)
    assert recorder.status.t_s == t[154] == recorder.pipeline.time_s_
    assert hub.snapshot()["state"]["t_s"] == round(t[154], 2)


def test_before_the_pipeline_has_analysed_a_sample_the_status_time_is_the_last_recorded(tmp_path):
    # (the first rate_estimate_s of data is buffered: no sample analysed, time_s_ NaN)
    recorder = SessionRecorder(tmp_path, "early", {"sample_rate_hz": RATE_HZ}, Pipeline())
    first = still_leg(0.2)
    recorder.feed(first)
    assert np.isnan(recorder.pipeline.time_s_) and recorder.status.t_s == first.t[-1]

"""Vendor exports get the sensorkit CSV reader's clock repairs (``checks.repair_clock``): rows
whose time jitters back less than a sample period, and times stamped once per packet whose stamps
jitter back less than a packet period, count the reps of the clean export, with the reader's warnings."""
from __future__ import annotations

import numpy as np
import pytest
from vendor_synth import write_metabase, write_movella, write_movesense_csv, write_polar

from sensorkit.batch import analyze_recording
from sensorkit.io import read_recording
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session

PER_PACKET = 10  # (at 100 Hz: a stamp every 0.1 s)


@pytest.fixture(scope="module")
def session() -> Samples:
    samples = simulate_session(3, sample_rate_hz=100, max_duration_s=120).samples
    return samples[: len(samples) // PER_PACKET * PER_PACKET]


def jittered(samples: Samples, jitter_s: float = 0.003) -> Samples:
    """Each row's time late or early (Gaussian, ``jitter_s``): some step back, by less than 10 ms."""
    return Samples(samples.t + np.random.default_rng(1).normal(0.0, jitter_s, len(samples)), samples.acc, samples.gyr)


def packet_stamped(samples: Samples) -> Samples:
    """Each row's time its packet's first (``PER_PACKET`` rows a stamp), with three packets stamped
    5 ms below the packet before (the packet clock's jitter)."""
    starts = np.arange(0, len(samples), PER_PACKET)
    t = samples.t[np.repeat(starts, PER_PACKET)]
    for k in (50, 200, 400):
        t[starts[k]:starts[k] + PER_PACKET] = t[starts[k - 1]] - 0.005
    return Samples(t, samples.acc, samples.gyr)


def write(fmt: str, samples: Samples, folder):
    folder.mkdir()
    if fmt == "metabase":
        return write_metabase(folder, samples, "time", 1_795_000_000_000)[0]
    if fmt == "polar":
        return write_polar(folder, samples, 800_000_000_000_000_000)[0]
    if fmt == "movella":
        return write_movella(folder / "dot.csv", samples, 10_000_000)
    return write_movesense_csv(folder, samples, PER_PACKET)[0]  # (its own packets: one stamp each)


def counted(path):
    return [rep for rep in analyze_recording(path).reps if rep.counted]


@pytest.mark.parametrize("fmt, clock, note", [
    ("metabase", jittered, "accelerometer (g) time steps back"),
    ("polar", jittered, "accelerometer [mg] time steps back"),
    ("movella", jittered, "sample time steps back"),
    ("metabase", packet_stamped, "accelerometer (g) time is stamped once per packet and the stamps step back 3 times"),
    ("polar", packet_stamped, "accelerometer [mg] time is stamped once per packet and the stamps step back 3 times"),
    ("movella", packet_stamped, "sample time is stamped once per packet and the stamps step back 3 times"),
    ("movesense", packet_stamped, "accelerometer time is stamped once per packet and the stamps step back 3 times"),
])
def test_a_vendor_export_with_a_jittering_clock_counts_the_reps_of_the_clean_export(tmp_path, session, fmt, clock, note):
    # each was refused: "time ... is before the line before's" ("the packet before's")
    path = write(fmt, clock(session), tmp_path / "odd")
    recording = read_recording(path)
    assert np.all(np.diff(recording.samples.t) > 0)
    [warning] = [w for w in recording.warnings if w.startswith(f"{path}: line ") and note in w]
    assert "by less than a" in warning and "clock jitter" in warning
    reps, expected = counted(path), counted(write(fmt, session, tmp_path / "clean"))
    assert len(reps) == len(expected) >= 10
    for rep, truth in zip(reps, expected):  # (within a packet)
        assert abs(rep.start_s - truth.start_s) <= 0.1 and abs(rep.end_s - truth.end_s) <= 0.1

"""The live view's status (``phase_``, ``hold_elapsed_s_``), fed a packet at a time as from the sensor.

Display only: the reps counted are the batch's (tests/pipeline/test_live_equals_batch.py).
"""
from pathlib import Path

import numpy as np
import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
UCI = DATA / "uci-pt-knee-extension"
needs_real = pytest.mark.skipif(not (UCI / "labels.json").exists(), reason=f"no real recordings at {DATA}")

#: the last hold time shown during a rep is within this of the hold the rep reports (s); measured
#: at most 0.37 s on the UCI and PHYTMO recordings and 0.43 s on simulated seeds 1-20 (25 packets a second)
SHOWN_HOLD_TOLERANCE_S = 0.5


def live_status(samples: Samples, meta: dict, packets_per_s: float = 25.0):
    """Feed ``samples`` in packets (as a sensor notifies, ``packets_per_s``); the reps, and after
    every packet the time of the last sample analysed (s), the phase shown and the hold time shown (s)."""
    pipeline, reps, shown = Pipeline(meta=meta), [], []
    per_packet = max(1, round(1.0 / (packets_per_s * float(np.median(np.diff(samples.t[:100]))))))
    for i in range(0, len(samples), per_packet):
        packet = samples[i:i + per_packet]
        reps += pipeline.update(packet)
        shown.append((pipeline.time_s_, pipeline.phase_, pipeline.hold_elapsed_s_))
    return reps + pipeline.finish(), shown


def holds_shown(shown) -> list[list[tuple[float, float]]]:
    """Each run of packets shown as "hold": its (time, hold time shown)."""
    runs, previous = [], None
    for t, phase, held in shown:
        if phase == "hold":
            if previous != "hold":
                runs.append([])
            runs[-1].append((t, held))
        previous = phase
    return runs


def check_hold_timer(reps, shown) -> None:
    """Over every hold the time shown never goes back, and the last shown during a counted rep is
    within SHOWN_HOLD_TOLERANCE_S of the rep's hold (0 when none was shown)."""
    runs = holds_shown(shown)
    assert runs
    for run in runs:
        times = np.array([held for _, held in run])
        steps = np.diff(times)
        assert (steps >= 0).all(), f"the hold timer went back from {times[steps.argmin()]:.2f} s " \
                                   f"to {times[steps.argmin() + 1]:.2f} s at {run[steps.argmin() + 1][0]:.2f} s"
    for rep in (r for r in reps if r.counted):
        during = [held for run in runs for t, held in run if rep.start_s <= t <= rep.end_s]
        last = during[-1] if during else 0.0
        assert last == pytest.approx(rep.hold_s, abs=SHOWN_HOLD_TOLERANCE_S), f"rep at {rep.start_s:.1f} s"


@needs_real
@pytest.mark.parametrize("name", ["uci_s2_test", "uci_s3_test"])
def test_the_hold_timer_never_goes_back_on_a_real_recording(name):
    """UCI subject 2 and 3's sessions, 25 samples a second, one a packet: the measured hold's start
    moves later now and then (a slow end of the way out found to be part of it); the time shown
    stays until the hold catches up, and ends near the hold the rep reports."""
    recording = read_recording(UCI / f"{name}.csv")
    reps, shown = live_status(recording.samples, recording.meta.to_dict())
    assert sum(r.counted for r in reps) == 30
    check_hold_timer(reps, shown)


@pytest.mark.parametrize("seed", [2, 8, 15])
def test_the_hold_timer_never_goes_back_on_simulated_sessions(seed):
    session = simulate_session(seed)
    reps, shown = live_status(session.samples, session.meta)
    assert sum(r.counted for r in reps) > 5
    check_hold_timer(reps, shown)

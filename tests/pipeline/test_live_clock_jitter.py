"""Live packets whose timestamps jitter by less than a sample period are re-timed causally (no
sample held back more than one packet), not refused; a step back of a period or more still is."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from sensorkit import HipExternalRotation, reps_frame
from sensorkit.errors import SampleError
from sensorkit.inputs import InputChecks
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session

RATE_HZ = 100.0


@pytest.fixture(scope="module")
def session() -> Samples:
    return simulate_session(3, sample_rate_hz=RATE_HZ, max_duration_s=120).samples


def stamp_jittered(samples: Samples, per_packet: int, seed: int = 0) -> Samples:
    """``samples`` with each packet of ``per_packet`` shifted by its own offset (Gaussian, 6 ms,
    within ±7.4 ms): a packet's first sample may lie up to 4.8 ms (half a period) below the packet
    before's last, as a source stamping its packets on arrival gives."""
    offsets = np.random.default_rng(seed).normal(0.0, 0.006, len(samples) // per_packet + 1)
    shift = np.repeat(np.clip(offsets, -0.0074, 0.0074), per_packet)[: len(samples)]
    return Samples(samples.t + shift, samples.acc, samples.gyr)


def test_live_packets_whose_stamps_jitter_give_the_reps_of_the_clean_samples(session):
    # refused before: "live data: packet 9: sample 32: t = ... is earlier than the sample before"
    shaken = stamp_jittered(session, 4)
    assert (np.diff(shaken.t) < 0).sum() > 100
    live, reps = HipExternalRotation(), []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for block in shaken.chunks(4):
            reps += live.update(block)
        reps += live.finish()
    [note] = [str(w.message) for w in caught if "jitter" in str(w.message)]  # (said once)
    assert note.startswith("live data: packet ") and "t steps back by less than a sample period" in note
    got, clean = reps_frame(reps, "", "right"), HipExternalRotation().detect(session).reps_
    assert len(got) == len(clean) >= 10  # (a borderline rep's kind may flip with 6 ms of jitter, batch as live)
    assert np.abs(got.start_s.to_numpy() - clean.start_s.to_numpy()).max() < 4 / RATE_HZ  # (within a packet)


def test_single_sample_packets_jittering_back_wait_at_most_one_packet(session):
    sampled = session[:3000]
    shaken = stamp_jittered(sampled, 1, seed=1)
    checks, passed, held_most = InputChecks("live data"), [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, block in enumerate(shaken.chunks(1)):
            passed.append(checks.packet(block))
            held_most = max(held_most, k + 1 - sum(map(len, passed)))
    passed.append(checks.flush())
    t = Samples.concat(passed).t
    assert len(t) == len(shaken) and np.all(np.diff(t) > 0)  # (every sample, in the order sent)
    assert held_most == 1  # (a sample a little early waited for the next packet's time, no longer)
    assert np.abs(t - sampled.t).max() < 1 / RATE_HZ  # (within a period of when each was sampled)


def test_a_live_packet_a_sample_period_or_more_back_is_still_refused_naming_it(session):
    checks = InputChecks("live data")
    for block in session[:400].chunks(4):
        checks.packet(block)
    late = session[400:404]
    back = Samples(late.t - 0.025, late.acc, late.gyr)  # (its first sample 15 ms below the last passed on: 1.5 periods)
    with pytest.raises(SampleError, match=r"live data: packet 101: sample 400: t = .* is earlier than the sample"
                                          r" before \(.*\) by 0.015\d* s, a sample period \(.* s, the median interval\)"
                                          r" or more; t must increase"):
        checks.packet(back)
    assert len(checks.packet(late)) == 4  # (refused, it changed nothing: the packet sent again goes on)

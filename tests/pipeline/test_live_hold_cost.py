"""The live hold timer's work per packet through a long hold (``Pipeline._hold_span``).

A knee extension held 30 s at 200 Hz (exact signals, tests/pipeline/synth.py), fed 10 samples a
packet. The timer smoothed the whole movement so far at zero phase on every packet (6000 samples
late in the hold); it now carries the smoothing over packets and runs the backward pass over the
newest samples only, with the same values shown.
"""
import numpy as np
import pytest

from sensorkit.pipeline import Pipeline
from sensorkit.pipeline import pipeline as pipeline_module
from synth import random_setup, reps_then, samples_of_angle

META = {"exercise": "knee_extension"}
HOLD_S = 30.0


def long_hold():
    t, theta = reps_then([(3.0, 60, 2.0), (10.0, 60, HOLD_S)], 10.0 + 2.4 + HOLD_S + 5.0, fs_hz=200.0)
    return samples_of_angle(theta, t, *random_setup(4))


def shown(pipeline, samples):
    """After every packet: (the last sample analysed's time s, phase, hold time s), and the reps."""
    status, reps = [], []
    for packet in samples.chunks(10):
        reps += pipeline.update(packet)
        status.append((pipeline.time_s_, pipeline.phase_, pipeline.hold_elapsed_s_))
    return status, reps + pipeline.finish()


def test_the_rows_smoothed_per_packet_stay_bounded_through_a_30_s_hold(monkeypatch):
    smoothed = []  # rows smoothed per packet: whole (smooth_zero_phase) or by filter passes (lfilter)
    whole_smoothing, filter_pass = pipeline_module.smooth_zero_phase, getattr(pipeline_module, "lfilter", None)
    def smooth_zero_phase(columns, *args):
        smoothed[-1] += len(columns[0])
        return whole_smoothing(columns, *args)
    def lfilter(b, a, x, **kwargs):
        smoothed[-1] += len(x)
        return filter_pass(b, a, x, **kwargs)
    monkeypatch.setattr(pipeline_module, "smooth_zero_phase", smooth_zero_phase)
    if filter_pass is not None:
        monkeypatch.setattr(pipeline_module, "lfilter", lfilter)
    pipeline = Pipeline(meta=META)
    late = []
    for packet in long_hold().chunks(10):
        smoothed.append(0)
        pipeline.update(packet)
        if 10.0 + 1.2 + HOLD_S - 5.0 < packet.t[-1] < 10.0 + 1.2 + HOLD_S - 0.5:
            late.append(smoothed[-1])
    assert pipeline.phase_ == "rest" and len(late) > 50
    # (the backward pass: 2.9 s at 200 Hz, 583 rows, plus the packet and the odd extensions; it
    # was the whole movement, 5200-6100 rows)
    assert max(late) < 700


def test_a_long_hold_shows_the_same_as_when_smoothed_whole():
    samples = long_hold()
    status, reps = shown(Pipeline(meta=META), samples)
    whole = Pipeline(meta=META)
    original_start = whole._start
    def start_smoothing_whole(first):
        original_start(first)
        whole._long_span = 10 ** 9  # (no movement is long enough to be smoothed a packet at a time)
    whole._start = start_smoothing_whole
    status_whole, reps_whole = shown(whole, samples)
    assert reps == reps_whole
    assert [phase for _, phase, _ in status] == [phase for _, phase, _ in status_whole]
    held = np.array([s for _, _, s in status])
    assert np.abs(held - np.array([s for _, _, s in status_whole])).max() < 1e-9
    assert held.max() == pytest.approx(HOLD_S, abs=0.3)


@pytest.mark.parametrize("pieces", [[1200] + [10] * 180, [1200, 10, 1290, 3, 497]])
def test_a_movement_smoothed_in_pieces_is_smoothed_as_a_whole(pieces):
    # the hold timer is not asked on every packet (only while the leg is near the top): rows may
    # come 10 at a time or 1290 at once, and each row's value is the whole movement's smoothing
    from sensorkit.pipeline.measure import smooth_zero_phase
    from sensorkit.pipeline.pipeline import _SpanSmoother
    from sensorkit.pipeline.series import integral_deg
    rng = np.random.default_rng(0)
    n = sum(pieces)
    rows = np.zeros((n, 21))
    rows[:, 0] = np.arange(n) / 200.0
    rows[:, 4:7] = np.cumsum(rng.standard_normal((n, 3)), axis=0)  # (a wandering rate, deg/s)
    rows[:, 7:10] = rows[:, 4:7]
    smoother, at = _SpanSmoother(0, 3.0, 200.0), 0
    for size in pieces:
        smoothed = smoother.update(rows[at:at + size])
        at += size
    integral = np.column_stack([integral_deg(rows[:, 0], rows[:, 4 + j], 0.0) for j in range(3)])
    whole = smooth_zero_phase([integral, rows[:, 4:7]], 3.0, 200.0)
    assert np.abs(smoothed - whole).max() < 1e-9 * np.abs(whole).max()

import numpy as np

from sensorkit.ble.merge import ChannelMerger


def frames(t, acc=None, gyr=None):
    rows = np.full((len(t), 7), np.nan)
    rows[:, 0] = t
    if acc is not None:
        rows[:, 1:4] = acc
    if gyr is not None:
        rows[:, 4:7] = gyr
    return rows


def test_complete_rows_pass_through_unchanged():
    t = np.arange(5) * 0.01
    rows = frames(t, acc=np.ones((5, 3)), gyr=np.full((5, 3), 2.0))
    out = ChannelMerger().push(rows)
    assert np.array_equal(out, rows)


def test_split_frames_are_aligned_on_gyro_times_with_interpolated_acc():
    merger = ChannelMerger()
    t_acc = np.arange(0, 1, 0.02)          # 50 Hz acc
    t_gyr = np.arange(0.005, 1, 0.01)      # 100 Hz gyro, offset
    acc = np.column_stack([t_acc, 2 * t_acc, 3 * t_acc])  # linear: interpolation is exact
    gyr = np.column_stack([np.sin(t_gyr)] * 3)
    out = []
    for i in range(0, 50, 10):  # acc frames then gyro frames, as a sensor would send them
        out.append(merger.push(frames(t_acc[i:i + 10], acc=acc[i:i + 10])))
        out.append(merger.push(frames(t_gyr[2 * i:2 * i + 20], gyr=gyr[2 * i:2 * i + 20])))
    out = np.vstack(out)
    assert not np.isnan(out).any()
    assert np.all(np.diff(out[:, 0]) > 0)
    assert np.allclose(out[:, 1], out[:, 0]) and np.allclose(out[:, 3], 3 * out[:, 0])
    assert np.allclose(out[:, 4], np.sin(out[:, 0]))
    # everything inside the acc span comes out; nothing is extrapolated beyond it
    assert out[-1, 0] <= t_acc[-1] and len(out) == np.sum(t_gyr <= t_acc[-1])


def test_gyro_inside_an_acc_gap_is_dropped_not_invented():
    merger = ChannelMerger(max_gap_s=0.1)
    t_acc = np.r_[np.arange(0, 0.5, 0.02), np.arange(1.0, 1.5, 0.02)]
    t_gyr = np.arange(0, 1.5, 0.02)
    merger.push(frames(t_acc, acc=np.zeros((len(t_acc), 3))))
    out = merger.push(frames(t_gyr, gyr=np.ones((len(t_gyr), 3))))
    assert not np.any((out[:, 0] > 0.5) & (out[:, 0] < 1.0))
    assert merger.dropped_samples == np.sum((t_gyr > 0.48 + 1e-9) & (t_gyr < 1.0 - 1e-9))


def test_memory_stays_bounded_when_one_stream_stops():
    merger = ChannelMerger(max_lag_s=1.0)
    merger.push(frames(np.array([0.0]), acc=np.zeros((1, 3))))
    for k in range(100):
        merger.push(frames(np.arange(k, k + 1, 0.01), gyr=np.ones((100, 3))))
    assert len(merger._gyr) <= 101

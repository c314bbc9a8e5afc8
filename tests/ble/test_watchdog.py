"""The data watchdog's allowance (sensorkit.ble.link.DataWatchdog), on played arrival times."""
import numpy as np

from sensorkit.ble.link import SILENCE_FLOOR_S, DataWatchdog

PERIOD_S = 1 / 104


def merged_batches(acc_interval_s, gyr_interval_s, start_s, end_s):
    """(arrival s, samples) of the complete samples a merger releases from ACC and GYRO frames
    arriving every ``acc_interval_s`` / ``gyr_interval_s`` (each frame: the samples of its interval)."""
    arrivals = sorted([(t, "acc") for t in np.arange(start_s + acc_interval_s, end_s, acc_interval_s)]
                      + [(t, "gyr") for t in np.arange(start_s + gyr_interval_s, end_s, gyr_interval_s)])
    covered = {"acc": start_s, "gyr": start_s}
    released_s, batches = start_s, []
    for t, kind in arrivals:
        covered[kind] = t
        both_s = min(covered.values())
        if both_s > released_s:
            batches.append((float(t), int(round((both_s - released_s) / PERIOD_S))))
            released_s = both_s
    return batches


def test_frames_lengthening_fourfold_at_rest_are_no_silence_but_a_stop_is():
    # A Polar sensor's delta frames hold more samples when the leg rests between sets: its ACC and
    # GYRO frames (of different lengths) come 4 times further apart. An allowance of 5 mean waits
    # taken while the leg moved was shorter than a wait at rest: a false "no data ... reconnecting".
    moving = merged_batches(0.58, 0.40, 0.0, 30.0)
    rest = merged_batches(4 * 0.58, 4 * 0.40, moving[-1][0], moving[-1][0] + 30.0)
    watchdog = DataWatchdog()
    watchdog.new_connection(0.0)
    for (t, n), (t_next, _) in zip(moving + rest, (moving + rest)[1:]):
        watchdog.data(t, n)
        for look_s in np.arange(t, t_next, 0.05):  # the session's looks until the next batch
            assert not watchdog.overdue(look_s, PERIOD_S), (t, look_s)
    last_s = rest[-1][0]
    watchdog.data(last_s, rest[-1][1])
    # then it stops: taken for a stop within 5 of the (rest) stream's longest waits, and not at once
    allowance_s = watchdog.allowance_s(PERIOD_S)
    assert SILENCE_FLOOR_S <= allowance_s <= 5 * 4 * 0.58 + 0.01
    assert not watchdog.overdue(last_s + 4 * 0.58 * 2, PERIOD_S)
    assert watchdog.overdue(last_s + allowance_s + 0.05, PERIOD_S)


def test_one_stalled_wait_does_not_raise_the_allowance_for_the_rest_of_the_connection():
    watchdog = DataWatchdog()
    watchdog.new_connection(0.0)
    t = 0.0
    for i in range(200):
        t += 3.0 if i == 100 else 0.1  # a host stall held one batch up 3 s
        watchdog.data(t, 10)
    assert watchdog.allowance_s(PERIOD_S) == SILENCE_FLOOR_S
    assert watchdog.overdue(t + SILENCE_FLOOR_S + 0.05, PERIOD_S)

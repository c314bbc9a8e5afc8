"""Link bookkeeping (sensorkit.ble.link): the data watchdog's allowance and the session time base,
on played arrival times."""
import numpy as np
import pytest

from firmware_protocols import DeviceTime
from sensorkit.ble.link import SILENCE_FLOOR_S, DataWatchdog, TimeBase

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


def test_a_late_first_block_does_not_place_later_connections_early():
    # The start of the session (t = 0) on the host clock was taken from the first block alone: a
    # first block that came 0.5 s late (a busy host, notifications waiting for the decoder) put
    # every later connection's times 0.5 s early, its gap 0.5 s short.
    base = TimeBase()
    base.new_connection()
    for k in range(30):  # blocks of 10 samples measured at 0.1 s steps, arriving 5 ms after
        t = np.arange(10 * k, 10 * k + 10) * 0.01
        arrival_s = 100.0 + t[-1] + (0.5 if k == 0 else 0.005)
        out = base.map(t + 7.0, arrival_s)  # (the decoder's own time: any origin)
    assert abs(out[-1] - 2.99) < 1e-9
    base.new_connection()  # the link dropped; it streams again 2 s later, the sensor's clock at 5.0
    t = np.arange(10) * 0.01
    out = base.map(t + 123.0, 100.0 + 5.09 + 0.005)
    assert abs(out[-1] - 5.09) < 0.01 and abs(out[0] - 5.0) < 0.01


@pytest.mark.parametrize("resumed_ticks, placed_by, first_t_s", [
    (2**32 - 1_000_000 + 3_000_000 - 2**32, "sensor_clock", 3.0),  # 2.01 s on, past the counter's wrap
    (2**32 - 5_000_000, "host_clock", 4.9),                         # went back: a restarted sensor
    (2**32 - 1_000_000 + 900_000_000 - 2**32, "host_clock", 4.9),   # 15 min on: more than the host saw
])
def test_a_later_connection_is_placed_by_the_sensor_clock_unless_it_restarted(resumed_ticks, placed_by, first_t_s):
    timebase = TimeBase()
    timebase.nominal_period_s = 0.01
    timebase.map(np.arange(100) * 0.01, arrival_clock_s=1.0, clock_origin=DeviceTime(2**32 - 1_000_000, 1e6, 2**32))
    timebase.new_connection()  # its first block came late: at 5.0 s on the host clock, its samples 0.09 s long
    t = timebase.map(np.arange(10) * 0.01, arrival_clock_s=5.0, clock_origin=DeviceTime(resumed_ticks, 1e6, 2**32))
    assert timebase.placed_by == placed_by and t[0] == pytest.approx(first_t_s)

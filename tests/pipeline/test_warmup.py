"""The warm-up runs the whole pipeline on its exact one-rep signal; a slow step is announced once."""
import time

from sensorkit.cli import notice
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.warmup import one_rep_signal


def test_the_warm_up_signal_is_one_movement_of_40_degrees():
    reps = Pipeline().run(one_rep_signal())
    assert len(reps) == 1 and abs(reps[0].rom_deg - 40.0) < 0.5
    assert reps[0].radius_m < 0.05  # a pure turn of the sensor about itself: no radius


def test_a_slow_step_is_announced_once_and_a_quick_one_not(capsys):
    with notice.notice_if_slow(5.0, "quick step"):
        pass
    for _ in range(2):
        with notice.notice_if_slow(0.01, "slow step"):
            deadline = time.monotonic() + 10.0  # slow until announced (however busy the machine)
            while "slow step" not in notice._said and time.monotonic() < deadline:
                time.sleep(0.01)
    assert capsys.readouterr().err == "slow step\n"


def test_the_notice_thread_is_gone_after_the_step():
    import threading

    before = set(threading.enumerate())
    with notice.notice_if_slow(60.0, "never"):
        timers = [t for t in set(threading.enumerate()) - before if isinstance(t, threading.Timer)]
        assert len(timers) == 1 and timers[0].is_alive()
    assert not timers[0].is_alive()  # joined: a process pool forked next sees a single thread

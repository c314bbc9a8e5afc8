"""Local parallel analysis: same outcomes in the same order as serial; failures stay per file."""
from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures.process import BrokenProcessPool

import pytest

from scale_helpers import RECORDINGS, run_analyze
from sensorkit.batch import analyze_many
from sensorkit.distributed import choose_workers, cpu_count, run_in_processes
from sensorkit.errors import ConfigError


def outcomes(paths, **options) -> list[tuple]:
    """(path, repr of the session row and rep rows, error) per file: repr compares NaN and every float bit."""
    return [(path, repr((result.session_row, result.rep_rows)) if result else None, error)
            for path, result, error in analyze_many(paths, **options)]


def test_results_come_in_input_order_whatever_the_workers():
    files = sorted(RECORDINGS.glob("*.csv"), reverse=True) + [RECORDINGS / "missing.csv"]
    serial = outcomes(files, workers=1)
    assert [path for path, *_ in serial] == files
    assert serial[-1][2] == f"{RECORDINGS / 'missing.csv'}: cannot read: no such file"
    assert outcomes(files, workers=3) == serial


#: ``sensorkit`` with the pipeline replaced by one that fails on every file (a bug, not bad input)
BUGGY_PIPELINE = """
import sys
import sensorkit.batch

class Buggy:
    def __init__(self, *args, **kwargs):
        pass

    def run(self, samples):
        raise ValueError("a bug in the pipeline")

sensorkit.batch.Pipeline = Buggy
from sensorkit.cli import main
sys.argv[0] = "sensorkit"
main()
"""


def test_an_unexpected_exception_fails_each_file_with_one_line(tmp_path):
    for workers in ("1", "2"):
        result = subprocess.run([sys.executable, "-c", BUGGY_PIPELINE, "analyze", str(RECORDINGS),
                                 "--out", str(tmp_path / workers), "--workers", workers],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        failures = [line for line in result.stderr.splitlines() if "internal error: ValueError" in line]
        assert len(failures) == len(list(RECORDINGS.rglob("*.csv")))  # recordings/real too


def test_a_worker_process_that_dies_fails_its_task_only():
    # raise_signal(SIGCHLD) returns (ignored by default); raise_signal(SIGKILL) kills the worker process
    tasks = [(signal.SIGCHLD,), (signal.SIGKILL,), (signal.SIGCHLD,), (signal.SIGCHLD,)]
    outcomes = list(run_in_processes(signal.raise_signal, tasks, workers=2))
    assert [lost is None for _, lost in outcomes] == [True, False, True, True]
    assert isinstance(outcomes[1][1], BrokenProcessPool)


def test_default_workers_serial_for_a_few_files_else_one_per_cpu():
    assert choose_workers(3, None) == 1
    assert choose_workers(1000, None) == cpu_count()
    assert choose_workers(2, 8) == 2  # never more processes than files
    with pytest.raises(ConfigError):
        choose_workers(10, 0)
    assert run_analyze(RECORDINGS, "--out", "unused", "--workers", "0").returncode == 2


def test_a_ctrl_c_while_the_workers_start_is_raised_once_they_have_started(monkeypatch):
    # Forking runs logging's after-fork hook in this process, where a KeyboardInterrupt is printed
    # as "Exception ignored" and lost: the batch ran on. Held back, it comes when the pool is up,
    # and the pool is stopped (not left running).
    import concurrent.futures

    from sensorkit import distributed
    stopped = []
    real_submit = concurrent.futures.ProcessPoolExecutor.submit

    def submit_then_ctrl_c(pool, *args, **kwargs):
        future = real_submit(pool, *args, **kwargs)  # (the workers start here)
        signal.raise_signal(signal.SIGINT)  # Ctrl-C right after: still inside the start
        return future

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", submit_then_ctrl_c)
    monkeypatch.setattr(distributed, "_stop_now", lambda pool: (stopped.append(pool), pool.shutdown(wait=True)))
    with pytest.raises(KeyboardInterrupt):
        run_in_processes(abs, [(-1,), (-2,)], workers=2)
    assert len(stopped) == 1


def test_interrupts_held_delivers_a_ctrl_c_when_the_block_ends():
    from sensorkit.distributed import interrupts_held
    reached = False
    with pytest.raises(KeyboardInterrupt):
        with interrupts_held():
            signal.raise_signal(signal.SIGINT)
            reached = True  # (not raised inside)
    assert reached


ORPHAN_SCRIPT = """
import sys, time
from sensorkit.distributed import run_in_processes
outcomes = run_in_processes(time.sleep, [(0.1,)], workers=2)  # (one worker stays idle, waiting)
print(next(outcomes), flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the workers")
def test_pool_workers_exit_when_the_batch_process_is_killed_outright():
    # SIGKILL (the OOM killer) stops nothing in order: the idle worker waited for a task for ever
    import os
    import time
    batch = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        assert batch.stdout.readline().startswith("(None, None)")
        workers = [int(pid) for pid in open(f"/proc/{batch.pid}/task/{batch.pid}/children").read().split()]
        assert workers
    finally:
        batch.kill()
        batch.wait()
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]
              for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if os.path.exists(f"/proc/{pid}")
            and "Z" not in open(f"/proc/{pid}/stat").read().split()[2]]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "pool workers outlived the batch process"

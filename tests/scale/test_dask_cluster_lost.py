"""A Dask cluster lost mid-run (its scheduler killed) fails the run as a whole: exit 3, one line, nothing
written, the earlier outputs byte for byte. A lost worker is Dask's to retry and stays one task's outcome.

Without a network: a fake client whose futures are cancelled as Dask cancels them when the scheduler's
connection breaks. With one: a scheduler and a worker in subprocesses, the scheduler killed with SIGKILL.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from scale_helpers import RECORDINGS, STARTUP_TIMEOUT_S, start_cluster

distributed = pytest.importorskip("distributed")

from distributed.client import FutureCancelledError  # noqa: E402

from sensorkit.cli import cli  # noqa: E402
from sensorkit.distributed import ClusterLostError, _dask_outcomes  # noqa: E402

ADDRESS = "tcp://127.0.0.1:8786"
ANALYZE_LOST = ("error: lost the connection to the Dask scheduler at tcp://127.0.0.1:8786 with 2 of 6 files done; "
                "no results written (earlier results are unchanged)")
REPORT_LOST = ("error: lost the connection to the Dask scheduler at tcp://127.0.0.1:8786 with 2 of 6 files done; "
               "no report written (earlier outputs are unchanged)")


class FakeFuture:
    """A future that runs its task at once, or, past the client's ``lose_after``, is cancelled as
    distributed cancels every future of a client whose scheduler connection broke."""

    def __init__(self, client: "FakeClient", index: int, fn, args) -> None:
        self.client, self.index, self.fn, self.args = client, index, fn, args

    def result(self):
        if self.index >= self.client.lose_after:
            self.client.status = "connecting"  # (as distributed's Client._reconnect sets it)
            raise FutureCancelledError(f"task-{self.index}", "scheduler-connection-lost",
                                       "Client lost the connection to the scheduler.")
        return self.fn(*self.args)

    def release(self) -> None:
        pass


class FakeClient:
    lose_after = 2

    def __init__(self, address, timeout=None, set_as_default=False) -> None:
        self.status, self.submitted, self.closed = "running", 0, False

    def submit(self, fn, *args, pure=True):
        self.submitted += 1
        return FakeFuture(self, self.submitted - 1, fn, args)

    def cancel(self, futures, force=False) -> None:
        pass

    def close(self, timeout=None) -> None:
        self.closed = True


@pytest.fixture
def fake_cluster(monkeypatch):
    """``--scheduler`` reaches a fake cluster that is lost after two tasks."""
    monkeypatch.setattr("sensorkit.distributed.check_scheduler", lambda address, timeout_s=None: None)
    monkeypatch.setattr(distributed, "Client", FakeClient)
    return FakeClient


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """Six recordings and a prescription for one of them (the others: skipped by report, with a note)."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("sim_9010", "sim_9013", "sim_9024", "sim_9035", "sim_9038", "sim_9039"):
        for suffix in (".csv", ".json"):
            shutil.copy(RECORDINGS / f"{name}{suffix}", data / f"{name}{suffix}")
    (tmp_path / "rx.toml").write_text(rx_toml("demo-p044", "Europe/Berlin", "2026-12-01", None,
                                              exercise("hip_external_rotation", 35, sides=("left", "right"))))
    return tmp_path


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_futures_cancelled_by_a_lost_connection_raise_with_the_files_done():
    client = FakeClient(ADDRESS)
    futures = [client.submit(lambda i=i: ("ok", i)) for i in range(5)]
    outcomes = _dask_outcomes(futures, client, ADDRESS)
    assert [next(outcomes), next(outcomes)] == [(("ok", 0), None), (("ok", 1), None)]
    with pytest.raises(ClusterLostError) as lost:
        next(outcomes)
    assert (lost.value.done, lost.value.total, lost.value.exit_status) == (2, 5, 3)
    assert str(lost.value) == f"lost the connection to the Dask scheduler at {ADDRESS} with 2 of 5 files done"
    assert client.closed


def test_a_task_that_failed_on_a_live_cluster_is_that_tasks_outcome():
    class KilledWorker(Exception):
        pass

    client = FakeClient(ADDRESS)
    client.lose_after = 99

    def killed():
        raise KilledWorker("the task was on a worker that died 3 times")

    futures = [client.submit(lambda: "ok"), client.submit(killed), client.submit(lambda: "ok")]
    outcomes = list(_dask_outcomes(futures, client, ADDRESS))
    assert outcomes[0] == ("ok", None) and outcomes[2] == ("ok", None)
    assert outcomes[1][0] is None and isinstance(outcomes[1][1], KilledWorker)


def test_a_cancellation_for_another_reason_is_named():
    client = FakeClient(ADDRESS)

    class Restarted(FakeFuture):
        def result(self):
            raise FutureCancelledError("task-0", "scheduler-restart")

    with pytest.raises(ClusterLostError, match=r"the Dask cluster at tcp://127.0.0.1:8786 cancelled the run's "
                                               r"tasks \(scheduler-restart\) with 0 of 1 files done"):
        next(_dask_outcomes([Restarted(client, 0, None, ())], client, ADDRESS))


def test_a_cluster_left_without_workers_fails_the_run_not_each_file():
    class NoWorkerError(Exception):  # (distributed.scheduler's, with a no-workers-timeout set on the scheduler)
        pass

    client = FakeClient(ADDRESS)

    class NoWorkers(FakeFuture):
        def result(self):
            raise NoWorkerError("task-1", 60)

    futures = [FakeFuture(client, 0, lambda: "ok", ()), NoWorkers(client, 1, None, ())]
    outcomes = _dask_outcomes(futures, client, ADDRESS)
    assert next(outcomes) == ("ok", None)
    with pytest.raises(ClusterLostError, match=r"the Dask cluster at tcp://127.0.0.1:8786 has had no worker for its "
                                               r"no-workers-timeout with 1 of 2 files done"):
        next(outcomes)


def test_analyze_on_a_lost_cluster_writes_nothing_and_exits_3(fake_cluster, clinic):
    out = clinic / "out"
    earlier = CliRunner().invoke(cli, ["analyze", str(clinic / "data"), "--out", str(out), "--workers", "1", "--quiet"])
    assert earlier.exit_code == 0, earlier.output
    before = files_in(out)
    result = CliRunner().invoke(cli, ["analyze", str(clinic / "data"), "--out", str(out), "--scheduler", ADDRESS])
    assert result.exit_code == 3, result.output
    # (it was: exit 1, "worker failed: FutureCancelledError ..." for each of 4 files, and both tables replaced)
    assert result.output.splitlines() == [ANALYZE_LOST]
    assert files_in(out) == before and sorted(before) == ["reps.csv", "sessions.csv"]  # (no temporary file)


def test_report_on_a_lost_cluster_keeps_the_earlier_report_and_exits_3(fake_cluster, clinic):
    args = ["report", "--prescription", str(clinic / "rx.toml"), str(clinic / "data"), "--include-simulated",
            "--as-of", "2026-12-31", "--out", str(clinic / "out" / "report.csv"),
            "--summary", str(clinic / "out" / "summary.csv")]
    earlier = CliRunner().invoke(cli, [*args, "--workers", "1"])
    assert earlier.exit_code == 0, earlier.output
    before = files_in(clinic / "out")
    result = CliRunner().invoke(cli, [*args, "--scheduler", ADDRESS])
    assert result.exit_code == 3, result.output
    assert result.output.splitlines()[-1] == REPORT_LOST
    assert not any("failed" in line for line in result.output.splitlines()), result.output
    assert files_in(clinic / "out") == before


# --- a real scheduler, killed ------------------------------------------------------------------------------

def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_a_scheduler_killed_mid_run_leaves_the_earlier_tables_and_says_so_in_one_line(clinic):
    home, out = clinic / "cluster", clinic / "out"
    home.mkdir()
    earlier = subprocess.run([sys.executable, "-m", "sensorkit", "analyze", "data", "--out", "out", "--workers", "1",
                              "--quiet"], capture_output=True, text=True, cwd=clinic, timeout=120)
    assert earlier.returncode == 0, earlier.stderr
    before = files_in(out)
    processes: list[subprocess.Popen] = []
    try:
        address = start_cluster(home, processes)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        run = subprocess.Popen([sys.executable, "-m", "sensorkit", "analyze", "data", "--out", "out", "--scheduler",
                                address], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=clinic)
        # the scheduler is killed once the run's tasks are on it (its client connected and submitting)
        with distributed.Client(address, timeout=STARTUP_TIMEOUT_S) as client:
            while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0:
                assert run.poll() is None and time.monotonic() < deadline + 60, "the run's tasks never came"
                time.sleep(0.05)
        os.kill(processes[0].pid, signal.SIGKILL)
        stderr = run.communicate(timeout=60)[1]
    finally:
        for process in reversed(processes):
            stop(process)
    # (it was: exit 1, a "worker failed: FutureCancelledError" line per unfinished file, two tracebacks,
    # and the tables written over the earlier ones)
    assert run.returncode == 3, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: lost the connection to the Dask scheduler at {address} with ")
    assert lines[0].endswith(" of 6 files done; no results written (earlier results are unchanged)")
    assert files_in(out) == before

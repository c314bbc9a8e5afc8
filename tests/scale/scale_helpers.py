"""Helpers for the batch-at-scale tests: run the CLI as a user would; the sample recordings."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def run_analyze(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sensorkit analyze ARGS...`` in a subprocess (real stderr, real exit status)."""
    return subprocess.run([sys.executable, "-m", "sensorkit", "analyze", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


#: seconds a test's Dask scheduler and worker may take to start
STARTUP_TIMEOUT_S = 60.0


def start_dask(args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    """``python -m dask ARGS`` in its own session, its output in ``log``."""
    with open(log, "wb") as handle:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=handle, stderr=subprocess.STDOUT,
                                cwd=cwd, start_new_session=True)


def start_cluster(home: Path, processes: list[subprocess.Popen]) -> str:
    """A scheduler and one single-threaded worker started under ``home`` (their logs and scheduler file
    there), each appended to ``processes`` as it starts (for the caller to stop, whatever happens);
    returns the scheduler's ``tcp://127.0.0.1:PORT`` once the worker has joined."""
    import distributed

    scheduler_file = home / "scheduler.json"
    processes.append(start_dask(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                 "--scheduler-file", str(scheduler_file)], home / "scheduler.log", home))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not scheduler_file.exists() or not scheduler_file.read_text().strip():
        assert processes[0].poll() is None, (home / "scheduler.log").read_text()
        assert time.monotonic() < deadline, "the Dask scheduler did not start"
        time.sleep(0.1)
    address = json.loads(scheduler_file.read_text())["address"]
    processes.append(start_dask(["worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                                 "--no-nanny", "--no-dashboard"], home / "worker.log", home))
    with distributed.Client(address, timeout=STARTUP_TIMEOUT_S) as client:
        client.wait_for_workers(1, timeout=max(1.0, deadline - time.monotonic()))
    return address


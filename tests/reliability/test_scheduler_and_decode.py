"""A scheduler address that is wrong fails within the connect timeout in one line; decode reads bounded lines."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import Tree, lines, one_line, run
from sensorkit.distributed import CONNECT_TIMEOUT_S, SCHEDULER_TIMEOUT_ENV, connect_timeout_s
from sensorkit.errors import ConfigError

#: the command may take this long beyond the connect timeout (starting Python, importing)
SLACK_S = 20.0
#: the connect timeout the tests set (SENSORKIT_SCHEDULER_TIMEOUT_S) where one must run out, seconds
SHORT_TIMEOUT_S = 1.0


@pytest.fixture
def silent_port():
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture(scope="module")
def dask_worker_port(tmp_path_factory):
    """The port of a real Dask worker (``dask scheduler`` and ``dask worker`` processes): it speaks
    Dask's protocol but is not the scheduler, the easiest wrong address to give."""
    pytest.importorskip("distributed")
    home = tmp_path_factory.mktemp("dask")
    scheduler_file = home / "scheduler.json"
    worker_port = free_port()
    processes = []

    def start(*args: str) -> None:
        with open(os.devnull, "wb") as devnull:
            processes.append(subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=devnull, stderr=devnull,
                                              cwd=home, start_new_session=True))

    start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file))
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert processes[0].poll() is None and time.monotonic() < deadline, "the Dask scheduler did not start"
            time.sleep(0.2)
        start("worker", json.loads(scheduler_file.read_text())["address"], "--host", "127.0.0.1", "--worker-port",
              str(worker_port), "--nthreads", "1", "--no-nanny", "--no-dashboard")
        while not answers(worker_port):
            assert processes[1].poll() is None and time.monotonic() < deadline, "the Dask worker did not start"
            time.sleep(0.2)
        yield worker_port
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def analyze_on(workspace, address, env=None):
    started = time.monotonic()
    result = run("analyze", workspace / "data", "--out", workspace / "out", "--scheduler", address, env=env,
                 timeout=CONNECT_TIMEOUT_S + 60)
    return result, time.monotonic() - started


@pytest.fixture
def env_short_timeout(env_without_dask_address) -> dict:
    """The environment with a 1 s scheduler timeout (the default 10 s would only make the tests wait)."""
    return {**env_without_dask_address, SCHEDULER_TIMEOUT_ENV: f"{SHORT_TIMEOUT_S:g}"}


def test_a_silent_port_fails_within_the_connect_timeout(workspace, silent_port, env_short_timeout):
    tree = Tree(workspace)
    address = f"tcp://127.0.0.1:{silent_port}"
    result, took_s = analyze_on(workspace, address, env_short_timeout)
    assert result.returncode == 2
    assert one_line(result) == (f"error: cannot reach the Dask scheduler at {address}: no answer within "
                                f"{SHORT_TIMEOUT_S:g} s")
    assert took_s < SHORT_TIMEOUT_S + SLACK_S
    tree.assert_unchanged()


def test_the_connect_timeout_is_10_s_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv(SCHEDULER_TIMEOUT_ENV, raising=False)
    assert connect_timeout_s() == CONNECT_TIMEOUT_S == 10.0
    monkeypatch.setenv(SCHEDULER_TIMEOUT_ENV, " 2.5 ")
    assert connect_timeout_s() == 2.5
    for bad in ("0", "-1", "nan", "inf", "ten", "1s"):
        monkeypatch.setenv(SCHEDULER_TIMEOUT_ENV, bad)
        with pytest.raises(ConfigError, match=f"^{SCHEDULER_TIMEOUT_ENV}='{bad}': expected a number of seconds above 0$"):
            connect_timeout_s()


def test_a_bad_connect_timeout_is_one_line_before_any_connection(workspace, silent_port, env_without_dask_address):
    tree = Tree(workspace)
    address = f"tcp://127.0.0.1:{silent_port}"
    result, took_s = analyze_on(workspace, address, {**env_without_dask_address, SCHEDULER_TIMEOUT_ENV: "-5"})
    assert result.returncode == 2
    assert one_line(result) == f"error: {SCHEDULER_TIMEOUT_ENV}='-5': expected a number of seconds above 0"
    assert took_s < SLACK_S
    tree.assert_unchanged()


def test_a_port_where_nothing_listens_fails_at_once(workspace, env_without_dask_address):
    tree = Tree(workspace)
    address = f"tcp://127.0.0.1:{free_port()}"
    result, took_s = analyze_on(workspace, address, env_without_dask_address)
    assert result.returncode == 2
    assert one_line(result) == (f"error: cannot reach the Dask scheduler at {address}: nothing listens there "
                                "(connection refused)")
    assert took_s < SLACK_S
    tree.assert_unchanged()


def test_a_dask_workers_address_is_not_taken_for_the_scheduler(workspace, dask_worker_port,
                                                               env_without_dask_address):
    tree = Tree(workspace)
    address = f"tcp://127.0.0.1:{dask_worker_port}"
    result, took_s = analyze_on(workspace, address, env_without_dask_address)
    assert result.returncode == 2
    assert one_line(result) == f"error: {address} is not a Dask scheduler (it answered as Worker)"
    assert took_s < CONNECT_TIMEOUT_S + SLACK_S
    tree.assert_unchanged()


@pytest.fixture
def http_port():
    """A port where a web server answers (any reply that is not Dask's protocol)."""
    import http.server

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_web_servers_port_is_one_line_not_an_exabyte_allocation(workspace, http_port, env_short_timeout):
    tree = Tree(workspace)
    address = f"tcp://127.0.0.1:{http_port}"
    result, took_s = analyze_on(workspace, address, env_short_timeout)
    assert result.returncode == 2
    message = one_line(result)
    assert message.startswith(f"error: cannot reach the Dask scheduler at {address}: ") and "EiB" not in message
    assert took_s < SHORT_TIMEOUT_S + SLACK_S
    tree.assert_unchanged()


def test_a_scheduler_from_the_environment_is_said(workspace, env_without_dask_address):
    address = f"tcp://127.0.0.1:{free_port()}"
    result = run("analyze", workspace / "data", "--out", workspace / "out",
                 env={**env_without_dask_address, "DASK_SCHEDULER_ADDRESS": address})
    said = lines(result.stderr)
    assert said[0] == (f"note: running on the Dask scheduler at {address} (from DASK_SCHEDULER_ADDRESS; unset it "
                       "to run on this machine)")
    assert result.returncode == 2 and len(said) == 2


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_decode_of_an_endless_line_stops_at_once(tmp_path):
    started = time.monotonic()
    result = run("decode", "open_v1", "/dev/zero", timeout=60)
    assert result.returncode == 1
    assert one_line(result) == ("Error: /dev/zero:1: line longer than 4096 characters; not a capture of notification "
                                "payloads (one hex payload per line)")
    assert time.monotonic() - started < SLACK_S


def test_decode_of_a_long_line_in_a_file_names_the_line(tmp_path):
    capture = tmp_path / "capture.txt"
    capture.write_text("# a capture\n" + "ab" * 5000 + "\n")
    tree = Tree(tmp_path)
    result = run("decode", "open_v1", capture)
    assert result.returncode == 1
    assert one_line(result).startswith(f"Error: {capture}:2: line longer than 4096 characters")
    tree.assert_unchanged()
    assert json.dumps(result.stdout)  # the CSV header only

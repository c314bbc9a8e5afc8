"""``sensorkit analyze --scheduler`` on a real Dask cluster: a scheduler and a worker in subprocesses."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from scale_helpers import run_analyze, start_cluster

def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory):
    """``tcp://127.0.0.1:PORT`` of a scheduler with one single-threaded worker; torn down afterwards."""
    pytest.importorskip("distributed")
    home = tmp_path_factory.mktemp("cluster")  # the worker runs elsewhere than the CLI: paths must not depend on cwd
    processes: list[subprocess.Popen] = []
    try:
        address = start_cluster(home, processes)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


def test_a_dask_cluster_gives_the_same_tables_as_a_serial_run(dask_cluster, recordings_copy, tmp_path):
    (recordings_copy / "broken.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    data = recordings_copy.relative_to(tmp_path)  # relative, from the CLI's folder
    serial = run_analyze(data, "--out", "serial", "--workers", "1", cwd=tmp_path)
    remote = run_analyze(data, "--out", "remote", "--scheduler", dask_cluster, cwd=tmp_path)
    assert serial.returncode == remote.returncode == 1, remote.stderr
    assert "Traceback" not in remote.stderr
    assert f"{data / 'broken.csv'}: line 2: column gyr_z" in remote.stderr
    for table in ("reps.csv", "sessions.csv"):
        assert (tmp_path / "remote" / table).read_bytes() == (tmp_path / "serial" / table).read_bytes(), table
    assert (tmp_path / "serial" / "reps.csv").read_text().count("\n") > 100  # the recordings' reps are in it


def test_report_on_a_dask_cluster_gives_the_same_tables_as_a_serial_run(dask_cluster, tmp_path):
    from click.testing import CliRunner

    from prescriptions import exercise, rx_toml
    from sensorkit.cli import cli
    from sensorkit.sim import simulate_session

    (tmp_path / "rx.toml").write_text(rx_toml("p1", "Europe/Berlin", "2026-11-02", "2026-11-04",
                                              exercise("hip_external_rotation", 20), exercise("knee_extension", 30)))
    for day, (seed, exercise_name) in enumerate([(11, "hip_external_rotation"), (12, "knee_extension"),
                                                 (13, "knee_extension")], start=2):
        s = simulate_session(seed, exercise=exercise_name, n_sets=1, reps_per_set=(5, 5), sample_rate_hz=50, side="left")
        s.meta.update(patient="p1", started_at=f"2026-11-0{day}T10:00:00+01:00")
        s.write(tmp_path / "data", f"s{day}")

    def report(out, *more):
        args = ["report", "--include-simulated", "--prescription", tmp_path / "rx.toml", tmp_path / "data", "--out", tmp_path / out, *more]
        return CliRunner().invoke(cli, [str(a) for a in args])

    serial, remote = report("serial.csv", "--workers", "1"), report("remote.csv", "--scheduler", dask_cluster)
    assert serial.exit_code == remote.exit_code == 0, remote.output
    assert (tmp_path / "remote.csv").read_bytes() == (tmp_path / "serial.csv").read_bytes()
    rows = (tmp_path / "serial.csv").read_text().splitlines()
    assert len(rows) == 1 + 3 * 2 and sum(",true," in r for r in rows) == 3  # 3 days x 2 exercises, 3 with data


def test_the_scheduler_address_can_come_from_the_environment(dask_cluster, recordings_copy, tmp_path):
    env = {**os.environ, "DASK_SCHEDULER_ADDRESS": dask_cluster}
    result = run_analyze(recordings_copy / "sim_9035.csv", "--out", tmp_path / "o", env=env)
    assert result.returncode == 0, result.stderr
    assert "10 reps" in result.stderr


def test_without_dask_the_scheduler_option_is_a_one_line_usage_error(tmp_path):
    hide_dask = ("import sys; sys.modules['distributed'] = None; sys.argv[0] = 'sensorkit';"
                 " from sensorkit.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", hide_dask, "analyze", str(tmp_path), "--out", str(tmp_path / "o"),
                             "--scheduler", "tcp://127.0.0.1:8786"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --scheduler needs Dask's distributed scheduler, which is not installed: pip install 'sensorkit[dask]'"]

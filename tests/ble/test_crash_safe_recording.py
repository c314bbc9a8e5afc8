"""`sensorkit record` killed with SIGKILL mid-session: the file reads back with every flushed sample."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np

from sensorkit.ble.virtual.open_v1_firmware import ACC_MS2_PER_LSB, GYRO_DPS_PER_LSB
from sensorkit.io import read_recording
from sensorkit.sim import simulate_session


def data_rows(path):
    try:
        with open(path, "rb") as handle:
            return max(handle.read().count(b"\n") - 1, 0)
    except FileNotFoundError:
        return 0


def test_sigkill_mid_session_keeps_every_flushed_sample(tmp_path):
    csv = tmp_path / "killed.csv"
    command = [sys.executable, "-m", "sensorkit", "record", "--simulate", "--seed", "5", "--speed", "8",
               "--duration-s", "40", "--out", str(tmp_path), "--name", "killed"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        seen = []  # rows on disk at successive looks: grows once per flush (about once a second)
        while time.monotonic() < deadline and len(set(seen)) < 4:
            seen.append(data_rows(csv))
            time.sleep(0.05)
        flushed = seen[-1]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert flushed > 3 * 104, "the recorder should have flushed several seconds of samples"

    recording = read_recording(csv)
    assert len(recording.samples) >= flushed
    sidecar = json.loads((tmp_path / "killed.json").read_text())
    assert sidecar["sensor"].startswith("sensorkit-imu (simulated open_v1, seed 5") and "ended_at" not in sidecar  # written at start

    # the samples are the simulated sensor's (open_v1 by default), in order, none missing
    source = simulate_session(5, sample_rate_hz=104, max_duration_s=40).samples
    n = len(recording.samples)
    assert np.abs(recording.samples.acc - source.acc[:n]).max() <= ACC_MS2_PER_LSB / 2 + 1e-5
    assert np.abs(recording.samples.gyr - source.gyr[:n]).max() <= GYRO_DPS_PER_LSB / 2 + 1e-4
    assert not recording.warnings
    # t is the device's own sample grid, which drifts from the simulated clock by < 0.1 %
    assert np.abs(recording.samples.t - source.t[:n]).max() < 1e-3 * source.t[n - 1] + 1e-3
    assert recording.samples.t[0] == 0.0 and np.all(np.diff(recording.samples.t) > 0)

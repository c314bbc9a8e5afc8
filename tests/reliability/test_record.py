"""``record``: every sample received is written or counted as lost; a full disk or a closed terminal
still finishes the sidecar; one line, never a traceback."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

from conftest import Tree, lines, run
from test_outputs import limit_file_size


def data_rows(csv_path) -> int:
    with open(csv_path, "rb") as handle:
        return sum(1 for line in handle if line.endswith(b"\n")) - 1  # complete lines, header excluded


def check_counts(folder, name: str, printed: str) -> dict:
    """The sidecar's counts, the CSV's rows and the printed summary agree; returns the sidecar."""
    meta = json.loads((folder / f"{name}.json").read_text())
    rows = data_rows(folder / f"{name}.csv")
    stream = meta["stream"]
    assert meta["n_samples"] == rows
    saved = int(re.search(r"saved (\d+) samples", printed).group(1))
    loss_pct = float(re.search(r"loss ([\d.]+)%", printed).group(1))
    assert saved == rows
    assert abs(loss_pct - 100 * stream["loss_fraction"]) <= 0.05
    expected_loss = (stream["lost_samples"] + stream["unsaved_samples"]) / (stream["received_samples"] + stream["lost_samples"])
    assert abs(stream["loss_fraction"] - expected_loss) < 1e-6
    return meta


def test_a_fast_simulated_record_saves_every_sample_it_received(tmp_path):
    from sensorkit.ble.virtual.simulated import simulated_sensor

    tree = Tree(tmp_path)
    result = run("record", "--simulate", "--speed", "400", "--seed", "3", "--out", tmp_path / "rec", "--name", "fast")
    assert result.returncode == 0, result.stderr
    meta = check_counts(tmp_path / "rec", "fast", lines(result.stdout)[-1])
    stream = meta["stream"]
    assert stream["unsaved_samples"] == 0 and stream["received_samples"] == meta["n_samples"]
    _, sim = simulated_sensor("open_v1", 3, 400.0, sample_rate_hz=104.0)  # what the sensor sends
    sent = len(sim.samples)
    assert abs(meta["n_samples"] + stream["lost_samples"] - sent) <= 0.01 * sent  # saved + lost = sent
    assert meta["simulated"] is True and meta["patient"].startswith("demo-")
    tree.assert_only_changed_under("rec")


def test_record_on_a_full_disk_is_one_line_and_the_sidecar_is_finished(tmp_path):
    tree = Tree(tmp_path)
    result = run("record", "--simulate", "--speed", "50", "--seed", "3", "--duration-s", "60",
                 "--out", tmp_path / "rec", "--name", "full", preexec_fn=limit_file_size(150_000))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = lines(result.stderr)
    assert said[-1].startswith(f"error: {tmp_path / 'rec' / 'full.csv'}: cannot write: file too large"), said
    meta = check_counts(tmp_path / "rec", "full", next(line for line in lines(result.stdout) if line.startswith("done (")))
    assert meta["stream"]["unsaved_samples"] > 0 and "not saved" in meta["write_error"]
    assert meta["ended_at"] and meta["stream"]["ended_by"] == "closed"
    tree.assert_only_changed_under("rec")


def test_closing_the_terminal_finishes_the_recording_like_sigterm(tmp_path):
    tree = Tree(tmp_path)
    out = tmp_path / "rec"
    process = subprocess.Popen([sys.executable, "-m", "sensorkit", "record", "--simulate", "--speed", "4",
                                "--out", str(out), "--name", "hup"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while (not (out / "hup.csv").exists() or data_rows(out / "hup.csv") < 500) and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGHUP)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    done = next(line for line in lines(stdout) if line.startswith("done ("))
    meta = check_counts(out, "hup", done)
    assert {"n_samples", "ended_at", "stream"} <= set(meta) and meta["stream"]["ended_by"] == "closed"
    tree.assert_only_changed_under("rec")


def test_a_write_that_fails_at_the_last_flush_is_exit_1_and_one_line(tmp_path):
    # (at 20 x real time the 10-s session streams in half a second, before the first timed flush:
    # every sample is written when the recording closes, and that write hits the file-size limit)
    tree = Tree(tmp_path)
    result = run("record", "--simulate", "--speed", "20", "--seed", "3", "--duration-s", "10",
                 "--out", tmp_path / "rec", "--name", "last", preexec_fn=limit_file_size(4_000))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert lines(result.stderr)[-1].startswith(f"error: {tmp_path / 'rec' / 'last.csv'}: cannot write: file too large")
    meta = json.loads((tmp_path / "rec" / "last.json").read_text())
    assert "not saved" in meta["write_error"] and meta["ended_at"]
    tree.assert_only_changed_under("rec")


def test_a_simulated_left_leg_moves_the_left_leg_and_the_run_ends_with_its_session(tmp_path):
    # (--side used to label the right leg's data left; a run used to idle up to 1.1 x its duration + 5 s)
    csvs = {}
    for side in ("left", "right"):
        started = time.monotonic()
        result = run("record", "--simulate", "--speed", "20", "--seed", "3", "--duration-s", "20", "--side", side,
                     "--out", tmp_path / side, "--name", "s")
        assert result.returncode == 0, result.stderr
        assert time.monotonic() - started < 20.0  # 1 s of session at 20 x, plus start-up; idling was 1.25 s more
        csvs[side] = [line.split(",")[1:] for line in (tmp_path / side / "s.csv").read_text().splitlines()[1:200]]
        assert json.loads((tmp_path / side / "s.json").read_text())["side"] == side
    assert csvs["left"] != csvs["right"]

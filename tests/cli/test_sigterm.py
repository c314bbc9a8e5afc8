"""SIGTERM (what ``timeout``, systemd and cron send) during ``analyze``/``report`` is handled as Ctrl-C:
nothing written, the earlier outputs byte for byte, no temporary file left, one line, exit 143."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from slowed_batch import WRAPPER, batch, files_in
from under_test import PACKAGE_ROOT, env

NOTES = {"analyze": "terminated (SIGTERM); no results written (earlier results are unchanged)",
         "report": "terminated (SIGTERM); no report written (earlier outputs are unchanged)"}


@pytest.fixture
def terminate(tmp_path):
    """(command, workers, slow) -> the outputs folder's files before and after a run stopped by SIGTERM
    (twice with ``slow="discard"``), its exit status, its stderr lines and the seconds from the last
    SIGTERM to its end."""
    data, out, command = batch(tmp_path)

    def run(name: str, workers: int = 1, slow: str = "no"):
        earlier = subprocess.run([sys.executable, "-m", "sensorkit", *command(name, 1)], capture_output=True,
                                 text=True, timeout=300, cwd=tmp_path, env=env())
        assert earlier.returncode in (0, 1), earlier.stderr
        before = files_in(out)
        process = subprocess.Popen([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, "0.3", slow, *command(name, workers)],
                                   stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
        said = []

        def wait_for(line: str) -> None:
            while (got := process.stderr.readline()) and got.rstrip("\n") != line:
                said.append(got.rstrip("\n"))
            assert got, f"no {line!r}: {said}"

        wait_for("task")
        wait_for("task")  # (the run is under way: a file analysed, or two begun)
        process.send_signal(signal.SIGTERM)
        if slow == "discard":
            wait_for("cleaning up")
            process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        rest = process.communicate(timeout=60)[1]
        lines = [line for line in said + rest.splitlines() if line not in ("task", "cleaning up")]
        return before, files_in(out), process.returncode, lines, time.monotonic() - sent

    return run


@pytest.mark.parametrize("name, workers", [("analyze", 1), ("analyze", 2), ("report", 1), ("report", 2)])
def test_sigterm_stops_the_run_as_ctrl_c_does_with_exit_143(terminate, name, workers):
    before, after, status, said, _ = terminate(name, workers)
    # (it was: killed by the signal, -15 (a shell's 143), no word, and a .reps.csv.PID.tmp left in --out)
    assert status == 143, said
    assert said[-1] == NOTES[name] and said.count(NOTES[name]) == 1, said  # (before it: report's notes of skipped files)
    assert not any("Traceback" in line or "failed" in line for line in said), said
    assert after == before and before  # (the earlier outputs as they were, and no temporary file beside them)


def test_a_second_sigterm_while_the_first_cleans_up_ends_the_run_at_once(terminate):
    before, after, status, said, stop_s = terminate("analyze", 1, "discard")
    assert status == 143 and stop_s < 5.0, said  # (the cleanup would have taken 20 s)
    assert said == [NOTES["analyze"]]
    assert after == before

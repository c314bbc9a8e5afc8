"""Ctrl-C twice during ``analyze``/``report``: the first stops the run cleanly, the second ends it at once;
either way exit 130, one note, no traceback, the earlier outputs byte for byte and no temporary file."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slowed_batch import WRAPPER, batch, files_in
from under_test import PACKAGE_ROOT, env

NOTES = {"analyze": "interrupted; no results written (earlier results are unchanged)",
         "report": "interrupted; no report written (earlier outputs are unchanged)"}


def run_earlier(args: list[str], cwd: Path) -> None:
    """The earlier run whose outputs the interrupted one must leave as they are."""
    earlier = subprocess.run([sys.executable, "-m", "sensorkit", *args], capture_output=True, text=True,
                             timeout=300, cwd=cwd, env=env())
    assert earlier.returncode in (0, 1), earlier.stderr


@pytest.fixture(scope="module")
def earlier_analyze(tmp_path_factory):
    """The outputs of an earlier ``analyze`` of the batch, run once for the module: (its data folder,
    {file: bytes}); the same in every test but for the data folder's path, which the tables give."""
    folder = tmp_path_factory.mktemp("earlier_analyze")
    data, out, command = batch(folder)
    run_earlier(command("analyze"), folder)
    return data, files_in(out)


@pytest.fixture
def run_twice(tmp_path, request):
    """(command, slow) -> the outputs folder's files before and after a run stopped by two Ctrl-C,
    and the run's (exit status, stderr lines, seconds from the second Ctrl-C to its end)."""
    data, out, command = batch(tmp_path)

    def run(name: str, slow: str):
        if name == "analyze":  # (the earlier analyze's tables, with this test's data folder in them)
            shared_data, files = request.getfixturevalue("earlier_analyze")
            out.mkdir()
            for file, content in files.items():
                (out / file).write_bytes(content.replace(str(shared_data).encode(), str(data).encode()))
        else:
            run_earlier(command(name), tmp_path)
        before = files_in(out)
        process = subprocess.Popen([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, "0.2", slow, *command(name)],
                                   stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)
        said = []

        def wait_for(line: str) -> None:
            while (got := process.stderr.readline()) and got.rstrip("\n") != line:
                said.append(got.rstrip("\n"))
            assert got, f"no {line!r}: {said}"
            said.append(line)

        wait_for("task")
        process.send_signal(signal.SIGINT)
        wait_for("cleaning up" if slow == "discard" else NOTES[name])
        sent = time.monotonic()
        try:
            process.send_signal(signal.SIGINT)
        except ProcessLookupError:
            pass  # (already gone)
        rest = process.communicate(timeout=60)[1]
        return before, files_in(out), process.returncode, said + rest.splitlines(), time.monotonic() - sent

    return run


def test_a_second_ctrl_c_while_the_first_cleans_up_ends_analyze_at_once_leaving_no_temporary_file(run_twice):
    before, after, status, said, stop_s = run_twice("analyze", "discard")
    assert status == 130 and stop_s < 5.0, said  # (the cleanup would have taken 20 s)
    assert "Traceback" not in "\n".join(said)
    assert said.count(NOTES["analyze"]) == 1 and said[-1] == NOTES["analyze"], said
    # the earlier reps.csv and sessions.csv as they were, and nothing else: the temporary copies
    # being written were left behind (.reps.csv.PID.tmp) when the second Ctrl-C cut the cleanup short
    assert after == before and sorted(before) == ["reps.csv", "sessions.csv"]


@pytest.mark.parametrize("command", ["analyze", "report"])
def test_a_second_ctrl_c_as_the_process_exits_still_exits_130_without_a_traceback(run_twice, command):
    before, after, status, said, stop_s = run_twice(command, "exit")
    # (it raised KeyboardInterrupt in the interpreter's exit: "Exception ignored in atexit callback",
    # a traceback, after the note; or the process died by the signal, status -2)
    assert status == 130, said
    assert "Traceback" not in "\n".join(said) and "exiting" not in said
    assert stop_s < 5.0 and said.count(NOTES[command]) == 1 and said[-1] == NOTES[command], said
    assert after == before


def test_the_wrapper_runs_the_package_under_test_whatever_its_working_folder(tmp_path):
    # (it imported the sensorkit of its working folder: run from another checkout, it tested that one)
    decoy = tmp_path / "sensorkit"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise ImportError('the sensorkit of the working folder, not the one under test')\n")
    run = subprocess.run([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, "0.2", "discard", "--version"], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0 and "version" in run.stdout, run.stderr

"""Ctrl-C twice during ``analyze``/``report``: the first stops the run cleanly, the second ends it at once;
either way exit 130, one note, no traceback, the earlier outputs byte for byte and no temporary file."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from prescriptions import exercise, rx_toml
from under_test import PACKAGE_ROOT, env

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
NOTES = {"analyze": "interrupted; no results written (earlier results are unchanged)",
         "report": "interrupted; no report written (earlier outputs are unchanged)"}

#: runs ``sensorkit ARGS`` with each file's task announced on stderr and slowed (a long batch to
#: interrupt), and, as ``SLOW`` says, the first Ctrl-C's cleanup slow (``discard``: the output
#: files' removal, as on a slow disk or with a pool slow to stop) or the process's own exit slow
#: (``exit``: an interpreter freeing a big analysis), each announced. Its first argument is the
#: folder of the package under test (under_test.PACKAGE_ROOT), imported whatever the working folder.
WRAPPER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv.pop(1))
    import atexit, time
    import sensorkit.batch as batch
    import sensorkit.io.outputs as outputs
    import sensorkit.report.build as build

    def say(line):
        sys.stderr.write(line + "\\n")
        sys.stderr.flush()

    run_file_task = batch.run_file_task
    def announced(*args):
        say("task")
        time.sleep(0.2)
        return run_file_task(*args)
    batch.run_file_task = build.run_file_task = announced

    slow, args = sys.argv[1], sys.argv[2:]
    if slow == "discard":
        discard = outputs.OutputSet._discard
        def slow_discard(self):
            say("cleaning up")
            time.sleep(20)
            discard(self)
        outputs.OutputSet._discard = slow_discard
    else:
        def slow_exit():
            say("exiting")
            time.sleep(20)
        atexit.register(slow_exit)
    from sensorkit.cli import main
    sys.argv = ["sensorkit", *args]
    main()
""")


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def batch(folder: Path):
    """Nine recordings (a batch long enough to interrupt) and a prescription under ``folder``:
    (data folder, outputs folder, command(name) -> the arguments of ``sensorkit analyze`` or ``report``)."""
    data = folder / "data"
    data.mkdir()
    for name in ("sim_9013", "sim_9010", "sim_9024"):
        for suffix in (".csv", ".json"):
            for copy in range(3):  # (nine tasks: a batch long enough to interrupt)
                shutil.copy(RECORDINGS / f"{name}{suffix}", data / f"{name}_{copy}{suffix}")
    rx = folder / "rx.toml"
    rx.write_text(rx_toml("demo-p044", "Europe/Berlin", "2026-12-01", None,
                          exercise("hip_external_rotation", 35, sides=("left", "right"))))
    out = folder / "out"

    def command(name: str) -> list[str]:
        if name == "analyze":
            return ["analyze", str(data), "--out", str(out), "--workers", "1", "--quiet"]
        return ["report", "--prescription", str(rx), str(data), "--out", str(out / "report.csv"), "--summary",
                str(out / "summary.csv"), "--include-simulated", "--as-of", "2026-12-31", "--workers", "1"]

    return data, out, command


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
        process = subprocess.Popen([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, slow, *command(name)],
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
    run = subprocess.run([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, "discard", "--version"], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0 and "version" in run.stdout, run.stderr

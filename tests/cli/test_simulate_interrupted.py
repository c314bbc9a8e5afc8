"""Ctrl-C during ``simulate``: each simulated session is in the output folder whole (its CSV, sidecar
and ground truth) or not at all, and no temporary file is left."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from under_test import PACKAGE_ROOT

#: runs ``sensorkit simulate ARGS`` with a real Ctrl-C (SIGINT to itself) sent the moment a
#: session's CSV has been written (``written``: wherever it is written), or the ``AT``-th file has
#: been renamed into the output folder (``renamed``); its first argument: the folder of the package
#: under test (see under_test.py)
WRAPPER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv.pop(1))
    import numpy as np

    when, at, out, args = sys.argv[1], int(sys.argv[2]), os.path.realpath(sys.argv[3]), sys.argv[4:]
    counted = []

    def ctrl_c_at(what):
        counted.append(what)
        if len(counted) == at:
            sys.stderr.write(f"Ctrl-C after {what}\\n")
            os.kill(os.getpid(), signal.SIGINT)

    if when == "written":
        savetxt = np.savetxt
        def savetxt_then_ctrl_c(path, *rest, **kwargs):
            savetxt(path, *rest, **kwargs)
            ctrl_c_at(os.path.basename(str(path)))
        np.savetxt = savetxt_then_ctrl_c
    else:
        replace = os.replace
        def replace_then_ctrl_c(source, target, *rest, **kwargs):
            replace(source, target, *rest, **kwargs)
            if str(source).endswith(".tmp") and os.path.dirname(os.path.realpath(target)) == out:
                ctrl_c_at(os.path.basename(str(target)))
        os.replace = replace_then_ctrl_c
    from sensorkit.cli import main
    sys.argv = ["sensorkit", *args]
    main()
""")


@pytest.mark.parametrize("when, at", [("written", 1), ("written", 2), ("renamed", 1), ("renamed", 2), ("renamed", 4)])
def test_a_ctrl_c_leaves_each_simulated_session_whole_or_absent(tmp_path, when, at):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, when, str(at), str(out), "simulate", "--out", str(out),
                          "--sessions", "2", "--seed", "5", "--max-duration-s", "20", "--sample-rate-hz", "50"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)

    said = run.stderr.splitlines()
    assert run.returncode == 130 and "Traceback" not in run.stderr, run.stderr
    assert any(line.startswith("Ctrl-C after ") for line in said), said  # (the interrupt did come there)
    written = sorted(p.name for p in out.iterdir())
    sessions = {name.split(".")[0] for name in written}
    # e.g. after the first CSV was written: before, sim_5.csv stood alone (no sidecar, no truth)
    assert written == sorted(f"{s}{suffix}" for s in sessions for suffix in (".csv", ".json", ".truth.json")), written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


#: runs ``sensorkit simulate ARGS`` and ends the process at once, as a second Ctrl-C does
#: (:func:`sensorkit.io.outputs.stop_at_once`), the moment the first session's CSV has been written
STOPPED_WRAPPER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv.pop(1))
    import numpy as np
    from sensorkit.io import outputs

    savetxt = np.savetxt
    def savetxt_then_stop(*args, **kwargs):
        savetxt(*args, **kwargs)
        sys.stderr.write("stopping\\n")
        outputs.stop_at_once("interrupted")
    np.savetxt = savetxt_then_stop
    from sensorkit.cli import main
    sys.argv = ["sensorkit", *sys.argv[1:]]
    main()
""")


def test_a_process_ended_at_once_while_a_session_is_written_leaves_nothing_in_the_folder(tmp_path):
    # each file is written once, beside its target, as a temporary file the process's end removes
    # (the session was written whole into a hidden staging folder first, and read back: a second
    # Ctrl-C left that folder behind, the CSV in it)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-c", STOPPED_WRAPPER, PACKAGE_ROOT, "simulate", "--out", str(out), "--seed", "5",
                          "--max-duration-s", "20", "--sample-rate-hz", "50"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 130 and "stopping" in run.stderr, run.stderr
    assert list(out.iterdir()) == []


def test_a_failed_rename_puts_no_file_of_the_session_in_place(tmp_path, monkeypatch):
    # the three files go into place together: a failure at the last (the CSV) takes back the two
    # renamed before it, and the sessions simulated before stay whole
    import os

    from click.testing import CliRunner

    from sensorkit.cli.simulate import simulate
    from sensorkit.io.outputs import OutputError

    out = tmp_path / "out"
    replace = os.replace

    def failing_replace(source, target, *args, **kwargs):
        if str(target).endswith("sim_8.csv"):
            raise OSError(28, "No space left on device")
        return replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    result = CliRunner().invoke(simulate, ["--out", str(out), "--seed", "7", "--sessions", "2",
                                           "--max-duration-s", "20", "--sample-rate-hz", "50"])
    assert isinstance(result.exception, OutputError), result.output
    assert str(result.exception) == f"{out / 'sim_8.csv'}: cannot write: no space left on the device"
    assert sorted(p.name for p in out.iterdir()) == ["sim_7.csv", "sim_7.json", "sim_7.truth.json"]


def test_simulate_writes_what_the_session_writes(tmp_path):
    # the command's files are the session's own, byte for byte
    from click.testing import CliRunner

    from sensorkit.cli.simulate import simulate
    from sensorkit.sim import simulate_session

    result = CliRunner().invoke(simulate, ["--out", str(tmp_path / "cli"), "--seed", "3", "--max-duration-s", "20"])
    assert result.exit_code == 0, result.output
    simulate_session(3, max_duration_s=20.0).write(tmp_path / "session", "sim_3")
    for suffix in (".csv", ".json", ".truth.json"):
        assert (tmp_path / "cli" / f"sim_3{suffix}").read_bytes() == (tmp_path / "session" / f"sim_3{suffix}").read_bytes()


def test_a_csv_that_cannot_be_written_is_one_line_naming_it_and_leaves_nothing(tmp_path):
    # (a full disk, here a 100 kB file size limit: the CSV's write failed with a numpy traceback)
    import resource
    import signal

    from under_test import env

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # (the write fails with EFBIG instead)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    run = subprocess.run([sys.executable, "-m", "sensorkit", "simulate", "--out", "out", "--seed", "3"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env(), preexec_fn=limited)
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"error: {Path('out') / 'sim_3.csv'}: cannot write: file too large"), line
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []

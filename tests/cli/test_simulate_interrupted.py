"""Ctrl-C during ``simulate``: each simulated session is in the output folder whole (its CSV, sidecar
and ground truth) or not at all, and no temporary file is left."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: runs ``sensorkit simulate ARGS`` with a real Ctrl-C (SIGINT to itself) sent the moment a
#: session's CSV has been written (``written``: wherever it is written), or the ``AT``-th file has
#: been renamed into the output folder (``renamed``)
WRAPPER = textwrap.dedent("""
    import os, signal, sys
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
    run = subprocess.run([sys.executable, "-c", WRAPPER, when, str(at), str(out), "simulate", "--out", str(out),
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

"""The in-process runner (tests/in_process.py) says what ``python -m sensorkit`` says: the same
stdout, stderr and exit status on a usage error, a refused output, a report and an analysis."""
from __future__ import annotations

import pytest

from conftest import as_patient, run
from in_process import run_in_process
from tests.cli.under_test import env

CASES = {
    "usage error": lambda w: ("analyze", w / "data", "--nope"),
    "missing input": lambda w: ("report", "--prescription", w / "rx", w / "nope", "--out", w / "r.csv"),
    "plot onto its own recording": lambda w: ("plot", w / "data" / "sim_1.csv", "--out", w / "data" / "sim_1.csv"),
    "report": lambda w: ("report", "--prescription", w / "rx", w / "data", "--out", w / "r.csv"),
    "analyze": lambda w: ("analyze", w / "data", "--out", w / "out"),
    "help": lambda w: ("report", "--help"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_in_process_runner_says_what_the_command_says(workspace, case):
    as_patient(workspace / "data")
    args = CASES[case](workspace)
    here = run_in_process(*args, cwd=workspace)
    written = _files(workspace)
    for path in sorted(workspace.rglob("*"), reverse=True):  # (what it wrote removed: the same start for the real one)
        if path.relative_to(workspace).parts[0] not in {"data", "rx"}:
            path.unlink() if path.is_file() else path.rmdir()
    real = run(*args, cwd=workspace, env=env())  # (the package the test imported, from whatever checkout)
    assert (here.returncode, here.stdout, here.stderr) == (real.returncode, real.stdout, real.stderr)
    assert written == _files(workspace)


def _files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))

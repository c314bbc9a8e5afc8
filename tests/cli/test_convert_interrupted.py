"""Ctrl-C during ``convert``: each converted recording is in the output folder whole (its CSV and its
sidecar) or not at all, whenever the Ctrl-C comes; the inputs are untouched and nothing is written
outside the output folder."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from under_test import PACKAGE_ROOT

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
NOTE = "interrupted; the files converted so far are complete, the one being written is not there"

#: runs ``sensorkit convert ARGS`` with a real Ctrl-C (SIGINT to itself) sent the moment the
#: ``AT``-th file written has been renamed into the output folder, that file's name said on stderr
#: (its first argument: the folder of the package under test, see under_test.py)
WRAPPER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, sys.argv.pop(1))

    at, out, args = int(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3:]
    replace, placed = os.replace, []

    def replace_then_ctrl_c(source, target, *rest, **kwargs):
        replace(source, target, *rest, **kwargs)
        if str(source).endswith(".tmp") and os.path.dirname(os.path.realpath(target)) == out:
            placed.append(target)
            if len(placed) == at:
                sys.stderr.write(f"Ctrl-C after {os.path.basename(target)}\\n")
                os.kill(os.getpid(), signal.SIGINT)

    os.replace = replace_then_ctrl_c
    from sensorkit.cli import main
    sys.argv = ["sensorkit", *args]
    main()
""")


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("at", [1, 2, 3, 4])
def test_a_ctrl_c_after_any_file_is_put_in_place_leaves_every_recording_whole_or_absent(tmp_path, at):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("sim_9013", "sim_9010", "sim_9024"):
        for suffix in (".csv", ".json"):
            shutil.copy(RECORDINGS / f"{name}{suffix}", data / f"{name}{suffix}")
    inputs = files_in(data)
    out = tmp_path / "out"

    run = subprocess.run([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, str(at), str(out), "convert", str(data), "--out", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)

    said = run.stderr.splitlines()
    assert run.returncode == 130 and said[-1] == NOTE and "Traceback" not in run.stderr, run.stderr
    assert any(line.startswith("Ctrl-C after ") for line in said), said  # (the interrupt did come there)
    written = sorted(files_in(out))
    csvs = {name[:-4] for name in written if name.endswith(".csv")}
    sidecars = {name[:-5] for name in written if name.endswith(".json")}
    # e.g. after the first file: before, sim_9010.csv stood alone (its sidecar never written)
    assert csvs == sidecars, written
    assert written == sorted([f"{n}.csv" for n in csvs] + [f"{n}.json" for n in sidecars]), written  # no temporary file
    assert files_in(data) == inputs  # the inputs byte for byte, nothing added beside them
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_a_converted_pair_is_placed_sidecar_first_so_a_csv_in_the_folder_always_has_its_sidecar(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(RECORDINGS / f"sim_9013{suffix}", data / f"sim_9013{suffix}")
    out = tmp_path / "out"

    run = subprocess.run([sys.executable, "-c", WRAPPER, PACKAGE_ROOT, "1", str(out), "convert", str(data), "--out", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)

    assert "Ctrl-C after sim_9013.json" in run.stderr.splitlines(), run.stderr
    assert files_in(out) == {}  # (the sidecar put in place is taken back: the pair never was)

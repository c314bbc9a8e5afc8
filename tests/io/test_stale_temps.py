"""The temporary files of a run killed outright (``kill -9``) are removed by the next run writing the same
outputs, and nothing else is: not a live run's, not another name's, not a link."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.io.outputs import OutputSet, remove_stale_temps

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")
RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_only_the_dead_runs_temporary_files_of_the_targets_are_removed(tmp_path, dead_pid):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = [tmp_path / f".reps.csv.{dead_pid}.tmp", tmp_path / f".sessions.csv.{dead_pid}.tmp",
                 tmp_path / f".reps.csv.{dead_pid}.bak"]
        kept = [tmp_path / f".reps.csv.{live.pid}.tmp",  # (a run going on)
                tmp_path / f".reps.csv.{os.getpid()}.tmp",  # (this process's)
                tmp_path / f".notes.csv.{dead_pid}.tmp",  # (not a target's)
                tmp_path / f".reps.csv.{dead_pid}.tmp.keep", tmp_path / f"reps.csv.{dead_pid}.tmp",
                tmp_path / f".reps.csv.x{dead_pid}.tmp", tmp_path / f".reps.csv.{dead_pid}.old",
                tmp_path / "reps.csv"]
        for path in stale + kept:
            path.write_text("x")
        link = tmp_path / f".sessions.csv.{dead_pid}.bak"
        link.symlink_to(tmp_path / "reps.csv")
        folder = tmp_path / f".summary.csv.{dead_pid}.tmp"
        folder.mkdir()
        removed = remove_stale_temps([tmp_path / "reps.csv", tmp_path / "sessions.csv", tmp_path / "summary.csv"])
        assert sorted(removed) == sorted(stale)
        assert not any(p.exists() for p in stale)
        assert all(p.exists() for p in kept) and link.is_symlink() and folder.is_dir()
    finally:
        live.kill()
        live.wait()


def test_a_temporary_file_held_locked_is_kept_whatever_its_process_id(tmp_path, dead_pid):
    # (a run on another machine writing into a shared folder: its process id means nothing here)
    temp = tmp_path / f".report.csv.{dead_pid}.tmp"
    with open(temp, "w") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert remove_stale_temps([tmp_path / "report.csv"]) == []
        assert temp.exists()
    assert remove_stale_temps([tmp_path / "report.csv"]) == [temp]


def test_an_output_set_being_written_is_locked_so_no_other_run_takes_it_for_stale(tmp_path, dead_pid):
    with OutputSet([tmp_path / "report.csv"]) as outputs:
        outputs.write(tmp_path / "report.csv", "patient,date,exercise,side,\n")
        temp = tmp_path / f".report.csv.{os.getpid()}.tmp"
        moved = temp.rename(tmp_path / f".report.csv.{dead_pid}.tmp")  # (as if written by a process gone here)
        assert remove_stale_temps([tmp_path / "report.csv"]) == []
        moved.rename(temp)


def test_analyze_removes_what_a_run_killed_outright_left_in_its_output_folder(tmp_path, dead_pid):
    out = tmp_path / "out"
    out.mkdir()
    left = [out / f".reps.csv.{dead_pid}.tmp", out / f".sessions.csv.{dead_pid}.tmp", out / f".reps.csv.{dead_pid}.bak"]
    for path in left:
        path.write_text("recording,rep,side,kind,\n")
    mine = out / f".notes.{dead_pid}.tmp"
    mine.write_text("not sensorkit's")
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "sim_9013.csv")
    shutil.copy(RECORDINGS / "sim_9013.json", tmp_path / "sim_9013.json")
    result = CliRunner().invoke(cli, ["analyze", str(tmp_path / "sim_9013.csv"), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    # (it was: every .reps.csv.PID.tmp of a killed run stayed for good, one more per killed run)
    assert sorted(p.name for p in out.iterdir()) == sorted([mine.name, "reps.csv", "sessions.csv"])

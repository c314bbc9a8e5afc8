"""Bad input at batch scale: every good file analysed, every bad one named with its reason, serial or parallel."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scale_helpers import run_analyze
from sensorkit.io import read_recording
from sensorkit.samples import COLUMNS, GRAVITY_MS2

GOOD_SOURCE = "sim_9035"  # 100 Hz, 10 full reps


def copy_recording(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_bytes(source.with_suffix(".json").read_bytes())
    target = folder / f"{name}.csv"
    target.write_bytes(source.read_bytes())
    return target


def build_bad_tree(data: Path) -> dict[str, str]:
    """Add bad recordings among the good ones in ``data``; returns {stem: expected reason fragment}."""
    good = data / f"{GOOD_SOURCE}.csv"
    lines = good.read_text().splitlines(keepends=True)
    bad = data / "bad"

    corrupt = copy_recording(good, bad, "corrupt")
    damaged = list(lines)
    damaged[500::50] = ["0.1,oops,2,3,4,5,6\n"] * len(damaged[500::50])  # (every 50th line from 501: too many to leave out)
    corrupt.write_text("".join(damaged))
    (bad / "empty.csv").write_text("")
    (bad / "binary.csv").write_bytes(bytes(range(255, -1, -1)) * 8)  # starts with 0xff: not UTF-8
    rec = read_recording(good)
    in_g = np.column_stack([rec.samples.t, rec.samples.acc / GRAVITY_MS2, rec.samples.gyr])
    np.savetxt(bad / "in_g.csv", in_g, fmt="%.6f", delimiter=",", header=",".join(COLUMNS), comments="")
    copy_recording(good, bad, "bad_sidecar")
    (bad / "bad_sidecar.json").write_text('{"side": "left",')
    os.symlink(bad / "no_such_target.csv", bad / "dangling.csv")
    os.symlink("loop.csv", bad / "loop.csv")  # unreadable even for root: a symlink to itself

    # repaired, not failed: a crash cut the last line in half; and a folder that happens to be named x.csv
    cut = copy_recording(good, data / "more", "crash_cut")
    cut.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    copy_recording(good, data / "more" / "x.csv", "inside_a_folder_named_x_csv")
    return {
        "corrupt": "corrupt.csv: line 501: column acc_x: 'oops' is not a number",
        "empty": "empty.csv: file is empty",
        "binary": "binary.csv: line 1: not UTF-8 text",
        "in_g": "in_g.csv: columns acc_x, acc_y, acc_z: in g, not m/s²",
        "bad_sidecar": "bad_sidecar.json",
        "dangling": "dangling.csv: a symbolic link to",
        "loop": "loop.csv: cannot read: Too many levels of symbolic links",
    }


@pytest.fixture
def bad_tree(recordings_copy: Path) -> tuple[Path, dict[str, str]]:
    return recordings_copy, build_bad_tree(recordings_copy)


def csv_entries(folder: Path) -> set[str]:
    """Every non-folder *.csv under ``folder`` (dangling links included): what a batch must account for."""
    return {Path(root, name).stem for root, _, names in os.walk(folder) for name in names if name.endswith(".csv")}


def test_every_bad_file_is_named_with_its_reason_and_every_good_one_analyzed(bad_tree, tmp_path):
    data, expected_failures = bad_tree
    for workers in ("1", "3"):  # serial, then a local pool
        result = run_analyze(data, "--out", tmp_path / workers, "--workers", workers)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        for stem, reason in expected_failures.items():
            assert any(reason in line for line in result.stderr.splitlines()), (workers, stem, result.stderr)
        assert any(line.startswith("warning: ") and "crash_cut.csv: line" in line and "incomplete last line dropped"
                   in line for line in result.stderr.splitlines()), result.stderr

        sessions = pd.read_csv(tmp_path / workers / "sessions.csv", keep_default_na=False)
        assert set(sessions.recording) == csv_entries(data)  # nothing silently skipped
        assert len(sessions) == len(csv_entries(data))
        failed = sessions[sessions.status == "failed"].set_index("recording")
        assert set(failed.index) == set(expected_failures)
        for stem, reason in expected_failures.items():
            assert reason in failed.loc[stem, "error"]
        ok = sessions[sessions.status == "ok"].set_index("recording")
        assert ok.loc["crash_cut", "warnings"].count("incomplete last line dropped") == 1
        for stem in ("crash_cut", GOOD_SOURCE, "inside_a_folder_named_x_csv"):
            assert int(ok.loc[stem, "reps_counted"]) == 10, stem
        reps = pd.read_csv(tmp_path / workers / "reps.csv")
        assert set(reps.recording) == set(ok.index)
    for table in ("reps.csv", "sessions.csv"):  # serial and parallel wrote the same bytes
        assert (tmp_path / "1" / table).read_bytes() == (tmp_path / "3" / table).read_bytes(), table

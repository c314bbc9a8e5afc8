"""Bad input as the commands report it: one sentence per failed recording, the same everywhere."""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"

RX = """patient = "p1"
timezone = "Europe/Berlin"
start = 2026-12-01
end = 2026-12-31

[[exercise]]
name = "hip_external_rotation"
sides = ["left", "right"]
sets = 3
reps_per_set = 10
hold_s = 5
rom_deg = 30
days_per_week = 7
"""


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sensorkit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_a_sidecar_error_is_the_same_sentence_on_stderr_in_sessions_csv_and_in_the_report_log(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "data" / "s1.csv")
    meta = json.loads((RECORDINGS / "sim_9013.json").read_text())
    meta.update(side="up", patient="p1", simulated=False, sensor="test")
    (tmp_path / "data" / "s1.json").write_text(json.dumps(meta))
    (tmp_path / "rx.toml").write_text(RX)
    # the recording given as a relative path: every message names it, and its sidecar, as given
    sentence = "data/s1.csv: data/s1.json: key side: expected \"left\" or \"right\", got 'up'"

    analyzed = run("analyze", "data", "--out", "out", cwd=tmp_path)
    assert analyzed.returncode == 1
    assert sentence in analyzed.stderr.splitlines(), analyzed.stderr
    with open(tmp_path / "out" / "sessions.csv", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["error"] == sentence

    reported = run("report", "--prescription", "rx.toml", "data", "--out", "r.csv", "--log", "r.log",
                   "--as-of", "2026-12-31", cwd=tmp_path)
    assert reported.returncode == 1
    assert sentence in reported.stderr.splitlines(), reported.stderr
    assert sentence in (tmp_path / "r.log").read_text().splitlines()


def test_a_newline_in_a_file_name_is_escaped_on_stderr_and_in_sessions_csv(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "left\nknee.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    sentence = "data/left\\nknee.csv: line 2: column gyr_z: 'x' is not a number"
    analyzed = run("analyze", "data", "--out", "out", cwd=tmp_path)
    assert analyzed.returncode == 1
    assert sentence in analyzed.stderr.splitlines(), analyzed.stderr
    assert "knee.csv" not in analyzed.stderr.replace(sentence, "")  # (no second line holding the name's end)
    with open(tmp_path / "out" / "sessions.csv", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["error"] == sentence and row["path"] == "data/left\nknee.csv"  # (the path column: the name itself)

    (tmp_path / "rx.toml").write_text(RX)
    reported = run("report", "--prescription", "rx.toml", "data", "--out", "r.csv", "--log", "r.log", cwd=tmp_path)
    assert sentence in reported.stderr.splitlines() and sentence in (tmp_path / "r.log").read_text().splitlines()

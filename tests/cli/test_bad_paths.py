"""Bad input as the commands report it: one line, the same sentence everywhere; a missing or unreadable
input path is a usage error (exit 2) in every command, a bad recording's content a per-file failure (1)."""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from in_process import run_in_process as run  # (the command in this process: outputs and messages only)
from prescriptions import exercise, rx_toml
from under_test import env

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"

RX = rx_toml("p1", "Europe/Berlin", "2026-12-01", "2026-12-31",
             exercise("hip_external_rotation", 30, hold_s=5, reps_per_set=10, sides=("left", "right"), sets=3))


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

    plotted = run("plot", "data/s1.csv", "--out", "p.png", cwd=tmp_path)
    assert plotted.returncode == 1 and plotted.stderr.splitlines() == [f"error: {sentence}"]


def test_a_newline_in_a_file_name_is_escaped_on_stderr_and_in_sessions_csv(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "left\nknee.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    sentence = "data/left\\nknee.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"
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


#: every input a command reads, missing: (command, its arguments, the input named). Each is said
#: the same way, e.g. ``error: nope.toml: cannot read: no such file (see 'python -m sensorkit report
#: --help')`` (decode, plot --patient-report, report --prescription and dashboard said click's
#: ``Invalid value for 'FILE': File 'nope.hex' does not exist.``)
MISSING = [
    ("analyze", ["nope.csv", "--out", "out"], "nope.csv"),
    ("report", ["--prescription", "rx.toml", "nope.csv", "--out", "r.csv"], "nope.csv"),
    ("report", ["--prescription", "nope.toml", "data", "--out", "r.csv"], "nope.toml"),
    ("convert", ["nope.csv", "--out", "out"], "nope.csv"),
    ("plot", ["nope.csv", "--out", "x.png"], "nope.csv"),
    ("plot", ["--patient-report", "nope.csv", "--out", "plots"], "nope.csv"),
    ("decode", ["movesense", "nope.hex"], "nope.hex"),
    ("dashboard", ["--prescription", "rx.toml", "nope", "--no-browser"], "nope"),
    ("dashboard", ["--prescription", "nope.toml", "data", "--no-browser"], "nope.toml"),
]


@pytest.mark.parametrize("command, args, missing", MISSING,
                         ids=[f"{command}{' ' + args[0] if args[0].startswith('--') else ''} {missing}"
                              for command, args, missing in MISSING])
def test_a_missing_input_path_is_a_usage_error_in_every_command(tmp_path, command, args, missing):
    (tmp_path / "rx.toml").write_text(RX)
    (tmp_path / "data").mkdir()
    result = run(command, *args, cwd=tmp_path)
    assert result.returncode == 2  # (plot said 1, as for a bad recording; the batches 1, with a row)
    assert result.stderr.splitlines() == [f"error: {missing}: cannot read: no such file (see 'python -m sensorkit"
                                          f" {command} --help')"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "rx.toml"]  # nothing written


@pytest.mark.parametrize("command, args", [("decode", ["movesense", "data"]),
                                           ("plot", ["--patient-report", "data", "--out", "plots"])])
def test_a_folder_where_a_file_is_read_is_said_as_plot_says_it(tmp_path, command, args):
    (tmp_path / "data").mkdir()
    result = run(command, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: data: cannot read: is a folder, not a file (see 'python -m sensorkit"
                                          f" {command} --help')"]


@pytest.mark.skipif(not os.path.exists("/dev/fd"), reason="needs /dev/fd")
def test_decode_still_reads_stdin_and_a_pipe(tmp_path):
    capture = "# a capture\n0102\n"  # (one payload, too short for open_v1: named, exit 1)
    piped = subprocess.run([sys.executable, "-m", "sensorkit", "decode", "open_v1", "-"], input=capture,
                           capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env())
    assert piped.returncode == 1 and piped.stderr.startswith("-:2: open_v1 frame of 2 bytes"), piped.stderr
    read, write = os.pipe()
    os.write(write, capture.encode())
    os.close(write)
    try:  # as a shell's <(...) or 3< gives it: /dev/fd/N, a pipe, no regular file
        fd = subprocess.run([sys.executable, "-m", "sensorkit", "decode", "open_v1", f"/dev/fd/{read}"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120, pass_fds=(read,), env=env())
    finally:
        os.close(read)
    assert fd.returncode == 1 and fd.stderr.startswith(f"/dev/fd/{read}:2: open_v1 frame of 2 bytes"), fd.stderr


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_a_dangling_link_given_is_a_usage_error(tmp_path, command):
    (tmp_path / "link.csv").symlink_to(tmp_path / "gone.csv")
    out = "out" if command == "analyze" else "x.png"
    result = run(command, "link.csv", "--out", out, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: link.csv: a symbolic link to {tmp_path / 'gone.csv'}, which does not exist")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_input_is_a_usage_error(tmp_path):
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "locked.csv")
    (tmp_path / "locked.csv").chmod(0)
    for command, out in (("analyze", "out"), ("plot", "x.png")):
        result = run(command, "locked.csv", "--out", out, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.startswith("error: locked.csv: cannot read: permission denied")


def test_plot_of_a_folder_is_a_usage_error_and_of_a_bad_recording_still_exits_1(tmp_path):
    (tmp_path / "data").mkdir()
    folder = run("plot", "data", "--out", "x.png", cwd=tmp_path)
    assert folder.returncode == 2 and folder.stderr.startswith("error: data: cannot read: is a folder, not a file")
    (tmp_path / "data" / "bad.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    bad = run("plot", "data/bad.csv", "--out", "x.png", cwd=tmp_path)
    assert bad.returncode == 1  # the recording's content: as documented
    assert bad.stderr.splitlines() == ["error: data/bad.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"]


def test_plot_of_a_recording_named_with_a_tab_says_nothing_but_its_output(tmp_path):
    pytest.importorskip("matplotlib")
    shutil.copy(RECORDINGS / "sim_9013.csv", tmp_path / "tab\there.csv")
    shutil.copy(RECORDINGS / "sim_9013.json", tmp_path / "tab\there.json")
    result = run("plot", "tab\there.csv", "--out", "x.png", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "x.png\n"
    assert result.stderr == ""  # (matplotlib warned of a missing glyph 9 for the title)


def test_a_message_names_the_files_beside_a_recording_as_given_and_nothing_else_is_rewritten():
    from sensorkit.batch import relabel_path

    # (the sidecar and a vendor pair's partner, opened from the absolute folder, are named as the user gave it)
    assert relabel_path("/srv/data/x.csv: /srv/data/x.json: key side: ...", Path("/srv/data/x.csv"),
                        Path("data/x.csv")) == "data/x.csv: data/x.json: key side: ..."
    # (a unit, or another path ending in the same folder's name, is no path of that folder)
    assert relabel_path("/x.csv: |acc| 1.0 m/s², |gyr| 3 deg/s", Path("/x.csv"), Path("x.csv")) == \
        "x.csv: |acc| 1.0 m/s², |gyr| 3 deg/s"
    assert relabel_path("/srv/data/x.csv: see /mnt/srv/data/y", Path("/srv/data/x.csv"), Path("x.csv")) == \
        "x.csv: see /mnt/srv/data/y"

"""Outputs never overwrite inputs or each other; written as a set; a failed write is one line."""
from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess

import pytest

from conftest import Tree, as_patient, lines, one_line, run, usage_error
from in_process import run_in_process


def test_plot_onto_its_own_recording_is_refused(workspace):
    tree = Tree(workspace)
    result = run_in_process("plot", workspace / "data" / "sim_1.csv", "--out", workspace / "data" / "sim_1.csv")
    assert result.returncode == 2
    assert one_line(result) == (f"error: --out {workspace / 'data' / 'sim_1.csv'}: is an input recording (or its "
                                "sidecar); it is never overwritten")
    tree.assert_unchanged()


def test_plot_onto_the_sidecar_or_another_recording_is_refused(workspace):
    tree = Tree(workspace)
    for target in ("sim_1.json", "sim_2.csv"):
        result = run_in_process("plot", workspace / "data" / "sim_1.csv", "--out", workspace / "data" / target)
        assert result.returncode == 2 and target in one_line(result)
    tree.assert_unchanged()


@pytest.mark.parametrize("option", ["--out", "--log", "--summary"])
def test_report_outputs_onto_a_recording_are_refused(workspace, option):
    as_patient(workspace / "data")
    tree = Tree(workspace)
    outputs = {"--out": workspace / "report.csv", option: workspace / "data" / "sim_2.csv"}
    args = [a for pair in outputs.items() for a in pair]
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", *args)
    assert result.returncode == 2
    assert one_line(result).startswith(f"error: {option} {workspace / 'data' / 'sim_2.csv'}: is an input recording")
    tree.assert_unchanged()


def test_report_out_and_summary_on_the_same_file_are_refused(workspace):
    as_patient(workspace / "data")
    tree = Tree(workspace)
    same = workspace / "x.csv"
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", same, "--summary", same)
    assert result.returncode == 2
    assert one_line(result) == f"error: --summary {same}: the same file as --out {same}; give each output its own file"
    tree.assert_unchanged()


def test_analyze_out_that_is_a_file_is_one_line(workspace):
    (workspace / "not_a_folder").write_text("notes\n")
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "data", "--out", workspace / "not_a_folder")
    assert "not_a_folder" in usage_error(result) and "is a file" in usage_error(result)
    tree.assert_unchanged()


def test_a_folder_named_reps_csv_leaves_the_earlier_pair_intact(workspace, earlier_analysis):
    out = workspace / "out"
    earlier_analysis(out)
    (out / "reps.csv").unlink()
    (out / "reps.csv").mkdir()
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "data", "--out", out, "--quiet")
    assert result.returncode == 2
    assert one_line(result) == f"error: --out {out / 'reps.csv'}: is a folder; expected a file"
    tree.assert_unchanged()  # sessions.csv not rewritten alone, no .tmp left


@contextlib.contextmanager
def small_tmpfs(folder, size: str, read_only: bool = False):
    """A tmpfs of ``size`` mounted on ``folder`` (root only; skips where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not shutil.which("mount") or not shutil.which("umount"):
        pytest.skip("no mount command here")
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def limit_file_size(max_bytes: int):
    """preexec_fn: files may not grow beyond ``max_bytes`` (a full disk, as the writer sees it)."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def test_analyze_on_a_full_disk_is_one_line_and_keeps_the_earlier_results(workspace, earlier_analysis):
    out = workspace / "out"
    earlier_analysis(out)
    tree = Tree(workspace)
    result = run("analyze", workspace / "data", "--out", out, "--quiet", preexec_fn=limit_file_size(300))
    assert result.returncode == 2
    message = one_line(result)
    assert message.startswith(f"error: {out / 'reps.csv'}: cannot write: ") and "file too large" in message
    tree.assert_unchanged()


def test_analyze_into_a_full_tmpfs_is_one_line(workspace):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    with small_tmpfs(workspace / "full", "8k") as full:
        (full / "filler").write_bytes(b"x" * 4096)
        tree = Tree(workspace)
        result = run_in_process("analyze", workspace / "data", "--out", full, "--quiet")
        assert result.returncode == 2
        assert "no space left on the device" in one_line(result)
        tree.assert_unchanged()


def test_analyze_into_a_read_only_folder_is_one_line(workspace):
    if os.geteuid() == 0:
        context = small_tmpfs(workspace / "ro", "64k", read_only=True)
    else:
        (workspace / "ro").mkdir()
        (workspace / "ro").chmod(0o555)
        context = contextlib.nullcontext(workspace / "ro")
    with context as read_only:
        tree = Tree(workspace)
        result = run_in_process("analyze", workspace / "data", "--out", read_only / "out", "--quiet")
        assert result.returncode == 2
        message = one_line(result)
        assert str(read_only / "out") in message and ("read-only" in message or "permission denied" in message)
        tree.assert_unchanged()


def test_earlier_outputs_in_an_input_folder_are_skipped_with_a_note(workspace, earlier_analysis):
    data = workspace / "data"
    earlier_analysis(data / "results")
    (data / "copied_reps.csv").write_bytes((data / "results" / "reps.csv").read_bytes())  # moved by hand
    tree = Tree(workspace)
    rerun = run_in_process("analyze", data, "--out", workspace / "again")
    assert rerun.returncode == 0, rerun.stderr
    assert f"note: {data / 'copied_reps.csv'}: skipped: an earlier output (reps.csv of sensorkit analyze), not a recording" \
        in lines(rerun.stderr)
    tree.assert_only_changed_under("again")


@pytest.mark.parametrize("name", [":x:", "[bold]alert"])
def test_file_names_are_printed_literally(workspace, name):
    odd = workspace / "data" / f"{name}.csv"
    odd.write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,x\n")
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "data", "--out", workspace / "out")
    assert result.returncode == 1
    assert any(line.startswith(f"{odd}: line 2") for line in lines(result.stderr)), result.stderr
    assert "❌" not in result.stderr
    tree.assert_only_changed_under("out")


def test_a_report_whose_folder_is_a_file_is_one_line(workspace):
    as_patient(workspace / "data")
    (workspace / "notes").write_text("not a folder\n")
    tree = Tree(workspace)
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data",
                 "--out", workspace / "notes" / "report.csv")
    assert result.returncode == 2
    message = one_line(result)
    assert str(workspace / "notes") in message and "not a folder" in message
    tree.assert_unchanged()


def test_report_outputs_never_replace_a_picture_or_an_analyze_table(workspace, earlier_analysis):
    earlier_analysis(workspace / "a")  # (of the demo sessions, before they are made the clinic's below)
    as_patient(workspace / "data")
    (workspace / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # a picture of the clinic's
    tree = Tree(workspace)
    for option, target in (("--out", workspace / "logo.png"), ("--summary", workspace / "logo.png"),
                           ("--log", workspace / "logo.png"), ("--out", workspace / "a" / "sessions.csv")):
        extra = [] if option == "--out" else ["--out", workspace / "report.csv"]
        result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", option, target, *extra)
        assert result.returncode == 2
        assert one_line(result).startswith(f"error: {option} {target}: exists and is not an earlier")
    tree.assert_unchanged()


def test_a_report_with_its_plots_in_the_input_folder_still_reports_the_recordings(workspace):
    pytest.importorskip("matplotlib")
    as_patient(workspace / "data")
    with_plots = run_in_process("report", "--prescription", workspace / "rx", workspace / "data",
                     "--out", workspace / "with.csv", "--plot-dir", workspace / "data")
    without = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", workspace / "without.csv")
    assert with_plots.returncode == without.returncode == 0, with_plots.stderr
    assert "2 session(s) reported" in with_plots.stderr
    assert (workspace / "with.csv").read_text() == (workspace / "without.csv").read_text()
    assert (workspace / "data" / "p001.png").exists()


def test_analyze_into_its_own_input_folder_analyses_it_and_skips_its_tables_next_time(workspace):
    data = workspace / "data"
    first = run_in_process("analyze", data, "--out", data)
    assert first.returncode == 0 and "2 recording(s): 2 analyzed" in first.stderr, first.stderr
    again = run_in_process("analyze", data, "--out", data)
    assert again.returncode == 0 and "2 recording(s): 2 analyzed" in again.stderr, again.stderr
    assert (data / "reps.csv").read_text().count("sim_1,") >= 3


def test_no_recordings_found_leaves_the_earlier_tables_as_they_were(workspace, earlier_analysis):
    earlier_analysis(workspace / "out")
    (workspace / "empty").mkdir()
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "empty", "--out", workspace / "out")
    assert result.returncode == 1
    assert one_line(result) == f"error: no recordings found in {workspace / 'empty'}"
    tree.assert_unchanged()


def test_recordings_of_the_same_name_in_two_folders_keep_apart_in_the_tables(workspace):
    for folder in ("p1", "p2"):
        (workspace / "two" / folder).mkdir(parents=True)
        for suffix in (".csv", ".json"):
            shutil.copy(workspace / "data" / f"sim_1{suffix}", workspace / "two" / folder / f"session{suffix}")
    assert run_in_process("analyze", workspace / "two", "--out", workspace / "out").returncode == 0
    sessions = (workspace / "out" / "sessions.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in sessions[1:]] == ["p1/session", "p2/session"]
    reps = (workspace / "out" / "reps.csv").read_text().splitlines()[1:]
    assert {line.split(",")[0] for line in reps} == {"p1/session", "p2/session"}


def test_a_patient_report_with_a_bad_cell_is_one_line_and_writes_nothing(workspace):
    pytest.importorskip("matplotlib")
    report = workspace / "report.csv"
    report.write_text("patient,date,exercise,side,rom_mean_deg,rom_max_deg,adherence_pct\n"
                      "p1,2026-10-01,knee_extension,left,12.5,,\np1,2026-10-02,knee_extension,left,abc,,\n")
    tree = Tree(workspace)
    result = run_in_process("plot", "--patient-report", report, "--out", workspace / "plots")
    assert result.returncode == 2
    assert one_line(result) == f"error: {report}: line 3: column rom_mean_deg: 'abc' is not a number"
    tree.assert_unchanged()
    assert not (workspace / "plots").exists()


def test_plot_says_what_the_reader_repaired(workspace):
    pytest.importorskip("matplotlib")
    data = workspace / "data" / "sim_1.csv"
    data.write_bytes(data.read_bytes()[:-20])  # a recording cut short inside its last line
    result = run_in_process("plot", data, "--out", workspace / "p.png")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(f"warning: {data}: line ") and "incomplete last line dropped" in line
               for line in lines(result.stderr)), result.stderr

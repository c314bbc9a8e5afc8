"""``sensorkit analyze`` per docs/formats.md: tables, per-file errors, exit codes."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.accuracy import Truth, tempo_by_definition
from sensorkit.pipeline import REP_COLUMNS
from sensorkit.sim import read_truth
from in_process import run_in_process
from under_test import env

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
#: sample recordings whose counts the redesigned pipeline (issue 12) does not yet get right, and why;
#: their rows are still checked against the contract
KNOWN_GAPS = {
    "sim_9010": "a violent leg shake at 25 Hz throws the orientation filter off for seconds: 1 rep lost",
    "sim_9024": "knee-out sets after a leg shake: 1 of 22 reps lost, 1 called fast (11 lost while the simulator's "
                "stepped movements stopped part way, before session 10)",
    "sim_9049": "continuous swings: the first ones judged fast against the prior (6 fast for 3)",
}
CONTRACT_REP_COLUMNS = ["recording", "rep", "side", "kind", "start_s", "end_s", "rom_deg", "hold_s",
                        "exercise", "tempo"]


def analyze(*args):
    return CliRunner().invoke(cli, ["analyze", *map(str, args)])


def test_reps_csv_has_the_contract_columns_and_matches_the_truth(tmp_path):
    result = analyze(RECORDINGS, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    reps = pd.read_csv(tmp_path / "out" / "reps.csv", keep_default_na=False)
    assert list(reps.columns[: len(CONTRACT_REP_COLUMNS)]) == CONTRACT_REP_COLUMNS
    assert list(reps.columns) == list(REP_COLUMNS)
    for csv in sorted(RECORDINGS.glob("*.csv")):
        truth, _ = read_truth(csv.with_suffix(".truth.json"))
        mine = reps[reps.recording == csv.stem]
        counted = mine[mine.kind != "rejected"]
        sidecar = json.loads(csv.with_suffix(".json").read_text())
        if csv.stem not in KNOWN_GAPS:
            assert len(counted) == sum(m.counted for m in truth), csv.stem
            # tempo truth: the definition applied to the exact durations (sensorkit.accuracy)
            defined = tempo_by_definition([Truth(m.kind, m.start_s, m.end_s, m.rom_deg, m.hold_s, m.label, m.tempo)
                                           for m in truth], sidecar)
            assert (counted.tempo == "fast").sum() == sum(m.tempo == "fast" for m in defined), csv.stem
        assert list(counted.rep) == [str(i) for i in range(1, len(counted) + 1)]
        assert (mine[mine.kind == "rejected"].rep == "").all()  # rejected movements have no number
        assert set(mine.side) == {sidecar["side"]} and set(mine.exercise) == {sidecar["exercise"]}
        assert set(counted.tempo) <= {"normal", "fast"} and (mine[mine.kind == "rejected"].tempo == "").all()


def test_a_bad_file_is_named_with_its_reason_and_the_rest_are_analyzed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(RECORDINGS, data, ignore=shutil.ignore_patterns("*.truth.json", "README.md"))
    (data / "broken.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    (data / "empty.csv").write_text("")
    result = run_in_process("analyze", data, "--out", tmp_path / "o", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any("broken.csv: line 2: column gyr_z" in line for line in lines)
    assert any("empty.csv" in line and "empty" in line for line in lines)
    sessions = pd.read_csv(tmp_path / "o" / "sessions.csv", keep_default_na=False)
    assert sorted(sessions[sessions.status == "failed"].recording) == ["broken", "empty"]
    assert (sessions.status == "ok").sum() == len(list(RECORDINGS.rglob("*.csv")))  # recordings/real too


def test_into_a_log_file_its_lines_are_the_file_lines_and_the_summary_with_no_blank_line(tmp_path):
    # stderr into a file (a clinic's nightly log): the progress bar, drawn only on a terminal, left an
    # empty line before the summary there
    log = tmp_path / "analyze.log"
    with open(log, "w") as handle:
        subprocess.run([sys.executable, "-m", "sensorkit", "analyze", str(RECORDINGS / "sim_9013.csv"), "--out",
                        str(tmp_path / "o")], stderr=handle, check=True, cwd=tmp_path, env=env())
    out = tmp_path / "o"
    assert log.read_text() == (f"1 recording(s): 1 analyzed, 0 failed; 5 reps (full 5, partial 0, knee_out 0; fast 1),"
                               f" 7 rejected -> {out / 'reps.csv'}, {out / 'sessions.csv'}\n")


def test_the_summary_names_only_the_kinds_the_exercises_have(tmp_path):
    # knee extension has no knee_out kind: its batch summary read "knee_out 0" all the same
    knee = RECORDINGS / "real" / "uci_s1_test.csv"
    result = run_in_process("analyze", knee, "--out", tmp_path / "o", cwd=tmp_path)
    assert "30 reps (full 21, partial 9; fast 10)" in result.stderr.splitlines()[-1]
    both = run_in_process("analyze", knee, RECORDINGS / "sim_9013.csv", "--out", tmp_path / "b", cwd=tmp_path)
    assert "35 reps (full 26, partial 9, knee_out 0; fast 11)" in both.stderr.splitlines()[-1]


def test_usage_errors_exit_2_without_a_traceback(tmp_path):
    assert analyze("--out", tmp_path).exit_code == 2  # no PATH
    result = analyze(RECORDINGS, "--out", tmp_path, "--set", "no_such_parameter=1")
    assert result.exit_code == 2 and "no_such_parameter" in result.output
    assert "Traceback" not in result.output


def test_pipeline_parameters_can_be_set_from_the_command_line(tmp_path):
    one = RECORDINGS / "sim_9013.csv"
    analyze(one, "--out", tmp_path / "a", "--quiet")
    analyze(one, "--out", tmp_path / "b", "--quiet", "--set", "min_rom_deg=45")
    a = pd.read_csv(tmp_path / "a" / "reps.csv")
    b = pd.read_csv(tmp_path / "b" / "reps.csv")
    assert (a.kind != "rejected").sum() > 0
    assert (b.kind != "rejected").sum() == 0  # every rep is below 45 degrees


SCRIPT = Path(sys.executable).with_name("sensorkit")  # the console script of this environment


@pytest.mark.parametrize("entry", [[str(SCRIPT)], [sys.executable, "-m", "sensorkit"]])
def test_both_entry_points_work(entry, tmp_path):
    if entry == [str(SCRIPT)] and not SCRIPT.exists():
        pytest.skip("console script not installed next to this python")
    result = subprocess.run([*entry, "analyze", str(RECORDINGS / "sim_9035.csv"), "--out", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path, env=env())
    assert result.returncode == 0, result.stderr
    assert "10 reps" in result.stderr

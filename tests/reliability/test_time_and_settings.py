"""Time must be seconds and agree with the sidecar; parameters must be in range before any file is read."""
from __future__ import annotations

import csv
import json

import pytest

from conftest import Tree, lines, usage_error
from in_process import run_in_process


def rescale_t(path, factor: float | None) -> None:
    """Rewrite the CSV's t column: times ``factor`` (ms: 1000, ns: 1e9) or the row number (None)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    for number, row in enumerate(rows[1:]):
        row[0] = str(number) if factor is None else repr(float(row[0]) * factor)
    with open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize("factor, guess", [(1000.0, "milliseconds"), (1e9, "nanoseconds"), (None, "row number")])
def test_a_time_column_not_in_seconds_is_an_error_naming_the_file(workspace, factor, guess):
    bad = workspace / "data" / "sim_1.csv"
    rescale_t(bad, factor)
    json_path = bad.with_suffix(".json")
    meta = json.loads(json_path.read_text())
    del meta["sample_rate_hz"]  # only the timestamps tell: no sidecar rate to contradict them
    json_path.write_text(json.dumps(meta))
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "data", "--out", workspace / "out")
    assert result.returncode == 1  # the other file is analysed
    (line,) = [line for line in lines(result.stderr) if "sim_1.csv" in line]
    assert line.startswith(f"{bad}: column t: the median sample interval is ") and guess in line
    tree.assert_only_changed_under("out")
    with open(workspace / "out" / "sessions.csv", newline="") as handle:
        status = {row["recording"]: row["status"] for row in csv.DictReader(handle)}
    assert status == {"sim_1": "failed", "sim_2": "ok"}


def test_a_sidecar_rate_contradicting_the_timestamps_is_an_error(workspace):
    json_path = workspace / "data" / "sim_1.json"
    meta = json.loads(json_path.read_text())
    assert meta["sample_rate_hz"] == 50
    json_path.write_text(json.dumps({**meta, "sample_rate_hz": 25}))
    tree = Tree(workspace)
    result = run_in_process("analyze", workspace / "data" / "sim_1.csv", "--out", workspace / "out")
    assert result.returncode == 1
    (line,) = [line for line in lines(result.stderr) if "sim_1" in line and "warning" not in line]
    assert line.startswith(f"{workspace / 'data' / 'sim_1.csv'}: sidecar key sample_rate_hz: 25 Hz disagrees with "
                           "the timestamps (49.9")  # 50 Hz with the simulated clock's jitter
    tree.assert_only_changed_under("out")


@pytest.mark.parametrize("setting, named", [
    ("lowpass_hz=1000", "lowpass_hz"), ("lowpass_hz=nan", "lowpass_hz"), ("lowpass_hz=0", "lowpass_hz"),
    ("min_rom_deg=-5", "min_rom_deg"), ("max_movement_s=1e9", "max_movement_s"), ("settle_s=-1", "settle_s"),
])
def test_a_bad_set_is_a_usage_error_before_any_file_is_read(workspace, setting, named):
    missing = workspace / "no_such_folder"  # never looked at: the usage error comes first
    tree = Tree(workspace)
    result = run_in_process("analyze", missing, "--out", workspace / "out", "--set", setting)
    error = usage_error(result)
    assert named in error and "no_such_folder" not in result.stderr
    tree.assert_unchanged()  # not even the output folder was made


def test_the_gyro_unit_check_says_when_it_cannot_tell(workspace):
    still = workspace / "data" / "still.csv"  # a sensor lying still: no turn to compare the gyro with
    still.write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n" +
                     "".join(f"{i / 50:.2f},0.1,0.2,9.8,0.01,0.02,0.03\n" for i in range(1000)))
    tree = Tree(workspace)
    result = run_in_process("analyze", still, "--out", workspace / "out")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(f"warning: {still}: columns gyr_x, gyr_y, gyr_z: unit not checked (deg/s assumed)")
               for line in lines(result.stderr)), result.stderr
    tree.assert_only_changed_under("out")

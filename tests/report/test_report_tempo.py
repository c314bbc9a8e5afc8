"""A prescription's tempo judged as a sidecar's: on a real recording (UCI subject 1's test session,
knee extension, in recordings/real), a report whose prescription gives
``movement_s`` finds the same rushed reps as ``analyze`` with a sidecar giving the same movement
time and hold: the reference is a whole rep, outward + hold + return."""
import csv
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli

UCI_TEST = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"

SIDECAR = {"exercise": "knee_extension", "sample_rate_hz": 25.0, "patient": "p1", "side": "right",
           "started_at": "2026-11-02T10:00:00+01:00"}


def copy_with_sidecar(folder: Path, **keys) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(UCI_TEST, folder / "s1.csv")
    (folder / "s1.json").write_text(json.dumps({**SIDECAR, **keys}))
    return folder


def reps_fast_by_report(tmp_path: Path, sidecar: dict | None = None, **plan) -> int:
    (tmp_path / "rx.toml").write_text(rx_toml("p1", "Europe/Berlin", "2026-11-01", "2026-11-30",
                                              exercise("knee_extension", 60, sides=("right",), **plan)))
    data = copy_with_sidecar(tmp_path / "data", **(sidecar or {}))
    result = CliRunner().invoke(cli, ["report", "--prescription", str(tmp_path / "rx.toml"), str(data),
                                      "--out", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "report.csv", newline="") as handle:
        return int(next(r for r in csv.DictReader(handle) if r["date"] == "2026-11-02")["reps_fast"])


def reps_fast_by_analyze(tmp_path: Path, **sidecar) -> int:
    data = copy_with_sidecar(tmp_path / "analyzed", **sidecar)
    result = CliRunner().invoke(cli, ["analyze", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out" / "sessions.csv", newline="") as handle:
        return int(next(csv.DictReader(handle))["reps_fast"])


def test_a_prescribed_movement_time_is_judged_with_the_prescribed_hold(tmp_path):
    # (2.4 s out and back, held 2 s: a rep under 0.6 x 4.4 s is rushed; 4 of the 30 are)
    report = reps_fast_by_report(tmp_path, hold_s=2, movement_s=2.4)
    analyze = reps_fast_by_analyze(tmp_path, target_movement_s=2.4, target_hold_s=2.0)
    assert report == analyze > 0


def test_a_sidecars_own_movement_time_is_not_judged_with_the_prescribed_hold(tmp_path):
    # (the sidecar's 2.4 s is its own reference, without a hold: the prescription's hold_s does not
    # join it, whatever the prescription's movement_s)
    report = reps_fast_by_report(tmp_path, sidecar={"target_movement_s": 2.4}, hold_s=2, movement_s=5)
    analyze = reps_fast_by_analyze(tmp_path, target_movement_s=2.4)
    assert report == analyze

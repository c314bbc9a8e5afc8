"""``analyze`` with no recordings to analyse leaves no --out folder behind, and never removes one
that was there before (docs/cli.md)."""
import shutil
from pathlib import Path

from click.testing import CliRunner

from sensorkit.cli import cli

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"


def analyze(*args):
    return CliRunner().invoke(cli, ["analyze", *map(str, args)])


def test_an_empty_folder_is_an_error_that_creates_no_output_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    result = analyze(tmp_path / "empty", "--out", tmp_path / "results" / "week1")
    assert result.exit_code == 1
    assert "error: no recordings found in" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # (neither results nor results/week1)


def test_an_output_folder_that_was_there_before_is_kept(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "results").mkdir()
    assert analyze(tmp_path / "empty", "--out", tmp_path / "results").exit_code == 1
    assert analyze(tmp_path / "empty", "--out", tmp_path / "results" / "week1").exit_code == 1
    assert [p.name for p in tmp_path.iterdir() if p.name == "results"] == ["results"]
    assert list((tmp_path / "results").iterdir()) == []


def test_a_run_that_writes_keeps_the_folder_it_made(tmp_path):
    shutil.copy(REAL, tmp_path / "knee.csv")
    shutil.copy(REAL.with_suffix(".json"), tmp_path / "knee.json")
    assert analyze(tmp_path / "knee.csv", "--out", tmp_path / "results" / "week1", "--quiet").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "results" / "week1").iterdir()) == ["reps.csv", "sessions.csv"]

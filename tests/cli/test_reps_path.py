"""``reps.csv``'s ``path``: a row's identity that stays when other files join the run (docs/formats.md)."""
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sensorkit.cli import cli

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def put(recording: str, target: Path) -> None:
    """The sample ``recording`` (its CSV and sidecar) as ``target`` (a .csv path)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(RECORDINGS / f"{recording}.csv", target)
    shutil.copy(RECORDINGS / f"{recording}.json", target.with_suffix(".json"))


def reps_of(*args: str) -> pd.DataFrame:
    result = CliRunner().invoke(cli, ["analyze", *args, "--quiet"])
    assert result.exit_code == 0, result.output
    out = args[args.index("--out") + 1]
    return pd.read_csv(Path(out) / "reps.csv", keep_default_na=False, dtype=str)


def test_a_rerun_with_another_patients_file_of_the_same_name_keeps_each_rows_path(tmp_path, monkeypatch):
    # a clinic's folder per patient, a file per day: the first run has p1's day only; the next run
    # adds p2's day of the same date, which renames p1's recording to p1/2026-11-03
    monkeypatch.chdir(tmp_path)
    put("sim_9049", Path("data/p1/2026-11-03.csv"))
    first = reps_of("data", "--out", "run1")
    assert set(first.recording) == {"2026-11-03"}
    assert set(first.path) == {"data/p1/2026-11-03.csv"}
    assert list(first.columns)[-1] == "path"  # (appended: the earlier columns keep their places)

    put("sim_9013", Path("data/p2/2026-11-03.csv"))
    second = reps_of("data", "--out", "run2")
    assert set(second.recording) == {"p1/2026-11-03", "p2/2026-11-03"}
    assert set(second.path) == {"data/p1/2026-11-03.csv", "data/p2/2026-11-03.csv"}
    # the rows of the first run join those of the second on (path, start_s): the same movements
    joined = first.merge(second, on=["path", "start_s"], suffixes=("_1", "_2"))
    assert len(joined) == len(first)
    assert (joined.kind_1 == joined.kind_2).all() and (joined.rom_deg_1 == joined.rom_deg_2).all()


def test_the_file_named_itself_or_found_in_its_folder_has_the_same_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    put("sim_9049", Path("data/p1/2026-11-03.csv"))
    put("sim_9013", Path("data/p2/2026-11-04.csv"))
    by_folder = reps_of("data", "--out", "all")
    alone = reps_of("data/p1/2026-11-03.csv", "--out", "one")
    assert set(alone.path) == {"data/p1/2026-11-03.csv"}
    assert alone.equals(by_folder[by_folder.path == "data/p1/2026-11-03.csv"].reset_index(drop=True))


def test_a_file_named_by_its_full_path_is_that_path(tmp_path):
    put("sim_9049", tmp_path / "data" / "2026-11-03.csv")
    reps = reps_of(str(tmp_path / "data"), "--out", str(tmp_path / "out"))
    assert set(reps.path) == {str(tmp_path / "data" / "2026-11-03.csv")}

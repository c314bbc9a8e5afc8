"""reps.csv is written file by file as results arrive, yet reads exactly as one table of all rows."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit.batch import SESSION_COLUMNS, analyze_many, analyze_paths, failed_session_row
from sensorkit.io.outputs import no_negative_zero
from sensorkit.pipeline import REP_COLUMNS


def one_table_csv(rows: list[dict], columns, *int_columns: str) -> str:
    """The text a single pandas table of all ``rows`` gives (how the tables were written before),
    with a value that rounds to zero written 0.000, not -0.000 (docs/formats.md)."""
    table = pd.DataFrame(rows, columns=list(columns))
    for column in int_columns:
        table[column] = table[column].astype("Int64")
    return no_negative_zero(table).to_csv(index=False, float_format="%.3f")


def add_awkward_files(folder: Path) -> None:
    """A file that fails to parse, an empty one, and 20 s of stillness (analysed, no movements)."""
    (folder / "broken.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    (folder / "empty.csv").write_text("")
    t = np.arange(0.0, 20.0, 0.01)
    still = pd.DataFrame({"t": t, "acc_x": 0.0, "acc_y": 0.0, "acc_z": 9.81, "gyr_x": 0.0, "gyr_y": 0.0,
                          "gyr_z": 0.0})
    still.to_csv(folder / "still.csv", index=False, float_format="%.5f")


@pytest.mark.parametrize("workers", [1, 2])
def test_streamed_tables_equal_one_table_of_all_rows(recordings_copy, tmp_path, workers):
    add_awkward_files(recordings_copy)
    outcome = analyze_paths([recordings_copy], tmp_path / "out", workers=workers, keep_results=False)

    rep_rows, session_rows = [], []
    files = sorted(recordings_copy.glob("*.csv"))
    for path, result, error in analyze_many(files, workers=1):
        rep_rows += result.rep_rows if result else []
        session_rows.append(result.session_row if result else failed_session_row(path, error))
    assert len(rep_rows) > 20 and any(row["rep"] is None for row in rep_rows)  # rejected rows: empty rep
    written = (tmp_path / "out" / "reps.csv").read_text()
    assert written == one_table_csv(rep_rows, REP_COLUMNS, "rep", "set")
    assert (tmp_path / "out" / "sessions.csv").read_text() == one_table_csv(session_rows, SESSION_COLUMNS)

    assert outcome.results == []  # nothing per file kept in memory, only the counts
    assert outcome.analyzed == len(files) - 2 and len(outcome.failures) == 2
    assert sum(outcome.kinds.values()) == len(rep_rows)
    assert outcome.reps == sum(1 for row in rep_rows if row["kind"] != "rejected")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["reps.csv", "sessions.csv"]


def test_no_half_written_table_when_the_batch_is_interrupted(recordings_copy, tmp_path):
    out = tmp_path / "out"

    def stop(path, result, error):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analyze_paths([recordings_copy], out, on_file=stop, workers=1)
    assert list(out.iterdir()) == []  # neither table, nor a leftover temporary file

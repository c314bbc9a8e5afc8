"""The library and ``sensorkit analyze`` agree on a file with rows of missing values (review 35,
finding 10): a sample holding a NaN or infinity is left out as a lost sample, as the CSV reader
leaves out such a line (up to 1 %, one warning naming it; more refused naming the first), whether
the data come whole (``detect``) or in live packets (``update``)."""
from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit import KneeExtension, read_recording, reps_frame
from sensorkit.batch import analyze_recording
from sensorkit.errors import SampleError

REAL = Path(__file__).resolve().parents[2] / "recordings" / "real" / "uci_s1_test.csv"
#: the columns that name the data rather than describe the movements
NAMING = ["recording", "path"]


def _file_with_lines(tmp_path: Path, replaced: dict[int, str]) -> Path:
    """The UCI recording (and its sidecar) with its data rows ``replaced`` (row number from 0 -> line)."""
    lines = REAL.read_text().splitlines()
    for row, line in replaced.items():
        lines[row + 1] = line
    path = tmp_path / "uci.csv"
    path.write_text("\n".join(lines) + "\n")
    shutil.copy(REAL.with_suffix(".json"), path.with_suffix(".json"))
    return path


def _library_reps(frame: pd.DataFrame, match: str) -> pd.DataFrame:
    with pytest.warns(UserWarning, match=match):
        detector = KneeExtension(side="right").detect(frame)
    return detector.reps_.drop(columns=NAMING)


def _analyze_reps(path: Path) -> pd.DataFrame:
    result = analyze_recording(path)
    assert result.session_row["reps_counted"] == 30
    assert re.search(r"malformed lines? left out as (a )?lost samples?", result.session_row["warnings"])
    return reps_frame(result.reps, side="right").drop(columns=NAMING)


@pytest.mark.parametrize("line", ["40.0,nan,nan,nan,nan,nan,nan", "40.0,,,,,,", ",,,,,,", "40.0,inf,1,2,3,4,5"])
def test_a_row_of_missing_values_read_with_pandas_gives_the_reps_sensorkit_analyze_gives(tmp_path, line):
    path = _file_with_lines(tmp_path, {1000: line})
    library = _library_reps(pd.read_csv(path), r"^data: 1 sample left out as a lost sample \(sample 1000: a value that"
                                               r" is not a number or infinite")
    pd.testing.assert_frame_equal(library, _analyze_reps(path))


def test_ten_empty_rows_are_ten_lost_samples_in_one_warning_as_analyze_leaves_them_out(tmp_path):
    path = _file_with_lines(tmp_path, {row: ",,,,,," for row in range(2000, 2100, 10)})
    library = _library_reps(pd.read_csv(path), r"10 samples left out as lost samples \(sample 2000: .*; sample 2010: .*;"
                                               r" sample 2020: .*; and 7 more\)")
    pd.testing.assert_frame_equal(library, _analyze_reps(path))


def test_arrays_with_a_nan_row_are_left_out_as_in_a_dataframe():
    frame = read_recording(REAL).samples.to_frame()
    frame.iloc[1000, 1:] = np.nan
    expected = _library_reps(frame, "sample 1000")
    array = frame.to_numpy()
    given = {"an (n, 7) array": array, "a (t, acc, gyr) tuple": (array[:, 0], array[:, 1:4], array[:, 4:7])}
    for form, data in given.items():
        pd.testing.assert_frame_equal(_library_reps(data, "sample 1000"), expected, obj=form)


@pytest.mark.parametrize("size", [1, 7, 50])
def test_live_packets_with_missing_values_give_the_reps_of_the_whole(size):
    frame = read_recording(REAL).samples.to_frame()
    frame.iloc[[1000, 3003], 2] = np.nan
    whole = _library_reps(frame, "2 samples left out")
    live, reps = KneeExtension(side="right"), []
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        for start in range(0, len(frame), size):
            reps += live.update(frame.iloc[start:start + size])
        reps += live.finish()
    lost = [str(w.message) for w in said if "left out" in str(w.message)]
    assert len(lost) == 2 and "sample 1000: a value that is not a number" in lost[0] and "sample 3003:" in lost[1]
    assert lost[0].startswith(f"live data: packet {1000 // size + 1}: 1 sample left out as a lost sample")
    pd.testing.assert_frame_equal(reps_frame(reps, side="right").drop(columns=NAMING), whole)


def test_a_step_back_after_a_sample_left_out_names_the_sample_as_given():
    # the samples keep their numbers in the data given: the one after a row left out is not renumbered
    frame = read_recording(REAL).samples.to_frame()
    frame.iloc[1000, 3] = np.nan
    frame.iloc[1500, 0] = frame.t.iloc[1400]
    with pytest.warns(UserWarning, match="sample 1000"), pytest.raises(SampleError, match=r"^data: sample 1500: t = 56 s"):
        KneeExtension().detect(frame)


def test_all_samples_missing_values_is_refused():
    frame = read_recording(REAL).samples.to_frame().iloc[:100]
    frame.iloc[:, 1:] = np.nan
    with pytest.raises(SampleError, match=r"^data: sample 0: .* \(100 of 100 samples hold one"):
        KneeExtension().detect(frame)

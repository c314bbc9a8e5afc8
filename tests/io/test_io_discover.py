"""find_recordings: files as given, folders searched recursively, sorted, hidden and excluded skipped."""
from __future__ import annotations

import os
import re

import pytest

from sensorkit.io import find_recordings


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("t\n")
    return path


def test_folders_files_hidden_and_excluded(tmp_path):
    for name in ["b.csv", "a.csv", "notes.txt", "a.json", "day2/c.csv", "day2/deep/d.CSV", ".hidden/e.csv",
                 "day2/.f.csv", "out/reps.csv", "out/sessions.csv"]:
        touch(tmp_path / name)
    found = find_recordings([tmp_path], exclude=[tmp_path / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.csv", "b.csv", "day2/c.csv", "day2/deep/d.CSV"]


def test_explicit_files_are_kept_whatever_their_suffix_and_listed_once(tmp_path):
    text = touch(tmp_path / "x" / "export.txt")
    csv = touch(tmp_path / "x" / "a.csv")
    found = find_recordings([text, tmp_path / "x", csv, str(csv)])
    assert found == sorted([text, csv], key=lambda p: p.as_posix())


def test_single_path_and_relative_paths_stay_as_given(tmp_path, monkeypatch):
    touch(tmp_path / "recs" / "a.csv")
    monkeypatch.chdir(tmp_path)
    assert [p.as_posix() for p in find_recordings("recs")] == ["recs/a.csv"]


def test_missing_path_is_returned_for_the_reader_to_report(tmp_path):
    assert find_recordings([tmp_path / "nope.csv"]) == [tmp_path / "nope.csv"]


def test_an_excluded_folder_is_skipped_below_the_searched_one_but_searched_when_given(tmp_path):
    # (analyze FOLDER --out FOLDER: the recordings in it are analysed, its earlier tables told by
    # their headers; report --plot-dir INPUT_FOLDER likewise)
    touch(tmp_path / "a.csv")
    touch(tmp_path / "out" / "b.csv")
    assert find_recordings([tmp_path], exclude=[tmp_path / "out"]) == [tmp_path / "a.csv"]
    assert find_recordings([tmp_path], exclude=[tmp_path]) == [tmp_path / "a.csv", tmp_path / "out" / "b.csv"]


def test_symlinked_folders_are_not_followed(tmp_path):
    touch(tmp_path / "real" / "a.csv")
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert [p.relative_to(tmp_path).as_posix() for p in find_recordings([tmp_path])] == ["real/a.csv"]


def test_order_is_deterministic(tmp_path):
    for name in ["z/1.csv", "a/2.csv", "m.csv", "a/b/0.csv"]:
        touch(tmp_path / name)
    found = [p.relative_to(tmp_path).as_posix() for p in find_recordings([tmp_path])]
    assert found == ["a/2.csv", "a/b/0.csv", "m.csv", "z/1.csv"]


def test_what_no_reader_can_open_is_listed_for_the_reader_to_name_never_opened_by_the_search(tmp_path):
    """A named pipe would block a search that peeks at it; a broken link or a folder the search cannot
    enter would be passed over in silence: each is listed, and the reader fails it in one line."""
    from sensorkit.errors import RecordingError
    from sensorkit.io import read_recording

    good = touch(tmp_path / "a.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    os.symlink(tmp_path / "gone.csv", tmp_path / "broken.csv")
    found = find_recordings([tmp_path])  # (returns: the pipe was not opened)
    assert found == [tmp_path / "a.csv", tmp_path / "broken.csv", tmp_path / "pipe.csv"] and good in found
    for path, message in ((tmp_path / "pipe.csv", "not a regular file (a named pipe"),
                          (tmp_path / "broken.csv", "a symbolic link to")):
        with pytest.raises(RecordingError, match=re.escape(message)):
            read_recording(path)

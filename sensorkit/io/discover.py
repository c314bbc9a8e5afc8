"""Find recordings: explicit files, and the ``*.csv`` files of folders searched recursively."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable


def find_recordings(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    exclude: Iterable[str | os.PathLike] = (),
) -> list[Path]:
    """Recording CSVs under ``paths``, sorted, each once.

    A file is taken as given (whatever its suffix); a folder contributes its ``*.csv`` files,
    recursively, skipping hidden files and folders (names starting with '.') and the ``exclude``
    folders (e.g. the output folder). A path that does not exist is returned as given, so the reader
    reports it by name. Symlinked folders are not followed.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    excluded = {Path(folder).resolve() for folder in exclude}
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        candidates = _csv_files(path, excluded) if path.is_dir() else [path]
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return sorted(found.values(), key=lambda p: p.as_posix())


def _csv_files(folder: Path, excluded: set[Path]) -> list[Path]:
    if folder.resolve() in excluded:
        return []
    files = []
    for root, folders, names in os.walk(folder):
        root_path = Path(root)
        folders[:] = [name for name in folders if not name.startswith(".") and (root_path / name).resolve() not in excluded]
        files += [root_path / name for name in names if name.lower().endswith(".csv") and not name.startswith(".")]
    return files

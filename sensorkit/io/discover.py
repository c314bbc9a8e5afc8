"""Find recordings: explicit files, and the recording files of folders searched recursively.

In folders: ``*.csv`` files; Polar Sensor Logger ``*.txt`` exports; Movesense ``*.json`` exports
(a ``.json`` next to a same-named ``.csv`` is that recording's sidecar, not a recording). The
gyroscope file of a vendor pair (MetaBase ``…Gyroscope…``, Polar ``…_GYRO``) is represented by its
accelerometer file, folder or explicit, so a pair is listed (and analysed) once. MetaBase exports of
other sensors (``…Magnetometer…``, ``…Quaternion…``, …) are left out of folder searches, and so is
a CSV whose header names none of the recording's columns (``patients.csv``: :data:`NOT_A_RECORDING`).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterable

from sensorkit.errors import RecordingError, name_text
from sensorkit.io.csv_table import is_number
from sensorkit.io.files import resolved
from sensorkit.io.outputs import output_kind
from sensorkit.io.vendor import detect, metabase, movesense, pairs, polar
from sensorkit.io.vendor.common import head_text
from sensorkit.samples import COLUMNS

_SNIFF_BYTES = 4096
#: why a folder's CSV whose header names none of the recording's columns is skipped (:func:`not_a_recording`)
NOT_A_RECORDING = f"not a recording (its header has none of {', '.join(COLUMNS)})"


def find_recordings(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    exclude: Iterable[str | os.PathLike] = (),
    skipped: list[tuple[Path, str]] | None = None,
    not_recordings: list[tuple[Path, str]] | None = None,
) -> list[Path]:
    """Recording files under ``paths``, sorted, each once (see the module docstring for vendor files).

    A file is taken as given (whatever its suffix; a vendor gyroscope file becomes its accelerometer
    file); a folder contributes its ``*.csv`` files and vendor exports, recursively, skipping hidden files and folders (names starting with '.') and the ``exclude``
    folders below it (e.g. the output folder; an excluded folder given itself is searched). A path that does not exist is returned as given, so the reader
    reports it by name. Symlinked folders are not followed. A folder's CSV that is an earlier
    sensorkit output (``reps.csv``, ``sessions.csv``, a report; recognised by its header) is left
    out and, when ``skipped`` is a list, appended to it as (path, what it is). A folder's CSV that is
    no recording at all, its header naming none of ``t``, ``acc_*``, ``gyr_*`` and no vendor
    export's (a clinic's ``patients.csv``: ``id,name,phone``), is left out too and, when
    ``not_recordings`` is a list, appended to it as (path, :data:`NOT_A_RECORDING`); a header
    naming some of them is a damaged recording, listed (the reader says what it lacks).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    excluded = {resolved(folder) for folder in exclude}
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        candidates = _recording_files(path, excluded, skipped, not_recordings) if path.is_dir() else [path]
        for candidate in candidates:
            candidate = _pair_primary(candidate)
            found.setdefault(resolved(candidate), candidate)
    return sorted(found.values(), key=lambda p: p.as_posix())


def _pair_primary(path: Path) -> Path:
    """The accelerometer file for the gyroscope file of a vendor pair; any other path as given."""
    if "gyr" not in path.name.lower() or pairs.role_of(path) != "gyr" or not path.is_file():
        return path
    partner = pairs.partner(path)
    if partner is None or _looks_canonical(path):
        return path
    return partner


def _pair_name(path: Path) -> str | None:
    """The name the recording of a vendor pair's accelerometer file goes by (the file's name without
    its sensor token: ``X`` for ``X_ACC.txt``), told from its name and its partner's presence; None
    for any other file."""
    if pairs.role_of(path) != "acc":
        return None
    try:
        if not path.is_file() or pairs.partner(path) is None or _looks_canonical(path):
            return None
    except (OSError, RecordingError):  # (unreadable: the reader says why)
        return None
    return pairs.pair_name(path)


def _looks_canonical(path: Path) -> bool:
    first = head_text(path, _SNIFF_BYTES).split("\n", 1)[0].lower().replace(" ", "")
    return first.startswith("t,") or ",t," in first or "acc_x" in first and "gyr_x" in first


def _is_vendor_extra(path: Path, names: set[str]) -> bool:
    """A non-CSV file a folder search lists: a Polar ``.txt`` or a Movesense ``.json`` export."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            return polar.sniff(path, head_text(path, _SNIFF_BYTES))
        if suffix == ".json" and not {f"{path.stem}.csv".lower(), f"{path.stem}.txt".lower()} & names:
            return movesense.sniff(path, head_text(path, 1 << 16))
    except RecordingError:  # unreadable: not listed by a folder search
        return False
    return False


def _is_vendor_other_sensor(path: Path) -> bool:
    """A MetaBase magnetometer/fusion/... export: not a recording, so a folder search leaves it out."""
    if not metabase.OTHER_SENSORS.search(path.stem):
        return False
    try:
        return metabase.is_other_sensor(path, head_text(path, _SNIFF_BYTES))
    except RecordingError:
        return False


def not_a_recording(path: str | os.PathLike) -> bool:
    """True for a CSV that is no recording: its first line a header (UTF-8 text, not numbers) that
    names none of the recording's columns (``t``, ``acc_x`` ... ``gyr_z``, in any case, separated
    by ``,``, ``;`` or a tab) and no vendor export's. False for one that names some (a damaged
    recording, which the reader reports), and for a file that cannot be told so (empty, not text,
    a first line blank or of numbers, unreadable): the reader says what is wrong with it."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            first = handle.readline(_SNIFF_BYTES)
        line = first.decode("utf-8-sig").strip()
    except (OSError, UnicodeDecodeError):
        return False
    if not line or any(ord(c) < 32 and c != "\t" for c in line):  # (blank, or a NUL of a crash)
        return False
    names = [name.strip().strip("\"'").strip().lower() for name in re.split(r"[,;\t]", line)]
    if all(not name or is_number(name) for name in names):
        return False  # (data without its header: a damaged recording)
    if set(names) & set(COLUMNS):
        return False
    try:
        return detect(path, head_text(path)) is None
    except RecordingError:
        return False


def _recording_files(folder: Path, excluded: set[Path], skipped: list[tuple[Path, str]] | None,
                     not_recordings: list[tuple[Path, str]] | None = None) -> list[Path]:
    # (an excluded folder given itself as an input is searched: its earlier outputs are told by
    # their headers and skipped; only excluded folders below it are not entered)
    files = []
    unsearched: list[OSError] = []  # (folders os.walk could not enter: listed, the reader says why)
    for root, folders, names in os.walk(folder, onerror=unsearched.append):
        root_path = Path(root)
        folders[:] = [name for name in folders if not name.startswith(".") and resolved(root_path / name) not in excluded]
        lowered = None
        for name in names:
            if name.startswith("."):
                continue
            if name[-4:].lower() in (".csv", ".txt", "json") and not os.path.isfile(root_path / name):
                # (a pipe, socket, broken link, or a file in a folder that cannot be entered: never
                # opened here; the reader says what it is)
                files.append(root_path / name)
            elif name[-4:].lower() == ".csv":
                kind = output_kind(root_path / name)
                if kind is not None:
                    if skipped is not None:
                        skipped.append((root_path / name, kind))
                elif _is_vendor_other_sensor(root_path / name):
                    pass
                elif not_a_recording(root_path / name):
                    if not_recordings is not None:
                        not_recordings.append((root_path / name, NOT_A_RECORDING))
                else:
                    files.append(root_path / name)
            elif name[-4:].lower() in (".txt", "json"):
                lowered = lowered or {n.lower() for n in names}
                if _is_vendor_extra(root_path / name, lowered):
                    files.append(root_path / name)
    return files + [Path(error.filename) for error in unsearched if error.filename is not None]


def sidecar_given(path: str | os.PathLike) -> str | None:
    """Why ``path``, given as a recording, is a sidecar (one line naming it), None when it is not one.

    A ``.json`` that is no Movesense export is the sidecar of the ``.csv`` (or Polar ``.txt``) of
    the same name beside it (``x.json: is the sidecar of x.csv, not a recording: give x.csv``); with
    none beside it, a JSON object of sidecar keys (``patient``, ``started_at``, ...) is a sidecar
    without its CSV. Else None (the reader says what the file is not)."""
    from sensorkit.io.meta import _FIELDS as SIDECAR_KEYS  # (the keys a sidecar's reader knows)

    path = Path(path)
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    try:
        if movesense.sniff(path, head_text(path, 1 << 16)):
            return None
    except RecordingError:
        return None
    for suffix in (".csv", ".txt"):
        data = path.with_suffix(suffix)
        if data.is_file():
            return f"{path}: is the sidecar of {data.name}, not a recording: give {data} (its sidecar is read with it)"
    try:
        with open(path, encoding="utf-8-sig") as handle:
            content = json.load(handle)
    except (OSError, ValueError):
        return None
    if isinstance(content, dict) and set(content) & set(SIDECAR_KEYS):
        return (f"{path}: is a sidecar (a recording's metadata) without its CSV: no {path.with_suffix('.csv').name}"
                " beside it; a sidecar is no recording")
    return None


def recording_names(files: Iterable[str | os.PathLike]) -> dict[Path, str]:
    """The name each recording goes by in one run's tables (``reps.csv``'s and ``sessions.csv``'s
    ``recording``, a report's ``source_recordings``): its file stem, unless another file of the run
    has the same stem, or goes by it (a vendor pair ``X_ACC.txt`` + ``X_GYRO.txt`` is the recording
    ``X``, as is ``X.csv`` that ``convert`` made of it); then the path without suffix below the
    folder those files share (``p1/session1`` and ``p2/session1``; a vendor pair's file in that folder
    itself by its whole file name, ``X_ACC.txt`` beside ``X``), so that no two recordings share a name. A name's bytes
    that are not UTF-8 are written ``\\xNN`` (:func:`~sensorkit.errors.name_text`); two names that
    then read alike are told apart by ``~2``, ``~3``, ... after the first."""
    paths = [Path(f) for f in files]
    by_stem: dict[str, list[Path]] = {}
    paired: set[Path] = set()  # (vendor pairs' accelerometer files, which go by the pair's name)
    for path in paths:
        own = _pair_name(path)
        if own is not None:
            paired.add(path)
        by_stem.setdefault(name_text(path.stem if own is None else own), []).append(path)
    names = {}
    for stem, same in by_stem.items():
        if len({resolved(p) for p in same}) == 1:
            names.update({p: name_text(p.stem) for p in same})
            continue
        full = [resolved(p) for p in same]
        common = Path(os.path.commonpath([p.parent for p in full]))
        for p, f in zip(same, full):
            below = f.relative_to(common)
            # (a vendor pair's file in that folder itself would be its stem, the name the pair gives way
            # to: it goes by its whole file name, X_ACC.txt beside X.csv's X)
            keep_suffix = p in paired and below.parent == Path(".")
            names[p] = name_text((below if keep_suffix else below.with_suffix("")).as_posix())
    # (names that differ only as a byte and its written form, 0xFF and a typed "\xff", read alike:
    # each after the first, by the file's bytes, gets "~2", "~3", ...)
    by_name: dict[str, list[Path]] = {}
    for path, name in names.items():
        by_name.setdefault(name, []).append(path)
    for name, same in by_name.items():
        if len({resolved(p) for p in same}) > 1:
            firsts: dict[Path, str] = {}
            for path in sorted(same, key=lambda q: os.fsencode(resolved(q))):
                firsts.setdefault(resolved(path), f"{name}~{len(firsts) + 1}" if firsts else name)
                names[path] = firsts[resolved(path)]
    return names


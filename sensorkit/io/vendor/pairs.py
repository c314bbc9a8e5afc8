"""Vendor exports that keep the accelerometer and the gyroscope in two files, paired by name.

A name holds a sensor token between separators (``_ - . space`` or the name's ends):
``Accelerometer``/``Gyroscope`` (MbientLab MetaBase), ``ACC``/``GYRO`` (Polar Sensor Logger) or
``acc``/``gyro`` (Movesense Showcase files), any case, any combination. The partner is the file in the same folder, with the same suffix, whose name has the same
text before the token and the other token (the same text after it when several match). The
accelerometer file stands for the pair: it is what :func:`~sensorkit.io.find_recordings` lists and
what names the recording (the name without the token).
"""
from __future__ import annotations

import re
from pathlib import Path

_TOKENS = (("accelerometer", "gyroscope"), ("acc", "gyro"))
_SEPARATORS = "_-. "


def split_name(stem: str) -> tuple[str, str, str, str] | None:
    """(role "acc"|"gyr", family, text before the token, text after it) or None without a token."""
    for acc_token, gyr_token in _TOKENS:
        for token, role in ((acc_token, "acc"), (gyr_token, "gyr")):
            pattern = rf"(?:^|(?<=[{re.escape(_SEPARATORS)}])){token}(?=$|[{re.escape(_SEPARATORS)}])"
            matches = list(re.finditer(pattern, stem, re.IGNORECASE))
            if matches:
                last = matches[-1]
                return role, acc_token, stem[: last.start()], stem[last.end():]
    return None


def partner(path: Path) -> Path | None:
    """The other file of the pair ``path`` belongs to, or None."""
    split = split_name(path.stem)
    if split is None:
        return None
    role, _, before, after = split
    try:
        siblings = [p for p in path.parent.iterdir() if p.suffix.lower() == path.suffix.lower() and p != path]
    except OSError:
        return None
    candidates = []
    for sibling in siblings:
        other = split_name(sibling.stem)
        if other and other[0] != role and other[2].lower() == before.lower():
            candidates.append((other[3].lower() != after.lower(), sibling.name, sibling))
    return min(candidates)[2] if candidates else None


def role_of(path: Path) -> str | None:
    split = split_name(path.stem)
    return split[0] if split else None


def pair_name(path: Path) -> str:
    """The recording name of a pair: the file's name without the sensor token (and one separator)."""
    split = split_name(path.stem)
    if split is None:
        return path.stem
    _, _, before, after = split
    head, tail = before.rstrip(_SEPARATORS), after.lstrip(_SEPARATORS)
    if head and tail:
        return head + after[0] + tail
    return head or tail or path.stem


def accelerometer_and_gyroscope(path: Path, format_name: str) -> tuple[Path, Path]:
    """(accelerometer file, gyroscope file) of the pair ``path`` is in; RecordingError when alone."""
    from sensorkit.errors import RecordingError

    role = role_of(path)
    other = partner(path)
    if role is None:
        raise RecordingError(
            f"{path}: a {format_name} file must name its sensor (…Accelerometer…/…Gyroscope… or …_ACC/…_GYRO)"
            f" so that its accelerometer and gyroscope files can be paired"
        )
    if other is None:
        wanted = "gyroscope" if role == "acc" else "accelerometer"
        raise RecordingError(f"{path}: {format_name}: no {wanted} file to pair with in {path.parent} (same name with the other sensor token)")
    return (path, other) if role == "acc" else (other, path)

"""Prescription TOML text (docs/formats.md) for tests that need one, written in one place."""
from __future__ import annotations


def _toml(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def exercise(name: str, rom_deg: float, hold_s: float = 1, reps_per_set: int = 5, sides=("left",),
             sets: int = 1, days_per_week: int = 7, **more) -> dict:
    """One ``[[exercise]]`` table (more keys, e.g. ``movement_s``, pass through)."""
    return dict(name=name, sides=list(sides), sets=sets, reps_per_set=reps_per_set, hold_s=hold_s,
                rom_deg=rom_deg, days_per_week=days_per_week, **more)


def rx_toml(patient: str, timezone: str, start: str, end: str | None, *exercises: dict) -> str:
    """A whole prescription file's text; dates as ``YYYY-MM-DD`` (TOML local dates)."""
    lines = [f'patient = "{patient}"', f'timezone = "{timezone}"', f"start = {start}"]
    if end is not None:
        lines.append(f"end = {end}")
    for table in exercises:
        lines += ["", "[[exercise]]", *(f"{key} = {_toml(value)}" for key, value in table.items())]
    return "\n".join(lines) + "\n"

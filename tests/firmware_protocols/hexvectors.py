"""Test vectors as text: notification payloads in hex and the rows each must decode to.

The format (docs/protocols/adding.md, "Test vectors"), one statement a line; ``#`` starts a comment:

``protocol NAME``
    the registered protocol (once, first).
``settings [NAME=VALUE ...]``
    a fresh decoder with these settings (as ``sensorkit decode -s`` reads them); starts a case.
``> HEX``
    a payload fed (bytes may be separated by spaces or colons).
``= T AX AY AZ GX GY GZ``
    one row the payload (or ``end``) above must return, in order: ``t`` in s, acceleration in
    m/s² (or in g with a ``g`` suffix: ``-1.87g``), angular rate in deg/s, ``nan`` for a channel the
    payload does not carry. A payload with no ``=`` lines must return none.
``! TEXT``
    the payload (or ``end``) above must raise ProtocolError, its message containing TEXT.
``end``
    the stream ends: ``finish()``, its rows ``=`` or error ``!`` below.
``health NAME=INT ...``
    StreamHealth counters after what came above (``gaps``: the number of gaps).
``tolerance rel=X abs=Y``
    how close a value must be from here on (default rel=1e-9 abs=1e-9).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import firmware_protocols
from firmware_protocols import ProtocolError
from firmware_protocols.base import STANDARD_GRAVITY_MS2

VECTORS_DIR = Path(__file__).parent / "vectors"  # (NAME*.txt: one family each)


def _number(text: str) -> float:
    if text.lower().endswith("g") and text.lower() != "nan":
        return float(text[:-1]) * STANDARD_GRAVITY_MS2
    return float(text)


def _setting(raw: str, kind: type | None) -> object:
    if kind is bool:
        return raw.lower() in ("true", "1", "yes")
    if kind in (int, float):
        return kind(raw)
    return raw  # (str, bytes as hex text: the factory reads it, as from the command line)


@dataclass
class _Step:
    """One payload fed (``payload``) or the stream's end (None), and what it must give."""

    line: int
    payload: bytes | None
    rows: list[list[float]] = field(default_factory=list)
    error: str | None = None
    health: dict[str, int] = field(default_factory=dict)
    tolerance: tuple[float, float] = (1e-9, 1e-9)


def check_file(path: Path) -> int:
    """Run every case of the vector file ``path``; AssertionError naming FILE:LINE at the first
    difference. Returns the number of payloads fed."""
    protocol = None
    cases: list[tuple[int, dict[str, str], list[_Step]]] = []
    tolerance = (1e-9, 1e-9)
    for number, text in enumerate(path.read_text().splitlines(), 1):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        word, _, rest = text.partition(" ") if text[0].isalpha() else (text[0], "", text[1:])
        rest = rest.strip()
        where = f"{path.name}:{number}"
        if word == "protocol":
            protocol = firmware_protocols.get(rest)
        elif word == "settings":
            cases.append((number, dict(pair.split("=", 1) for pair in rest.split()), []))
        elif word == "tolerance":
            given = dict(pair.split("=", 1) for pair in rest.split())
            tolerance = (float(given.get("rel", 1e-9)), float(given.get("abs", 1e-9)))
        elif word in (">", "end"):
            assert cases, f"{where}: a payload before any 'settings' line"
            payload = bytes.fromhex(re.sub(r"[\s:]", "", rest)) if word == ">" else None
            cases[-1][2].append(_Step(number, payload, tolerance=tolerance))
        elif word in ("=", "!", "health"):
            assert cases and cases[-1][2], f"{where}: '{word}' before any payload or 'end'"
            step = cases[-1][2][-1]
            if word == "=":
                row = [_number(v) for v in rest.split()]
                assert len(row) == 7, f"{where}: a row has 7 values (t, acc xyz, gyr xyz), not {len(row)}"
                step.rows.append(row)
            elif word == "!":
                step.error = rest
            else:
                step.health.update({k: int(v) for k, v in (pair.split("=", 1) for pair in rest.split())})
        else:
            raise AssertionError(f"{where}: unknown statement {word!r}")
    assert protocol is not None, f"{path.name}: no 'protocol NAME' line"
    kinds = firmware_protocols.decoder_settings(protocol) or {}
    fed = 0
    for _number_, settings, steps in cases:
        decoder = protocol.decoder(**{k: _setting(v, kinds.get(k)) for k, v in settings.items()})
        for step in steps:
            where = f"{path.name}:{step.line}"
            fed += step.payload is not None
            try:
                rows = decoder.feed(step.payload) if step.payload is not None else decoder.finish()
            except ProtocolError as exc:
                assert step.error is not None, f"{where}: raised {exc}"
                assert step.error in str(exc), f"{where}: raised {exc!r}, not one saying {step.error!r}"
            else:
                assert step.error is None, f"{where}: decoded, not refused ({step.error!r})"
                assert rows.shape == (len(step.rows), 7), f"{where}: {len(rows)} rows, not {len(step.rows)}"
                rel, absolute = step.tolerance
                np.testing.assert_allclose(rows, np.array(step.rows).reshape(-1, 7), rtol=rel, atol=absolute,
                                           equal_nan=True, err_msg=where)
            health = decoder.health
            for name, value in step.health.items():
                got = len(health.gaps) if name == "gaps" else getattr(health, name)
                assert got == value, f"{where}: health.{name} is {got}, not {value}"
    return fed


def vector_files(protocol: str) -> list[Path]:
    """The vector files of ``protocol``: ``vectors/PROTOCOL*.txt``."""
    return sorted(VECTORS_DIR.glob(f"{protocol}*.txt"))

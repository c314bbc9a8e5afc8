"""Coverage-guided fuzzing of every registered protocol decoder with atheris. Not collected by pytest.

    python tests/firmware_protocols/fuzz_atheris.py -atheris_runs=300000    # or -max_total_time=120

One input = a protocol index byte, then payloads as (length byte, bytes), fed in order to one fresh
decoder. Seeds: each protocol's ``encode_example_payloads()``. Fails on any exception other than
ProtocolError, on a ProtocolError from base.Decoder's safety net (a hidden bug: IndexError...), and
on a result that is not an (n, 7) float64 array. libFuzzer prints "Done N runs" at the end (it
exits from C, so nothing runs after it); the per-protocol input counts are printed every 2**16 inputs.
"""
from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import numpy as np

    import firmware_protocols
    from firmware_protocols import ProtocolError

    PROTOCOLS = {}
    for _name in firmware_protocols.names():
        try:
            PROTOCOLS[_name] = firmware_protocols.get(_name)
        except ModuleNotFoundError as _exc:
            print(f"skipping {_name}: {_exc}", file=sys.stderr)

NAMES = sorted(PROTOCOLS)
SAFETY_NET_MARK = ": cannot decode payload: "
TRIED: Counter[str] = Counter()


def split_input(data: bytes) -> tuple[str, list[bytes]]:
    """Protocol name and payloads from one fuzz input (see module doc)."""
    name = NAMES[data[0] % len(NAMES)] if data else NAMES[0]
    payloads, at = [], 1
    while at < len(data) and len(payloads) < 16:
        size = data[at]
        payloads.append(data[at + 1:at + 1 + size])
        at += 1 + size
    return name, payloads


def join_input(index: int, payloads: list[bytes]) -> bytes:
    return bytes([index]) + b"".join(bytes([len(p)]) + p for p in payloads if len(p) < 256)


def one_input(data: bytes) -> None:
    name, payloads = split_input(data)
    decoder = PROTOCOLS[name].decoder()
    for payload in payloads:
        try:
            samples = decoder.feed(payload)
        except ProtocolError as exc:
            if SAFETY_NET_MARK in str(exc):
                raise RuntimeError(f"{name}: decoder bug on {payload.hex()}") from exc.__cause__
            continue
        if not (isinstance(samples, np.ndarray) and samples.dtype == np.float64 and samples.ndim == 2
                and samples.shape[1] == 7):
            raise RuntimeError(f"{name}: bad result {type(samples)} {getattr(samples, 'shape', None)}")
    TRIED[name] += 1
    if sum(TRIED.values()) % 2**16 == 0:
        print(f"inputs per protocol: {dict(TRIED)}", file=sys.stderr, flush=True)


def seed_corpus(folder: Path) -> None:
    for index, name in enumerate(NAMES):
        module = sys.modules[type(PROTOCOLS[name]).__module__]
        examples = getattr(module, "encode_example_payloads", lambda: [])()
        (folder / f"seed_{name}").write_bytes(join_input(index, [bytes(p) for p in examples]))


def main() -> None:
    corpus = Path(tempfile.mkdtemp(prefix="sensorkit_fuzz_corpus_"))
    seed_corpus(corpus)
    atheris.Setup(sys.argv + [str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

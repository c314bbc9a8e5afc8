"""Decoded samples per second for every registered protocol, against numpy.frombuffer on the same bytes.

    python benchmarks/bench_decoders.py [--repeats 7]

For each protocol whose module has ``encode_example_payloads()``: one pass = a fresh decoder fed
those payloads in order (construction included). Baseline, same payloads, same run: one
``numpy.frombuffer(payload, numpy.uint8)`` per payload — the least any Python decoder must pay to
look at the bytes. Timings are the best of ``--repeats`` rounds of enough passes to last ~0.2 s.
``ratio`` = decoder time / frombuffer time for the same bytes (how many times slower than merely
wrapping them). polar_pmd also gets a realistic row: 10 minutes at 52 Hz, ACC raw int16 + GYRO
delta-compressed float frames of 36 samples.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np

import firmware_protocols


def best_seconds_per_pass(run_pass: Callable[[], object], repeats: int) -> float:
    """Best per-pass time over ``repeats`` rounds, each round long enough (~0.2 s) to time well."""
    passes, start = 1, time.perf_counter()
    run_pass()
    one = max(time.perf_counter() - start, 1e-7)
    passes = max(1, int(0.2 / one))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(passes):
            run_pass()
        best = min(best, (time.perf_counter() - start) / passes)
    return best


def measure(protocol: firmware_protocols.Protocol, payloads: list[bytes], repeats: int, **settings) -> dict:
    def decode_pass() -> int:
        decoder = protocol.decoder(**settings)
        return sum(len(decoder.feed(p)) for p in payloads)

    def frombuffer_pass() -> None:
        for p in payloads:
            np.frombuffer(p, dtype=np.uint8)

    samples = decode_pass()
    decoder_s = best_seconds_per_pass(decode_pass, repeats)
    baseline_s = best_seconds_per_pass(frombuffer_pass, repeats)
    return {"payloads": len(payloads), "bytes": sum(map(len, payloads)), "samples": samples,
            "samples_per_s": samples / decoder_s, "payloads_per_s": len(payloads) / decoder_s,
            "frombuffer_payloads_per_s": len(payloads) / baseline_s, "ratio": decoder_s / baseline_s}


def polar_stream() -> list[bytes]:
    from firmware_protocols.polar_pmd import encode_stream

    rate_hz = 52.0
    t = np.arange(int(600 * rate_hz)) / rate_hz
    acc = np.column_stack([np.sin(t), np.cos(0.7 * t), 9.8 + 0.1 * np.sin(3 * t)])
    gyr = np.column_stack([40 * np.sin(1.3 * t), 5 * np.cos(t), 2 + 0 * t])
    return encode_stream(acc, gyr, rate_hz, samples_per_frame=36, acc_frame_type=0x01, gyr_frame_type=0x81)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rows = []
    for name in firmware_protocols.names():
        try:
            protocol = firmware_protocols.get(name)
        except ModuleNotFoundError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        examples = getattr(sys.modules[type(protocol).__module__], "encode_example_payloads", None)
        if examples is None:
            print(f"{name}: skipped (no encode_example_payloads)", file=sys.stderr)
            continue
        rows.append((f"{name} (examples)", measure(protocol, [bytes(p) for p in examples()], args.repeats)))
        if name == "polar_pmd":
            rows.append(("polar_pmd (10 min stream)", measure(protocol, polar_stream(), args.repeats, sample_rate_hz=52)))
    print(f"{'protocol':28} {'payloads':>8} {'samples':>8} {'samples/s':>11} {'payloads/s':>11} "
          f"{'frombuffer payloads/s':>22} {'ratio':>7}")
    for label, r in rows:
        print(f"{label:28} {r['payloads']:8d} {r['samples']:8d} {r['samples_per_s']:11.0f} {r['payloads_per_s']:11.0f} "
              f"{r['frombuffer_payloads_per_s']:22.0f} {r['ratio']:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Batch analysis at scale: throughput per core, cost against reading + one filter pass, 1 -> 2 workers.

    python benchmarks/bench_batch.py                       # 8 recordings x 10 min at 100 Hz (~1.3 h)
    python benchmarks/bench_batch.py --thousand-hours --data /big/disk/bench
                                                           # 1,000 recordings x 60 min (~22 GB of CSV)
    python benchmarks/bench_batch.py --scheduler tcp://HOST:PORT   # also time a Dask cluster

Recordings are simulated (``simulate_session(...).write(...)``, seeds 1..N, each ``--minutes`` long)
into ``--data`` (kept and reused when it already holds them) or a temporary folder. Every figure is a
ratio against a baseline measured in the same run, on the same files:

- baseline: read each file (``sensorkit.io.read_recording``) plus one ``scipy.signal.sosfiltfilt``
  pass (4th-order Butterworth, 5 Hz) over its six channels, serially;
- analysis: ``sensorkit.batch.analyze_many`` with 1 worker, then 2 (the 2-worker time includes
  starting the pool); samples/s per core = samples / (1-worker wall time);
- memory kept by ``analyze_paths`` (which writes reps.csv and sessions.csv) once the batch is done:
  with every per-file result kept (``keep_results=True``, as all batches did before rows were
  streamed) and as the CLI runs it (``keep_results=False``), per hour of data (tracemalloc);
- bound by reading: the analysis time beyond reading (``analyze_many`` minus reading alone)
  against reading alone; the target is <= 1, i.e. reading is at least half of the batch's time;
- a profile (cProfile) of reading the files: where the reading time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import math
import os
import pstats
import tempfile
import time
import tracemalloc
from pathlib import Path

from scipy import signal

from sensorkit.batch import analyze_many, analyze_paths
from sensorkit.distributed import cpu_count, run_in_processes
from sensorkit.io import find_recordings, read_recording
from sensorkit.sim import simulate_session

RATE_HZ = 100  # default; --rate-hz changes it


def write_recording(folder: Path, seed: int, minutes: float, rate_hz: float = RATE_HZ) -> Path:
    """One simulated recording of ``minutes`` at ``rate_hz`` (reused when ``folder`` already holds it)."""
    name = f"bench_{seed:05d}_{minutes:g}min" + ("" if rate_hz == RATE_HZ else f"_{rate_hz:g}hz")
    csv = folder / f"{name}.csv"
    if not csv.exists():
        session = simulate_session(seed, sample_rate_hz=rate_hz, n_sets=max(1, math.ceil(minutes)),
                                   max_duration_s=60.0 * minutes, fine_rate_hz=4.0 * rate_hz)
        session.write(folder, name)
    return csv


def write_recordings(folder: Path, n: int, minutes: float, rate_hz: float = RATE_HZ) -> list[Path]:
    """Seeds 1..n, written by one process per CPU."""
    tasks = [(folder, seed, minutes, rate_hz) for seed in range(1, n + 1)]
    return [path for path, lost in run_in_processes(write_recording, tasks, min(n, cpu_count())) if not lost]


def read_and_filter(paths: list[Path]) -> int:
    """The baseline: read every file and low-pass its six channels once; returns the sample count."""
    n = 0
    for path in paths:
        samples = read_recording(path).samples
        sos = signal.butter(4, 5.0, fs=samples.sample_rate_hz, output="sos")
        signal.sosfiltfilt(sos, samples.to_array()[:, 1:], axis=0)
        n += len(samples)
    return n


def run_batch(paths: list[Path], **options) -> list:
    """Every file's outcome; rows as repr (NaN-safe, every float bit) to check runs agree."""
    outcomes = [(str(path), error, repr(result.rep_rows) if result else None) for path, result, error in
                analyze_many(paths, **options)]
    failed = [error for _, error, _ in outcomes if error]
    if failed:
        raise SystemExit(f"benchmark recordings failed: {failed[:3]}")
    return outcomes


def best_of(repeat: int, fn, clock=time.perf_counter) -> tuple[float, object]:
    """The shortest of ``repeat`` runs of ``fn`` by ``clock`` (s; the wall clock unless given) and its last value."""
    best, value = math.inf, None
    for _ in range(repeat):
        start = clock()
        value = fn()
        best = min(best, clock() - start)
    return best, value


def retained_bytes(paths: list[Path], out: Path, keep_results: bool) -> int:
    """Bytes still allocated after ``analyze_paths`` returned (its outcome alive), serially."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    outcome = analyze_paths(paths, out, workers=1, keep_results=keep_results)
    gc.collect()  # pipelines hold reference cycles: count only what is really kept
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert outcome.analyzed == len(paths)
    return kept


def reading_profile(paths: list[Path], top: int) -> str:
    """cProfile of read_recording over ``paths``: the functions with most cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for path in paths:
        read_recording(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=8)
    ap.add_argument("--minutes", type=float, default=10.0, help="length of each recording")
    ap.add_argument("--rate-hz", type=float, default=RATE_HZ, help="sample rate of the recordings")
    ap.add_argument("--thousand-hours", action="store_true", help="1,000 recordings of 60 min")
    ap.add_argument("--data", type=Path, help="folder for the recordings (kept; default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs per figure")
    ap.add_argument("--scheduler", help="also time this Dask cluster (tcp://HOST:PORT)")
    ap.add_argument("--profile-top", type=int, default=14, help="functions in the reading profile (0: none)")
    args = ap.parse_args()
    if args.thousand_hours:
        args.recordings, args.minutes = 1000, 60.0

    with tempfile.TemporaryDirectory(prefix="sensorkit-bench-") as temp:
        folder = args.data or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        paths = find_recordings(write_recordings(folder, args.recordings, args.minutes, args.rate_hz))
        if len(paths) < args.recordings:
            raise SystemExit(f"only {len(paths)} of {args.recordings} recordings could be written")
        written_s = time.perf_counter() - start
        size_mb = sum(p.stat().st_size for p in paths) / 1e6

        baseline_s, n = best_of(args.repeat, lambda: read_and_filter(paths))
        read_s, _ = best_of(args.repeat, lambda: [read_recording(p) for p in paths])
        serial_s, serial = best_of(args.repeat, lambda: run_batch(paths, workers=1))
        two_s, two = best_of(args.repeat, lambda: run_batch(paths, workers=2))
        assert two == serial, "2 workers gave other results than 1"
        hours = n / args.rate_hz / 3600
        print(f"recordings:            {len(paths)} x {args.minutes:g} min at {args.rate_hz:g} Hz = {hours:.2f} h,"
              f" {n} samples, {size_mb:.1f} MB of CSV (written in {written_s:.1f} s); CPUs here: {os.cpu_count()}")
        print(f"baseline read+filter:  {baseline_s:8.2f} s  (reading alone {read_s:.2f} s = {read_s / baseline_s:.2f} of it)")
        print(f"analysis, 1 worker:    {serial_s:8.2f} s  = {serial_s / baseline_s:.2f} x baseline;"
              f" {n / serial_s / 1e6:.3f} M samples/s per core ({hours * 3600 / serial_s:.0f} s of data per s);"
              f" reading is {read_s / serial_s:.0%} of it")
        beyond_s = serial_s - read_s
        print(f"bound by reading?      analysis beyond reading {beyond_s:.2f} s = {beyond_s / read_s:.2f} x reading"
              f" (target <= 1: reading is at least half of the batch's time;"
              f" {'met' if beyond_s <= read_s else 'NOT met'})")
        print(f"analysis, 2 workers:   {two_s:8.2f} s  = {two_s / baseline_s:.2f} x baseline;"
              f" speedup 1 -> 2 workers {serial_s / two_s:.2f} x (ideal 2)")
        if args.scheduler:
            dask_s, remote = best_of(args.repeat, lambda: run_batch(paths, scheduler=args.scheduler))
            assert remote == serial, "the Dask cluster gave other results than 1 worker"
            print(f"analysis, Dask:        {dask_s:8.2f} s  = {dask_s / baseline_s:.2f} x baseline;"
                  f" speedup vs 1 worker {serial_s / dask_s:.2f} x")
        kept_all = retained_bytes(paths, Path(temp) / "tables-kept", keep_results=True)
        kept_streamed = retained_bytes(paths, Path(temp) / "tables-streamed", keep_results=False)
        print(f"memory kept after the batch (analyze_paths, tables written): per hour of data"
              f" {kept_all / hours / 1e6:.2f} MB with per-file results kept, {kept_streamed / hours / 1e3:.1f} kB"
              f" streamed (CLI) -> at 1,000 h ~{kept_all / hours * 1000 / 1e9:.2f} GB vs"
              f" ~{kept_streamed / hours * 1000 / 1e6:.1f} MB")
        per_hour_s = serial_s / hours
        print(f"projection:            1,000 h on one core ~ {1000 * per_hour_s / 60:.0f} min"
              f" (from {per_hour_s:.2f} s per hour of data)")
        if args.profile_top > 0:  # (0: no profile)
            print(f"\nreading profile ({len(paths)} files, cumulative time):")
            print(reading_profile(paths, args.profile_top))


if __name__ == "__main__":
    main()

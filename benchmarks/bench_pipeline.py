"""Speed and memory of the whole pipeline on one hour of 100 Hz data (360,000 samples).

    python benchmarks/bench_pipeline.py [--hours 1] [--profile-top 25]

Baseline, measured in the same run: one ``scipy.signal.sosfiltfilt`` pass (4th-order Butterworth)
over the same six channels. Target (core issue): pipeline time <= 5x the baseline; peak memory
allocated by the pipeline < 200 bytes per sample (the input itself is 56 bytes per sample).
``--profile-top N`` adds a cProfile of one run (the N functions with most time of their own) and
the time split into per-sample stages (gap filling, motion signals) and per-movement work.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
import tracemalloc

import numpy as np
from scipy import signal

from sensorkit.pipeline import Pipeline
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session


def hour_of_data(hours: float) -> Samples:
    """Simulated sessions at 100 Hz laid end to end until ``hours`` are filled."""
    blocks, t0 = [], 0.0
    s = simulate_session(1, sample_rate_hz=100, side="left").samples  # one strap, one patient
    while t0 < hours * 3600:
        blocks.append(Samples(s.t + t0, s.acc, s.gyr))
        t0 += s.t[-1] + 0.01
    whole = Samples.concat(blocks)
    return whole[whole.t < hours * 3600]


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def profile(data: Samples, top: int) -> str:
    """cProfile of one pipeline run: the stages' cumulative times, then the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    Pipeline().run(data)
    profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative = {(path.rsplit("/", 1)[-1], name): entry[3] for (path, _, name), entry in stats.stats.items()}
    stages = [("gap filling", ("gaps.py", "__call__")), ("motion signals", ("motion.py", "update")),
              ("segmentation + all per movement", ("segment.py", "update")),
              ("  measure", ("measure.py", "measure")), ("  rotation radius", ("radius.py", "fit_radius")),
              ("  classify (incl. radius)", ("classify.py", "classify"))]
    total = stats.total_tt
    lines = [f"profiled run: {total * 1e3:.0f} ms (profiling overhead included)"]
    lines += [f"  {label:34s} {cumulative.get(key, 0.0) * 1e3:7.1f} ms  {cumulative.get(key, 0.0) / total:5.1%}"
              for label, key in stages]
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    text = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(text) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines + [""] + text[start:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--profile-top", type=int, default=0, help="also profile one run: top N functions")
    args = ap.parse_args()
    data = hour_of_data(args.hours)
    channels = np.column_stack([data.acc, data.gyr])
    sos = signal.butter(4, 5.0, fs=100.0, output="sos")
    baseline_s = best_of(lambda: signal.sosfiltfilt(sos, channels, axis=0))
    reps = []
    pipeline_s = best_of(lambda: reps.append(Pipeline().run(data)))
    tracemalloc.start()
    Pipeline().run(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n = len(data)
    print(f"samples:               {n} ({n / 100 / 3600:.2f} h at 100 Hz), {sum(r.counted for r in reps[-1])} reps")
    print(f"baseline sosfiltfilt:  {baseline_s * 1e3:8.1f} ms")
    print(f"pipeline:              {pipeline_s * 1e3:8.1f} ms  ({n / pipeline_s / 1e6:.2f} M samples/s)")
    print(f"ratio pipeline/filter: {pipeline_s / baseline_s:8.2f}   (target <= 5)")
    print(f"peak memory:           {peak / n:8.1f} bytes/sample (target < 200; input is 56)")
    if args.profile_top:
        print("\n" + profile(data, args.profile_top))


if __name__ == "__main__":
    main()

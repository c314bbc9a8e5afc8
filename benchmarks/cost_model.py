"""Where batch analysis spends its time: reading, stage 1 per sample, and the work per movement.

    python benchmarks/cost_model.py --data /tmp/bench          # 8 recordings x 10 min at 25, 52, 100 Hz
    python benchmarks/cost_model.py --data /tmp/bench --recordings 4 --repeat 7
    python benchmarks/cost_model.py --files ../shared/data/uci-pt-knee-extension   # recordings of your own

The same simulated recordings as ``bench_batch.py`` (``write_recording``: seeds 1..N, each
``--minutes`` long) at each rate of ``--rates-hz``: the motion, and so the number of movements,
stays while the number of samples changes; or the recordings under ``--files`` (files or folders),
one line per sample rate found. Per file, the best of ``--repeat`` runs, in CPU time of
this process (``time.process_time``: steadier than the wall clock on a busy machine), of

- reading: ``sensorkit.io.read_recording``;
- stage 1: what the pipeline does to every sample whatever the motion, on the file read: the spike
  filter, the gap filler and the orientation filter with its smoothing (``MotionTracker.update``, VQF included),
  in one block, as batch runs it;
- analysis: ``sensorkit.batch.analyze_many`` of that one file with 1 worker (reading included).

The rest, analysis - reading - stage 1, is the segmentation, measurement and classification of the
movements (every movement the pipeline judged, rejected ones included), and what is left over per
sample. Per rate: each part against reading, that rest per movement, and what issue 12's target
(analysis beyond reading <= reading) would leave per movement once stage 1 is paid.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import best_of, write_recording  # noqa: E402  (the same recordings as the batch benchmark)

from sensorkit.batch import analyze_many  # noqa: E402
from sensorkit.io import find_recordings, read_recording  # noqa: E402
from sensorkit.pipeline import Pipeline  # noqa: E402


def best_s(repeat: int, fn) -> tuple[float, object]:
    """The shortest of ``repeat`` runs of ``fn`` (s of this process's CPU time) and its last value."""
    return best_of(repeat, fn, time.process_time)


def analyze_one(path: Path):
    """The one file's result through the batch path (1 worker); a failure stops the benchmark."""
    [(_, result, error)] = list(analyze_many([path], workers=1))
    if error:
        raise SystemExit(f"{path}: {error}")
    return result


def stage_one(recording) -> None:
    """The pipeline's stage 1 over a whole recording: glitches mended, gaps filled, then orientation
    and smoothing."""
    pipeline = Pipeline(meta=recording.meta.to_dict())
    pipeline._start(recording.samples)  # (its rate, gap filler and motion tracker, as ``update`` makes them)
    filled = pipeline._gaps(pipeline._spikes(recording.samples))
    pipeline._motion.update(filled.t, filled.acc, filled.gyr, pipeline._gaps.inserted)


def measure_file(path: Path, repeat: int) -> tuple[int, int, float, float, float]:
    """(samples, movements, reading s, stage 1 s, analysis s) of one recording."""
    read_s, rec = best_s(repeat, lambda: read_recording(path))
    stage1_s, _ = best_s(repeat, lambda: stage_one(rec))
    analysis_s, result = best_s(repeat, lambda: analyze_one(path))
    return len(rec.samples), len(result.rep_rows), read_s, stage1_s, analysis_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=8)
    ap.add_argument("--minutes", type=float, default=10.0, help="length of each recording")
    ap.add_argument("--rates-hz", default="25,52,100", help="sample rates, comma-separated")
    ap.add_argument("--data", type=Path, help="folder for the recordings (kept; default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=5, help="best of this many runs per file and figure")
    ap.add_argument("--files", type=Path, nargs="+", help="time these recordings (files or folders) instead")
    args = ap.parse_args()

    rows = []  # (rate, samples, movements, read_s, stage1_s, analysis_s)
    if args.files:
        for path in find_recordings(args.files):
            rows.append((round(read_recording(path).samples.sample_rate_hz), *measure_file(path, args.repeat)))
        what = f"{len(rows)} recordings under {', '.join(str(p) for p in args.files)}"
    else:
        with tempfile.TemporaryDirectory(prefix="sensorkit-cost-") as temp:
            folder = args.data or Path(temp)
            folder.mkdir(parents=True, exist_ok=True)
            rates = [float(r) for r in args.rates_hz.split(",")]
            for rate in rates:
                for seed in range(1, args.recordings + 1):
                    rows.append((rate, *measure_file(write_recording(folder, seed, args.minutes, rate), args.repeat)))
        what = f"{len(rows)} simulated recordings ({args.recordings} x {args.minutes:g} min)"
    rate, samples, moves, read_s, stage1_s, analysis_s = (np.array(c, dtype=float) for c in zip(*rows))
    rest_s = analysis_s - read_s - stage1_s
    rates = sorted(set(rate.tolist()))

    print(f"{what}, best of {args.repeat} runs each, CPU time; sums per sample rate:")
    for x in rates:
        at = rate == x
        read, stage1, rest = read_s[at].sum(), stage1_s[at].sum(), rest_s[at].sum()
        n, m = samples[at].sum(), moves[at].sum()
        print(f"  {x:5g} Hz: {n / 1e3:6.0f} k samples, {m:5.0f} movements | reading {read:6.3f} s"
              f" ({read / n * 1e6:4.2f} us/sample) | stage 1 {stage1:6.3f} s = {stage1 / read:4.2f} x reading"
              f" | movements {rest:6.3f} s = {rest / read:4.2f} x reading, {rest / max(m, 1) * 1e3:5.2f} ms each"
              f" | beyond reading {(stage1 + rest) / read:4.2f} x reading; the target (<= 1) leaves"
              f" {(read - stage1) / max(m, 1) * 1e3:5.3f} ms per movement")


if __name__ == "__main__":
    main()

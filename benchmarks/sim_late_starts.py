"""Simulated sessions begun late (the sensor connected mid-set), against the same sessions whole.

    python benchmarks/sim_late_starts.py                              # hip ER, seeds 400-429
    python benchmarks/sim_late_starts.py --exercise knee_extension --seeds 72000-72029

Each session (4 minutes) is cut at 5 s and every ``--every-s`` s after, up to 30 s before its end,
one cut at a time; for the reps counted in the whole session that begin after the cut, how many
are counted again at their times (start and end within 1 s), and how many reps are counted that
were not (``sensorkit.robustness.reps_around_gap``). The real recordings' figure is in
``real_robustness.py`` ("late start"); see docs/accuracy.md, "Late starts".
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from accuracy import parse_seeds  # (benchmarks/accuracy.py: run as a script, this folder is on the path)
from sensorkit.pipeline import Pipeline
from sensorkit.robustness import GapOutcome, reps_around_gap, with_gap
from sensorkit.sim import simulate_session


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", default="hip_external_rotation")
    ap.add_argument("--seeds", default="400-429", help="ranges A-B (inclusive), comma-separated")
    ap.add_argument("--every-s", type=float, default=23.7, help="one cut every this many seconds (s)")
    ap.add_argument("--verbose", action="store_true", help="a line per cut that lost or added a rep")
    args = ap.parse_args()
    began = time.perf_counter()
    total, cuts = GapOutcome(0, 0, 0), 0
    for seed in parse_seeds(args.seeds):
        session = simulate_session(seed, exercise=args.exercise, max_duration_s=240.0)
        samples = session.samples
        whole = Pipeline(meta=session.meta).run(samples)
        t0 = float(samples.t[0])
        for cut_s in np.arange(t0 + 5.0, samples.t[-1] - 30.0, args.every_s):
            span = (t0 - 1.0, float(cut_s) - t0 + 1.0)
            outcome = reps_around_gap(whole, Pipeline(meta=session.meta).run(with_gap(samples, *span)), *span)
            cuts, total = cuts + 1, total + outcome
            if args.verbose and (outcome.found < outcome.expected or outcome.added):
                print(f"  seed {seed} cut at {cut_s:.1f} s: {outcome.expected - outcome.found} lost, {outcome.added} added")
    share = 100 * total.found / total.expected if total.expected else float("nan")
    print(f"{args.exercise}, seeds {args.seeds}, {cuts} cuts: reps after the cut counted again "
          f"{total.found}/{total.expected} ({share:.1f} %), added {total.added}  ({time.perf_counter() - began:.1f} s)")


if __name__ == "__main__":
    main()

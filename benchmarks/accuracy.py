"""Accuracy of the pipeline against the simulator's physics truth, on fresh seeds.

    python benchmarks/accuracy.py [--sessions 50] [--first-seed 20000] [--verbose]

Prints the figures the core issue sets targets for (rep F1, exact-count share, kind accuracy,
distractor rejection, ROM RMSE, hold MAE), overall and by sample rate.
"""
from __future__ import annotations

import argparse
import time

from sensorkit.accuracy import Score, Truth
from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session


def truth_of(session) -> list[Truth]:
    return [Truth(m.kind, m.start_s, m.end_s, m.rom_deg, m.hold_s, m.label) for m in session.truth]


def evaluate(seeds, verbose: bool = False, **sim_options) -> tuple[Score, dict]:
    total, by_rate = Score(), {}
    for seed in seeds:
        s = simulate_session(seed, **sim_options)
        reps = Pipeline(meta=s.meta).run(s.samples)
        truth = truth_of(s)
        total.add(reps, truth)
        rate = int(s.meta.get("sample_rate_hz", 0))
        by_rate.setdefault(rate, Score()).add(reps, truth)
        if verbose:
            one = Score()
            one.add(reps, truth)
            f = one.figures()
            print(f"seed {seed} {rate:>3} Hz {s.meta.get('side')}: true {f['true_reps']} "
                  f"F1 {f['rep_f1']:.3f} kind {f['kind_accuracy']:.3f} rom {f['rom_rmse_deg']:.2f} "
                  f"hold {f['hold_mae_s']:.2f} {one.confusions or ''}")
    return total, by_rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--first-seed", type=int, default=20000)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    total, by_rate = evaluate(range(args.first_seed, args.first_seed + args.sessions), args.verbose)
    for rate, score in sorted(by_rate.items()):
        f = score.figures()
        print(f"{rate:>4} Hz: n={f['recordings']:>3} F1 {f['rep_f1']:.3f} exact {f['exact_count_share']:.2f} "
              f"kind {f['kind_accuracy']:.3f} rom {f['rom_rmse_deg']:.2f} hold {f['hold_mae_s']:.2f}")
    print("overall:")
    for k, v in total.figures().items():
        print(f"  {k:<22} {v:.4f}" if isinstance(v, float) else f"  {k:<22} {v}")
    print("  confusions (truth, got):", dict(sorted(total.confusions.items(), key=lambda kv: -kv[1])))
    print(f"  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()

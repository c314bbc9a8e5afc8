"""Random changes to the real recordings, and what must hold whatever they are: no exception, and
every movement ends no later than it is decided and starts after the one before it ended.

    python benchmarks/invariants_sweep.py                      # 10 rounds, seed 0
    python benchmarks/invariants_sweep.py --rounds 30 --seed 3

Each round draws one of each change (``sensorkit.robustness``): returns in two stages (stop 5-35
deg up, 0.2-1.5 s, settling over 0.3-1.5 s), a resting pose shifted between sets (±35 deg, rests
cut to 1-8 s still), holds wobbling 0.5-6 times as much, a drifting rest (0.5-6 deg/s), a gap in
the data (0.2-12 s, anywhere), and knocks as the foot lands (a 1-6 g jolt, the motion done with
0.4-1 times the range); applies it to every labelled recording of ``../shared/data`` and runs the
pipeline in batch and live (packets of 13 and 91 samples). The segmenter's movements are watched
as they end (``Segmenter._end`` wrapped) and as they are handed out (``scan``, ``finish`` and
``restart``: after a small settle taken back, a movement starts earlier than it ended with): a
movement that ends after the sample that decided it, or starts before the previous one ended,
would be measured from a window that begins before its own data (session 22 found one: a crash in
the series reading, on UCI subject 1's test session with its returns stopped 25 deg up). The rows
published must not overlap in time. Counts are not scored here: see ``real_robustness.py`` for
that. (Session 23's review watched the handed-out movements first.)
"""
from __future__ import annotations

import argparse
import time
import traceback

import numpy as np

import sensorkit.pipeline.pipeline as pipeline_module
import sensorkit.pipeline.segment as segment
from real_robustness import DEFAULT_FOLDERS, load
from sensorkit.pipeline import Pipeline
from sensorkit.robustness import (done_with_range, holds_wobblier, reps_with_shorter_rests, rests_drifting,
                                  rests_shifted, rests_shorter, returns_in_two_stages, with_gap, with_knocks)


def changes(rng: np.random.Generator, rounds: int):
    """(label, change(samples, reps)) for each round's draws."""
    for _ in range(rounds):
        stop, stop_s, settle_s = rng.uniform(5, 35), rng.uniform(0.2, 1.5), rng.uniform(0.3, 1.5)
        yield (f"two-stage {stop:.0f} deg {stop_s:.1f} s {settle_s:.1f} s",
               lambda s, base, a=stop, b=stop_s, c=settle_s: returns_in_two_stages(s, base, a, b, c))
        shift_deg, keep_s = rng.uniform(-35, 35), rng.uniform(1.0, 8.0)

        def shifted(s, base, d=shift_deg, k=keep_s):
            shorter, moved = rests_shorter(s, base, k, max_rest_s=60.0)
            return rests_shifted(shorter, reps_with_shorter_rests(base, moved), d)
        yield f"shift {shift_deg:.0f} deg, rests {keep_s:.1f} s", shifted
        factor = rng.uniform(0.5, 6)
        yield f"wobble x{factor:.1f}", lambda s, base, f=factor: holds_wobblier(s, base, f)
        drift_dps = rng.uniform(0.5, 6)
        yield f"drift {drift_dps:.1f} deg/s", lambda s, base, v=drift_dps: rests_drifting(s, base, v)
        at, gap_s = rng.uniform(0, 1), rng.uniform(0.2, 12)
        yield (f"gap of {gap_s:.1f} s at {100 * at:.0f} %",
               lambda s, base, a=at, g=gap_s: with_gap(s, float(s.t[0] + a * (s.t[-1] - s.t[0])), g))
        jolt_g, factor = rng.uniform(1, 6), rng.uniform(0.4, 1.0)
        yield (f"knocks of {jolt_g:.1f} g, {factor:.2f} x the range",
               lambda s, base, j=jolt_g, f=factor: with_knocks(done_with_range(s, f), base, 9.81 * j))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=10, help="rounds of draws (six changes each)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    broken: list[str] = []
    end = segment.Segmenter._end

    def watched_end(self, *a, **k):
        m = end(self, *a, **k)
        if m.decided < m.end or m.start > m.end or m.start <= m.previous_end:
            broken.append(f"movement {m.start}-{m.end} decided at {m.decided}, the one before ended at {m.previous_end}")
        return m
    segment.Segmenter._end = watched_end

    def watched(name: str):
        handed = getattr(segment.Segmenter, name)

        def handing_out(self, *a, **k):
            m = handed(self, *a, **k)
            if m is not None:
                for one in ([m.shift] if m.shift is not None else []) + [m]:
                    last = getattr(self, "_handed_end", -1)
                    if one.start <= last or one.start > one.end or one.decided < one.end:
                        broken.append(f"{name} handed out {one.start}-{one.end} (decided at {one.decided}) after one "
                                      f"that ended at {last}")
                    self._handed_end = one.end
            return m
        return handing_out
    for name in ("scan", "finish", "restart"):
        setattr(segment.Segmenter, name, watched(name))
    publish = pipeline_module.Pipeline._publish

    def watched_publish(self, rep):
        if self.reps_ and rep.start_s < self.reps_[-1].end_s - 1e-9:
            broken.append(f"rows overlap: {self.reps_[-1].start_s:.2f}-{self.reps_[-1].end_s:.2f} s, then "
                          f"{rep.start_s:.2f}-{rep.end_s:.2f} s")
        publish(self, rep)
    pipeline_module.Pipeline._publish = watched_publish
    recordings = load(DEFAULT_FOLDERS)
    started, runs, failed = time.perf_counter(), 0, 0
    for label, change in changes(np.random.default_rng(args.seed), args.rounds):
        for name, _, rec, base in recordings:
            before = len(broken)
            try:
                samples = change(rec.samples, base)
                meta = rec.meta.to_dict() | {"sample_rate_hz": float(round(samples.sample_rate_hz))}
                Pipeline(meta=meta).run(samples)
                for size in (13, 91):
                    live = Pipeline(meta=meta)
                    [r for block in samples.chunks(size) for r in live.update(block)] + live.finish()
            except Exception:
                broken.append(traceback.format_exc().strip().splitlines()[-1])
            runs += 3
            if len(broken) > before:
                failed += 1
                print(f"{label}, {name}: " + "; ".join(broken[before:]))
    print(f"{runs} runs ({args.rounds} rounds x 6 changes x {len(recordings)} recordings x batch and 2 packet sizes): "
          f"{failed} broke an invariant ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Real recordings under changes that must not change what was done (``sensorkit.robustness``).

    python benchmarks/real_robustness.py                     # both folders of ../shared/data
    python benchmarks/real_robustness.py --real DIR --rotations 12 --verbose

For every labelled recording (a ``labels.json`` beside the CSVs, as ``accuracy.py --real`` reads)
and every change (strap rotations, the other leg, seven sample rates, the motion slower or quicker,
a smaller or larger range, gyro bias, noise, scale errors, lost samples, timestamp jitter, glitches (of
the gyro, a whole sample, two samples in a row, the accelerometer), holds
longer, rests without their still moments, holds that wobble more, a resting pose that drifts
or shifts between sets, returns in two stages, the foot knocking the floor as it lands after a
rep, and ``--combined`` draws of several at once): sessions
counted exactly and kind and tempo right against the labels, as ``accuracy.py --real`` scores
them; and against the unchanged recording, the counted reps found in both: kind kept, and how far
ROM (deg; against the range times the change's factor) and hold (s) moved. One line per change and one per family of changes.

Reconnects: a gap of ``--gaps-s`` seconds (no data; the leg goes on) every ``--gap-every-s``
seconds from 10 s after the start to 10 s before the end, one at a time; per gap length, how many
of the counted reps that lie wholly outside the gap are counted again at their times (within
1 s), and how many reps are counted that were not. Late starts: the same for each recording
started late (its first 3, 8.3, 13.6, ... s cut), for the reps after the cut: a recording that
may begin in a hold, or with the leg moving (docs/accuracy.md, "Late starts").
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sensorkit.accuracy import read_labels, score_real
from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.io.reader import Recording
from sensorkit.pipeline.rep import Rep
from sensorkit.samples import Samples
from sensorkit.robustness import (GapOutcome, Perturbation, combined_perturbations, compare_reps, done_with_range,
                                  glitch_perturbations, holds_longer, holds_wobblier, label_in_time, reps_around_gap, reps_with_longer_holds,
                                  reps_with_shorter_rests, rests_drifting, rests_shifted, rests_shorter,
                                  returns_in_two_stages, scaled_reps, standard_perturbations, with_gap, with_knocks)

HERE = Path(__file__).resolve().parent
DEFAULT_FOLDERS = [HERE.parent.parent / "shared" / "data" / name
                   for name in ("uci-pt-knee-extension", "phytmo-knee-flexion-extension")]


def load(folders: list[Path]) -> list[tuple[str, dict, Recording, list[Rep]]]:
    """(name, label, recording, reps of the unchanged recording) of every labelled recording."""
    out = []
    for folder in folders:
        for name, label in sorted(read_labels(folder).items()):
            rec = read_recording(folder / f"{name}.csv")
            out.append((name, label, rec, Pipeline(meta=rec.meta.to_dict()).run(rec.samples)))
    return out


def run(recordings: list[tuple[str, dict, Recording, list[Rep]]], perturbation: Perturbation) -> dict:
    """Tallies of one change over every recording."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, float, list[Rep]]:
        expected = scaled_reps(base, perturbation.time_factor, perturbation.rom_factor)
        return perturbation.apply(samples), perturbation.time_factor, expected
    return tally_change(recordings, change)


def holds(recordings: list[tuple[str, dict, Recording, list[Rep]]], factor: float) -> dict:
    """Tallies with every counted rep's hold (of 0.5 s or more) ``factor`` times as long."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, Callable[[float], float], list[Rep]]:
        longer, moved = holds_longer(samples, base, factor)
        return longer, moved, reps_with_longer_holds(base, factor, moved)
    return tally_change(recordings, change)


def rests(recordings: list[tuple[str, dict, Recording, list[Rep]]], keep_s: float) -> dict:
    """Tallies with the still moments of every rest between counted reps of a set cut to ``keep_s``."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, Callable[[float], float], list[Rep]]:
        shorter, moved = rests_shorter(samples, base, keep_s)
        return shorter, moved, reps_with_shorter_rests(base, moved)
    return tally_change(recordings, change)


def wobble(recordings: list[tuple[str, dict, Recording, list[Rep]]], factor: float) -> dict:
    """Tallies with the wobble of every counted rep's hold (of 1 s or more) ``factor`` times as large."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, float, list[Rep]]:
        return holds_wobblier(samples, base, factor), 1.0, base
    return tally_change(recordings, change)


def drift(recordings: list[tuple[str, dict, Recording, list[Rep]]], drift_dps: float) -> dict:
    """Tallies with the leg creeping ``drift_dps`` about the exercise's axis in every rest between
    counted reps (out and back in turn, at most 15 deg per rest)."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, float, list[Rep]]:
        return rests_drifting(samples, base, drift_dps), 1.0, base
    return tally_change(recordings, change)


#: ``shift`` cuts the still moments of every rest between counted reps of up to a minute to this
#: long (s) first: UCI's sets rest 20-40 s between them, longer than ``rest_still_s`` (15 s), after
#: which a shifted pose is the rest by that rule alone
SHIFT_REST_KEEP_S = 5.0


def shift(recordings: list[tuple[str, dict, Recording, list[Rep]]], shift_deg: float) -> dict:
    """Tallies with the still moments of every rest between counted reps of up to 60 s cut to
    SHIFT_REST_KEEP_S, and the resting leg shifted ``shift_deg`` about the exercise's axis (out, and
    back in turn; negative: back first) in every rest of 3 s or more of those."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, Callable[[float], float], list[Rep]]:
        shorter, moved = rests_shorter(samples, base, SHIFT_REST_KEEP_S, max_rest_s=60.0)
        expected = reps_with_shorter_rests(base, moved)
        return rests_shifted(shorter, expected, shift_deg), moved, expected
    return tally_change(recordings, change)


#: ``two-stage``: how long each return stops (s) and settles after (s): most of UCI's rests between
#: reps are shorter than that (median 0.5 s; 14 of 148 rests are long enough)
TWO_STAGE_STOP_S, TWO_STAGE_SETTLE_S = 0.5, 1.0


def knocks(recordings: list[tuple[str, dict, Recording, list[Rep]]], range_factor: float) -> dict:
    """Tallies with the foot knocking the floor at the end of every counted rep (``with_knocks``: the
    real knock's ring and jolt), the motion first done with ``range_factor`` times the range."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, float, list[Rep]]:
        scaled = done_with_range(samples, range_factor) if range_factor != 1.0 else samples
        return with_knocks(scaled, base), 1.0, scaled_reps(base, 1.0, range_factor)
    return tally_change(recordings, change)


def two_stage(recordings: list[tuple[str, dict, Recording, list[Rep]]], stop_deg: float) -> dict:
    """Tallies with every counted rep's return stopping ``stop_deg`` above rest for 0.5 s, then
    settling over 1 s, in the rest after it (reps followed by a rest too short for that: as they were)."""
    def change(samples: Samples, base: list[Rep]) -> tuple[Samples, float, list[Rep]]:
        return returns_in_two_stages(samples, base, stop_deg, TWO_STAGE_STOP_S, TWO_STAGE_SETTLE_S), 1.0, base
    return tally_change(recordings, change)


def tally_change(recordings: list[tuple[str, dict, Recording, list[Rep]]],
                 change: Callable[[Samples, list[Rep]], tuple[Samples, float | Callable[[float], float], list[Rep]]]) -> dict:
    """Tallies of one change over every recording: ``change(samples, reps)`` gives the changed
    samples, how the label's times move (a factor or a map) and the reps expected of them."""
    tally = {"sessions": 0, "exact": 0, "same_count": 0, "labelled": 0, "kind_ok": 0, "tempo_ok": 0,
             "kind_kept": [], "rom": [], "hold": [], "off": []}
    for name, label, rec, base in recordings:
        samples, move, expected = change(rec.samples, base)
        meta = rec.meta.to_dict() | {"sample_rate_hz": float(round(samples.sample_rate_hz))}
        reps = Pipeline(meta=meta).run(samples)
        session, sets = score_real(reps, label_in_time(label, move))
        moved = compare_reps(expected, reps)
        tally["sessions"] += 1
        tally["exact"] += session["exact"]
        tally["same_count"] += moved.counted_after == moved.counted_before
        tally["labelled"] += sum(s["labelled"] for s in sets)
        tally["kind_ok"] += sum(s["kind_ok"] for s in sets)
        tally["tempo_ok"] += sum(s["tempo_ok"] for s in sets)
        tally["kind_kept"] += moved.same_kind
        tally["rom"] += moved.rom_change_deg
        tally["hold"] += moved.hold_change_s
        if not session["exact"]:
            tally["off"].append(f"{name} {session['counted']}/{session['truth']}")
    return tally


def cut_out(recordings: list[tuple[str, dict, Recording, list[Rep]]], spans, verbose_label: str,
            verbose: bool) -> tuple[int, int, int, int]:
    """(cuts, reps expected, found, added) over every recording with each span of
    ``spans(samples)`` (pairs: start s, duration s) cut out in turn (see the module doc)."""
    total, cuts = GapOutcome(0, 0, 0), 0
    for name, _, rec, base in recordings:
        lost_here = []
        for start, duration in spans(rec.samples):
            reps = Pipeline(meta=rec.meta.to_dict()).run(with_gap(rec.samples, start, duration))
            outcome = reps_around_gap(base, reps, start, duration)
            cuts, total = cuts + 1, total + outcome
            if outcome.found < outcome.expected or outcome.added:
                lost_here.append(f"{start + duration:.1f} s: {outcome.expected - outcome.found} lost, "
                                 f"{outcome.added} added")
        if verbose and lost_here:
            print(f"    {name}, {verbose_label} ending at " + "; ".join(lost_here))
    return cuts, total.expected, total.found, total.added


def reconnects(recordings: list[tuple[str, dict, Recording, list[Rep]]], gap_s: float, every_s: float,
               verbose: bool) -> str:
    """One line: gaps of ``gap_s`` every ``every_s`` in every recording (see the module doc)."""
    def spans(s):
        return [(float(a), gap_s) for a in np.arange(s.t[0] + 10.0, s.t[-1] - 10.0, every_s)]
    gaps, expected, found, added = cut_out(recordings, spans, f"gap {gap_s:g} s", verbose)
    share = 100 * found / expected if expected else float("nan")
    return (f"  gap {gap_s:>4g} s ({gaps:>3} gaps)            reps outside the gap counted again {found:>4}/{expected:<4}"
            f" ({share:5.1f} %), added {added}")


def late_starts(recordings: list[tuple[str, dict, Recording, list[Rep]]], every_s: float, verbose: bool) -> str:
    """One line: each recording started late (its first seconds cut), at 3 s and every ``every_s``
    up to 20 s before the end; the reps after the cut counted again at their times."""
    def spans(s):
        return [(float(s.t[0]) - 1.0, float(a - s.t[0]) + 1.0) for a in np.arange(s.t[0] + 3.0, s.t[-1] - 20.0, every_s)]
    cuts, expected, found, added = cut_out(recordings, spans, "start cut", verbose)
    share = 100 * found / expected if expected else float("nan")
    return (f"  late start ({cuts:>3} cuts)            reps after the cut counted again {found:>4}/{expected:<4}"
            f" ({share:5.1f} %), added {added}")


def merge(tallies: list[dict]) -> dict:
    """The tallies of several changes added up."""
    out = {k: (0 if isinstance(v, int) else []) for k, v in tallies[0].items()}
    for t in tallies:
        for k, v in t.items():
            out[k] += v
    return out


def pct(x: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of ``x`` (NaN when empty)."""
    return float(np.percentile(x, q)) if len(x) else float("nan")


def line(label: str, t: dict) -> str:
    """One line of figures for a tally."""
    rom, hold = np.abs(t["rom"]), np.abs(t["hold"])
    return (f"  {label:<34} exact {t['exact']:>3}/{t['sessions']:<3} same count {t['same_count']:>3}/{t['sessions']:<3}"
            f" kind {t['kind_ok']:>4}/{t['labelled']:<4} tempo {t['tempo_ok']:>4}/{t['labelled']:<4}"
            f" kind kept {100 * np.mean(t['kind_kept']) if t['kind_kept'] else float('nan'):5.1f} %"
            f" | ROM moved median {pct(rom, 50):4.2f} p95 {pct(rom, 95):4.2f} >3 deg {100 * np.mean(rom > 3) if len(rom) else 0:4.1f} %"
            f" | hold p95 {pct(hold, 95):4.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", action="append", type=Path, help="a folder of labelled real recordings (repeatable)")
    ap.add_argument("--rotations", type=int, default=4, help="random strap rotations")
    ap.add_argument("--seeds", type=int, default=3, help="draws of each random sensor error")
    ap.add_argument("--combined", type=int, default=20, help="draws of several changes at once")
    ap.add_argument("--holds", type=float, nargs="*", default=[2.0, 4.0],
                    help="every counted rep's hold this many times as long (each factor)")
    ap.add_argument("--rests", type=float, nargs="*", default=[0.0, 0.2],
                    help="the still moments of every rest between counted reps of a set cut to this many seconds (each)")
    ap.add_argument("--wobble", type=float, nargs="*", default=[2.0, 4.0],
                    help="the wobble of every counted rep's hold this many times as large (each factor)")
    ap.add_argument("--drift", type=float, nargs="*", default=[1.0, 3.0],
                    help="the leg creeping this fast (deg/s) in every rest between counted reps (each)")
    ap.add_argument("--shift", type=float, nargs="*", default=[20.0, -20.0],
                    help="the resting leg shifted this far (deg; negative: back first) in rests between sets cut "
                         f"to {SHIFT_REST_KEEP_S:g} s still (each)")
    ap.add_argument("--two-stage", type=float, nargs="*", default=[15.0, 25.0],
                    help=f"every return stopping this far above rest (deg) for {TWO_STAGE_STOP_S:g} s, then "
                         f"settling over {TWO_STAGE_SETTLE_S:g} s (each)")
    ap.add_argument("--knocks", type=float, nargs="*", default=[1.0, 0.5],
                    help="the foot knocking the floor at the end of every counted rep, the motion done with this "
                         "many times the range (each factor)")
    ap.add_argument("--verbose", action="store_true", help="a line per change, and the sessions not exact")
    ap.add_argument("--gaps-s", type=float, nargs="*", default=[1.0, 3.0, 8.0, 20.0], help="reconnect gap lengths (s)")
    ap.add_argument("--gap-every-s", type=float, default=5.3, help="one gap every this many seconds (s)")
    args = ap.parse_args()
    started = time.perf_counter()
    recordings = load(args.real or DEFAULT_FOLDERS)
    print(f"{len(recordings)} labelled real recordings, "
          f"{sum(len(rec.samples) for _, _, rec, _ in recordings)} samples")
    families: dict[str, list[dict]] = {}
    for p in (standard_perturbations(args.rotations, seeds=args.seeds) + glitch_perturbations(args.seeds)
              + combined_perturbations(args.combined)):
        t = run(recordings, p)
        families.setdefault(p.family, []).append(t)
        if args.verbose:
            print(line(f"{p.family}: {p.name}", t) + ("  NOT EXACT: " + "; ".join(t["off"]) if t["off"] else ""))
    # the changes given the recording's own reps: (family, its function, the values asked for, label)
    for family, change, values, label in (
            ("holds", holds, args.holds, "{:g} x as long"),
            ("rests", rests, args.rests, "still for {:g} s at most"),
            ("wobble", wobble, args.wobble, "{:g} x as large"),
            ("drift", drift, args.drift, "{:g} deg/s in rests"),
            ("shift", shift, args.shift, "{:g} deg in rests of 3 s or more"),
            ("two-stage", two_stage, args.two_stage, "returns stopping {:g} deg above rest"),
            ("knock", knocks, args.knocks, "as the foot lands, {:g} x the range")):
        for value in values:
            t = change(recordings, value)
            families.setdefault(family, []).append(t)
            if args.verbose:
                print(line(f"{family}: {label.format(value)}", t) + ("  NOT EXACT: " + "; ".join(t["off"]) if t["off"] else ""))
    print("by family of changes:")
    for family, tallies in families.items():
        print(line(family, merge(tallies)))
    print(line("all", merge([t for ts in families.values() for t in ts])))
    if args.gaps_s:
        print("reconnects:")
        for gap_s in args.gaps_s:
            print(reconnects(recordings, gap_s, args.gap_every_s, args.verbose))
        print(late_starts(recordings, args.gap_every_s, args.verbose))
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()

"""The figures measured on the real recordings that the pipeline's thresholds cite.

    python benchmarks/real_figures.py [--data ../shared/data]

Prints, per folder of labelled real recordings (UCI knee extension at 25 Hz; PHYTMO continuous
knee flexion-extension at 101 Hz), what ``sensorkit/pipeline/config.py`` quotes as the reason of a
threshold: the resting leg's angular rate and sway (the other-ankle recordings: no reps), the
slowest and fastest phases of counted reps, their axes, ROM and duration ratios between sets.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.measure import axis_tilt_deg


def resting_leg(folder: Path) -> None:
    for csv in sorted(folder.glob("*other_ankle.csv")):
        rec = read_recording(csv)
        speed = np.linalg.norm(rec.samples.gyr, axis=1)
        acc = rec.samples.acc / np.linalg.norm(rec.samples.acc, axis=1)[:, None]
        mean = acc.mean(axis=0) / np.linalg.norm(acc.mean(axis=0))
        tilt = np.degrees(np.arccos(np.clip(acc @ mean, -1, 1)))
        print(f"  {csv.stem}: |gyr| p50 {np.percentile(speed, 50):.1f} p99 {np.percentile(speed, 99):.1f} deg/s; "
              f"tilt from the mean p99 {np.percentile(tilt, 99):.1f} deg")


def reps_of(folder: Path) -> dict[str, list]:
    labels = json.loads((folder / "labels.json").read_text())
    out = {}
    for name in sorted(labels):
        rec = read_recording(folder / f"{name}.csv")
        p = Pipeline(meta=rec.meta.to_dict())
        out[name] = (p.run(rec.samples), p)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    data = Path(ap.parse_args().data)
    for folder in sorted(p for p in data.iterdir() if (p / "labels.json").exists()):
        print(folder.name)
        resting_leg(folder)
        labels = json.loads((folder / "labels.json").read_text())
        for name, (reps, p) in reps_of(folder).items():
            counted = [r for r in reps if r.counted]
            if not counted:
                continue
            phases = [min(r.out_duration_s, r.return_duration_s) for r in counted]
            offsets = [r.axis_offset_deg for r in counted]
            line = (f"  {name}: {len(counted)} reps; shortest phase {min(phases):.2f} s; peak speed "
                    f"{min(r.peak_speed_dps for r in counted):.0f}-{max(r.peak_speed_dps for r in counted):.0f} deg/s; "
                    f"axis offset max {np.nanmax(offsets):.1f} deg; radius {min(r.radius_m for r in counted):.2f}-"
                    f"{max(r.radius_m for r in counted):.2f} m; ROM max {max(r.rom_deg for r in counted):.0f} deg")
            sets = labels[name].get("sets", [])
            if sets:
                from sensorkit.accuracy import _set_of_reps
                by_set = {s["execution"]: got for s, got in zip(sets, _set_of_reps(reps, sets))}
                full = by_set.get("correct", []) + by_set.get("fast", [])
                if full and by_set.get("low_amplitude"):
                    typical = np.percentile([r.rom_deg for r in full], 80)
                    low = [r.rom_deg / typical for r in by_set["low_amplitude"]]
                    lowest_full = min(r.rom_deg for r in full) / typical
                    line += f"; low-amplitude {min(low):.2f}-{max(low):.2f} of typical, lowest full {lowest_full:.2f}"
                if by_set.get("correct") and by_set.get("fast"):
                    ref = np.median([r.end_s - r.start_s for r in by_set["correct"]])
                    fast = [(r.end_s - r.start_s) / ref for r in by_set["fast"]]
                    slow = [(r.end_s - r.start_s) / ref for r in by_set.get("low_amplitude", [])]
                    line += (f"; duration / correct median: fast {min(fast):.2f}-{max(fast):.2f}, "
                             f"low-amplitude {min(slow):.2f}-{max(slow):.2f}")
            print(line)


if __name__ == "__main__":
    main()

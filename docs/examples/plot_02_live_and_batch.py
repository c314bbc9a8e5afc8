"""
Live-style streaming and batch give the same reps
=================================================

The rep detector is causal: it carries its state from one block of samples to the next, so a
live session that feeds it each BLE notification as it arrives sees exactly the reps that a batch
run over the finished file finds. This example shows it on a **real** recording:
``recordings/real/uci_s1_test.csv``, seated knee extension from the UCI "Physical Therapy
Exercises" data set (A. Yurtman and B. Barshan, CC BY 4.0; see ``recordings/real/README.md``).
Subject 1 does 10 correct reps, 10 fast reps and 10 low-amplitude reps at 25 Hz.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py in the repository
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]
recording = read_recording(ROOT / "recordings" / "real" / "uci_s1_test.csv")
labels = json.loads((ROOT / "recordings" / "real" / "labels.json").read_text())["uci_s1_test"]
meta = recording.meta.to_dict()

# %%
# Batch: the whole recording at once
# ----------------------------------

batch = Pipeline(meta=meta).run(recording.samples)

# %%
# Live: packets of 1 to 12 samples, as BLE notifications arrive
# --------------------------------------------------------------
# Each ``update`` returns the reps that ended in that packet; the detector's ``phase_``
# (``rest``, ``out``, ``hold``, ``return``), ``angle_deg_`` and ``hold_elapsed_s_`` are what
# ``sensorkit live`` shows between reps.

rng = np.random.default_rng(0)
live = Pipeline(meta=meta)
streamed, trace = [], []
start = 0
while start < len(recording.samples):
    size = int(rng.integers(1, 13))
    packet = recording.samples[start:start + size]
    streamed += live.update(packet)
    trace.append((packet.t[-1], live.angle_deg_, live.phase_, live.hold_elapsed_s_))
    start += size
streamed += live.finish()

same = [(r.kind, r.start_s, r.end_s, r.rom_deg) for r in streamed] == [(r.kind, r.start_s, r.end_s, r.rom_deg)
                                                                      for r in batch]
print(f"batch: {len(batch)} movements, live: {len(streamed)} movements, identical: {same}")

# %%
# What the live display sees, and what the labels say
# ---------------------------------------------------
# Top: the live angle, coloured by the detector's phase, and the detector's reps (a tick per
# counted rep at its ROM, grey crosses for rejected movements). Bottom: the hold timer. The
# labelled sets of the data set are drawn as bands. Counting every real rep is what the
# pipeline is judged on (see :doc:`/accuracy`): where the markers and the bands disagree, this
# recording shows the detector's current limits.

t_s = np.array([row[0] for row in trace])
angle = np.array([row[1] for row in trace])
phase = np.array([row[2] for row in trace])
hold_s = np.array([row[3] for row in trace])
colours = {"rest": "#9a9a9a", "out": "#e76f51", "hold": "#2a9d4a", "return": "#3b6fc4"}

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.6), sharex=True, height_ratios=(3, 1),
                                  layout="constrained")
for label in labels["sets"]:
    for axes in (top, bottom):
        axes.axvspan(label["start_s"], label["end_s"], color="#f4e3b5", alpha=0.6, linewidth=0)
    top.text(0.5 * (label["start_s"] + label["end_s"]), 112, f"{label['reps']} × {label['execution']}",
             ha="center", fontsize=8)
for name, colour in colours.items():
    shown = np.where(phase == name, angle, np.nan)
    top.plot(t_s, shown, color=colour, linewidth=0.9, label=name)
counted = [r for r in batch if r.counted]
top.plot([0.5 * (r.start_s + r.end_s) for r in counted], [r.rom_deg for r in counted], "v", color="black",
         markersize=4, label=f"counted ({len(counted)})")
rejected = [r for r in batch if not r.counted]
top.plot([0.5 * (r.start_s + r.end_s) for r in rejected], [max(r.rom_deg, 0) for r in rejected], "x",
         color="#666666", markersize=4, label=f"rejected ({len(rejected)})")
top.set(ylabel="knee extension (°)", ylim=(-15, 120), title="uci_s1_test: the detector fed packet by packet")
top.legend(loc="upper right", ncols=6, fontsize=7, frameon=False, bbox_to_anchor=(1, 0.93))
bottom.plot(t_s, hold_s, color="#2a9d4a", linewidth=0.9)
bottom.set(xlabel="time (s)", ylabel="hold (s)")
plt.show()

# %%
# Per labelled set: reps counted, their kinds and tempo
# -----------------------------------------------------

for label in labels["sets"]:
    inside = [r for r in counted if label["start_s"] <= 0.5 * (r.start_s + r.end_s) <= label["end_s"]]
    kinds = {k: sum(r.kind == k for r in inside) for k in ("full", "partial")}
    fast = sum(r.tempo == "fast" for r in inside)
    print(f"{label['execution']:>13}: labelled {label['reps']} {label['kind']} ({label['tempo']}); "
          f"counted {len(inside)}: {kinds}, fast {fast}")

"""
Live-style streaming and batch give the same reps
=================================================

The rep detector is causal: it carries its state from one block of samples to the next, so a
live session that feeds it each BLE notification as it arrives finds exactly the reps that a
batch run over the finished file finds. This example shows it on a **real** recording,
``recordings/real/uci_s1_test.csv``: seated knee extension from the UCI "Physical Therapy
Exercises" data set (A. Yurtman and B. Barshan, CC BY 4.0; see ``recordings/real/README.md``),
where subject 1 does 10 correct reps, 10 fast reps and 10 low-amplitude reps at 25 Hz.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sensorkit import KneeExtension, read_recording, reps_frame
from sensorkit.pipeline import Pipeline

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]

real = ROOT / "recordings" / "real"
recording = read_recording(real / "uci_s1_test.csv")
labels = json.loads((real / "labels.json").read_text())["uci_s1_test"]

# %%
# Batch: the whole recording at once
# ----------------------------------

batch = KneeExtension(side="right").detect(recording.samples, recording=recording.name)
print(f"batch: {len(batch.reps_)} movements")

# %%
# Live: packets of 1 to 12 samples, as BLE notifications arrive
# --------------------------------------------------------------
# ``update`` returns the movements that ended in the packet, ``finish`` closes the stream.
# Between reps, a live display shows the detector's current angle, its phase (``rest``,
# ``out``, ``hold``, ``return``) and the hold timer: :class:`~sensorkit.pipeline.Pipeline`
# (what ``sensorkit live`` runs) exposes them after every packet.

live = Pipeline(batch.config, meta=batch.meta)
rng = np.random.default_rng(0)
streamed, display = [], []
start = 0
while start < len(recording.samples):
    packet = recording.samples[start:start + int(rng.integers(1, 13))]
    streamed += live.update(packet)
    display.append((packet.t[-1], live.angle_deg_, live.phase_, live.hold_elapsed_s_))
    start += len(packet)
streamed += live.finish()

# ``reps_frame`` makes them the same table as ``reps_`` (columns and dtypes)
streamed = reps_frame(streamed, recording.name, "right")
print(f"live: {len(streamed)} movements; every value the same as batch: {streamed.equals(batch.reps_)}")

# %%
# What a live display shows, and what the labels say
# --------------------------------------------------
# Top: the live angle coloured by the detector's phase, with a marker at each counted rep's
# ROM (▼ normal, ▲ fast). Bottom: the hold timer. The data set's labelled sets are the bands.

t_s, angle_deg, phase, hold_s = (np.array(column) for column in zip(*display))
colours = {"rest": "#9a9a9a", "out": "#e76f51", "hold": "#2a9d4a", "return": "#3b6fc4"}
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 4.8), sharex=True,
                                  height_ratios=(3, 1), layout="constrained")
for labelled in labels["sets"]:
    for axes in (top, bottom):
        axes.axvspan(labelled["start_s"], labelled["end_s"], color="#f4e3b5", lw=0)
    top.text(0.5 * (labelled["start_s"] + labelled["end_s"]), 108,
             f"{labelled['reps']} × {labelled['execution']}", ha="center", fontsize=8)
for name, colour in colours.items():
    in_phase = np.where(phase == name, angle_deg, np.nan)
    top.plot(t_s, in_phase, color=colour, lw=0.9, label=name)
counted = batch.reps_[batch.reps_.kind != "rejected"]
middle_s = 0.5 * (counted.start_s + counted.end_s)
for tempo, marker in (("normal", "v"), ("fast", "^")):
    chosen = counted.tempo == tempo
    top.plot(middle_s[chosen], counted.rom_deg[chosen] + 6, marker, color="black", ms=4,
             label=f"{tempo} rep")
top.set(ylabel="knee extension (°)", ylim=(-15, 118),
        title=f"{recording.name}: the detector fed packet by packet")
top.legend(loc="upper right", ncols=6, fontsize=7, frameon=False,
           bbox_to_anchor=(1, 0.92))
bottom.plot(t_s, hold_s, color="#2a9d4a", lw=0.9)
bottom.set(xlabel="time (s)", ylabel="hold (s)")
plt.show()

# %%
# Per labelled set: reps counted, their kinds and tempo
# -----------------------------------------------------
# A rep belongs to the set whose time window holds its midpoint.

rows = []
for labelled in labels["sets"]:
    inside = counted[(middle_s >= labelled["start_s"]) & (middle_s <= labelled["end_s"])]
    rows.append({"set": labelled["execution"], "labelled": labelled["reps"],
                 "labelled kind": labelled["kind"], "labelled tempo": labelled["tempo"],
                 "counted": len(inside), "full": (inside.kind == "full").sum(),
                 "partial": (inside.kind == "partial").sum(),
                 "fast": (inside.tempo == "fast").sum()})
pd.DataFrame(rows)

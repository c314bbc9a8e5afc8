"""
Analyse one recording and plot its angle with the reps
======================================================

Read a recording (CSV + JSON sidecar), run the rep detector over it and draw the exercise angle
with every movement shaded by its kind. The recording is ``recordings/sim_9013.csv``: a simulated
session of seated hip external rotation (right leg, 200 Hz, sensor strapped on at a random
angle), seven full reps held for 8 s, a leg shake and a knee kick in between. Because it is
simulated, its ground truth (``sim_9013.truth.json``) says what really happened, so we can put
the detector's ROM next to the true one.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from sensorkit.plot import KIND_COLOURS
from sensorkit.sim import read_truth

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py in the repository
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]
recording = read_recording(ROOT / "recordings" / "sim_9013.csv")
print(recording.name, f"{len(recording.samples)} samples, {recording.samples.duration_s:.0f} s at "
      f"{recording.samples.sample_rate_hz:.0f} Hz; sidecar: {recording.meta.to_dict()}")

# %%
# Detect the reps
# ---------------
# The sidecar's metadata tells the detector which exercise it is looking at (and the patient's
# target ROM). We feed the samples in blocks of 10, as a live stream would arrive, and read the
# detector's current angle (degrees above rest, about the axis it has learned) after each block:
# that is the trace a live display shows.

pipeline = Pipeline(meta=recording.meta.to_dict())
times_s, angles_deg, reps = [], [], []
for block in recording.samples.chunks(10):
    reps += pipeline.update(block)
    times_s.append(block.t[-1])
    angles_deg.append(pipeline.angle_deg_)
reps += pipeline.finish()

table = pd.DataFrame([rep.row(recording.name, recording.meta.side or "") for rep in reps])
table[["rep", "kind", "tempo", "start_s", "end_s", "rom_deg", "hold_s", "reason"]].round(2)

# %%
# Plot the angle with the movements shaded by kind
# ------------------------------------------------

fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
ax.plot(times_s, angles_deg, color="black", linewidth=0.8)
for rep in reps:
    ax.axvspan(rep.start_s, rep.end_s, color=KIND_COLOURS[rep.kind], alpha=0.3, linewidth=0)
    if rep.counted:
        ax.annotate(f"{rep.rom_deg:.0f}°", (0.5 * (rep.start_s + rep.end_s), rep.rom_deg),
                    xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.3) for c in KIND_COLOURS.values()]
ax.legend(handles, KIND_COLOURS, loc="upper right", ncols=4, fontsize=8, frameon=False)
ax.set(xlabel="time (s)", ylabel="hip external rotation (°)", title=f"{recording.name}: angle and reps",
       ylim=(-10, 55))
plt.show()

# %%
# Compare with the ground truth
# -----------------------------
# Every counted rep of the truth, matched to the detected movement that overlaps it most.

truth, _ = read_truth(ROOT / "recordings" / "sim_9013.truth.json")
rows = []
for true in (m for m in truth if m.kind != "rejected"):
    overlap = [min(r.end_s, true.end_s) - max(r.start_s, true.start_s) for r in reps]
    found = reps[max(range(len(reps)), key=overlap.__getitem__)]
    rows.append({"true kind": true.kind, "found kind": found.kind, "true ROM (°)": true.rom_deg,
                 "found ROM (°)": found.rom_deg, "true hold (s)": true.hold_s, "found hold (s)": found.hold_s})
comparison = pd.DataFrame(rows)
print(f"ROM error: mean {(comparison['found ROM (°)'] - comparison['true ROM (°)']).abs().mean():.2f}°, "
      f"hold error: mean {(comparison['found hold (s)'] - comparison['true hold (s)']).abs().mean():.2f} s")
comparison.round(2)

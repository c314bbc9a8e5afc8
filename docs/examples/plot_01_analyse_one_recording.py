"""
Analyse one recording and plot its angle with the reps
======================================================

Read a recording (CSV + JSON sidecar), detect its reps and draw the exercise angle with every
movement shaded by its kind. The recording is ``recordings/sim_9013.csv``: a simulated session
of seated hip external rotation (right leg, 200 Hz, the sensor strapped on at a random angle)
with full reps and a few other movements in between. Because it is simulated, its
ground truth (``sim_9013.truth.json``) says what really happened, so we can put the detector's
ROM and hold next to the true ones.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sensorkit import HipExternalRotation, read_recording
from sensorkit.plot import KIND_COLOURS
from sensorkit.sim import read_truth

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]

recording = read_recording(ROOT / "recordings" / "sim_9013.csv")
samples = recording.samples.to_frame()  # t (s), acc_x..z (m/s²), gyr_x..z (deg/s)
meta = recording.meta                   # from the sidecar sim_9013.json
print(f"{len(samples)} samples, {recording.samples.duration_s:.0f} s at "
      f"{recording.samples.sample_rate_hz:.0f} Hz, {meta.side} leg, "
      f"target ROM {meta.target_rom_deg} (degrees), target hold {meta.target_hold_s} (s)")
samples.head()

# %%
# Detect the reps
# ---------------
# One detector object per exercise. The prescription (target ROM and hold) and the side are
# parameters; ``detect`` runs over the whole recording and fills ``reps_`` (one row per
# movement, the columns of ``reps.csv``), ``angle_`` (the exercise angle per sample, degrees
# above the rest before it) and ``axis_`` (the rotation axis it learned, in the sensor's frame).

detector = HipExternalRotation(target_rom_deg=meta.target_rom_deg,
                               target_hold_s=meta.target_hold_s, side=meta.side)
detector.detect(samples, recording=recording.name)
print("learned axis (sensor frame):", detector.axis_.round(3))
columns = ["rep", "kind", "tempo", "start_s", "end_s", "rom_deg", "hold_s", "reason"]
detector.reps_[columns].round(2).astype({"rep": "Int64"})  # rep: empty for rejected movements

# %%
# Plot the angle with the movements shaded by kind
# ------------------------------------------------

fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
ax.plot(detector.angle_.t, detector.angle_.angle_deg, color="black", linewidth=0.8)
for rep in detector.reps_.itertuples():
    ax.axvspan(rep.start_s, rep.end_s, color=KIND_COLOURS[rep.kind], alpha=0.3, linewidth=0)
    if rep.kind != "rejected":
        ax.annotate(f"{rep.rom_deg:.0f}°", (0.5 * (rep.start_s + rep.end_s), rep.rom_deg),
                    xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
if meta.target_rom_deg:
    ax.axhline(meta.target_rom_deg, color="#c0392b", linestyle="--", linewidth=0.8)
handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.3) for c in KIND_COLOURS.values()]
ax.legend(handles, KIND_COLOURS, loc="upper right", ncols=4, fontsize=8, frameon=False)
ax.set(xlabel="time (s)", ylabel="hip external rotation (°)", ylim=(-10, 55),
       title=f"{recording.name}: angle and reps (dashed: target ROM)")
plt.show()

# %%
# Compare with the ground truth
# -----------------------------
# Each true rep next to the detected movement that overlaps it most.

truth, _ = read_truth(ROOT / "recordings" / "sim_9013.truth.json")
reps = detector.reps_
rows = []
for true in (m for m in truth if m.kind != "rejected"):
    overlap = (reps.end_s.clip(upper=true.end_s) - reps.start_s.clip(lower=true.start_s))
    found = reps.loc[overlap.idxmax()]
    rows.append({"true kind": true.kind, "found kind": found.kind,
                 "true ROM (°)": true.rom_deg, "found ROM (°)": found.rom_deg,
                 "true hold (s)": true.hold_s, "found hold (s)": found.hold_s})
comparison = pd.DataFrame(rows)
rom_error = (comparison["found ROM (°)"] - comparison["true ROM (°)"]).abs()
hold_error = (comparison["found hold (s)"] - comparison["true hold (s)"]).abs()
print(f"{len(comparison)} true reps; mean absolute error: ROM {rom_error.mean():.2f}°, "
      f"hold {hold_error.mean():.2f} s")
comparison.round(2)

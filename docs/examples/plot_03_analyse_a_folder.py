"""
Analyse a folder and summarise it with pandas
=============================================

:func:`sensorkit.batch.analyze_paths` does what ``sensorkit analyze recordings --out DIR`` does:
it finds every recording under the paths it is given (folders are searched recursively),
analyses each one (serially below 4 files, else in a process per CPU) and writes two tables,
``reps.csv`` (one row per movement) and ``sessions.csv`` (one row per recording). Both are plain
CSV files described in :doc:`/formats`; pandas reads them as they are.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sensorkit.batch import analyze_paths
from sensorkit.plot import KIND_COLOURS

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]
# a fresh folder for the tables: never write into the repository
scratch = tempfile.TemporaryDirectory(prefix="sensorkit-gallery-")
out = Path(scratch.name)
outcome = analyze_paths([ROOT / "recordings"], out_dir=out, workers=1)
print(f"{outcome.analyzed} recordings analysed, {len(outcome.failures)} failed, "
      f"{outcome.reps} reps counted")

sessions = pd.read_csv(out / "sessions.csv")
reps = pd.read_csv(out / "reps.csv", dtype={"tempo": "string", "reason": "string"})
sessions[["recording", "exercise", "side", "sample_rate_hz", "duration_s", "reps_counted",
          "reps_full", "reps_partial", "reps_knee_out", "reps_fast", "rejected",
          "rom_mean_deg"]]

# %%
# Reps per kind, per exercise
# ---------------------------

counted = reps[reps.kind != "rejected"]
pd.crosstab([counted.exercise, counted.recording], counted.kind, margins=True)

# %%
# ROM and hold of every counted rep
# ---------------------------------

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
names = sorted(counted.recording.unique())
for axes, column, unit in ((left, "rom_deg", "ROM (°)"), (right, "hold_s", "hold (s)")):
    for row, name in enumerate(names):
        mine = counted[counted.recording == name]
        for kind, colour in KIND_COLOURS.items():
            values = mine.loc[mine.kind == kind, column]
            axes.plot(values, [row] * len(values), "o", color=colour, alpha=0.6, ms=4,
                      label=kind if row == 0 or name == names[-1] else None)
    axes.set(xlabel=unit, yticks=range(len(names)), yticklabels=names)
    axes.grid(axis="x", alpha=0.3)
handles, kinds = left.get_legend_handles_labels()
unique = dict(zip(kinds, handles))
left.legend(unique.values(), unique.keys(), fontsize=8, frameon=False, loc="lower right")
left.set_title("range of motion per recording", fontsize=10)
right.set_title("hold per recording", fontsize=10)
plt.show()

# %%
# Rejected movements and why
# --------------------------
# A movement that is not a rep of the exercise (a fidget, a leg shake, a kick about another
# axis, standing up) is a row too, with ``kind`` ``rejected`` and a ``reason``.

rejected = reps[reps.kind == "rejected"]
rejected.groupby("reason").size().sort_values(ascending=False).rename("movements").to_frame()

# %%
# The tables were written to a temporary folder; remove it.

scratch.cleanup()

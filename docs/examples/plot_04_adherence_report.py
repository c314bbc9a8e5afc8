"""
Build an adherence report and its progress plot
===============================================

A clinic prescribes exercises (a TOML file per patient), the patient records sessions at home,
and the report says day by day what was done against what was prescribed: one row per
patient × local date × exercise × side (``report.csv``) and one per 30-day period
(``summary.csv``). Both are described column by column in :doc:`/formats`.

Here the simulated hip external rotation sessions shipped in ``recordings/`` play one
patient's first week: each is copied into a temporary folder with a sidecar that names the
patient and the day it was recorded.
"""

import json
from datetime import datetime, timedelta
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sensorkit.plot import plot_patient_progress
from sensorkit.report import (DAILY_COLUMNS, SUMMARY_COLUMNS, build_report, load_prescriptions,
                              write_csv)

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]
scratch = tempfile.TemporaryDirectory(prefix="sensorkit-gallery-")  # removed at the end
work = Path(scratch.name)

# %%
# The prescription
# ----------------
# Any four days of each week (counted from the start), 8 reps per side, each held at least
# 2 s and reaching at least 25°. The days a side was exercised count first; the days it still
# owes go on the week's last days (see "Exercise days" in :doc:`/formats`).

(work / "rx").mkdir()
(work / "rx" / "p001.toml").write_text('''\
patient = "p001"
timezone = "Europe/Berlin"
start = 2026-11-30
end = 2026-12-06

[[exercise]]
name = "hip_external_rotation"
sides = ["left", "right"]
sets = 1
reps_per_set = 8
hold_s = 2
rom_deg = 25
days_per_week = 4
''')
prescriptions = load_prescriptions(work / "rx")

# %%
# The week's recordings
# ---------------------
# The sessions go to every other day at 08:15, in name order; each keeps the leg it was
# recorded on (the sidecar's ``side``).

sessions = [path for path in sorted((ROOT / "recordings").glob("sim_*.csv"))
            if json.loads(path.with_suffix(".json").read_text())["exercise"]
            == "hip_external_rotation"][:4]
(work / "data").mkdir()
for index, path in enumerate(sessions):
    name, day, clock = path.stem, 2 * index, "08:15"
    shutil.copy(path, work / "data")
    sidecar = json.loads(path.with_suffix(".json").read_text())
    started = datetime.fromisoformat(f"2026-11-30T{clock}:00+01:00") + timedelta(days=day)
    sidecar |= {"patient": "p001", "started_at": started.isoformat()}
    (work / "data" / f"{name}.json").write_text(json.dumps(sidecar))

# the recordings are simulated (demo data, marked so in their sidecars): a report leaves such
# recordings out unless asked to count them
outcome = build_report(prescriptions, [work / "data"], workers=1, on_message=print,
                       include_simulated=True)
write_csv(work / "report.csv", outcome.daily, DAILY_COLUMNS)
write_csv(work / "summary.csv", outcome.summary, SUMMARY_COLUMNS)

daily = pd.read_csv(work / "report.csv")
daily[["date", "side", "sessions", "reps_prescribed", "reps_completed", "reps_total",
       "reps_fast", "rom_mean_deg", "hold_mean_s", "adherence_pct"]]

# %%
# The 30-day summary (here the period is the prescription's one week)

pd.read_csv(work / "summary.csv").T

# %%
# The progress plot
# -----------------
# :func:`sensorkit.plot.plot_patient_progress` draws one patient's page (as
# ``sensorkit report --plot-dir`` does): mean and best ROM per day against the prescribed ROM, and
# adherence per scheduled day. It writes a PNG; here we show that file.

png = plot_patient_progress(outcome.daily, work / "p001.png",
                            rom_targets={"hip_external_rotation": 25})
fig, ax = plt.subplots(figsize=(9, 5.8), layout="constrained")
ax.imshow(plt.imread(png))
ax.set_axis_off()
plt.show()
scratch.cleanup()

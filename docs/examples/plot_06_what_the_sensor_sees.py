"""
What a rep looks like to the sensor
===================================

The sensor knows nothing of legs: it measures its specific force (m/s²) and angular rate (deg/s)
along its own three axes, in whatever orientation the strap holds it. This example takes one
rep of the real knee-extension recording (``recordings/real/uci_s1_test.csv``, UCI "Physical
Therapy Exercises", CC BY 4.0) and shows what the detector makes of the six raw channels: the
rotation axis it learned in the sensor's frame, the angular rate about that axis, and gravity
turning against the sensor while the shank swings up.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sensorkit import KneeExtension, read_recording

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]

recording = read_recording(ROOT / "recordings" / "real" / "uci_s1_test.csv")
detector = KneeExtension(side="right").detect(recording.samples)
axis = detector.axis_  # unit vector in the sensor's frame
print("learned knee axis in the sensor frame:", axis.round(3))

# %%
# The raw channels around the third rep, and the same rep about the learned axis
# ------------------------------------------------------------------------------
# Top two panels: the six channels as the sensor sent them (the green band is the detected
# rep). Bottom: projected on the learned axis, the angular rate is the rate of knee extension;
# the rest of the rate (perpendicular to the axis) stays small during a clean rep. The
# detector's angle (``angle_``) is what the rep's ROM is read from.

rep = detector.reps_[detector.reps_.kind != "rejected"].iloc[2]
samples = recording.samples
window = (samples.t > rep.start_s - 2) & (samples.t < rep.end_s + 2)
t = samples.t[window]
gyr_dps = samples.gyr[window]
acc_ms2 = samples.acc[window]

rate_about_axis = gyr_dps @ axis
rate_off_axis = np.linalg.norm(gyr_dps - np.outer(rate_about_axis, axis), axis=1)
fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(9, 7), sharex=True,
                                         layout="constrained")
for k, name in enumerate("xyz"):
    top.plot(t, gyr_dps[:, k], lw=1, label=f"gyr_{name}")
    middle.plot(t, acc_ms2[:, k], lw=1, label=f"acc_{name}")
top.set(ylabel="angular rate (deg/s)", title=f"rep {int(rep.rep)} of {recording.name}, raw")
middle.set(ylabel="specific force (m/s²)")
for axes in (top, middle):
    axes.legend(loc="upper right", ncols=3, fontsize=8, frameon=False)
    axes.axvspan(rep.start_s, rep.end_s, color="#2a9d4a", alpha=0.12, lw=0)
bottom.plot(t, rate_about_axis, color="black", lw=1.2, label="rate about the axis (deg/s)")
bottom.plot(t, rate_off_axis, color="#999999", lw=1, label="rate off the axis (deg/s)")
angle = detector.angle_[(detector.angle_.t > t[0]) & (detector.angle_.t < t[-1])]
bottom.plot(angle.t, angle.angle_deg, color="#3b6fc4", lw=1.5, label="angle (°)")
bottom.axhline(rep.rom_deg, color="#3b6fc4", ls=":", lw=1)
bottom.text(rep.start_s, rep.rom_deg + 4, f"rom_deg = {rep.rom_deg:.1f}°", color="#3b6fc4",
            fontsize=8)
bottom.axvspan(rep.start_s, rep.end_s, color="#2a9d4a", alpha=0.12, lw=0)
bottom.set(xlabel="time (s)", ylabel="deg/s, °")
bottom.legend(loc="upper right", fontsize=8, frameon=False)
plt.show()

# %%
# Gravity turns against the sensor
# --------------------------------
# At rest the accelerometer reads gravity (≈ 9.81 m/s² along "up"). As the shank swings up,
# gravity turns in the sensor's frame about the same axis by the same angle, the other way:
# measured about the learned axis, the turn of gravity between the rest before the rep and the
# hold is the held angle, with no gyro involved. The printout puts it beside the detector's
# angle over the hold and the rep's ``rom_deg`` (the detector's own measurement of the rep's
# peak, see :doc:`/exercises`).

# the rest before the rep: its still samples (rate under 10 deg/s) in the second before it, after
# the movement before it ended (real reps may follow each other within a second)
ended = detector.reps_.end_s[detector.reps_.end_s <= rep.start_s]
rest_from_s = max(rep.start_s - 1.0, ended.max() if len(ended) else -np.inf)
still = np.linalg.norm(samples.gyr, axis=1) < 10.0
still_before = (samples.t > rest_from_s) & (samples.t < rep.start_s) & still
held = (samples.t > rep.out_end_s) & (samples.t < rep.return_start_s)
g_rest = samples.acc[still_before].mean(axis=0)
g_held = samples.acc[held].mean(axis=0)


def across_axis(vector):
    """The part of ``vector`` perpendicular to the learned axis."""
    return vector - (vector @ axis) * axis


a, b = across_axis(g_rest), across_axis(g_held)
gravity_turn_deg = np.degrees(np.arctan2(np.cross(a, b) @ axis, a @ b))
angle = detector.angle_
held_angle = angle[(angle.t > rep.out_end_s) & (angle.t < rep.return_start_s)]
tilt_deg = np.degrees(np.arcsin(abs(g_rest @ axis) / np.linalg.norm(g_rest)))
print(f"axis tilt from horizontal at rest: {tilt_deg:.1f}°")
print(f"gravity turned about the axis between rest and hold: {gravity_turn_deg:.1f}° "
      "(negative: the other way)")
print(f"detector angle over the hold: {held_angle.angle_deg.mean():.1f}°; "
      f"rom_deg (the peak): {rep.rom_deg:.1f}°")
# (the two measurements agree within the accelerometer's own error: the docs build fails otherwise)
assert abs(abs(gravity_turn_deg) - held_angle.angle_deg.mean()) < 2.0

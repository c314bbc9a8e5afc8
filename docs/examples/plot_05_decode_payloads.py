"""
Decode captured notification payloads
=====================================

A BLE sensor sends its samples in notifications: short byte strings in its own wire format.
``firmware_protocols`` holds one pure decoder per sensor family (no Bluetooth, no files, no
clock): bytes in, samples out, in m/s² and deg/s. The same decoders run inside ``sensorkit live``
and behind ``sensorkit decode PROTOCOL FILE``, which reads a capture with one payload per line in
hex (as a phone's BLE logger or a sniffer exports them).

First, a real payload: an accelerometer frame from the test vectors of Polar's own SDK
(a sensor lying still, 36 samples at 52 Hz, in the SDK's units of milli-g).
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import firmware_protocols
from firmware_protocols.open_v1 import DEFAULT_CONFIG, OpenV1Config, encode_frame
from sensorkit.io import read_recording

polar_acc_frame = bytes.fromhex(
    # ACC, timestamp 2e9 ns (of the last sample), frame type 1 (raw int16 in mG), then samples
    "02 0094357700000000 01"
    "F7FFFFFFE703 F8FFFEFFE503 F9FFFFFFE503 FAFFFFFFE603 FAFFFEFFE603 F9FFFFFFE503"
    "F8FFFFFFE603 F8FFFEFFE603 FAFFFFFFE503 FAFFFFFFE703 FAFFFFFFE503 F8FFFFFFE603"
    "F7FFFFFFE603 F8FFFEFFE603 F9FFFEFFE703 F9FF0000E603 F9FFFFFFE603 F7FFFEFFE503"
    "F9FFFFFFE503 F9FFFFFFE503 FAFF0000E603 F9FFFEFFE603 F8FFFFFFE603 F8FFFFFFE503"
    "F9FFFFFFE603 F9FFFFFFE503 FAFFFFFFE603 F9FFFFFFE503 F9FFFFFFE503 F8FFFEFFE603"
    "F9FFFFFFE603 F9FFFFFFE603 F9FF0000E503 F9FFFEFFE603 F8FFFEFFE603 F7FFFEFFE603"
)
decoder = firmware_protocols.get("polar_pmd").decoder(sample_rate_hz=52)
# (n, 7): t (s), acc_x..z (m/s²), gyr_x..z (deg/s; NaN here: an ACC frame has no gyro)
samples = decoder.feed(polar_acc_frame)
print(f"{len(samples)} samples, t = {samples[0, 0]:.3f} … {samples[-1, 0]:.3f} s")
print("first sample, acc (m/s²):", np.round(samples[0, 1:4], 3), "|acc| =",
      round(float(np.linalg.norm(samples[0, 1:4])), 3))

# %%
# A capture with a lost packet
# ----------------------------
# Now a longer capture in sensorkit's own open protocol (``open_v1``, spoken by the reference
# firmware in ``firmware_protocols/reference_firmware``): the first 20 s of the real knee-extension
# recording in ``recordings/real`` framed as the firmware would send it at 25 Hz, 8 samples per
# frame. One notification is lost on the way and one arrives twice, as happens over the air.
# The frames carry a sequence number and the device's microsecond clock, so the decoder notices
# both.

try:
    ROOT = Path(__file__).resolve().parents[2]  # this file is docs/examples/NAME.py
except NameError:  # the docs build runs the examples from docs/examples, without __file__
    ROOT = Path.cwd().resolve().parents[1]
real = read_recording(ROOT / "recordings" / "real" / "uci_s1_test.csv").samples
real = real[real.t < 20.0]
# the reference firmware's scales (MPU-6050, ±4 g, ±500 deg/s), at 25 Hz, 8 samples a frame
config = OpenV1Config(sample_rate_hz=25.0, acc_ms2_per_lsb=DEFAULT_CONFIG.acc_ms2_per_lsb,
                      gyro_dps_per_lsb=DEFAULT_CONFIG.gyro_dps_per_lsb, samples_per_frame=8)
frames = [encode_frame(np.column_stack([real.acc[i:i + 8], real.gyr[i:i + 8]]), seq=k,
                       t_first_us=round(real.t[i] * 1e6), config=config)
          for k, i in enumerate(range(0, len(real), 8))]
# frame 30 lost on the way, frame 39 received twice
received = frames[:30] + frames[31:40] + [frames[39]] + frames[40:]

scratch = tempfile.TemporaryDirectory(prefix="sensorkit-gallery-")  # removed at the end
capture = Path(scratch.name) / "capture.hex"
capture.write_text("".join(frame.hex() + "\n" for frame in received))
print(capture.read_text().splitlines()[0], "…", f"({len(received)} lines)")

# %%
# Decode the capture line by line, as ``sensorkit decode open_v1 capture.hex`` does.

decoder = firmware_protocols.get("open_v1").decoder(config=config.to_bytes())
lines = capture.read_text().split()
decoded = np.vstack([decoder.feed(bytes.fromhex(line)) for line in lines])
health = decoder.health
gaps_s = [round(gap.at_t_s, 2) for gap in health.gaps]
print(f"packets {health.packets}, samples {health.samples}, lost {health.lost_samples}, "
      f"duplicates {health.duplicate_packets}, gaps at {gaps_s} s")

# %%
# The decoded angular rate against the recording it was framed from: identical to within the
# 16-bit quantisation, except for the 8 samples of the lost frame (a gap the decoder reported;
# the rep detector fills short gaps itself) and without the duplicate.

fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
ax.plot(real.t, real.gyr[:, 2], color="#bbbbbb", linewidth=3, label="recording (gyr_z)")
ax.plot(decoded[:, 0], decoded[:, 6], ".", color="#3b6fc4", markersize=2.5,
        label="decoded from the capture")
for gap in health.gaps:
    ax.axvline(gap.at_t_s, color="#e76f51", linestyle="--", linewidth=1)
    ax.annotate(f"{gap.lost_samples} samples lost", (gap.at_t_s, ax.get_ylim()[1]),
                xytext=(4, -12), textcoords="offset points", color="#e76f51", fontsize=8)
ax.set(xlabel="time (s)", ylabel="angular rate (deg/s)", title="open_v1 capture decoded")
ax.legend(loc="lower right", fontsize=8, frameon=False)
plt.show()
scratch.cleanup()

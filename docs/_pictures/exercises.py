"""Schematic pictures for docs/exercises.md, drawn at build time (matplotlib's plot directive).

Each function draws one figure; the geometry is illustrative (a seated adult, shank 0.42 m),
not measured.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Arc, FancyArrowPatch, Rectangle

SHANK_M = 0.42
THIGH_M = 0.45
SENSOR = "#e76f51"
MOVING = "#3b6fc4"
REST = "#b0b0b0"


def _segment(ax, start, angle_deg, length, **style):
    """Draw a limb from ``start`` at ``angle_deg`` (0 = +x, counter-clockwise); return its end."""
    end = np.asarray(start) + length * np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    ax.plot(*zip(start, end), solid_capstyle="round", **style)
    return end


def _sensor(ax, at, angle_deg, size=0.045):
    ax.add_patch(Rectangle(at - size / 2, size, size, angle=angle_deg, rotation_point="center",
                           color=SENSOR, zorder=5))


def knee_extension() -> None:
    fig, ax = plt.subplots(figsize=(5.2, 3.6), layout="constrained")
    hip = np.array([0.0, 0.0])
    knee = _segment(ax, hip, 0, THIGH_M, color="#555555", linewidth=9)
    ax.add_patch(Rectangle((-0.12, -0.06), THIGH_M + 0.1, 0.04, color="#d9c6a5"))  # the seat
    ax.plot([-0.12, -0.12], [-0.06, -0.5], color="#d9c6a5", linewidth=4)
    rest_deg, rom_deg = -90.0, 70.0
    ankle_rest = _segment(ax, knee, rest_deg, SHANK_M, color=REST, linewidth=7)
    ankle_up = _segment(ax, knee, rest_deg + rom_deg, SHANK_M, color=MOVING, linewidth=7)
    _sensor(ax, knee + 0.85 * (ankle_rest - knee), rest_deg)
    _sensor(ax, knee + 0.85 * (ankle_up - knee), rest_deg + rom_deg)
    ax.add_patch(Arc(knee, 0.5, 0.5, theta1=rest_deg, theta2=rest_deg + rom_deg, color="black", linewidth=1))
    mid = np.radians(rest_deg + rom_deg / 2)
    ax.text(*(knee + 0.3 * np.array([np.cos(mid), np.sin(mid)])), "rom_deg", fontsize=9)
    ax.plot(*knee, "o", color="black", markersize=5, zorder=6)
    ax.annotate("axis: the knee's flexion axis\n(horizontal, sideways)", knee, xytext=(0.0, 0.18),
                fontsize=8, arrowprops=dict(arrowstyle="->", linewidth=0.8))
    ax.annotate("sensor above the ankle", knee + 0.85 * (ankle_rest - knee), xytext=(0.52, -0.52), fontsize=8,
                arrowprops=dict(arrowstyle="->", linewidth=0.8))
    ax.text(-0.1, 0.05, "hip", fontsize=8)
    ax.set(xlim=(-0.2, 1.0), ylim=(-0.6, 0.3), aspect="equal", title="Seated knee extension (side view)")
    ax.set_axis_off()


def hip_external_rotation() -> None:
    fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.6), layout="constrained")
    for ax, title, pivot_at_foot in ((axes[0], "full / partial: the shank turns about the thigh's axis", False),
                                     (axes[1], "knee_out: both feet down, the knee moves out", True)):
        knee = np.array([0.0, 0.0])
        rom_deg = 35.0 if not pivot_at_foot else 20.0
        if pivot_at_foot:
            foot = knee + np.array([0.0, -SHANK_M])
            knee_out = foot + SHANK_M * np.array([-np.sin(np.radians(rom_deg)), np.cos(np.radians(rom_deg))])
            ax.plot(*zip(knee, foot), color=REST, linewidth=7, solid_capstyle="round")
            ax.plot(*zip(knee_out, foot), color=MOVING, linewidth=7, solid_capstyle="round")
            _sensor(ax, foot + 0.15 * (knee - foot), 0)
            _sensor(ax, foot + 0.15 * (knee_out - foot), rom_deg)
            ax.plot(*foot, "o", color="black", markersize=5, zorder=6)
            ax.annotate("pivot at the foot:\nbelow the sensor", foot, xytext=(0.08, -0.3), fontsize=8,
                        arrowprops=dict(arrowstyle="->", linewidth=0.8))
            ax.axhline(-SHANK_M - 0.02, color="#d9c6a5", linewidth=4)
        else:
            ankle_rest = _segment(ax, knee, -90, SHANK_M, color=REST, linewidth=7)
            ankle_in = _segment(ax, knee, -90 + rom_deg, SHANK_M, color=MOVING, linewidth=7)
            _sensor(ax, knee + 0.85 * (ankle_rest - knee), 0)
            _sensor(ax, knee + 0.85 * (ankle_in - knee), rom_deg)
            ax.add_patch(Arc(knee, 0.5, 0.5, theta1=-90, theta2=-90 + rom_deg, color="black", linewidth=1))
            ax.text(0.035, -0.375, "rom_deg", fontsize=8)
            ax.plot(*knee, "o", color="black", markersize=5, zorder=6)
            ax.annotate("axis: the thigh's long axis\n(horizontal, forward)", knee, xytext=(-0.28, 0.12),
                        fontsize=8, arrowprops=dict(arrowstyle="->", linewidth=0.8))
            ax.add_patch(FancyArrowPatch((0.05, -0.47), (0.27, -0.41), arrowstyle="->", mutation_scale=10,
                                         connectionstyle="arc3,rad=0.2", color=MOVING))
            ax.text(0.05, -0.55, "foot towards the other knee", fontsize=8, color=MOVING)
        ax.set(xlim=(-0.35, 0.45), ylim=(-0.6, 0.25), aspect="equal")
        ax.set_title(title, fontsize=8.5)
        ax.set_axis_off()
    fig.suptitle("Seated hip external rotation (front view, right leg)", fontsize=10)


def rep_phases() -> None:
    """One rep's angle over time with the reps.csv timing columns."""
    def min_jerk(x):
        x = np.clip(x, 0, 1)
        return 10 * x**3 - 15 * x**4 + 6 * x**5

    t = np.linspace(0, 11, 1200)
    start, out_end, ret_start, end, rom, rest = 1.5, 3.0, 7.0, 8.6, 32.0, 1.0
    angle = rest + rom * (min_jerk((t - start) / (out_end - start)) - min_jerk((t - ret_start) / (end - ret_start)))
    angle += 0.25 * np.sin(2 * np.pi * 9 * t) * ((t > out_end) & (t < ret_start))  # tremor in the hold
    fig, ax = plt.subplots(figsize=(7.4, 3.0), layout="constrained")
    ax.plot(t, angle, color="black", linewidth=1.2)
    ax.axvspan(start, out_end, color="#e76f51", alpha=0.18, linewidth=0)
    ax.axvspan(out_end, ret_start, color="#2a9d4a", alpha=0.15, linewidth=0)
    ax.axvspan(ret_start, end, color="#3b6fc4", alpha=0.18, linewidth=0)
    for x, name in ((start, "start_s"), (out_end, "out_end_s"), (ret_start, "return_start_s"), (end, "end_s")):
        ax.axvline(x, color="#666666", linewidth=0.7, linestyle=":")
        ax.text(x, -9, name, ha="center", fontsize=8)
    ax.text((start + out_end) / 2, 38, "out_duration_s", ha="center", fontsize=8)
    ax.text((out_end + ret_start) / 2, 38, "hold_s", ha="center", fontsize=8)
    ax.text((ret_start + end) / 2, 38, "return_duration_s", ha="center", fontsize=8)
    ax.annotate("", (5.0, rest + rom), (5.0, rest), arrowprops=dict(arrowstyle="<->", linewidth=0.9))
    ax.text(5.1, rest + rom / 2, "rom_deg", fontsize=9)
    ax.axhline(rest, color="#999999", linewidth=0.7)
    ax.text(9.2, rest + 1, "rest angle before the rep", fontsize=8, color="#666666")
    ax.set(xlim=(0, 11), ylim=(-12, 44), xlabel="time (s)", ylabel="angle about the exercise axis (°)")
    ax.set_title("One rep, as the rep detector times it", fontsize=10)

"""How far the leg got from rest is what a therapist reads as ROM: in a real series without rests
(PHYTMO), a rep begun at the bottom of a swing behind rest has a whole arc (``rom_deg``) well past
its peak above rest (``peak_deg``); the ROM summaries and a prescribed ROM go by the peak."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sensorkit.batch import analyze_recording
from sensorkit.live import rep_line
from sensorkit.report import build_report, load_prescriptions
from sensorkit.web.dashboard_data import _rep as dashboard_rep

PHYTMO = Path(__file__).resolve().parents[3] / "shared" / "data" / "phytmo-knee-flexion-extension"
pytestmark = pytest.mark.skipif(not PHYTMO.is_dir(), reason="the real recordings (../shared/data) are not here")


def test_a_series_mean_rom_is_how_far_the_knee_extended_not_its_swings_behind_rest():
    result = analyze_recording(PHYTMO / "phytmo_b05kfel1_1.csv")
    counted = [r for r in result.reps if r.counted]
    peaks = [r.peak_deg for r in counted]
    assert any(r.rom_deg > r.peak_deg + 10 for r in counted)  # (reps begun behind rest: the arc is longer)
    assert result.session_row["rom_mean_deg"] == pytest.approx(np.mean(peaks), abs=1e-3)
    assert result.session_row["rom_max_deg"] == pytest.approx(max(peaks), abs=1e-3)
    assert result.session_row["rom_mean_deg"] < 100.0  # (the arcs' mean was 121.6 deg: no knee extends so far)


def test_a_prescribed_rom_is_met_by_the_peak_above_rest(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(PHYTMO / "phytmo_e01kfer0_1.csv", data / "e01.csv")
    meta = json.loads((PHYTMO / "phytmo_e01kfer0_1.json").read_text())
    (data / "e01.json").write_text(json.dumps(meta | {"started_at": "2026-11-02T10:00:00+00:00"}))
    (tmp_path / "rx.toml").write_text(
        f'patient = "{meta["patient"]}"\ntimezone = "UTC"\nstart = 2026-11-02\nend = 2026-11-02\n'
        '\n[[exercise]]\nname = "knee_extension"\nsides = ["right"]\nsets = 1\nreps_per_set = 10\n'
        'hold_s = 0\nrom_deg = 90\ndays_per_week = 7\n')
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], workers=1, as_of="2026-11-02")
    (day,) = [r for r in outcome.daily if r["has_data"]]
    (session,) = outcome.sessions[meta["patient"]]
    counted = [r for r in session.reps if r.counted]
    assert sum(r.rom_deg >= 90 for r in counted) >= 3  # (arcs from swings behind rest: 6 of them reach 90)
    assert day["reps_completed"] == sum(r.peak_deg >= 90 for r in counted) == 0  # (peaks 62-77 deg above rest)
    assert day["rom_max_deg"] == pytest.approx(max(r.peak_deg for r in counted), abs=1e-3)
    # the dashboard's rep table says the same of a rep whose arc passes 90 deg
    rx = load_prescriptions(tmp_path / "rx.toml")[meta["patient"]]
    arc = next(r for r in counted if r.rom_deg >= 90)
    shown = dashboard_rep(arc, rx.plan("knee_extension"))
    assert not shown["meets_target"] and shown["short_of"] == f"ROM under 90° ({arc.peak_deg:.0f}° from rest)"


def test_the_live_line_of_a_rep_begun_behind_rest_says_how_far_it_got_from_rest():
    result = analyze_recording(PHYTMO / "phytmo_e01kfer0_1.csv")
    rep = next(r for r in result.reps if r.counted and r.rom_deg > r.peak_deg + 10)
    line = rep_line(rep, target_rom_deg=90.0)
    assert f"ROM {rep.rom_deg:.1f} (" in line and "from rest)" in line
    assert f"{rep.peak_deg:.1f} from rest" in line


def test_the_live_page_shows_and_sums_how_far_each_rep_got_from_rest():
    from sensorkit.ble.recorder import LiveStatus
    from sensorkit.web.live_hub import LiveHub, SessionPlan

    result = analyze_recording(PHYTMO / "phytmo_e01kfer0_1.csv")
    hub = LiveHub(plan=SessionPlan(sets=1, reps_per_set=10, rom_deg=90.0, hold_s=0.0), exercise="knee_extension")
    status = LiveStatus()
    for rep in result.reps:
        hub.rep(rep, status)
    hub.close(status)
    counted = [r for r in result.reps if r.counted]
    shown = [item for item in hub._reps if item["counted"]]
    # (a rep whose arc from a swing behind rest passes 90 deg: shown at its 77 deg from rest, short of 90)
    assert [item["rom_text"] for item in shown] == [f"{r.peak_deg:.1f}" for r in counted]
    assert not any(item["meets_plan"] for item in shown)
    assert hub._summary["rom_max_deg"] == pytest.approx(result.session_row["rom_max_deg"], abs=0.05)
    assert hub._summary["rom_mean_deg"] == pytest.approx(result.session_row["rom_mean_deg"], abs=0.05)

"""The dashboard of a patient whose prescription changed (two files, one per period, with a day
between them): each day and session judged by the prescription in force on it, the plan shown the
one in force on the report's day."""
from __future__ import annotations

from datetime import date

from prescriptions import exercise, rx_toml
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData
from sim_clinic import sim_9010_clinic

PATIENT, ZONE = "demo-p083", "America/New_York"  # (sim_9010: its left-side session of 2026-11-09)
FIRST = rx_toml(PATIENT, ZONE, "2026-11-07", "2026-11-09",
                exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right")))
#: from 2026-11-11 (none on the 10th): the left side only, a range none of its reps reached
SECOND = rx_toml(PATIENT, ZONE, "2026-11-11", "2026-11-20", exercise("hip_external_rotation", 60.0, hold_s=2.5))


def test_each_day_and_session_is_judged_by_the_prescription_in_force(tmp_path):
    sim_9010_clinic(tmp_path, {"a.toml": FIRST, "b.toml": SECOND})
    data = DashboardData(load_prescriptions(tmp_path / "rx"), [tmp_path / "data"], as_of=date(2026, 11, 12),
                         include_simulated=True)
    data.refresh()
    page = data.patient(PATIENT)
    assert (page["start"], page["end"]) == ("2026-11-07", "2026-11-20")
    assert [(p["sides"], p["rom_deg"]) for p in page["plans"]] == [(["left"], 60.0)]  # (in force on the 12th)
    (session,) = page["sessions"]
    reps = [r for r in session["reps"] if r["kind"] != "rejected"]
    assert session["date"] == "2026-11-09" and session["completed"] == sum(r["peak_deg"] >= 20 and r["hold_s"] >= 2.5
                                                                            for r in reps) > 0
    calendar = {d["date"]: d for d in page["calendar"]}
    assert [(d, calendar[d]["reps_prescribed"]) for d in sorted(calendar)] == [
        ("2026-11-07", 10), ("2026-11-08", 10), ("2026-11-09", 10), ("2026-11-10", 0), ("2026-11-11", 5),
        ("2026-11-12", 5)]
    assert calendar["2026-11-10"]["parts"] == []  # (no prescription in force: nothing due, nothing missed)
    # (the last 7 days that are over, to the 11th: the first's days per side, then the second's left side
    # on the 11th; the 10th nothing; the 12th, the report's day, in progress: shown apart, not in the mean)
    left_9 = min(100.0, 100.0 * session["completed"] / 5)
    assert page["adherence_7d_pct"] == round(left_9 / 7, 1) and page["adherence_until"] == "2026-11-11"
    assert (page["today"]["reps_completed"], page["today"]["reps_prescribed"]) == (0, 5)

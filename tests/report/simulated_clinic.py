"""A small simulated clinic for the report tests: two patients in two time zones, recordings mixed
in one tree, with the days, times and reps known from the simulator's truth (not from sensorkit.report).

Prescriptions: p101 (America/New_York, 2026-10-26..2026-11-03, left, every day) and p202
(Europe/Berlin, from 2026-10-27 with no end, right, 3 days a week). Each day prescribes 1 set of 5
reps held >= 2.5 s reaching >= 29 degrees, targets in gaps of the simulated truth.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from prescriptions import exercise, rx_toml
from sensorkit.sim import simulate_session

ROM_DEG, HOLD_S, REPS_PER_DAY = 29.0, 2.7, 5  # in gaps of the simulated truth (see test_report_clinic)

RX_P101 = rx_toml("p101", "America/New_York", "2026-10-26", "2026-11-03",
                  exercise("hip_external_rotation", ROM_DEG, HOLD_S, REPS_PER_DAY, sides=("left",)))
RX_P202 = rx_toml("p202", "Europe/Berlin", "2026-10-27", None,
                  exercise("hip_external_rotation", ROM_DEG, HOLD_S, REPS_PER_DAY, sides=("right",), days_per_week=3))


@dataclass(frozen=True)
class Planned:
    """One simulated recording: where it goes, whose it is, when it started in the patient's zone."""

    name: str  # relative path without suffix; the stem is the recording name
    patient: str
    zone: str
    local_start: datetime  # naive, the patient's wall clock
    side: str
    seed: int
    set_kind: str | None = None  # None: the seed's own mix
    write_in_utc: bool = False  # started_at written as UTC (+00:00) instead of the local offset

    @property
    def local_date(self) -> date:
        return self.local_start.date()


#: the day the clinic's reports are made (``--as-of``): fixed, so that no table depends on today's date
AS_OF = "2026-11-03"

NY, BERLIN = "America/New_York", "Europe/Berlin"
PLANNED = (
    Planned("clinic_a/p101_1026", "p101", NY, datetime(2026, 10, 26, 10, 0), "left", 100, write_in_utc=True),
    # 10-27 skipped; two sessions on 10-28, the evening one is 10-29 in UTC
    Planned("clinic_b/p101_1028am", "p101", NY, datetime(2026, 10, 28, 9, 0), "left", 101),
    Planned("clinic_a/p101_1028pm", "p101", NY, datetime(2026, 10, 28, 20, 30), "left", 100, "knee_out", True),
    Planned("clinic_b/p101_1029", "p101", NY, datetime(2026, 10, 29, 12, 0), "left", 100, "partial"),
    # starts 30 s before local midnight, ends on the next day: belongs to 10-30 (10-31 in UTC)
    Planned("clinic_a/p101_1030", "p101", NY, datetime(2026, 10, 30, 23, 59, 30), "left", 103, write_in_utc=True),
    # after the US change to winter time (UTC-5): 11-02 in UTC
    Planned("clinic_b/p101_1101", "p101", NY, datetime(2026, 11, 1, 20, 30), "left", 105, write_in_utc=True),
    Planned("clinic_a/p202_1027", "p202", BERLIN, datetime(2026, 10, 27, 8, 0), "right", 106),
    # 10 minutes after local midnight: 10-29 in UTC, 10-30 for the patient
    Planned("clinic_b/p202_1030", "p202", BERLIN, datetime(2026, 10, 30, 0, 10), "right", 108, write_in_utc=True),
)
#: recordings the report must skip (with a note) rather than count
SKIPPED = (
    Planned("clinic_b/p999_1028", "p999", NY, datetime(2026, 10, 28, 10, 0), "left", 112),
    Planned("clinic_a/p101_right_1028", "p101", NY, datetime(2026, 10, 28, 11, 0), "right", 120),
)
BROKEN = "clinic_b/p101_broken"


def write_clinic(root: Path) -> dict[str, list]:
    """Write the recordings, prescriptions (root/rx) and one broken recording; return {name: truth reps}."""
    data = root / "data"
    truth = {}
    for plan in PLANNED + SKIPPED:
        options = dict(n_sets=1, reps_per_set=(5, 6), sample_rate_hz=50, distractors=False,
                       imperfections=False, side=plan.side)
        if plan.set_kind:
            # (a partial set after a full one: a partial rep is one under the patient's own full range,
            # which a session of partial reps alone never shows)
            options["set_kinds"] = ("full", "partial") if plan.set_kind == "partial" else (plan.set_kind,)
            options["n_sets"] = len(options["set_kinds"])
        session = simulate_session(plan.seed, **options)
        started = plan.local_start.replace(tzinfo=ZoneInfo(plan.zone))
        if plan.write_in_utc:
            started = started.astimezone(timezone.utc)
        # (the sidecar keeps the simulated patient's own targets, against which its reps were drawn full
        # or partial; the prescription's ROM and hold, what a completed rep must reach, are the report's)
        session.meta.update(patient=plan.patient, started_at=started.isoformat(), side=plan.side, sensor="clinic-imu")
        session.meta.pop("simulated", None)  # stands for the clinic's real sessions (reports skip demo data)
        folder = (data / plan.name).parent
        session.write(folder, Path(plan.name).name)
        truth[Path(plan.name).name] = session.reps
    broken = data / f"{BROKEN}.csv"
    broken.write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,x\n")
    broken.with_suffix(".json").write_text('{"patient": "p101", "side": "left", "started_at": "2026-10-31T10:00:00-04:00"}\n')
    (root / "rx").mkdir()
    (root / "rx" / "p101.toml").write_text(RX_P101)
    (root / "rx" / "p202.toml").write_text(RX_P202)
    return truth

"""``sensorkit report`` on a simulated clinic: the expected report is built here from the simulator's
truth and the planned local start times (see simulated_clinic.py), not from sensorkit.report."""
import csv
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from simulated_clinic import AS_OF, BROKEN, HOLD_S, PLANNED, REPS_PER_DAY, ROM_DEG, write_clinic

DAILY_HEADER = ["patient", "date", "exercise", "side", "sessions", "reps_prescribed", "reps_completed",
                "reps_partial", "reps_knee_out", "reps_total", "rom_mean_deg", "rom_max_deg", "hold_mean_s",
                "holds_on_target", "active_time_s", "adherence_pct", "has_data", "source_recordings", "reps_fast",
                "reps_full", "rom_full_mean_deg", "sessions_dated_by_file_time", "recordings_failed", "day_in_progress",
                "sessions_without_data", "session_warnings", "roms_on_target", "target_rom_deg", "target_hold_s"]
# p101: every day 10-26..11-03 (end given); p202: open-ended, from 10-27 to the report's day, AS_OF (its last
# recording is on 10-30), any 3 days of each week from the start (the documented rule): in the week
# 10-27..11-02 its two days with a recording, 10-27 and 10-30, and its last day, 11-02, missed; the week
# from 11-03 is in progress on the report's day, its three days still to come (days from the start).
PERIODS = {"p101": (date(2026, 10, 26), date(2026, 11, 3), "left", set(range(9))),
           "p202": (date(2026, 10, 27), date(2026, 11, 3), "right", {0, 3, 6})}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    root = tmp_path_factory.mktemp("clinic")
    return root, write_clinic(root)


def assert_truth_clear_of_targets(truth) -> None:
    """The truth sits clear of the targets, so the expected counts are unambiguous (the thresholds
    must be moved into the truth's gaps when the simulator changes)."""
    for reps in truth.values():
        assert all(abs(r.rom_deg - ROM_DEG) > 2.0 and abs(r.hold_s - HOLD_S) > 0.3 for r in reps)


def run_report(root, *paths, out="report.csv", summary="summary.csv", log="log.txt"):
    args = ["report", "--prescription", root / "rx", *paths, "--out", root / out, "--summary", root / summary,
            "--log", root / log, "--as-of", AS_OF]
    return CliRunner().invoke(cli, [str(a) for a in args])


def read(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


#: the broken recording's patient and local day (its sidecar: 2026-10-31T10:00:00-04:00, New York)
BROKEN_DAY = ("p101", date(2026, 10, 31))


def expected_daily(truth):
    rows = []
    for patient, (start, end, side, schedule) in sorted(PERIODS.items()):
        for index in range((end - start).days + 1):
            day = start + timedelta(days=index)
            plans = [p for p in PLANNED if p.patient == patient and p.local_date == day]
            reps = [r for p in plans for r in truth[p.name.split("/")[-1]]]
            prescribed = REPS_PER_DAY if index in schedule else 0
            completed = sum(r.kind != "knee_out" and r.rom_deg >= ROM_DEG and r.hold_s >= HOLD_S for r in reps)
            rows.append(dict(
                patient=patient, date=day.isoformat(), side=side, sessions=len(plans), prescribed=prescribed,
                completed=completed, partial=sum(r.kind == "partial" for r in reps),
                knee_out=sum(r.kind == "knee_out" for r in reps), total=len(reps),
                roms=[r.rom_deg for r in reps], holds=[r.hold_s for r in reps],
                full_roms=[r.rom_deg for r in reps if r.kind == "full"],
                active_s=sum(r.end_s - r.start_s for r in reps),
                # (the broken recording's day: its data lost, adherence unknown unless already reached; the
                # report's day, not over yet, counts what was done so far)
                adherence=(min(100.0, 100.0 * completed / prescribed) if prescribed and (
                    completed >= prescribed or (patient, day) != BROKEN_DAY) else None),
                in_progress=day.isoformat() == AS_OF,
                sources=";".join(sorted(p.name.split("/")[-1] for p in plans))))
    return rows


def test_daily_report_matches_the_truth_day_by_day(clinic):
    root, truth = clinic
    assert_truth_clear_of_targets(truth)
    result = run_report(root, root / "data")
    assert result.exit_code == 1, result.output  # the broken recording failed; the rest were reported
    table = read(root / "report.csv")
    assert table[0] == DAILY_HEADER
    got = [dict(zip(DAILY_HEADER, row)) for row in table[1:]]
    want = expected_daily(truth)
    assert [(g["patient"], g["date"], g["side"]) for g in got] == [(w["patient"], w["date"], w["side"]) for w in want]
    for g, w in zip(got, want):
        where = f"{w['patient']} {w['date']}"
        assert g["exercise"] == "hip_external_rotation"
        assert (int(g["sessions"]), int(g["reps_prescribed"]), int(g["reps_completed"]), int(g["reps_partial"]),
                int(g["reps_knee_out"]), int(g["reps_total"])) == (
            w["sessions"], w["prescribed"], w["completed"], w["partial"], w["knee_out"], w["total"]), where
        assert g["has_data"] == ("true" if w["sessions"] else "false"), where
        assert g["source_recordings"] == w["sources"], where
        assert g["day_in_progress"] == ("true" if w["in_progress"] else "false"), where
        assert int(g["holds_on_target"]) == sum(h >= HOLD_S for h in w["holds"]), where
        if w["adherence"] is None:
            assert g["adherence_pct"] == "", where
        else:
            assert float(g["adherence_pct"]) == pytest.approx(w["adherence"], abs=0.05), where
        if w["roms"]:
            assert float(g["rom_mean_deg"]) == pytest.approx(sum(w["roms"]) / len(w["roms"]), abs=1.5), where
            assert float(g["rom_max_deg"]) == pytest.approx(max(w["roms"]), abs=2.0), where
            # (the hold is measured to 0.14 s per rep on the held-out simulated sessions, docs/accuracy.md;
            # these sessions' holds read 0.1-0.5 s long, the knee-out ones most: a day's mean within 0.25 s)
            assert float(g["hold_mean_s"]) == pytest.approx(sum(w["holds"]) / len(w["holds"]), abs=0.25), where
            # (a rep ends where its return reaches the rest pose, or at the bottom of a swing past it;
            # the simulator's truth ends once the leg has swung back up and settled, up to 0.8 s later)
            assert float(g["active_time_s"]) == pytest.approx(w["active_s"], abs=0.8 * len(w["roms"])), where
        else:
            assert (g["rom_mean_deg"], g["rom_max_deg"], g["hold_mean_s"]) == ("", "", ""), where
            assert float(g["active_time_s"]) == 0.0


def test_local_dates_not_utc_dates(clinic):
    root, truth = clinic
    run_report(root, root / "data")
    by_day = {(r[0], r[1]): r for r in read(root / "report.csv")[1:]}
    sources, sessions = DAILY_HEADER.index("source_recordings"), DAILY_HEADER.index("sessions")
    assert by_day[("p101", "2026-10-30")][sources] == "p101_1030"  # 23:59:30 start, 03:59:30 UTC the next day
    assert by_day[("p101", "2026-10-31")][sessions] == "0"
    assert by_day[("p101", "2026-10-28")][sources] == "p101_1028am;p101_1028pm"  # two sessions on one day
    assert by_day[("p202", "2026-10-30")][sources] == "p202_1030"  # 00:10 in Berlin, still 10-29 in UTC
    assert by_day[("p202", "2026-10-29")][sessions] == "0"


def test_summary_counts_days_with_data_and_compares_first_and_last_week(clinic):
    root, truth = clinic
    assert_truth_clear_of_targets(truth)
    run_report(root, root / "data")
    header, *rows = read(root / "summary.csv")
    got = {r[0]: dict(zip(header, r)) for r in rows}
    assert len(rows) == 2  # one 30-day period each, one prescribed exercise and side each
    want = expected_daily(truth)
    for patient, (start, end, _, _) in PERIODS.items():
        mine = [w for w in want if w["patient"] == patient]
        g = got[patient]
        assert (g["period"], g["period_start"], g["period_end"]) == ("1", start.isoformat(), end.isoformat())
        data_days = sum(w["sessions"] > 0 for w in mine)
        assert int(g["days_with_data"]) == data_days and g["device_days_band"] == "2-15"
        # (the days that are over: the report's day, in progress, is in its daily row, not in the mean)
        scheduled = [w["adherence"] for w in mine if w["adherence"] is not None and not w["in_progress"]]
        assert float(g["adherence_mean_pct"]) == pytest.approx(sum(scheduled) / len(scheduled), abs=0.05)
        assert (g["exercise"], g["side"]) == ("hip_external_rotation", PERIODS[patient][2])
        first = [r for w in mine if w["date"] <= (start + timedelta(days=6)).isoformat() for r in w["full_roms"]]
        last = [r for w in mine if w["date"] >= (end - timedelta(days=6)).isoformat() for r in w["full_roms"]]
        assert int(g["full_reps_first_week"]) == len(first) and int(g["full_reps_last_week"]) == len(last)
        for got_deg, roms in ((g["full_rom_first_week_mean_deg"], first), (g["full_rom_last_week_mean_deg"], last)):
            assert (float(got_deg) == pytest.approx(sum(roms) / len(roms), abs=1.5)) if roms else got_deg == ""


def test_failures_and_skipped_recordings_are_named_and_logged(clinic):
    root, _ = clinic
    result = run_report(root, root / "data")
    assert result.exit_code == 1
    header, *log = (root / "log.txt").read_text().splitlines()
    assert header == "# sensorkit report log"  # so a later run recognises it as an output, not a recording
    failed = [line for line in log if "p101_broken.csv" in line]
    assert len(failed) == 1 and "line 2" in failed[0]
    assert any("p999_1028.csv" in line and "no prescription" in line for line in log)
    assert any("p101_right_1028.csv" in line and "'right'" in line for line in log)
    assert len(log) == 3
    for line in log:
        assert line in result.stderr
    assert "Traceback" not in result.output


def test_the_last_line_names_every_output_written(clinic):
    # it named the daily report alone: where the summary, the log and the plots went was not said
    pytest.importorskip("matplotlib")
    root, _ = clinic
    result = CliRunner().invoke(cli, [str(a) for a in (
        "report", "--prescription", root / "rx", root / "data", "--out", root / "n.csv", "--summary", root / "ns.csv",
        "--log", root / "nl.txt", "--plot-dir", root / "plots", "--as-of", AS_OF)])
    last = result.stderr.splitlines()[-1]
    assert last.endswith(f" failed -> {root / 'n.csv'}, {root / 'ns.csv'}, {root / 'nl.txt'}, 2 plot(s) in {root / 'plots'}")
    assert sorted(p.name for p in (root / "plots").iterdir()) == ["p101.png", "p202.png"]


def test_rerun_is_byte_identical_whatever_the_path_order(clinic):
    root, _ = clinic
    run_report(root, root / "data", out="r1.csv", summary="s1.csv")
    data = root / "data"
    run_report(root, data / "clinic_b", data / "clinic_a", out="r2.csv", summary="s2.csv")
    assert (root / "r1.csv").read_bytes() == (root / "r2.csv").read_bytes()
    assert (root / "s1.csv").read_bytes() == (root / "s2.csv").read_bytes()


def test_local_worker_processes_give_the_same_bytes_and_messages(clinic):
    root, _ = clinic
    serial = run_report(root, root / "data", out="w1.csv", summary="ws1.csv", log="wl1.txt")
    pooled = CliRunner().invoke(cli, [str(a) for a in (
        "report", "--prescription", root / "rx", root / "data", "--out", root / "w2.csv", "--summary",
        root / "ws2.csv", "--log", root / "wl2.txt", "--as-of", AS_OF, "--workers", "2")])
    assert serial.exit_code == pooled.exit_code == 1, pooled.output
    assert (root / "w1.csv").read_bytes() == (root / "w2.csv").read_bytes()
    assert (root / "ws1.csv").read_bytes() == (root / "ws2.csv").read_bytes()
    assert (root / "wl1.txt").read_text() == (root / "wl2.txt").read_text()


def test_all_good_recordings_exit_0(clinic, tmp_path):
    root, _ = clinic
    broken = root / "data" / f"{BROKEN}.csv"
    result = CliRunner().invoke(cli, ["report", "--prescription", str(root / "rx" / "p202.toml"),
                                      str(root / "data" / "clinic_a"), "--out", str(tmp_path / "r.csv")])
    assert broken.exists() and result.exit_code == 0, result.output
    assert {row[0] for row in read(tmp_path / "r.csv")[1:]} == {"p202"}  # p101's recordings: no prescription given

"""Reports mean what they say: demo data left out, file-time dating said and counted apart,
ROM per exercise and side over full reps, no empty trailing period, bounded periods."""
from __future__ import annotations

import csv
import json
import os
import time

from conftest import Tree, as_patient, lines, one_line, prescription
from in_process import run_in_process


def read_rows(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def report(workspace, *more):
    return run_in_process("report", "--prescription", workspace / "rx", workspace / "data",
                          "--out", workspace / "out" / "r.csv", "--summary", workspace / "out" / "s.csv",
                          "--log", workspace / "out" / "log.txt", *more)


def test_simulated_recordings_are_left_out_unless_asked(workspace):
    for sidecar in (workspace / "data").glob("*.json"):  # demo data that landed in a clinic folder
        meta = json.loads(sidecar.read_text())
        assert meta["simulated"] is True and meta["patient"].startswith("demo-")
        sidecar.write_text(json.dumps({**meta, "patient": "p001", "started_at": "2026-11-02T10:00:00+01:00"}))
    tree = Tree(workspace)
    result = report(workspace)
    assert result.returncode == 0, result.stderr
    skipped = [line for line in lines(result.stderr) if "simulated recording (demo data)" in line]
    assert len(skipped) == 2
    assert all(row["sessions"] == "0" for row in read_rows(workspace / "out" / "r.csv"))
    counted = report(workspace, "--include-simulated")
    assert counted.returncode == 0, counted.stderr
    assert sum(int(row["sessions"]) for row in read_rows(workspace / "out" / "r.csv")) == 2
    tree.assert_only_changed_under("out")


def test_a_session_without_started_at_is_said_and_counted_apart(workspace):
    as_patient(workspace / "data")
    sidecar = workspace / "data" / "sim_1.json"
    meta = json.loads(sidecar.read_text())
    del meta["started_at"]
    sidecar.write_text(json.dumps(meta))
    moment = time.mktime((2026, 11, 3, 12, 0, 0, 0, 0, -1))
    os.utime(workspace / "data" / "sim_1.csv", (moment, moment))
    tree = Tree(workspace)
    result = report(workspace)
    assert result.returncode == 0, result.stderr
    note = [line for line in lines(result.stderr) if line.startswith(f"{workspace / 'data' / 'sim_1.csv'}: note: ")]
    assert len(note) == 1 and "no started_at" in note[0] and "modification time" in note[0]
    assert note[0] in (workspace / "out" / "log.txt").read_text().splitlines()
    assert lines(result.stderr)[-1].startswith("1 patient(s), 2 session(s) reported (1 dated by file time: no started_at)")
    rows = [r for r in read_rows(workspace / "out" / "r.csv") if r["sessions"] != "0"]
    assert sum(int(r["sessions_dated_by_file_time"]) for r in rows) == 1
    tree.assert_only_changed_under("out")
    analysed = run_in_process("analyze", workspace / "data" / "sim_1.csv", "--out", workspace / "out" / "a")
    assert any(line.startswith("warning: ") and "no started_at" in line for line in lines(analysed.stderr))


def test_the_summary_is_per_exercise_and_side_over_full_reps_without_an_empty_trailing_period(workspace):
    as_patient(workspace / "data")
    (workspace / "data" / "sim_2.json").write_text(
        json.dumps({**json.loads((workspace / "data" / "sim_2.json").read_text()), "side": "right"}))
    (workspace / "rx" / "p001.toml").write_text(prescription("p001", start="2026-10-04", end="2026-11-03"))  # 31 days
    result = report(workspace)
    assert result.returncode == 0, result.stderr
    summary = read_rows(workspace / "out" / "s.csv")
    assert [(r["period"], r["exercise"], r["side"]) for r in summary] == [
        ("1", "hip_external_rotation", "left"), ("1", "hip_external_rotation", "right")]  # no period 2 of one empty day
    assert {"full_rom_first_week_mean_deg", "full_rom_last_week_mean_deg", "full_reps_last_week"} <= set(summary[0])
    daily = read_rows(workspace / "out" / "r.csv")
    for row in summary:  # each side's last-week ROM is its own full reps' mean, nothing mixed in
        mine = [r for r in daily if r["side"] == row["side"] and r["reps_full"] not in ("", "0")]
        full = sum(int(r["reps_full"]) for r in mine)
        assert int(row["full_reps_last_week"]) == full
        if full:
            mean = sum(float(r["rom_full_mean_deg"]) * int(r["reps_full"]) for r in mine) / full
            assert abs(float(row["full_rom_last_week_mean_deg"]) - mean) < 0.002


def test_a_prescription_over_five_years_is_refused_at_once(workspace):
    rx = workspace / "rx" / "p001.toml"
    rx.write_text(prescription("p001", end="9999-12-31"))
    tree = Tree(workspace)
    started = time.monotonic()
    result = report(workspace)
    assert result.returncode == 2 and time.monotonic() - started < 30
    assert one_line(result) == (f"error: {rx}: key end: 2026-11-01..9999-12-31 is longer than 5 years; give the "
                                "prescription's real end (a new prescription for a new period)")
    tree.assert_unchanged()


def test_a_report_made_before_the_period_ends_stops_at_the_day_it_is_made(workspace):
    # (days still to come are neither done nor missed: without --as-of, today in the patient's zone)
    import csv
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    as_patient(workspace / "data")
    (workspace / "rx" / "p001.toml").write_text(prescription("p001", end="2027-12-31"))
    for as_of, last in (("--as-of=2026-11-05", "2026-11-05"),
                        (None, datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat())):
        out = workspace / f"daily_{last}.csv"
        result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", out,
                     *([as_of] if as_of else []))
        assert result.returncode == 0, result.stderr
        days = sorted({row["date"] for row in csv.DictReader(out.open())})
        assert days[0] == "2026-11-01" and days[-1] == max(last, "2026-11-02"), days
    assert date.fromisoformat(last) < date(2027, 12, 31)


def test_a_report_as_of_a_past_day_leaves_out_the_sessions_after_it_saying_so(workspace):
    # (a therapist's snapshot of an earlier day: what the report of that day would have shown)
    as_patient(workspace / "data")
    sidecar = workspace / "data" / "sim_2.json"
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "started_at": "2026-11-04T09:00:00+01:00"}))
    (workspace / "rx" / "p001.toml").write_text(prescription("p001", end="2026-11-30"))
    tree = Tree(workspace)
    result = report(workspace, "--as-of", "2026-11-03")
    assert result.returncode == 0, result.stderr
    assert f"{workspace / 'data' / 'sim_2.csv'}: skipped: started on 2026-11-04 (Europe/Berlin), after the report's day" \
           " 2026-11-03 (--as-of): not in this report" in lines(result.stderr)
    rows = read_rows(workspace / "out" / "r.csv")
    assert rows[-1]["date"] == "2026-11-03" and rows[-1]["day_in_progress"] == "true"
    assert sum(int(r["sessions"]) for r in rows) == 1 and all("sim_2" not in r["source_recordings"] for r in rows)
    tree.assert_only_changed_under("out")
    # (damaged, it is not in that report either: no failure, no data lost on a day of it)
    damaged = workspace / "data" / "sim_2.csv"
    damaged.write_text(damaged.read_text().replace("\n", "\nnot,a,number,row,at,all,here\n", 1))
    result = report(workspace, "--as-of", "2026-11-03")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(f"{damaged}: skipped: started on 2026-11-04") for line in lines(result.stderr))
    assert all(r["recordings_failed"] == "0" for r in read_rows(workspace / "out" / "r.csv"))


def test_a_typo_in_one_patient_s_prescription_does_not_stop_the_others_report(workspace):
    as_patient(workspace / "data")
    bad = workspace / "rx" / "p002.toml"
    bad.write_text(prescription("p002").replace("sets = 1", "sets = 0"))
    tree = Tree(workspace)
    result = report(workspace)
    assert result.returncode == 1, result.stderr  # (as for a recording that failed: the rest is reported)
    error = f"error: {bad}: key exercise[1].sets: expected a whole number 1..50, got 0; this prescription is not read," \
            " its patient is left out of the report"
    assert error in lines(result.stderr) and error in (workspace / "out" / "log.txt").read_text().splitlines()
    assert {r["patient"] for r in read_rows(workspace / "out" / "r.csv")} == {"p001"}
    assert sum(int(r["sessions"]) for r in read_rows(workspace / "out" / "r.csv")) == 2
    assert "1 prescription(s) not read" in lines(result.stderr)[-1]
    tree.assert_only_changed_under("out")
    (workspace / "rx" / "p001.toml").unlink()  # (no prescription left to report: a usage error, as before)
    assert report(workspace).returncode == 2


def test_an_identical_copy_of_a_recording_is_counted_once_with_a_note(workspace):
    import shutil
    as_patient(workspace / "data")
    (workspace / "data" / "backup").mkdir()
    for suffix in (".csv", ".json"):
        shutil.copy(workspace / "data" / f"sim_1{suffix}", workspace / "data" / "backup" / f"sim_1{suffix}")
    out = workspace / "daily.csv"
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", out)
    assert result.returncode == 0, result.stderr
    notes = [line for line in lines(result.stderr) if "the same recording as" in line]
    assert notes == [f"{workspace / 'data' / 'sim_1.csv'}: skipped: the same recording as "
                     f"{workspace / 'data' / 'backup' / 'sim_1.csv'} (an identical file: a copy or a backup); counted once"]
    rows = list(csv.DictReader(out.open()))
    assert sum(int(r["sessions"]) for r in rows) == 2  # sim_1 (once) and sim_2


def test_the_readers_warnings_reach_the_report(workspace):
    # (a start time without a UTC offset: a wall-clock time where the patient was, read in the
    # patient's zone, not as UTC, which would put 23:30 in Berlin on the day after; said so)
    as_patient(workspace / "data", started_at="2026-11-02T23:30:00")
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", workspace / "d.csv",
                 "--log", workspace / "log.txt")
    assert result.returncode == 0, result.stderr
    said = [line for line in lines(result.stderr) if "has no UTC offset; read in p001's time zone (Europe/Berlin)" in line]
    assert len(said) == 2 and all(line.startswith("warning: ") for line in said)
    assert all(line in (workspace / "log.txt").read_text() for line in said)
    rows = list(csv.DictReader((workspace / "d.csv").open()))
    assert {r["date"]: int(r["sessions"]) for r in rows if r["sessions"] != "0"} == {"2026-11-02": 2}  # (as UTC: 11-03)
    analysed = run_in_process("analyze", workspace / "data" / "sim_1.csv", "--out", workspace / "a")  # (no patient's zone known)
    assert any("has no UTC offset; read in this computer's zone (UTC" in line for line in lines(analysed.stderr))


def test_a_damaged_recording_is_counted_as_failed_on_its_day(workspace):
    # (its sidecar still says whose it is and when: the day shows data lost, not a day without exercise)
    as_patient(workspace / "data")
    damaged = workspace / "data" / "sim_2.csv"
    rows = damaged.read_text().splitlines()
    rows[1::50] = ["not,a,number,row,at,all,here"] * len(rows[1::50])  # (2 % of its lines: too many to leave out)
    damaged.write_text("\n".join(rows) + "\n")
    out = workspace / "daily.csv"
    result = run_in_process("report", "--prescription", workspace / "rx", workspace / "data", "--out", out)
    assert result.returncode == 1, result.stderr
    rows = list(csv.DictReader(out.open()))
    day = [r for r in rows if r["date"] == "2026-11-02"]
    assert sum(int(r["recordings_failed"]) for r in day) == 1 and sum(int(r["sessions"]) for r in day) == 1


def test_a_folder_without_recordings_is_said_not_reported_silently_as_missed_days(workspace):
    # a mistyped or empty folder gives every prescribed day as not done (that may be true: a patient
    # who recorded nothing); it is said, in the log too, so that a wrong path is not taken for it
    empty = workspace / "empty"
    empty.mkdir()
    result = run_in_process("report", "--prescription", workspace / "rx", empty, "--out", workspace / "out" / "r.csv",
                 "--log", workspace / "out" / "log.txt")
    assert result.returncode == 0, result.stderr
    warning = f"warning: no recordings found in {empty}: every prescribed day reads as not done"
    assert warning in lines(result.stderr)
    assert warning in (workspace / "out" / "log.txt").read_text().splitlines()
    assert all(row["sessions"] == "0" for row in read_rows(workspace / "out" / "r.csv"))


def test_a_skipped_or_failed_recording_is_said_with_its_path_whatever_its_name(workspace):
    # a recording named "a" (given as a file: any name is read) whose reason for being skipped begins
    # with the same letter, "a simulated recording...": it was said without its name, as if it were a
    # failure's reason (which begins with the path); a failure is said as its reason, once
    import shutil

    shutil.copy(workspace / "data" / "sim_1.csv", workspace / "a")
    shutil.copy(workspace / "data" / "sim_1.json", workspace / "a.json")  # (demo data: skipped)
    (workspace / "bad.csv").write_text("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    result = run_in_process("report", "--prescription", "rx", "a", "bad.csv", "--out", "out/r.csv", "--log", "out/log.txt",
                 cwd=workspace)
    assert result.returncode == 1, result.stderr
    said = ["a: skipped: a simulated recording (demo data), not a patient's session; --include-simulated counts it",
            "bad.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"]
    assert lines(result.stderr)[:2] == said
    assert (workspace / "out" / "log.txt").read_text().splitlines()[1:] == said

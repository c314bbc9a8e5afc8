"""``sensorkit live --prescription`` on a terminal without the page says, rep by rep, whether a rep
counts toward the prescribed set (and why not), and at the end how many prescribed reps were
completed: the report's count of that session, by the same rule (review 35, finding 6). It said
"rep 1 full" and "28 reps (full 18 ...)" where the report counted 2 of 16."""
from __future__ import annotations

import csv
import re

from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli


def test_the_terminal_says_what_counts_toward_the_set_as_the_report_counts_it(tmp_path):
    (tmp_path / "rx").mkdir()
    (tmp_path / "rx" / "pat1.toml").write_text(rx_toml(
        "pat1", "UTC", "2026-01-01", None, exercise("hip_external_rotation", 40.0, 3.0, reps_per_set=8, sets=2,
                                                    sides=("right",))))
    runner = CliRunner()
    live = runner.invoke(cli, ["live", "--simulate", "--speed", "40", "--out", str(tmp_path / "out"), "--name", "s",
                               "--patient", "pat1", "--prescription", str(tmp_path / "rx")])
    assert live.exit_code == 0, live.output
    reps = [line for line in live.output.splitlines() if re.search(r"\] rep \d+ (full|partial|knee_out):", line)]
    toward = [line for line in reps if "; counts toward set " in line]
    short = [line for line in reps if "; not toward your set: " in line]
    assert len(toward) + len(short) == len(reps) > 0 and short  # (every counted rep judged: some short of 40 deg)
    assert all(re.search(r"reach 40 deg \(this one [0-9.]+ deg\)|hold 3 s \(this one", line) for line in short)
    assert toward[0].endswith("counts toward set 1 of 2 (1 of 8)")
    (done,) = [line for line in live.output.splitlines() if line.startswith("done (")]
    completed = int(re.search(r"; (\d+) of 16 prescribed reps completed \(reaching 40 deg, held 3 s\)", done)[1])
    assert completed == len(toward)

    report = runner.invoke(cli, ["report", "--prescription", str(tmp_path / "rx"), str(tmp_path / "out"),
                                 "--out", str(tmp_path / "report.csv"), "--include-simulated"])
    assert report.exit_code == 0, report.output
    (day,) = [row for row in csv.DictReader(open(tmp_path / "report.csv")) if row["has_data"] == "true"]
    assert int(day["reps_completed"]) == completed and int(day["reps_prescribed"]) == 16

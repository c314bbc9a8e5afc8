"""``sensorkit live --prescription FOLDER`` reads the folder as ``report`` does: another patient's
prescription that cannot be read is one warning naming it, and the session goes on; the session is
refused (exit 2, one line, nothing recorded) only when the live patient's own prescription cannot be
read or is not there.

It read the folder strictly: one typo in any patient's file stopped every patient's live session.
"""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from prescriptions import exercise, rx_toml
from sensorkit.cli import cli

GOOD = rx_toml("p101", "UTC", "2026-01-01", None, exercise("hip_external_rotation", 40.0, 3.0))


def live(folder, patient="p101"):
    """`sensorkit live` on the simulated sensor for ``patient``, against the prescription folder ``folder``/rx."""
    return CliRunner().invoke(cli, ["live", "--simulate", "--speed", "20", "--duration-s", "4", "--out",
                                    str(folder / "out"), "--name", "s", "--prescription", str(folder / "rx"),
                                    "--patient", patient])


def refused(folder, patient="p101") -> str:
    """The one error line of `sensorkit live` (as a user runs it: a prescription error is said by the
    command's entry point, exit 2) refusing ``patient``'s session; nothing recorded."""
    out = subprocess.run([sys.executable, "-m", "sensorkit", "live", "--simulate", "--out", "out", "--prescription",
                          "rx", "--patient", patient], cwd=folder, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert not (folder / "out").exists()
    (line,) = [line for line in out.stderr.splitlines() if line.startswith("error: ")]
    return line


def clinic(tmp_path, **files: str):
    (tmp_path / "rx").mkdir()
    for name, text in files.items():
        (tmp_path / "rx" / f"{name}.toml").write_text(text)
    return tmp_path


def test_another_patient_s_bad_file_is_a_warning_naming_it_and_the_session_goes_on(tmp_path):
    clinic(tmp_path, p101=GOOD, p202=GOOD.replace("p101", "p202").replace("sets = 1", "sets = 0"))
    result = live(tmp_path)
    assert result.exit_code == 0, result.output
    bad = str(tmp_path / "rx" / "p202.toml")
    (warning,) = [line for line in result.stderr.splitlines() if bad in line]
    assert warning.startswith(f"warning: {bad}: key exercise[1].sets: ") and "p202's prescription, not read" in warning
    assert (tmp_path / "out" / "s.csv").exists()
    assert "targets: range 40 deg, hold 3 s (prescription" in result.output


def test_a_file_whose_patient_cannot_be_told_is_a_warning_saying_it_may_be_theirs(tmp_path):
    clinic(tmp_path, p101=GOOD, broken="patient = \n")  # (no patient line to read)
    result = live(tmp_path)
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if "broken.toml" in line]
    assert "invalid TOML" in warning and "if it is p101's, fix it" in warning


def test_the_patient_s_own_bad_file_refuses_the_session_in_one_line(tmp_path):
    # (their second period, invalid TOML elsewhere than its patient line: which patient's it is is read)
    clinic(tmp_path, p101=GOOD.replace("start = 2026-01-01", "start = 2026-01-01\nend = 2026-01-31"),
           p101_feb=GOOD.replace("2026-01-01", "2026-02-01") + "[[exercise]\n", p202=GOOD.replace("p101", "p202"))
    line = refused(tmp_path)
    assert line.startswith("error: rx/p101_feb.toml: invalid TOML") and line.endswith("(p101's prescription, which this"
                                                                                   " session follows)")


def test_a_patient_without_a_prescription_is_refused_naming_the_files_not_read(tmp_path):
    clinic(tmp_path, p202=GOOD.replace("p101", "p202"), broken="patient = \n")
    line = refused(tmp_path)
    assert line.startswith("error: rx: no prescription for patient 'p101' (and 1 file(s) not read") and "broken.toml" in line

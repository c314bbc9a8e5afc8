"""Prescription files: every mistake is one line naming the file and the key; the schedule rule."""
import pytest
from click.testing import CliRunner

from sensorkit.cli import cli
from sensorkit.errors import ConfigError
from sensorkit.report import load_prescription, load_prescriptions

GOOD = """patient = "p101"
timezone = "America/New_York"
start = 2026-10-01
end = 2026-12-31

[[exercise]]
name = "hip_external_rotation"
sides = ["left", "right"]
sets = 3
reps_per_set = 10
hold_s = 5
rom_deg = 30
days_per_week = 7
"""


def write(tmp_path, text, name="p101.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_contract_example_loads(tmp_path):
    rx = load_prescription(write(tmp_path, GOOD))
    assert (rx.patient, rx.timezone, str(rx.start), str(rx.end)) == ("p101", "America/New_York", "2026-10-01", "2026-12-31")
    (plan,) = rx.exercises
    assert (plan.name, plan.sides, plan.sets, plan.reps_per_set, plan.hold_s, plan.rom_deg) == (
        "hip_external_rotation", ("left", "right"), 3, 10, 5.0, 30.0)
    assert plan.reps_per_day == 30


@pytest.mark.parametrize("change, key", [
    (("patient = \"p101\"", ""), "key patient: missing"),
    (("timezone = \"America/New_York\"", "timezone = \"Mars/Olympus_Mons\""), "key timezone:"),
    (("start = 2026-10-01", "start = \"2026-13-01\""), "key start:"),
    (("start = 2026-10-01", "start = 2026-10-01T09:00:00"), "key start:"),
    (("end = 2026-12-31", "end = 2026-09-01"), "key end:"),
    (("end = 2026-12-31", "end = 2026-12-31\nnurse = \"x\""), "key nurse: unknown key"),
    (("sets = 3", "sets = 0"), "key exercise[1].sets:"),
    (("sets = 3", ""), "key exercise[1].sets: missing"),
    (("rom_deg = 30", "rom_deg = 30\nrom = 30"), "key exercise[1].rom: unknown key"),
    (("sides = [\"left\", \"right\"]", "sides = [\"up\"]"), "key exercise[1].sides:"),
    (("hold_s = 5", "hold_s = -1"), "key exercise[1].hold_s:"),
    (("days_per_week = 7", "days_per_week = 8"), "key exercise[1].days_per_week:"),
    (("days_per_week = 7", ""), "key exercise[1].days_per_week: missing"),
    (("days_per_week = 7", "days_per_week = 7\nmovement_s = 0"), "key exercise[1].movement_s: expected a number > 0"),
    (("[[exercise]]", "[exercise]"), "key exercise:"),
    (("sets = 3", "sets = 3000"), "key exercise[1].sets: expected a whole number 1..50, got 3000"),
    (("rom_deg = 30", "rom_deg = 300"), "key exercise[1].rom_deg: expected a number 0..180, got 300"),
    (("hold_s = 5", "hold_s = 3600"), "key exercise[1].hold_s: expected a number 0..600, got 3600"),
    (("name = \"hip_external_rotation\"", "name = \"hip_er\""), "key exercise[1].name: 'hip_er' is not one of hip_external_rotation"),
    (("sets = 3", "sets = 3 3"), "invalid TOML"),
    (("days_per_week = 7", "days_per_week = 7\nknee_out = 1"), "key exercise[1].knee_out: expected true or false, got 1"),
    (("name = \"hip_external_rotation\"", "name = \"knee_extension\"\nknee_out = true"),
     "key exercise[1].knee_out: knee_extension has no knee-out variant"),
])
def test_each_mistake_names_the_file_and_key(tmp_path, change, key):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_prescription(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and key in message and "\n" not in message


def test_one_prescription_names_several_exercises(tmp_path):
    knee = GOOD.split("[[exercise]]")[1].replace("hip_external_rotation", "knee_extension").replace("rom_deg = 30", "rom_deg = 60")
    rx = load_prescription(write(tmp_path, GOOD + "\n[[exercise]]" + knee))
    assert [(p.name, p.rom_deg) for p in rx.exercises] == [("hip_external_rotation", 30.0), ("knee_extension", 60.0)]
    assert rx.plan("knee_extension").sides == ("left", "right")


def test_a_folder_loads_every_file_and_refuses_a_patient_s_days_prescribed_twice(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("p101", "p202").replace("America/New_York", "Asia/Kolkata"), "b.toml")
    assert sorted(load_prescriptions(tmp_path)) == ["p101", "p202"]
    write(tmp_path, GOOD, "z.toml")  # the same days again (sorted after p101.toml)
    with pytest.raises(ConfigError, match=r"z\.toml: key start: p101's prescription 2026-10-01\.\.2026-12-31 overlaps"
                                          r" 2026-10-01\.\.2026-12-31 in .*p101\.toml"):
        load_prescriptions(tmp_path)


@pytest.mark.parametrize("days_per_week, due", [(7, [1, 2, 3, 4, 5, 6, 7]), (5, [1, 1, 2, 3, 3, 4, 5]),
                                               (3, [1, 1, 1, 2, 2, 3, 3]), (1, [1] * 7)])
def test_a_week_cut_short_by_the_end_is_due_its_share_of_the_days(tmp_path, days_per_week, due):
    # (a week of 1..7 days: as many as n days a week spread evenly put on its first days; 7 days: n)
    rx = load_prescription(write(tmp_path, GOOD.replace("days_per_week = 7", f"days_per_week = {days_per_week}")))
    (plan,) = rx.exercises
    assert [plan.days_due(week_days) for week_days in range(1, 8)] == due


def test_sessions_per_day_alone_means_every_day_times_sessions(tmp_path):
    rx = load_prescription(write(tmp_path, GOOD.replace("days_per_week = 7", "sessions_per_day = 2")))
    (plan,) = rx.exercises
    assert plan.reps_per_day == 60 and plan.exercise_days(7, {}) == frozenset(range(7))


def test_a_bad_prescription_exits_2_with_one_line(tmp_path):
    rx = write(tmp_path, GOOD.replace("sets = 3", "sets = \"three\""))
    result = CliRunner().invoke(cli, ["report", "--prescription", str(rx), str(tmp_path), "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {rx}: key exercise[1].sets: expected a whole number 1..50, got 'three'"]
    assert not (tmp_path / "r.csv").exists()


def _unlistable(monkeypatch, folder):
    """``folder`` cannot be listed or entered, as a folder with permission r-- (everything here runs
    as root, which may do anything)."""
    import os

    scandir, access = os.scandir, os.access
    hidden = os.fspath(folder)

    def refusing_scandir(path="."):
        if os.fspath(path) == hidden:
            raise PermissionError(13, "Permission denied", hidden)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (os.fspath(path) != hidden or not mode & os.X_OK)
                        and access(path, mode, **kw))


def test_a_prescription_folder_that_cannot_be_searched_is_said_as_a_prescription_folder(tmp_path, monkeypatch):
    rx = tmp_path / "rx"
    rx.mkdir()
    write(rx, GOOD)
    (tmp_path / "data").mkdir()
    _unlistable(monkeypatch, rx)
    result = CliRunner().invoke(cli, ["report", "--prescription", str(rx), str(tmp_path / "data"),
                                      "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    # (it said "the recordings in it are not analysed")
    assert result.output.splitlines()[-1].startswith(f"Error: {rx}: a folder that cannot be searched (permission"
                                                     " denied): the prescriptions in it are not read")
    assert not (tmp_path / "r.csv").exists()


def test_a_prescription_subfolder_that_cannot_be_searched_is_named_not_skipped(tmp_path, monkeypatch):
    write(tmp_path, GOOD)
    (tmp_path / "clinic_b").mkdir()
    write(tmp_path / "clinic_b", GOOD.replace("p101", "p202"), "p202.toml")
    _unlistable(monkeypatch, tmp_path / "clinic_b")
    failed = []
    assert sorted(load_prescriptions(tmp_path, failed)) == ["p101"]
    # (p202's prescription was left out without a word: their recordings "had no prescription")
    assert failed == [(tmp_path / "clinic_b", f"{tmp_path / 'clinic_b'}: a folder that cannot be searched"
                                              " (permission denied): the prescriptions in it are not read")]
    with pytest.raises(ConfigError, match=r"clinic_b: a folder that cannot be searched .*prescriptions in it"):
        load_prescriptions(tmp_path)  # (without a list for failures: an error)

"""A file name that is not UTF-8 (Linux allows any byte in one): analysed like any other, and named
in every output with its odd bytes written ``\\xNN`` (``bad\\xffname.csv`` for the bytes ``bad``,
0xFF, ``name.csv``), never a traceback. The rule is in docs/formats.md (the ``path`` column)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import sys

import pytest

from conftest import Tree, as_patient, lines, run

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a file name of any bytes: Linux")

#: the bytes of the name (0xFF is never UTF-8), and how every output writes it
BAD = b"bad\xffname"
SHOWN = "bad\\xffname"


@pytest.fixture
def odd(workspace):
    """``data/`` with ``bad\\xffname.csv`` (sim_1 renamed, with its sidecar), ``broken\\xfe.csv`` (a bad
    cell on line 2) and ``sim_2.csv``; all the patient p001's."""
    data = workspace / "data"
    as_patient(data)
    os.rename(os.fsencode(data / "sim_1.csv"), os.fsencode(data) + b"/" + BAD + b".csv")
    os.rename(os.fsencode(data / "sim_1.json"), os.fsencode(data) + b"/" + BAD + b".json")
    with open(os.fsencode(data) + b"/broken\xfe.csv", "w") as handle:
        handle.write("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,1,2,3,4,5,x\n")
    return workspace


def test_analyze_writes_the_name_with_its_bytes_escaped_and_analyses_the_file(odd):
    tree = Tree(odd)
    result = run("analyze", "data", "--out", "out", cwd=odd)
    assert result.returncode == 1, result.stderr  # (the broken file: a per-file failure, as any)
    assert "Traceback" not in result.stderr
    assert "data/broken\\xfe.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)" in lines(result.stderr)
    tree.assert_only_changed_under("out")
    with open(odd / "out" / "sessions.csv", newline="", encoding="utf-8") as handle:
        rows = {row["recording"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ["bad\\xffname", "broken\\xfe", "sim_2"]
    ok = rows[SHOWN]
    assert ok["path"] == f"data/{SHOWN}.csv" and ok["status"] == "ok"
    # analysed as it is under any name: the same columns as its copy under its first name would give
    assert int(ok["reps_counted"]) == int(rows["sim_2"]["reps_counted"]) == 3
    assert rows["broken\\xfe"]["error"] == "data/broken\\xfe.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"
    with open(odd / "out" / "reps.csv", newline="", encoding="utf-8") as handle:
        reps = [row for row in csv.DictReader(handle) if row["recording"] == SHOWN]
    assert len([r for r in reps if r["rep"]]) == 3


def test_report_convert_and_plot_name_it_the_same_way(odd):
    (odd / "data" / "sim_2.csv").unlink()  # (bad\xffname.csv alone for hip ER on the left)
    (odd / "data" / "sim_2.json").unlink()
    tree = Tree(odd)
    report = run("report", "--prescription", "rx/p001.toml", "data", "--out", "out/r.csv", "--summary",
                 "out/s.csv", "--log", "out/r.log", "--as-of", "2026-11-03", cwd=odd)
    assert report.returncode == 1 and "Traceback" not in report.stderr, report.stderr
    assert (odd / "out" / "r.log").read_text(encoding="utf-8").splitlines()[1:] == [
        "data/broken\\xfe.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"]
    with open(odd / "out" / "r.csv", newline="", encoding="utf-8") as handle:
        sources = {row["source_recordings"] for row in csv.DictReader(handle)}
    assert SHOWN in sources  # (its reps counted on its day)

    converted = run("convert", f"data/{os.fsdecode(BAD)}.csv", "--out", "out/conv", cwd=odd)
    assert converted.returncode == 0, converted.stderr
    assert converted.stdout.startswith(f"data/{SHOWN}.csv -> out/conv/{SHOWN}.csv ("), converted.stdout
    # the converted file has the same name, bytes and all (a name is a name, not text to rewrite)
    assert sorted(os.listdir(os.fsencode(odd / "out" / "conv"))) == [BAD + b".csv", BAD + b".json"]

    pytest.importorskip("matplotlib")
    plotted = run("plot", f"data/{os.fsdecode(BAD)}.csv", "--out", "out/p.png", cwd=odd)
    assert plotted.returncode == 0 and plotted.stderr == "", plotted.stderr  # (its title: bad\xffname)
    tree.assert_only_changed_under("out")


def test_the_dashboard_names_it_in_its_json(odd, monkeypatch):
    pytest.importorskip("starlette")
    from starlette.responses import JSONResponse

    from sensorkit.report import load_prescriptions
    from sensorkit.web.dashboard_data import DashboardData

    monkeypatch.chdir(odd)  # (put back after the test)
    data = DashboardData(load_prescriptions(odd / "rx" / "p001.toml"), ["data"], as_of=None)
    data.refresh()
    listed = json.loads(JSONResponse(data.patients()).body)  # (as the page gets it: UTF-8 JSON)
    assert listed["failed"] == [{"recording": "broken\\xfe.csv",
                                 "reason": "data/broken\\xfe.csv: line 2: column gyr_z: 'x' is not a number (1 of 1 data lines malformed; at most 1% can be left out)"}]
    page = json.loads(JSONResponse(data.patient("p001")).body)
    (session,) = [s for s in page["sessions"] if s["recording"] == SHOWN]
    assert json.loads(JSONResponse(data.recording(session["id"])).body)["recording"] == SHOWN
    assert SHOWN in data.report_csv().encode("utf-8").decode()


def test_the_rule_is_the_one_escape_controls_follows():
    from sensorkit.errors import escape_controls, name_text

    name = os.fsdecode(b"data/bad\xffname\n.csv")
    assert name_text(name) == "data/bad\\xffname\n.csv"  # (a table's path column: the name itself)
    assert escape_controls(name) == "data/bad\\xffname\\n.csv"  # (a message: one line)
    assert name_text("\u00ff.csv") == "\u00ff.csv"  # (the character ÿ, a UTF-8 name: as it is)
    assert os.fsencode(name).decode("utf-8", "backslashreplace") == name_text(name)


def test_convert_names_two_such_recordings_of_one_name_the_same_way(odd):
    other = os.fsencode(odd / "other")
    os.mkdir(other)
    for suffix in (b".csv", b".json"):
        shutil.copy(os.fsencode(odd / "data") + b"/" + BAD + suffix, other + b"/" + BAD + suffix)
    result = run("convert", f"data/{os.fsdecode(BAD)}.csv", f"other/{os.fsdecode(BAD)}.csv", "--out", "out", cwd=odd)
    assert result.returncode == 1
    assert lines(result.stderr) == [f"other/{SHOWN}.csv: the recording name '{SHOWN}' is also that of data/{SHOWN}.csv;"
                                    " not overwritten"]  # (it said 'bad\udcffname')


def test_a_byte_and_its_written_form_name_two_recordings_apart(odd):
    # (0xFF and a typed "\\xff" read alike once the byte is written \\xNN: the second gets ~2)
    from sensorkit.io.discover import recording_names

    data = odd / "data"
    typed = data / (SHOWN + ".csv")
    shutil.copy(data / "sim_2.csv", typed)
    byte = os.fsdecode(os.fsencode(data) + b"/" + BAD + b".csv")
    names = recording_names([byte, typed])
    assert sorted(names.values()) == [SHOWN, SHOWN + "~2"]
    result = run("analyze", byte, typed, "--out", odd / "out")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((odd / "out" / "sessions.csv").open(encoding="utf-8")))
    assert sorted(r["recording"] for r in rows) == [SHOWN, SHOWN + "~2"]

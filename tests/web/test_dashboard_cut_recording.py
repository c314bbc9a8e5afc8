"""What a clinic running the dashboard over patients' folders reads of a recording the logger cut
short (it crashed mid-line), and of the recordings not in the report.

The reader drops the cut last line with a warning; the recording's page shows its warnings (they
were on stderr and in ``--log`` only), and the movement the data's end cut says so instead of "did
not return to rest". "Recordings not in the report" names each file below the folder given (whose
patient's folder it is), not by its bare name, which two patients' files of one day share."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.pipeline.segment import CUT_BY_END
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
#: sim_9010 is demo-p083's left-side session of 2026-11-09 (America/New_York)
RX = rx_toml("demo-p083", "America/New_York", "2026-11-07", "2026-11-12",
             exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right")))
BROKEN = "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0,0,0,9.8,0,0,x\n"


def cut_in_a_hold(source: Path, target: Path) -> float:
    """``source`` (a recording and its sidecar) copied as ``target``, its data ending halfway
    through the third counted rep's hold, the last line cut mid-number as a crashed logger leaves
    it; returns the time (s) of the last whole line."""
    from sensorkit import read_recording
    from sensorkit.pipeline import Pipeline

    rec = read_recording(source)
    counted = [r for r in Pipeline(meta=rec.meta.to_dict()).run(rec.samples) if r.counted]
    middle_s = (counted[2].out_end_s + counted[2].return_start_s) / 2
    lines = source.read_text().splitlines(keepends=True)
    keep = 1 + int((rec.samples.t <= middle_s).sum())  # (the header, the lines up to the middle of the hold)
    target.write_text("".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2])
    shutil.copy(source.with_suffix(".json"), target.with_suffix(".json"))
    return float(rec.samples.t[keep - 2])


@pytest.fixture
def clinic(tmp_path):
    """demo-p083's folder: sim_9010 cut short in a hold; two patients' folders with a broken file of
    the same name each."""
    data = tmp_path / "data"
    for folder in ("demo-p083", "p1", "p2"):
        (data / folder).mkdir(parents=True)
    last_s = cut_in_a_hold(RECORDINGS / "sim_9010.csv", data / "demo-p083" / "sim_9010.csv")
    for folder in ("p1", "p2"):
        (data / folder / "2026-11-03.csv").write_text(BROKEN)
    (tmp_path / "rx").mkdir()
    (tmp_path / "rx" / "demo-p083.toml").write_text(RX)
    return tmp_path, last_s


def dashboard(root: Path) -> DashboardData:
    data = DashboardData(load_prescriptions(root / "rx"), [root / "data"], as_of=date(2026, 11, 12),
                         include_simulated=True)
    data.refresh()
    return data


def test_a_recording_cut_short_shows_the_readers_warning_and_its_cut_rep_says_the_data_ended(clinic):
    root, last_s = clinic
    data = dashboard(root)
    (session,) = data.patient("demo-p083")["sessions"]
    opened = data.recording(session["id"])
    (warning,) = [w for w in opened["warnings"] if "incomplete last line" in w]
    assert "demo-p083/sim_9010.csv: line" in warning and "recording cut short?" in warning
    last = opened["reps"][-1]
    assert last["kind"] == "rejected" and last["reason"] == CUT_BY_END and last["end_s"] == round(last_s, 2)
    assert sum(r["kind"] != "rejected" for r in opened["reps"]) == 2  # (the two reps before it, counted)


def test_recordings_not_in_the_report_are_named_below_the_folder_given(clinic):
    root, _ = clinic
    failed = dashboard(root).patients()["failed"]
    assert sorted(f["recording"] for f in failed) == ["p1/2026-11-03.csv", "p2/2026-11-03.csv"]


def test_the_pages_show_them(clinic, page):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    root, _ = clinic
    data = dashboard(root)
    with ServerThread(dashboard_app(data)) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        problems = page.inner_text("#problems")
        assert "p1/2026-11-03.csv" in problems and "p2/2026-11-03.csv" in problems
        (session,) = data.patient("demo-p083")["sessions"]
        page.goto(server.url + f"recording/{session['id']}")
        page.wait_for_selector("body[data-ready='1'] #trace canvas")
        assert "incomplete last line dropped (recording cut short?)" in page.inner_text("#warnings")
        assert CUT_BY_END in page.inner_text("#view")  # (the last movement's note in the table)

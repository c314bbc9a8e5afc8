"""The dashboard's days as a therapist reads them: the report's day in progress on every side, the
report's day (not the window's end) marked as such, and prescriptions that could not be read named."""
from __future__ import annotations

from datetime import date

import pytest

from prescriptions import exercise, rx_toml
from sensorkit.errors import ConfigError
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData
from sim_clinic import RECORDINGS, sim_9010_clinic

#: sim_9010 is demo-p083's left-side session of 2026-11-09 (America/New_York)
RX = rx_toml("demo-p083", "America/New_York", "2026-11-07", "2026-11-12",
             exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right")))


@pytest.fixture
def clinic(tmp_path):
    return sim_9010_clinic(tmp_path, {"demo-p083.toml": RX})


def day(data: DashboardData, when: str) -> dict:
    (found,) = [d for d in data.patient("demo-p083")["calendar"] if d["date"] == when]
    return found


def test_the_report_s_day_is_in_progress_while_one_side_is_still_to_do(clinic):
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 11, 9),
                         include_simulated=True)
    data.refresh()
    today = day(data, "2026-11-09")
    left, right = sorted(today["parts"], key=lambda q: q["side"])
    assert left["reps_completed"] >= left["reps_prescribed"] and right["reps_completed"] == 0  # (left done, right not)
    # (not "100 %" from the left side alone: the day is not done, nor missed yet; both sides so far)
    assert today["in_progress"] and today["adherence_pct"] == 50.0
    assert data.patient("demo-p083")["report_day"] == "2026-11-09"


def test_a_finished_prescription_s_last_day_is_not_called_the_report_s_day(clinic):
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 11, 20),
                         include_simulated=True)
    data.refresh()
    page = data.patient("demo-p083")
    assert page["as_of"] == "2026-11-12" and page["report_day"] == "2026-11-20"  # (the windows end at the end)
    assert not any(d["in_progress"] for d in page["calendar"])
    assert day(data, "2026-11-12")["adherence_pct"] == 0.0  # (over: missed)


def test_prescriptions_that_could_not_be_read_are_named_on_the_patients_page(clinic):
    (clinic / "rx" / "p2.toml").write_text(RX.replace("demo-p083", "p2").replace("sets = 1", "sets = 0"))
    failed: list = []
    prescriptions = load_prescriptions(clinic / "rx", failed)
    data = DashboardData(prescriptions, [clinic / "data"], include_simulated=True, prescriptions_failed=failed,
                         prescription_path=clinic / "rx")
    data.refresh()
    (entry,) = data.patients()["prescriptions_failed"]
    assert entry["file"] == "p2.toml" and "key exercise[1].sets" in entry["reason"]
    assert [p["patient"] for p in data.patients()["patients"]] == ["demo-p083"]


def test_when_no_prescription_can_be_read_every_bad_file_is_named(clinic):
    (clinic / "rx" / "demo-p083.toml").write_text(RX.replace("sets = 1", "sets = 0"))
    (clinic / "rx" / "p2.toml").write_text("patient = ")
    with pytest.raises(ConfigError) as error:
        load_prescriptions(clinic / "rx", [])
    assert "demo-p083.toml" in str(error.value) and "(and 1 more unreadable: " in str(error.value)
    assert str(clinic / "rx" / "p2.toml") in str(error.value) and "\n" not in str(error.value)


def test_the_pages_show_it(clinic, page):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    (clinic / "rx" / "p2.toml").write_text(RX.replace("demo-p083", "p2").replace("sets = 1", "sets = 0"))
    failed: list = []
    data = DashboardData(load_prescriptions(clinic / "rx", failed), [clinic / "data"], as_of=date(2026, 11, 20),
                         include_simulated=True, prescriptions_failed=failed)
    with ServerThread(dashboard_app(data)) as server:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready='1']")
        assert "p2.toml" in page.inner_text("#prescriptions-failed")
        page.goto(server.url + "patient/demo-p083")
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator(".day.today").count() == 0  # (the report's day, 11-20, is after the prescription's end)
        assert "as of 2026-11-20 (the prescription ended 2026-11-12" in page.inner_text("body")
        title = page.locator(".day[data-date='2026-11-09']").get_attribute("title")
        assert "left " in title and "right 0 of 5" in title  # (each side's reps, not one sum)


def copy_of_sim_9010(clinic, name: str, started_at: str, left_out: int = 1) -> None:
    """sim_9010 (hip ER, left) again as NAME, started at ``started_at``: another session (its last
    ``left_out`` samples left out, so that it is no identical copy, which the report counts once)."""
    import json

    lines = (RECORDINGS / "sim_9010.csv").read_text().splitlines(keepends=True)
    (clinic / "data" / f"{name}.csv").write_text("".join(lines[:-left_out]))
    meta = json.loads((RECORDINGS / "sim_9010.json").read_text())
    (clinic / "data" / f"{name}.json").write_text(json.dumps({**meta, "started_at": started_at}))


def test_a_day_counts_the_reps_of_what_was_scheduled_that_day_only(clinic):
    # (hip ER one day a week, from 11-08, done on 11-08 and again on 11-09: 11-09 an extra day; knee
    # extension every day: on 11-09 the hip reps done are not knee-extension reps)
    copy_of_sim_9010(clinic, "sun", "2026-11-08T09:00:00-05:00")
    (clinic / "rx" / "demo-p083.toml").write_text(
        rx_toml("demo-p083", "America/New_York", "2026-11-08", "2026-11-12",
                exercise("hip_external_rotation", 20.0, hold_s=2.5, sides=("left", "right"), days_per_week=1),
                exercise("knee_extension", 50.0, hold_s=2)))
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 11, 10),
                         include_simulated=True)
    data.refresh()
    monday = day(data, "2026-11-09")
    hip = [q for q in monday["parts"] if q["exercise"] == "hip_external_rotation" and q["side"] == "left"]
    assert hip[0]["reps_prescribed"] == 0 and hip[0]["reps_completed"] > 0  # (done, on a day not scheduled)
    assert (monday["reps_completed"], monday["reps_prescribed"], monday["adherence_pct"]) == (0, 5, 0.0)


def test_a_weekly_target_credits_the_days_done_and_shows_a_miss_once_the_week_is_over(clinic):
    # (3 days a week from Sunday 11-01: done on Monday 11-02 and Tuesday 11-03, not on the start's weekday)
    (clinic / "data" / "sim_9010.csv").unlink()
    (clinic / "data" / "sim_9010.json").unlink()
    copy_of_sim_9010(clinic, "mon", "2026-11-02T09:00:00-05:00")
    copy_of_sim_9010(clinic, "tue", "2026-11-03T09:00:00-05:00", left_out=2)
    (clinic / "rx" / "demo-p083.toml").write_text(
        rx_toml("demo-p083", "America/New_York", "2026-11-01", None,
                exercise("hip_external_rotation", 20.0, hold_s=2.5, days_per_week=3)))
    rx = load_prescriptions(clinic / "rx")
    data = DashboardData(rx, [clinic / "data"], as_of=date(2026, 11, 4), include_simulated=True)
    data.refresh()
    calendar = {d["date"][-2:]: d for d in data.patient("demo-p083")["calendar"]}
    # (the week's third day is its last, Saturday 11-07, still to come: nothing missed yet)
    assert {d: c["adherence_pct"] for d, c in calendar.items() if c["scheduled"]} == {"02": 100.0, "03": 100.0}
    assert calendar["02"]["reps_prescribed"] == 5 and calendar["04"]["reps_prescribed"] == 0
    assert (data.patients()["patients"][0]["adherence_7d_pct"]) == 100.0
    data = DashboardData(rx, [clinic / "data"], as_of=date(2026, 11, 8), include_simulated=True)
    data.refresh()
    calendar = {d["date"][-2:]: d for d in data.patient("demo-p083")["calendar"]}
    assert [d for d, c in calendar.items() if c["scheduled"]] == ["02", "03", "07"]
    assert calendar["07"]["adherence_pct"] == 0.0 and not calendar["07"]["future"]  # (over: missed)
    (patient,) = data.patients()["patients"]
    assert patient["adherence_7d_pct"] == round(200 / 3, 1)  # (11-02..11-08: 100, 100 and 0 %)
    assert [(r["date"], r["reps_prescribed"] > 0) for r in data._rows("demo-p083")] == [
        (f"2026-11-{d:02}", d in (2, 3, 7)) for d in range(1, 9)]  # (the report's rows, the same days)


def test_the_calendar_shows_the_week_s_days_done_and_an_extra_day_as_such(clinic, page):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
    pytest.importorskip("pytest_playwright", reason="the webtest extra is not installed: pip install -e '.[web,webtest]'")
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.serve import ServerThread

    # (3 days a week from Sunday 11-01, done Monday to Thursday: Thursday is a fourth, extra day)
    (clinic / "data" / "sim_9010.csv").unlink()
    (clinic / "data" / "sim_9010.json").unlink()
    for left_out, day in enumerate((2, 3, 4, 5), start=1):
        copy_of_sim_9010(clinic, f"nov{day}", f"2026-11-0{day}T09:00:00-05:00", left_out)
    (clinic / "rx" / "demo-p083.toml").write_text(
        rx_toml("demo-p083", "America/New_York", "2026-11-01", None,
                exercise("hip_external_rotation", 20.0, hold_s=2.5, days_per_week=3)))
    data = DashboardData(load_prescriptions(clinic / "rx"), [clinic / "data"], as_of=date(2026, 11, 8),
                         include_simulated=True)
    with ServerThread(dashboard_app(data)) as server:
        page.goto(server.url + "patient/demo-p083")
        page.wait_for_selector("body[data-ready='1']")
        cell = lambda d: page.locator(f".day[data-date='2026-11-{d:02}']")  # noqa: E731
        for d in (2, 3, 4):
            assert "good" in cell(d).get_attribute("class").split() and "100%" in cell(d).inner_text()
        for d in (1, 5, 6, 7):  # (the week's three days are done: none of its others is missed)
            assert "off" in cell(d).get_attribute("class").split()
        thursday = next(d for d in data.patient("demo-p083")["calendar"] if d["date"] == "2026-11-05")
        assert f"{thursday['reps_completed']} reps" in cell(5).inner_text()  # (its reps shown, not counted)
        assert "an extra day" in cell(5).get_attribute("title")
        assert "any 3 days a week" in page.inner_text("body")

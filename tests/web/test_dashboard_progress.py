"""``sensorkit dashboard`` says that it is analysing, and how far it got, before its address: on 800
recordings it was silent for 92 s (review 35, finding 13)."""
from __future__ import annotations

from sensorkit.cli.dashboard import PROGRESS_EVERY_S, Progress
from sensorkit.report import load_prescriptions
from sensorkit.web.dashboard_data import DashboardData
from test_web_cli import start


def test_progress_is_said_at_once_then_every_few_seconds():
    lines: list[str] = []
    now = [100.0]
    progress = Progress(800, lines.append, clock=lambda: now[0])
    assert lines == ["analysing 800 recording(s) found; the address follows when they are done"]
    for analysed in range(1, 41):
        now[0] += PROGRESS_EVERY_S / 4
        progress(analysed)
    assert lines[1:] == [f"analysed {n} of 800 ({n * PROGRESS_EVERY_S / 4:.0f} s)" for n in (4, 8, 12, 16, 20, 24,
                                                                                              28, 32, 36, 40)]


def test_a_refresh_tells_each_file_it_analyses_not_those_it_reuses(clinic):
    data = DashboardData(load_prescriptions(clinic["rx"]), [clinic["data"]], as_of=None)
    told: list[int] = []
    data.refresh(on_analysed=told.append)
    assert told == list(range(1, data.analyses + 1)) and data.analyses > 1
    data.refresh(on_analysed=told.append)  # (nothing changed: every result reused)
    assert len(told) == data.analyses


def test_the_command_says_it_is_analysing_before_its_address(clinic):
    proc = start(["dashboard", "--prescription", str(clinic["rx"]), str(clinic["data"]), "--port", "0",
                  "--as-of", clinic["as_of"], "--no-browser"], clinic["root"])
    try:
        first = proc.stderr.readline()
    finally:
        proc.kill()
        proc.communicate(timeout=20)
    assert first.startswith("analysing ") and first.rstrip().endswith("recording(s) found; the address follows"
                                                                      " when they are done")

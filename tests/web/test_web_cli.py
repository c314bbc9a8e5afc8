"""``sensorkit live --web`` and ``sensorkit dashboard`` as a user runs them (subprocesses)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install -e '.[web,webtest]'")

from prescriptions import exercise, rx_toml  # noqa: E402


def start(args: list[str], cwd, env: dict | None = None) -> subprocess.Popen:
    # (SIGINT at its default, as in a terminal's foreground: a suite started in the background by a
    # shell has SIGINT ignored, and the command would inherit that)
    return subprocess.Popen([sys.executable, "-m", "sensorkit", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def address(proc: subprocess.Popen, prefix: str, timeout_s: float = 60.0) -> str:
    """The URL the command prints on stderr after ``prefix``."""
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        seen.append(line)
        if line.startswith(prefix):
            return line[len(prefix):].split()[0]
    proc.kill()
    raise AssertionError(f"no {prefix!r} line; stderr: {''.join(seen)}")


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_live_web_serves_the_session_and_records_it(tmp_path):
    (tmp_path / "rx.toml").write_text(rx_toml("p101", "Europe/Berlin", "2026-01-01", None,
                                              exercise("hip_external_rotation", 25.0, 1.0, reps_per_set=4, sets=2)))
    proc = start(["live", "--simulate", "--web", "--no-browser", "--port", "0", "--speed", "8", "--duration-s", "30",
                  "--out", "out", "--name", "s1", "--prescription", "rx.toml", "--patient", "p101"], tmp_path)
    url = address(proc, "live page: ")
    assert url.startswith("http://127.0.0.1:")
    assert b"<title>sensorkit live</title>" in get(url)
    snapshot = json.loads(get(url + "api/state"))
    assert snapshot["session"]["patient"] == "p101"
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "done (closed)" in stdout and "s1.csv" in stdout
    sidecar = json.loads((tmp_path / "out" / "s1.json").read_text())
    assert sidecar["patient"] == "p101" and sidecar["target_rom_deg"] == 25.0 and sidecar["target_hold_s"] == 1.0


def test_live_simulate_web_waits_for_the_page_it_opens_before_streaming(tmp_path):
    # (BROWSER: the command Python's webbrowser runs to open the page; `true` opens nothing, as a
    # browser slow to start has not yet)
    proc = start(["live", "--simulate", "--web", "--port", "0", "--speed", "8", "--duration-s", "20",
                  "--out", "out", "--name", "s3"], tmp_path, env=os.environ | {"BROWSER": "true"})
    url = address(proc, "live page: ")
    assert proc.stderr.readline().startswith("the simulated session starts when the page opens")
    time.sleep(1.0)  # 8 s of the simulated session at 8x, were it streaming
    assert json.loads(get(url + "api/state"))["state"] == {}
    with urllib.request.urlopen(url + "events", timeout=60) as events:  # the page opens
        first = next(line for line in events if line.startswith(b"data: "))
        assert json.loads(first[len(b"data: "):])["reps"] == []
        stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "done (closed)" in stdout and json.loads((tmp_path / "out" / "s3.json").read_text())["n_samples"] > 0


def test_live_prescription_without_the_patient_is_refused_in_one_line(tmp_path):
    (tmp_path / "rx.toml").write_text(rx_toml("p101", "Europe/Berlin", "2026-01-01", None,
                                              exercise("hip_external_rotation", 25.0)))
    out = subprocess.run([sys.executable, "-m", "sensorkit", "live", "--simulate", "--web", "--no-browser",
                          "--out", "out", "--prescription", "rx.toml", "--patient", "p777"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    error = out.stderr.strip().splitlines()[-1]  # (a first run may announce compiling before it)
    assert out.returncode == 2 and error == "error: rx.toml: no prescription for patient 'p777'"
    assert not (tmp_path / "out").exists()


def test_dashboard_serves_the_report_until_interrupted(clinic):
    proc = start(["dashboard", "--prescription", str(clinic["rx"]), str(clinic["data"]), "--port", "0",
                  "--as-of", clinic["as_of"], "--no-browser"], clinic["root"])
    url = address(proc, "dashboard: ")
    assert get(url + "download/report.csv") == clinic["report"].read_bytes()
    assert [p["patient"] for p in json.loads(get(url + "api/patients"))["patients"]] == ["p101", "p202"]
    proc.send_signal(signal.SIGTERM)  # as a service manager stops it (Ctrl-C is SIGINT, the same)
    _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0 and stderr.rstrip().endswith("stopped")


def test_live_web_stops_on_ctrl_c_with_the_recording_closed(tmp_path):
    proc = start(["live", "--simulate", "--web", "--no-browser", "--port", "0", "--speed", "4", "--out", "out",
                  "--name", "s2"], tmp_path)
    url = address(proc, "live page: ")
    deadline = time.monotonic() + 30
    while json.loads(get(url + "api/state"))["state"].get("link", {}).get("samples_saved", 0) < 200:
        assert time.monotonic() < deadline, "no samples arrived"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0 and stderr.rstrip().endswith("stopped"), stderr
    assert json.loads((tmp_path / "out" / "s2.json").read_text())["stream"]["ended_by"] == "closed"

"""Who may open the pages, and what a request can name (starlette's TestClient, no browser)."""
from __future__ import annotations

import os
from datetime import date

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install -e '.[web,webtest]'")
TestClient = pytest.importorskip("starlette.testclient", reason="starlette's TestClient needs httpx2 (the webtest extra)").TestClient

from sensorkit.report import load_prescriptions  # noqa: E402
from sensorkit.web.access import AccessGuard, is_loopback, page_url  # noqa: E402
from sensorkit.web.dashboard_app import dashboard_app  # noqa: E402
from sensorkit.web.dashboard_data import DashboardData  # noqa: E402
from sensorkit.web.live_app import live_app  # noqa: E402
from sensorkit.web.live_hub import LiveHub  # noqa: E402
from sensorkit.web.serve import WebServer  # noqa: E402


def test_loopback_pages_refuse_a_foreign_host_name():
    client = TestClient(AccessGuard(live_app(LiveHub()), token=None), base_url="http://127.0.0.1:8765")
    assert client.get("/").status_code == 200
    assert client.get("/api/state").json()["reps"] == []
    refused = client.get("/", headers={"host": "attacker.example:8765"})
    assert refused.status_code == 403 and "loopback" in refused.text


def test_another_host_needs_the_token_then_keeps_it_in_a_cookie():
    guard = AccessGuard(live_app(LiveHub()), token="s3cret-token")
    client = TestClient(guard, base_url="http://192.0.2.10:8765")
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    first = client.get("/?token=s3cret-token")
    assert first.status_code == 200 and "sensorkit_token" in first.headers["set-cookie"]
    assert client.get("/static/live.js").status_code == 200  # the cookie carries it
    assert TestClient(guard, base_url="http://192.0.2.10:8765").get("/static/live.js").status_code == 403


def test_a_server_on_all_addresses_gets_a_token_and_a_warning():
    server = WebServer(live_app(LiveHub()), "0.0.0.0", 0)
    try:
        assert server.token and f"?token={server.token}" in server.url and server.warning
    finally:
        server.socket.close()
    local = WebServer(live_app(LiveHub()), "127.0.0.1", 0)
    try:
        assert local.token is None and local.warning is None and local.url == f"http://127.0.0.1:{local.port}/"
    finally:
        local.socket.close()
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    assert page_url("::1", 8000, None) == "http://[::1]:8000/"


@pytest.fixture(scope="module")
def dashboard(clinic):
    data = DashboardData(load_prescriptions(clinic["rx"]), [clinic["data"]], as_of=date.fromisoformat(clinic["as_of"]))
    data.refresh()
    client = TestClient(AccessGuard(dashboard_app(data, rescan_s=0), token=None), base_url="http://127.0.0.1")
    return data, client


def test_downloads_are_the_bytes_sensorkit_report_writes(clinic, dashboard):
    _, client = dashboard
    report = client.get("/download/report.csv")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert report.content == clinic["report"].read_bytes()
    assert client.get("/download/summary.csv").content == clinic["summary"].read_bytes()


def test_each_recording_is_analysed_once_while_unchanged(clinic, dashboard):
    data, client = dashboard
    before = data.analyses
    assert before == 11  # 8 reported, 2 skipped, 1 broken
    client.get("/api/patients")
    client.get("/api/patient/p101")
    assert data.analyses == before
    changed = clinic["data"] / "clinic_b" / "p202_1030.csv"
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # same bytes, newer
    client.get("/api/patients")
    assert data.analyses == before + 1
    assert client.get("/download/report.csv").content == clinic["report"].read_bytes()


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fcli%2f__init__.py",
    "/api/recording/..%2F..%2Fetc%2Fpasswd", "/api/recording/%2Fetc%2Fpasswd", "/recording/x/../../../etc/passwd",
    "/api/patient/..%2Frx%2Fp101.toml", "/download/..%2F..%2Fetc%2Fpasswd",
])
def test_no_request_names_a_file_outside_the_package_or_the_given_folders(dashboard, path):
    _, client = dashboard
    response = client.get(path)
    assert response.status_code in (404, 405) or (response.status_code == 200 and "root:" not in response.text
                                                  and "<title>sensorkit dashboard</title>" in response.text)


def test_recordings_are_named_by_opaque_ids_and_only_the_patient_pseudonym_is_shown(dashboard):
    _, client = dashboard
    patient = client.get("/api/patient/p101").json()
    ids = [s["id"] for s in patient["sessions"]]
    assert len(ids) == 6 and all(len(i) == 16 and "/" not in i for i in ids)
    recording = client.get(f"/api/recording/{ids[0]}").json()
    assert recording["patient"] == "p101" and len(recording["t_s"]) == len(recording["angle_deg"]) > 100
    assert "path" not in recording and str(dashboard[0].paths[0]) not in client.get(f"/api/recording/{ids[0]}").text
    assert client.get("/api/patient/p999").status_code == 404


def test_two_patients_folders_holding_files_of_one_name_are_both_shown(clinic, tmp_path):
    # (one folder per patient, each with its session1.csv: the report names them p101/session1 and
    # p202/session1; the dashboard once paired sessions by file stem and refused to start)
    import shutil

    for patient, source in (("p101", "clinic_a/p101_1026"), ("p202", "clinic_a/p202_1027")):
        (tmp_path / patient).mkdir()
        for suffix in (".csv", ".json"):
            shutil.copy(clinic["data"] / f"{source}{suffix}", tmp_path / patient / f"session1{suffix}")
    data = DashboardData(load_prescriptions(clinic["rx"]), [tmp_path], as_of=date.fromisoformat(clinic["as_of"]))
    data.refresh()
    assert [len(data.patient(p)["sessions"]) for p in ("p101", "p202")] == [1, 1]

"""A session that never had data leaves a record: the CSV's header alone and a sidecar saying how it
ended (``n_samples`` 0, ``stream.ended_by``, ``stream.error``). Before, it left nothing, so nothing
on disk said a session was tried. Every command that reads recordings reads it as "no data", in
one line naming the file and how the session ended: not a failure, not a silent skip."""
import csv
import json
import math
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensorkit.ble import ConnectError, SensorNotFoundError, SensorSession, StreamRefusedError
from sensorkit.ble.link import LinkState
from sensorkit.ble.recorder import SessionRecorder, run_session
from sensorkit.ble.virtual import VirtualRadio, VirtualSensor
from sensorkit.ble.virtual.polar_firmware import PolarVerityFirmware
from sensorkit.cli import cli
from sensorkit.errors import NoDataError, RecordingError
from sensorkit.io import read_recording

from .conftest import synthetic_samples
from .test_recorder import Quiet

META = {"patient": "p1", "exercise": "hip_external_rotation", "side": "left", "sample_rate_hz": 52.0}
HEADER = "t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"


def refusing_polar(monkeypatch):
    """A Polar sensor that answers every start with ERROR_INVALID_RANGE (and streams nothing)."""
    sensor = VirtualSensor(PolarVerityFirmware(52.0), synthetic_samples(10.0, rate_hz=52.0), speed=20.0)
    monkeypatch.setattr(sensor.firmware, "_refusal", lambda mtype, tlv: 9)
    return sensor, VirtualRadio([sensor])


def session_on(radio, name, **options):
    return SensorSession(name, client_backend=radio.client_backend, scanner_backend=radio.scanner_backend,
                         sample_rate_hz=52.0, scan_timeout_s=0.2, backoff_initial_s=0.02, **options)


def record_refused(folder, run, monkeypatch, name="refused"):
    """A run whose sensor refuses its start: the record it leaves (CSV path) and the error."""
    sensor, radio = refusing_polar(monkeypatch)
    recorder = SessionRecorder(folder, name, META)
    with pytest.raises(StreamRefusedError) as error:
        run(run_session(session_on(radio, sensor.local_name, give_up_s=5.0), recorder, Quiet(), duration_s=10.0))
    return recorder.path, str(error.value)


def assert_read_as_no_data(csv_path, ended_by: str, why: str) -> None:
    """The record's sidecar says 0 samples and how the session ended, with no error; the reader
    says so in one line."""
    meta = sidecar(csv_path)
    assert meta["n_samples"] == 0 and meta["stream"]["ended_by"] == ended_by and "error" not in meta["stream"]
    with pytest.raises(NoDataError) as error:
        read_recording(csv_path)
    assert str(error.value) == (f"{csv_path}: no samples: the session ended before any came "
                                f"(stream.ended_by {ended_by}: {why})")


def sidecar(csv_path):
    return json.loads(csv_path.with_suffix(".json").read_text())


def test_a_sensor_refusing_its_start_leaves_a_header_and_a_sidecar_saying_why(tmp_path, run, monkeypatch):
    before = datetime.now().astimezone()
    path, error = record_refused(tmp_path, run, monkeypatch)
    assert error.endswith("refused to start ACC at 52 Hz (settings 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03):"
                          " ERROR_INVALID_RANGE")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refused.csv", "refused.json"]
    assert path.read_text() == HEADER
    meta = sidecar(path)
    assert meta["n_samples"] == 0 and meta["patient"] == "p1" and meta["side"] == "left"
    assert meta["stream"]["ended_by"] == "refused" and meta["stream"]["error"] == error
    assert meta["stream"]["received_samples"] == 0 and meta["stream"]["protocol"] == "polar_pmd"
    # dated when the session was tried
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(meta["started_at"]) <= datetime.now().astimezone()


def test_a_sensor_not_found_leaves_no_record(tmp_path, run):
    # (switched off, a name mistyped, no Bluetooth: no session with a sensor began)
    recorder = SessionRecorder(tmp_path, "absent", META)
    radio = VirtualRadio([])
    with pytest.raises(SensorNotFoundError):
        run(run_session(session_on(radio, "Polar Sense 1A2B3C4D"), recorder, Quiet(), duration_s=10.0))
    assert list(tmp_path.iterdir()) == []


def test_a_sensor_never_connected_within_the_give_up_time_leaves_a_record_of_the_give_up(tmp_path, run):
    sensor = VirtualSensor(PolarVerityFirmware(52.0), synthetic_samples(10.0, rate_hz=52.0), speed=20.0)
    sensor.refuse_connections(1000)  # (advertising, but every connection attempt fails)
    recorder = SessionRecorder(tmp_path, "unreachable", META)
    with pytest.raises(ConnectError) as error:
        run(run_session(session_on(VirtualRadio([sensor]), sensor.local_name, give_up_s=0.3), recorder, Quiet()))
    stream = sidecar(recorder.path)["stream"]
    assert (stream["ended_by"], stream["error"]) == ("gave_up", str(error.value))
    assert str(error.value) == "could not connect to F0:0D:00:00:00:01 (Polar Sense 1A2B3C4D) within 0.3 s"


def test_a_sensor_connected_but_silent_for_good_leaves_a_record_of_the_give_up(tmp_path, run, caplog):
    # (the first connection streams nothing: the watchdog's 7 s, then reconnects until the give-up)
    from .conftest import make_rig

    rig = make_rig("open_v1", speed=20.0)
    rig.sensor.mute(math.inf)
    recorder = SessionRecorder(tmp_path, "silent", META | {"sample_rate_hz": 104.0})
    session = session_on(rig.radio, rig.sensor.local_name, clock=rig.sensor.clock, give_up_s=0.3)
    run(run_session(session, recorder, Quiet(), duration_s=60.0))
    assert session.state is LinkState.GAVE_UP
    assert_read_as_no_data(recorder.path, "gave_up", "no link within the give-up time")


def test_a_header_only_csv_whose_sidecar_does_not_say_zero_samples_is_still_a_failure(tmp_path):
    # (a file cut or emptied: samples lost, not a session without data)
    (tmp_path / "cut.csv").write_text(HEADER)
    (tmp_path / "cut.json").write_text(json.dumps({"n_samples": 500}))
    with pytest.raises(Exception) as error:
        read_recording(tmp_path / "cut.csv")
    assert not isinstance(error.value, NoDataError) and "no samples (the file has a header and no data rows)" in str(
        error.value)


@pytest.fixture
def clinic(tmp_path, run, monkeypatch):
    """A folder holding a session without data (p1, today) and one with data (a committed recording)."""
    data = tmp_path / "data"
    path, error = record_refused(data, run, monkeypatch)
    recordings = Path(__file__).resolve().parents[2] / "recordings"
    for suffix in (".csv", ".json"):
        shutil.copy(recordings / f"sim_9013{suffix}", data / f"sim_9013{suffix}")
    line = f"{path}: no samples: the session ended before any came (stream.ended_by refused: {error})"
    return tmp_path, path, line


def test_analyze_says_the_session_had_no_data_in_one_line_and_writes_its_row(clinic):
    root, path, line = clinic
    result = CliRunner().invoke(cli, ["analyze", str(path), "--out", str(root / "one")])
    assert result.exit_code == 0, result.output  # (not a failure: nothing was lost)
    assert line in result.stderr.splitlines()
    assert "1 recording(s): 0 analyzed, 1 without data, 0 failed; 0 reps" in result.stderr
    with open(root / "one" / "sessions.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["status"], row["error"], row["patient"], row["side"], row["samples"], row["reps_counted"]) == (
        "no_data", line, "p1", "left", "0", "0")
    assert row["started_at"] == sidecar(path)["started_at"]


def test_analyze_over_a_folder_counts_it_apart_from_the_recordings_analysed(clinic):
    root, path, line = clinic
    result = CliRunner().invoke(cli, ["analyze", str(root / "data"), "--out", str(root / "all"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert line in result.stderr.splitlines()
    assert "2 recording(s): 1 analyzed, 1 without data, 0 failed" in result.stderr
    with open(root / "all" / "sessions.csv", newline="") as handle:
        rows = {row["recording"]: row for row in csv.DictReader(handle)}
    assert rows["refused"]["status"] == "no_data" and rows["sim_9013"]["status"] == "ok"
    with open(root / "all" / "reps.csv", newline="") as handle:
        assert {row["recording"] for row in csv.DictReader(handle)} == {"sim_9013"}


def test_report_counts_the_session_on_its_day_as_tried_without_data(clinic, run, monkeypatch):
    root, path, line = clinic
    # a second session tried that day: its CSV is the same header (an identical file is counted
    # once, as a copy), its sidecar another session's
    second, _ = record_refused(root / "data", run, monkeypatch, name="refused_again")
    assert second.read_bytes() == path.read_bytes()
    day = datetime.fromisoformat(sidecar(path)["started_at"]).astimezone(timezone.utc).date()
    (root / "p1.toml").write_text(f"""patient = "p1"
timezone = "UTC"
start = {day - timedelta(days=1)}
end = {day + timedelta(days=1)}

[[exercise]]
name = "hip_external_rotation"
sides = ["left"]
sets = 1
reps_per_set = 10
hold_s = 2
rom_deg = 20
days_per_week = 7
""")
    result = CliRunner().invoke(cli, ["report", "--prescription", str(root / "p1.toml"), str(root / "data"),
                                      "--out", str(root / "report.csv"), "--as-of", str(day + timedelta(days=1))])
    assert result.exit_code == 0, result.output
    assert line in result.stderr.splitlines()
    assert "1 patient(s), 0 session(s) reported, 2 without data, 1 skipped, 0 failed" in result.stderr
    with open(root / "report.csv", newline="") as handle:
        rows = {row["date"]: row for row in csv.DictReader(handle)}
    tried = rows[day.isoformat()]
    assert (tried["sessions"], tried["has_data"], tried["recordings_failed"]) == ("0", "false", "0")
    assert tried["adherence_pct"] == "0.0"  # (nothing lost: a day tried without data is a day without reps)
    # (both on that day, unless the second was tried just after midnight UTC: the next day)
    assert tried["sessions_without_data"] in ("1", "2")
    assert sum(int(row["sessions_without_data"]) for row in rows.values()) == 2


def test_plot_says_there_is_nothing_to_plot_in_one_line(clinic):
    pytest.importorskip("matplotlib")
    root, path, line = clinic
    result = CliRunner().invoke(cli, ["plot", str(path), "--out", str(root / "p.png")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {line}; nothing to plot\n" and not (root / "p.png").exists()


def test_samples_lost_to_a_full_disk_before_any_was_saved_are_a_failure_not_a_session_without_data(tmp_path):
    # the disk full at the first flush: the CSV keeps its header alone and the sidecar says
    # n_samples 0, as a session without data's does, but samples came and were lost (write_error)
    from sensorkit.io import RecordingWriter

    writer = RecordingWriter(tmp_path, "full", META, flush_interval_s=3600.0)

    class FullDisk:
        def __init__(self, file):
            self.file = file

        def write(self, text):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.file, name)

    writer._file = FullDisk(writer._file)
    writer.append(synthetic_samples(2.0, rate_hz=52.0))
    with pytest.raises(RecordingError):
        writer.flush()
    meta = writer.close()
    assert meta.n_samples == 0 and (tmp_path / "full.csv").read_text() == HEADER
    with pytest.raises(Exception) as error:
        read_recording(tmp_path / "full.csv")
    assert not isinstance(error.value, NoDataError)
    assert str(error.value) == (f"{tmp_path / 'full.csv'}: no samples: none of those received was saved "
                                "(full.json: write_error: no space left on the device; 104 samples not saved)")


def test_a_run_stopped_while_the_sensor_found_is_still_connecting_leaves_a_record_of_the_stop(tmp_path, run):
    # (Ctrl-C before the first connection: the session was tried; "the run was stopped first")
    import asyncio

    sensor = VirtualSensor(PolarVerityFirmware(52.0), synthetic_samples(10.0, rate_hz=52.0), speed=20.0)
    sensor.refuse_connections(100_000)
    recorder = SessionRecorder(tmp_path, "stopped", META)

    async def stopped_while_connecting():
        task = asyncio.ensure_future(run_session(session_on(VirtualRadio([sensor]), sensor.local_name, give_up_s=60.0),
                                                 recorder, Quiet(), duration_s=10.0))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(stopped_while_connecting())
    assert recorder.path.read_text() == HEADER
    assert_read_as_no_data(recorder.path, "closed", "stopped by the run before any sample came")


def test_a_run_that_never_streamed_gives_the_terminal_its_cursor_back(tmp_path, run, monkeypatch):
    # the live panel hides the cursor while it runs; a run that ended before any data (here: the
    # start refused) never closed it, and the terminal was left without a cursor
    import io

    from rich.console import Console

    from sensorkit.live import RichDisplay

    screen = io.StringIO()
    display = RichDisplay(Console(file=screen, force_terminal=True, width=100))
    sensor, radio = refusing_polar(monkeypatch)
    with pytest.raises(StreamRefusedError):
        run(run_session(session_on(radio, sensor.local_name, give_up_s=5.0), SessionRecorder(tmp_path, "r", META),
                        display, duration_s=10.0))
    text = screen.getvalue()
    assert "\x1b[?25l" in text and text.rindex("\x1b[?25h") > text.rindex("\x1b[?25l")  # hidden, then shown again

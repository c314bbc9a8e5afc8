"""``analyze`` tells a therapist a session that was cut short from one that ended as planned
(review 35, finding 5): a recorder killed mid-session and a sensor lost and given up on each get
one line in ``sessions.csv``'s ``warnings`` and on the terminal; the session run to its end none."""
import os
import time
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from sensorkit import read_recording
from sensorkit.cli import cli
from sensorkit.io import RecordingWriter

SOURCE = read_recording(Path(__file__).resolve().parents[2] / "recordings" / "sim_9013.csv").samples[:6000]
META = {"side": "right", "exercise": "hip_external_rotation", "patient": "p1", "sample_rate_hz": 200.0}


def _record(folder: Path, name: str, end: dict | None, n_samples: int) -> Path:
    writer = RecordingWriter(folder, name, META)
    writer.append(SOURCE[:n_samples])
    writer.flush()
    if end is not None:
        writer.close(end)
    hour_ago = time.time() - 3600
    os.utime(writer.path, (hour_ago, hour_ago))
    return writer.path


def test_sessions_cut_short_are_said_in_the_sessions_table_and_on_the_terminal(tmp_path):
    data = tmp_path / "data"
    _record(data, "a_done", {"stream": {"ended_by": "closed"}}, 6000)
    killed = _record(data, "b_killed", None, 5000)  # (kill -9: the sidecar as the recorder wrote it at the start)
    lost = _record(data, "c_lost", {"stream": {"ended_by": "gave_up"}, "reconnects": [
        {"dropped_at_t_s": 7.0, "resumed_at_t_s": None, "lost_s": 5.0, "lost_samples": 1000, "attempts": 2}]}, 1400)

    result = CliRunner().invoke(cli, ["analyze", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    sessions = pd.read_csv(tmp_path / "out" / "sessions.csv", keep_default_na=False).set_index("recording")
    assert list(sessions.status) == ["ok"] * 3
    assert sessions.warnings["a_done"] == ""
    killed_said = (f"{killed}: the recording was not closed by its recorder (its sidecar has no ended_at): the recorder"
                   " crashed or was killed, or the computer stopped, so the session may have been cut short")
    lost_said = (f"{lost}: the sensor was lost at 7.0 s and not regained (the recorder gave up after 5.0 s): the session"
                 " ended there, cut short")
    assert sessions.warnings["b_killed"].startswith(killed_said)
    assert sessions.warnings["c_lost"] == lost_said
    assert f"warning: {killed_said}" in result.output and f"warning: {lost_said}" in result.output

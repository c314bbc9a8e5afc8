"""A session cut short says so (review 35, finding 5): a recording its recorder never closed (killed,
crashed, or still being written), a sensor lost and given up on, a sensor that would not stream
again, a run its clock ended early and a write that failed each give one warning, read from the
sidecar, in the reader's warnings and so in ``sessions.csv`` and on the terminal; a session ended as
planned, or a sidecar written by hand, gives none."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from sensorkit import read_recording
from sensorkit.errors import NoDataError
from sensorkit.io import RecordingWriter
from sensorkit.io.meta import STILL_WRITTEN_S, load_meta, session_end_warnings
from sensorkit.samples import Samples

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
SOURCE = read_recording(RECORDINGS / "sim_9013.csv").samples[:4000]  # (20 s at 200 Hz)
META = {"side": "right", "exercise": "hip_external_rotation", "patient": "p1", "sample_rate_hz": 200.0}
NOT_CLOSED = "the recording was not closed by its recorder"


def _recorded(folder: Path, end: dict | None, samples: Samples = SOURCE) -> Path:
    """A recording written as ``record``/``live`` write one; closed with ``end`` (sidecar keys), or
    left open as a recorder killed with ``kill -9`` leaves it (None)."""
    writer = RecordingWriter(folder, "rec", META)
    writer.append(samples)
    writer.flush()
    if end is not None:
        writer.close(end)
    return writer.path


def _aged(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_recording_its_recorder_never_closed_says_the_recorder_crashed(tmp_path):
    path = _recorded(tmp_path, None)
    _aged(path, 3600)
    warnings = read_recording(path).warnings
    assert [w for w in warnings if NOT_CLOSED in w] == [
        f"{path}: the recording was not closed by its recorder (its sidecar has no ended_at): the recorder crashed"
        " or was killed, or the computer stopped, so the session may have been cut short; its data up to the last"
        " row saved is analysed"]


def test_one_written_to_a_moment_ago_may_still_be_being_recorded(tmp_path):
    path = _recorded(tmp_path, None)
    _aged(path, 5)
    (said,) = [w for w in read_recording(path).warnings if NOT_CLOSED in w]
    assert said.startswith(f"{path}: the recording was not closed by its recorder and was last written 5 s ago:"
                           " still being recorded? Analyse it again once the session has ended")
    meta = load_meta(path)[0]
    assert meta.left_open
    later = path.stat().st_mtime + STILL_WRITTEN_S + 1
    assert "the recorder crashed or was killed" in session_end_warnings(path, meta, now_s=later)[0]


def test_a_session_closed_as_planned_or_a_sidecar_written_by_hand_warns_of_nothing(tmp_path):
    closed = _recorded(tmp_path / "closed", {"stream": {"ended_by": "closed", "received_samples": len(SOURCE)}})
    assert not load_meta(closed)[0].left_open and not session_end_warnings(closed, load_meta(closed)[0])
    by_hand = tmp_path / "hand" / "rec.csv"
    by_hand.parent.mkdir()
    by_hand.write_text(closed.read_text())
    by_hand.with_suffix(".json").write_text(json.dumps(META, indent=2) + "\n")  # (no ended_at: nobody recorded it so)
    for path in (closed, by_hand):
        assert not [w for w in read_recording(path).warnings if "recorder" in w or "sensor" in w], path


def test_a_sensor_lost_and_given_up_on_says_when_and_after_how_long(tmp_path):
    path = _recorded(tmp_path, {
        "reconnects": [{"dropped_at_t_s": 3.2, "resumed_at_t_s": 4.1, "lost_s": 0.9, "lost_samples": 180, "attempts": 1},
                       {"dropped_at_t_s": 7.0, "resumed_at_t_s": None, "lost_s": 5.02, "lost_samples": 1004,
                        "attempts": 3}],
        "stream": {"ended_by": "gave_up", "loss_fraction": 0.4}})
    assert [w for w in read_recording(path).warnings if "sensor" in w] == [
        f"{path}: the sensor was lost at 7.0 s and not regained (the recorder gave up after 5.0 s): the session ended"
        " there, cut short"]


@pytest.mark.parametrize("end, said", [
    ({"stream": {"ended_by": "refused", "error": "F0:0D (Movesense 1) refused the subscription: status 507"},
      "reconnects": [{"dropped_at_t_s": 12.5, "resumed_at_t_s": None, "lost_s": 1.0, "lost_samples": 200, "attempts": 1}]},
     "the sensor stopped streaming at 12.5 s and would not stream again (F0:0D (Movesense 1) refused the"
     " subscription: status 507): the session ended there, cut short"),
    ({"stream": {"ended_by": "closed", "cut_short_s": 41.5}},
     "the sensor's data stopped 41.5 s before the end of the session's planned duration (the run's clock ended it):"
     " the end of the session is missing"),
    ({"write_error": "No space left on device; 120 samples not saved"},
     "the recorder could not write the recording to its end (No space left on device; 120 samples not saved): the"
     " data stops at the last row saved"),
])
def test_a_session_ended_otherwise_says_how(tmp_path, end, said):
    path = _recorded(tmp_path, end)
    assert f"{path}: {said}" in read_recording(path).warnings


def test_a_session_without_data_is_said_once_by_its_own_line(tmp_path):
    path = _recorded(tmp_path, {"stream": {"ended_by": "gave_up", "error": "no link within 30 s"}, "n_samples": 0},
                     samples=SOURCE[:0])
    assert session_end_warnings(path, load_meta(path)[0]) == []
    with pytest.raises(NoDataError, match="no samples: the session ended before any came"):
        read_recording(path)

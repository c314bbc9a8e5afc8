"""write_recording round trips; RecordingWriter appends, flushes on time, and survives a crash."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pytest
from io_synth import swinging_sensor

from sensorkit.errors import RecordingError
from sensorkit.io import RecordingMeta, RecordingWriter, read_meta, read_recording, write_recording
from sensorkit.io.writer import HEADER_LINE, WRITTEN_RESOLUTION
from sensorkit.samples import Samples


class FakeClock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def rows_on_disk(path) -> list[str]:
    """The complete lines a separate reader sees right now (what survives a crash)."""
    return path.read_text().splitlines()[1:]


def test_round_trip_within_written_precision(tmp_path):
    samples = swinging_sensor(rate_hz=104.0)
    meta = {"side": "right", "patient": "p017", "started_at": "2026-11-24T09:30:00+01:00", "target_rom_deg": 35}
    path = write_recording(tmp_path / "sub" / "rec.csv", samples, meta)
    recording = read_recording(path)
    assert recording.warnings == []
    difference = np.abs(recording.samples.to_array() - samples.to_array())
    assert (difference <= WRITTEN_RESOLUTION / 2 + 1e-12).all()
    assert recording.meta.side == "right" and recording.meta.target_rom_deg == 35.0
    assert recording.meta.started_at.isoformat() == "2026-11-24T09:30:00+01:00"
    assert path.read_text().startswith("t,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n0.000000,")


def test_round_trip_of_a_read_recording_keeps_its_meta(tmp_path):
    first = write_recording(tmp_path / "a.csv", swinging_sensor(), {"side": "left", "firmware": "2.1"})
    recording = read_recording(first)
    second = write_recording(tmp_path / "b.csv", recording.samples, recording.meta)
    again = read_recording(second)
    np.testing.assert_array_equal(again.samples.to_array(), recording.samples.to_array())
    assert again.meta == recording.meta  # started_at came from a.csv's mtime and is now written down
    assert json.loads((tmp_path / "b.json").read_text())["firmware"] == "2.1"


def test_write_refuses_what_the_reader_would_reject(tmp_path):
    samples = swinging_sensor(reps=1)
    acc = samples.acc.copy()
    acc[5, 1] = np.nan
    with pytest.raises(ValueError, match="sample 5: column acc_y is nan"):
        write_recording(tmp_path / "rec.csv", Samples(samples.t, acc, samples.gyr))
    with pytest.raises(ValueError, match="t goes backwards"):
        write_recording(tmp_path / "rec.csv", samples[::-1])
    with pytest.raises(RecordingError, match="key side"):
        write_recording(tmp_path / "rec.csv", samples, {"side": "middle"})
    assert list(tmp_path.iterdir()) == []


def test_writer_appends_and_flushes_on_the_clock(tmp_path):
    samples = swinging_sensor(rate_hz=50.0)
    clock = FakeClock()
    writer = RecordingWriter(tmp_path, "live", {"side": "left"}, flush_interval_s=1.0, clock=clock)
    assert (tmp_path / "live.csv").read_text() == HEADER_LINE
    assert read_meta(tmp_path / "live.csv").side == "left"  # the sidecar exists from the start

    writer.append(samples[0:10])
    clock.now_s += 0.6
    writer.append(samples[10:20])
    assert rows_on_disk(writer.path) == []  # buffered: less than 1 s since the last flush
    clock.now_s += 0.4
    writer.append(samples[20:30])
    assert len(rows_on_disk(writer.path)) == 30  # 1.0 s passed: all 30 rows written and synced
    clock.now_s += 0.5
    writer.append(samples[30:35])
    assert len(rows_on_disk(writer.path)) == 30
    clock.now_s += 0.7
    assert writer.flush_if_due()  # no samples arrived, but the interval is over
    assert len(rows_on_disk(writer.path)) == 35
    assert not writer.flush_if_due()
    writer.close()


def test_writer_close_updates_the_sidecar(tmp_path):
    samples = swinging_sensor(rate_hz=50.0)
    started = datetime(2020, 11, 24, 9, 30, tzinfo=timezone.utc)
    with RecordingWriter(tmp_path, "live", RecordingMeta(started_at=started, patient="p9")) as writer:
        for block in samples.chunks(7):
            writer.append(block)
        final = writer.close(extra_meta={
            "gaps": [{"at_t_s": 3.0, "lost_samples": 20}],
            "reconnects": [{"dropped_at_t_s": 3.2, "resumed_at_t_s": 4.1, "lost_s": 0.9, "lost_samples": 90, "attempts": 1}], "stream": {"packets": 812},
        })
    assert writer.closed
    meta = read_meta(tmp_path / "live.csv")
    assert meta == final
    assert meta.started_at == started and meta.patient == "p9"
    assert meta.n_samples == len(samples)
    assert meta.ended_at > started and meta.ended_at.tzinfo is not None
    assert meta.gaps == [{"at_t_s": 3.0, "lost_samples": 20}]
    assert meta.reconnects == [{"dropped_at_t_s": 3.2, "resumed_at_t_s": 4.1, "lost_s": 0.9, "lost_samples": 90, "attempts": 1}]
    assert meta.stream == {"packets": 812} and meta.extra == {}
    recording = read_recording(tmp_path / "live.csv")
    assert recording.warnings == []
    assert (np.abs(recording.samples.to_array() - samples.to_array()) <= WRITTEN_RESOLUTION / 2 + 1e-12).all()
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_writer_without_start_time_stamps_now(tmp_path):
    before = datetime.now(timezone.utc)
    with RecordingWriter(tmp_path, "live") as writer:
        writer.append(swinging_sensor(reps=0, still_s=1.0))
    assert before <= read_meta(writer.path).started_at <= datetime.now(timezone.utc)


def test_writer_never_overwrites(tmp_path):
    write_recording(tmp_path / "live.csv", swinging_sensor(reps=1), {"patient": "first"})
    with pytest.raises(RecordingError, match="live.csv: already exists"):
        RecordingWriter(tmp_path, "live", {"patient": "second"})
    assert read_meta(tmp_path / "live.csv").patient == "first"


def test_writer_rejects_bad_blocks_and_keeps_going(tmp_path):
    samples = swinging_sensor(rate_hz=50.0, reps=1)
    with RecordingWriter(tmp_path, "live", flush_interval_s=0.0) as writer:
        writer.append(samples[:20])
        with pytest.raises(ValueError, match="t goes backwards"):
            writer.append(samples[5:10])
        bad = samples[20:30].to_array()
        bad[3, 6] = np.inf
        with pytest.raises(ValueError, match="sample 3: column gyr_z is inf"):
            writer.append(bad)
        writer.append(samples[20:])
    assert len(read_recording(writer.path).samples) == len(samples)
    with pytest.raises(ValueError, match="closed"):
        writer.append(samples[:1])


def test_crash_mid_line_reads_back_every_complete_line(tmp_path):
    """Cut the file at every byte of its last two rows: all complete rows always read back."""
    samples = swinging_sensor(rate_hz=50.0, reps=1)
    with RecordingWriter(tmp_path, "live", flush_interval_s=0.0) as writer:
        writer.append(samples)
    data = writer.path.read_bytes()
    written = read_recording(writer.path).samples.to_array()
    last_rows_start = data.rstrip(b"\n").rfind(b"\n", 0, data.rstrip(b"\n").rfind(b"\n")) + 1
    crashed = tmp_path / "crashed.csv"
    for cut in range(last_rows_start, len(data) + 1):
        crashed.write_bytes(data[:cut])
        kept = data[:cut].count(b"\n") - 1  # complete rows before the cut
        recording = read_recording(crashed)
        got = recording.samples.to_array()
        if len(got) == kept:
            np.testing.assert_array_equal(got, written[:kept])
            assert recording.warnings == [] or "incomplete last line dropped" in recording.warnings[0]
        else:  # the cut left a whole row without its newline: kept exactly as written
            assert len(got) == kept + 1 and recording.warnings == []
            np.testing.assert_array_equal(got, written[: kept + 1])


def test_writer_never_overwrites_a_sidecar_left_without_its_recording(tmp_path):
    (tmp_path / "live.json").write_text('{"patient": "keep"}')
    with pytest.raises(RecordingError, match="live.json: already exists"):
        RecordingWriter(tmp_path, "live", {"patient": "second"})
    assert (tmp_path / "live.json").read_text() == '{"patient": "keep"}' and not (tmp_path / "live.csv").exists()


def test_on_a_full_disk_the_sidecar_is_still_finished_in_the_space_it_kept(tmp_path, monkeypatch):
    # (the atomic rewrite needs room for a second copy; a full disk refuses it)
    import sensorkit.io.writer as writer_module

    samples = swinging_sensor(rate_hz=50.0, reps=1)
    writer = RecordingWriter(tmp_path, "live", {"patient": "p1"}, flush_interval_s=0.0)
    writer.append(samples)

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module, "write_sidecar", no_space)
    meta = writer.close({"gaps": [{"at_t_s": 1.0, "lost_samples": 3}]})
    on_disk = read_meta(tmp_path / "live.csv")
    assert on_disk.n_samples == meta.n_samples == len(samples) and on_disk.gaps == meta.gaps
    assert on_disk.ended_at is not None and on_disk.patient == "p1"


def test_ctrl_c_between_the_renames_of_an_output_set_puts_the_earlier_files_back(tmp_path, monkeypatch):
    import os

    from sensorkit.io.outputs import OutputSet

    reps, sessions = tmp_path / "reps.csv", tmp_path / "sessions.csv"
    reps.write_text("earlier reps\n")
    sessions.write_text("earlier sessions\n")
    replace, renamed = os.replace, []

    def interrupted_after_the_first(source, target):
        if len(renamed) == 1:  # (the first new file is in place: Ctrl-C, once)
            renamed.append("Ctrl-C")
            raise KeyboardInterrupt
        replace(source, target)
        renamed.append(target)

    monkeypatch.setattr(os, "replace", interrupted_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        with OutputSet([reps, sessions]) as outputs:
            outputs.write(reps, "new reps\n")
            outputs.write(sessions, "new sessions\n")
    monkeypatch.undo()
    # (it left the new reps.csv beside the earlier sessions.csv: a pair that never was)
    assert reps.read_text() == "earlier reps\n" and sessions.read_text() == "earlier sessions\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps.csv", "sessions.csv"]


def test_a_ctrl_c_while_a_writer_makes_its_files_leaves_neither(tmp_path, monkeypatch):
    import sensorkit.io.writer as writer_module

    def interrupted(*args, **kwargs):  # (the CSV is made; Ctrl-C before its sidecar is)
        raise KeyboardInterrupt

    monkeypatch.setattr(writer_module, "write_sidecar", interrupted)
    with pytest.raises(KeyboardInterrupt):
        RecordingWriter(tmp_path, "live", {"patient": "p1"})
    assert list(tmp_path.iterdir()) == []  # (an empty live.csv stood alone: no sidecar)

"""The NAME.json sidecar: defaults, validation naming the key, unknown keys kept, read_meta."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from io_synth import swinging_sensor

from sensorkit.errors import RecordingError
from sensorkit.io import RecordingMeta, read_meta, read_recording, write_recording


@pytest.fixture
def csv_path(tmp_path):
    return write_recording(tmp_path / "rec.csv", swinging_sensor(reps=1))


def write_sidecar_text(csv_path, text: str):
    path = csv_path.with_suffix(".json")
    path.write_text(text, encoding="utf-8")
    return path


def test_full_sidecar(csv_path):
    write_sidecar_text(csv_path, json.dumps({
        "side": "left", "sample_rate_hz": 104, "patient": "p017", "started_at": "2026-11-24T09:30:00+01:00",
        "exercise": "knee_extension", "sensor": "polar-verity-sense", "target_rom_deg": 35, "target_hold_s": 5,
        "gaps": [{"at_t_s": 1.0, "lost_samples": 25}], "reconnects": [],
    }))
    meta = read_meta(csv_path)
    assert meta.side == "left" and meta.patient == "p017" and meta.sensor == "polar-verity-sense"
    assert meta.sample_rate_hz == 104.0 and meta.target_rom_deg == 35.0 and meta.target_hold_s == 5.0
    assert meta.exercise == "knee_extension"
    assert meta.started_at == datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc)
    assert meta.started_at.utcoffset() == timedelta(hours=1)
    assert meta.gaps == [{"at_t_s": 1.0, "lost_samples": 25}]
    assert meta.extra == {}
    assert read_recording(csv_path).warnings == []


def test_without_started_at_the_csv_mtime_less_its_duration_is_the_start(csv_path):
    # (the file is last written when the recording ends: a recording from 23:58 to 00:00 began the day before)
    write_sidecar_text(csv_path, '{"side": "right"}')
    os.utime(csv_path, (1_790_000_000, 1_790_000_000))
    duration_s = read_recording(csv_path).samples.duration_s
    assert duration_s > 1.0
    meta = read_meta(csv_path)
    assert meta.started_at == datetime.fromtimestamp(1_790_000_000, tz=timezone.utc) - timedelta(seconds=duration_s)
    assert read_recording(csv_path).meta.started_at == meta.started_at
    assert meta.started_at.tzinfo == timezone.utc
    assert meta.exercise == "hip_external_rotation"


def test_unknown_keys_are_kept_with_a_warning(csv_path):
    json_path = write_sidecar_text(csv_path, '{"side": "left", "firmware": "2.1", "room": 4}')
    recording = read_recording(csv_path)
    assert recording.meta.extra == {"firmware": "2.1", "room": 4}
    assert recording.warnings == [
        f"{json_path}: key firmware: not a known sidecar key; kept in meta.extra",
        f"{json_path}: key room: not a known sidecar key; kept in meta.extra",
    ]


def test_null_means_absent(csv_path):
    write_sidecar_text(csv_path, '{"side": null, "exercise": null}')
    meta = read_meta(csv_path)
    assert meta.side is None and meta.exercise == "hip_external_rotation"


def test_time_without_offset_is_a_wall_clock_time_read_in_this_computer_s_zone_with_a_warning(csv_path):
    # (as a Polar export's phone time is: analyze of the file and of its converted copy agree)
    json_path = write_sidecar_text(csv_path, '{"started_at": "2026-11-24T09:30:00"}')
    recording = read_recording(csv_path)
    local = datetime(2026, 11, 24, 9, 30).astimezone()
    offset = local.strftime("%z")
    assert recording.meta.started_at == local
    assert recording.warnings == [f"{json_path}: key started_at: '2026-11-24T09:30:00' has no UTC offset; read in this"
                                  f" computer's zone (UTC{offset[:3]}:{offset[3:]}) (a report reads it in the patient's"
                                  " time zone)"]
    assert recording.meta.started_at_without_offset  # (a wall-clock time: in a patient's zone, 09:30 there)
    from zoneinfo import ZoneInfo
    berlin = recording.meta.in_zone(ZoneInfo("Europe/Berlin")).started_at
    assert berlin == datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc) and berlin.hour == 9
    # (written again, as convert does, it stays a wall-clock time: a report of the copy reads it in the zone too)
    assert recording.meta.to_dict()["started_at"] == "2026-11-24T09:30:00"


def test_invalid_json_names_line_and_column(csv_path):
    json_path = write_sidecar_text(csv_path, '{\n  "side": "left"\n  "patient": "p1"\n}')
    with pytest.raises(RecordingError) as caught:
        read_recording(csv_path)
    assert str(caught.value).startswith(f"{json_path}: line 3: column 3: invalid JSON")


def test_a_key_given_twice_is_an_error_not_the_last_one_silently(csv_path):
    # (a hand-edited sidecar: "side" left, then right further down; which leg was it?)
    json_path = write_sidecar_text(csv_path, '{"side": "left", "patient": "p1", "side": "right"}')
    with pytest.raises(RecordingError) as caught:
        read_recording(csv_path)
    assert str(caught.value) == f"{json_path}: key side: given twice (which one holds?)"


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        ('{"side": "up"}', "key side: expected \"left\" or \"right\", got 'up'"),
        ('{"side": 1}', "key side: expected"),
        ('{"sample_rate_hz": "104"}', "key sample_rate_hz: expected a number > 0, got '104'"),
        ('{"sample_rate_hz": 0}', "key sample_rate_hz: expected a number > 0"),
        ('{"sample_rate_hz": true}', "key sample_rate_hz: expected a number"),
        ('{"target_rom_deg": -5}', "key target_rom_deg: expected a number >= 0"),
        ('{"target_hold_s": [5]}', "key target_hold_s: expected a number >= 0"),
        ('{"patient": 17}', "key patient: expected a non-empty string, got 17"),
        ('{"started_at": 1790000000}', "key started_at: expected an ISO 8601 time string"),
        ('{"started_at": "yesterday"}', "key started_at: 'yesterday' is not an ISO 8601 time"),
        ('{"target_rom_deg": 1e308}', "key target_rom_deg: expected a number >= 0 and <= 180"),
        ('{"target_movement_s": 2400}', "key target_movement_s: expected a number > 0 and <= 600"),
        ('{"extra": ' + "[" * 100000 + "]" * 100000 + "}", "invalid sidecar: nested too deeply"),
        ('{"n_samples": ' + "9" * 5000 + "}", "invalid sidecar: a number of thousands of digits"),
        ('{"gaps": {"a": 1}}', "key gaps: expected a list"),
        ('{"n_samples": 1.5}', "key n_samples: expected a whole number"),
        ('{"stream": [1]}', "key stream: expected an object"),
        ('["side", "left"]', "expected a JSON object"),
    ],
)
def test_wrong_value_types_name_the_key(csv_path, sidecar, expected):
    json_path = write_sidecar_text(csv_path, sidecar)
    for read in (read_meta, read_recording):
        with pytest.raises(RecordingError) as caught:
            read(csv_path)
        message = str(caught.value)
        assert message.startswith(f"{json_path}: ") and expected in message, message


def test_unknown_exercise_is_an_error_naming_the_catalogue(csv_path):
    """The pipeline cannot analyse an exercise it has no model for: say so rather than guess."""
    write_sidecar_text(csv_path, '{"exercise": "hip_er"}')
    with pytest.raises(RecordingError) as caught:
        read_recording(csv_path)
    message = str(caught.value)
    assert "key exercise: 'hip_er' is not one of" in message and "knee_extension" in message


def test_sidecar_with_bom(csv_path):
    csv_path.with_suffix(".json").write_bytes(b'\xef\xbb\xbf{"side": "right"}')
    assert read_meta(csv_path).side == "right"


def test_read_meta_does_not_parse_the_csv(tmp_path):
    csv_path = tmp_path / "rec.csv"
    csv_path.write_text("not a recording at all\n")
    write_sidecar_text(csv_path, '{"patient": "p3", "started_at": "2026-11-02T10:00:00+01:00"}')
    assert read_meta(csv_path).patient == "p3"  # (without started_at it would: the start needs the duration)


def test_to_dict_round_trip():
    meta = RecordingMeta(
        started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))), side="left",
        gaps=[{"at_t_s": 3.0, "lost_samples": 2}], extra={"firmware": "2.1"},
    )
    assert meta.to_dict() == {
        "started_at": "2026-01-02T03:04:05-05:00", "side": "left", "exercise": "hip_external_rotation",
        "gaps": [{"at_t_s": 3.0, "lost_samples": 2}], "firmware": "2.1",
    }


def test_a_start_time_outside_1990_to_2100_is_read_with_a_warning(csv_path):
    # (a sensor whose clock was never set: the reps do not depend on the date; a report places the
    # recording on no day instead of failing, which a year-1 time converted to a patient's zone did)
    write_sidecar_text(csv_path, '{"started_at": "0001-01-01T00:00:00+14:00"}')
    recording = read_recording(csv_path)
    assert recording.meta.started_at.year == 1
    assert any("key started_at" in w and "not in the years 1990 to 2100" in w for w in recording.warnings)


def test_a_sidecar_whose_sample_count_is_not_the_file_s_is_said_to_be_maybe_another_s(csv_path):
    write_sidecar_text(csv_path, '{"n_samples": 5}')
    recording = read_recording(csv_path)
    assert any("key n_samples: 5, but rec.csv holds" in w and "another recording" in w for w in recording.warnings)
    write_sidecar_text(csv_path, json.dumps({"n_samples": len(recording.samples)}))
    assert not [w for w in read_recording(csv_path).warnings if "n_samples" in w]


GAP = {"at_t_s": 4.2, "lost_samples": 3}
RECONNECT = {"dropped_at_t_s": 10.0, "resumed_at_t_s": 12.5, "lost_s": 2.49, "lost_samples": 249, "attempts": 2}


@pytest.mark.parametrize("key, bad, problem", [
    ("gaps", {"at_t_s": 4.2}, "no lost_samples"),
    ("gaps", {"at_t_s": "4.2 s", "lost_samples": 3}, "at_t_s: expected a number, got '4.2 s'"),
    ("gaps", {"at_t_s": 4.2, "lost_samples": -3}, "lost_samples: expected a whole number >= 0, got -3"),
    ("gaps", [4.2, 3], "expected an object {at_t_s, lost_samples}, got list [4.2, 3]"),
    ("reconnects", {**RECONNECT, "resumed_at_t_s": 8.0}, "resumed_at_t_s 8.0 is before dropped_at_t_s 10.0"),
    ("reconnects", {**RECONNECT, "lost_s": -2.5}, "lost_s: expected a number >= 0, got -2.5"),
    ("reconnects", {**RECONNECT, "attempts": True}, "attempts: expected a whole number >= 0, got True"),
    ("reconnects", {k: v for k, v in RECONNECT.items() if k != "dropped_at_t_s"}, "no dropped_at_t_s"),
])
def test_a_malformed_gap_or_reconnect_is_left_out_with_a_warning_naming_it(csv_path, key, bad, problem):
    good = GAP if key == "gaps" else RECONNECT
    sidecar = write_sidecar_text(csv_path, json.dumps({"side": "left", key: [good, bad, good]}))
    recording = read_recording(csv_path)  # (analysed from its samples: the lists describe the link)
    assert recording.warnings == [f"{sidecar}: key {key}[1]: {problem}; this entry is left out (the samples are"
                                  " analysed as recorded)"]
    assert getattr(recording.meta, key) == [good, good]  # (a wrong entry is never passed on as if it held)
    assert len(recording.samples) > 0


@pytest.mark.parametrize("name, value, problem", [
    ("loss_fraction", 1.5, "expected a number >= 0 and <= 1, got 1.5"),
    ("lost_samples", -1, "expected a whole number >= 0, got -1"),
    ("packets", "many", "expected a whole number >= 0, got 'many'"),
    ("ended_by", 3, "expected a non-empty string, got 3"),
])
def test_a_malformed_stream_statistic_is_left_out_with_a_warning_naming_it(csv_path, name, value, problem):
    stream = {"protocol": "polar_pmd", "mtu": 232, "packets": 100, "lost_samples": 0, "loss_fraction": 0.0,
              "ended_by": "closed"}
    sidecar = write_sidecar_text(csv_path, json.dumps({"stream": {**stream, name: value}}))
    meta_warnings = [w for w in read_recording(csv_path).warnings if "stream" in w]
    assert meta_warnings == [f"{sidecar}: key stream.{name}: {problem}; left out (the samples are analysed as recorded)"]
    assert read_meta(csv_path).stream == {k: v for k, v in stream.items() if k != name}


def test_a_recorder_s_own_lists_are_read_without_a_word(csv_path):
    write_sidecar_text(csv_path, json.dumps({"gaps": [GAP], "reconnects": [RECONNECT, {**RECONNECT, "resumed_at_t_s": None}],
                                             "stream": {"protocol": "movesense", "mtu": None, "unsaved_samples": 0}}))
    recording = read_recording(csv_path)
    assert [w for w in recording.warnings if "gaps" in w or "reconnects" in w or "stream" in w] == []
    assert len(recording.meta.reconnects) == 2


def test_read_meta_of_a_recording_dated_by_its_file_reads_its_sidecar_once(csv_path, monkeypatch):
    from pathlib import Path

    sidecar = write_sidecar_text(csv_path, json.dumps({"side": "left"}))  # (no started_at: its duration is read)
    reads, read_text = [], Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: reads.append(self.name) or read_text(self, *a, **k))
    meta = read_meta(csv_path)
    monkeypatch.undo()
    assert reads == [sidecar.name]  # (it was read twice)
    assert meta.started_at_from_file_time and meta.side == "left"

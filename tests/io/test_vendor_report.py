"""A report reads each recording at most once: a vendor export whole (its start time is in its
content) and then analysed from what was read; a canonical one's samples only when it matches."""
import json
from collections import Counter
from datetime import date

import sensorkit.batch
import sensorkit.io.reader
import sensorkit.report.build
from prescriptions import exercise, rx_toml
from sensorkit.io import read_recording
from sensorkit.report import build_report, load_prescriptions
from sensorkit.sim import simulate_session
from vendor_synth import write_polar


def test_each_recording_is_read_at_most_once(tmp_path, monkeypatch):
    (tmp_path / "rx.toml").write_text(rx_toml("p9", "UTC", "2025-11-01", None, exercise("hip_external_rotation", 20)))
    data = tmp_path / "data"
    session = simulate_session(41, sample_rate_hz=50, n_sets=1, reps_per_set=(4, 4), distractors=False, set_kinds=("full",))
    for stem, patient in (("matched", "p9"), ("unmatched", "nobody")):
        session.meta.update(patient=patient, side="left", started_at="2025-11-02T09:00:00+00:00")
        session.write(data, stem)
    acc, _ = write_polar(data, session.samples, start_ns=0)  # its own start: 2026-11-24 (phone clock)
    acc.with_suffix(".json").write_text(json.dumps({"patient": "p9", "side": "left"}))  # no start: from content

    reads = Counter()
    for module in (sensorkit.io.reader, sensorkit.batch, sensorkit.report.build):  # read_meta's reads too
        original = module.read_recording
        monkeypatch.setattr(module, "read_recording",
                            lambda path, *given, original=original: reads.update([path.name]) or original(path, *given))
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], workers=1, include_simulated=True)

    assert reads == Counter({"matched.csv": 1, acc.name: 1})  # the unmatched samples were never read
    assert [n for _, n in outcome.notes] == ["patient 'nobody' has no prescription"]
    assert not outcome.failures
    days = {s.started_at.date().isoformat(): len([r for r in s.reps if r.counted]) for s in outcome.sessions["p9"]}
    assert days == {"2025-11-02": 4, "2026-11-24": 4}


def _polar_with_sidecar(folder, sidecar: dict):
    """A Polar Sensor Logger export of a 5-rep session (phone clock 2026-11-24T10:30, no zone) with a
    user's sidecar ``sidecar`` beside its ACC file; returns the ACC file."""
    folder.mkdir(exist_ok=True)
    session = simulate_session(41, sample_rate_hz=50, n_sets=1, reps_per_set=(5, 5), distractors=False,
                               set_kinds=("full",))
    acc, _ = write_polar(folder, session.samples, start_ns=0)
    acc.with_suffix(".json").write_text(json.dumps(sidecar))
    return acc


def _convert(inputs, out):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sensorkit", "convert", str(inputs), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_a_vendor_export_and_its_converted_copy_are_one_session(tmp_path):
    # (a reviewer converted a Polar export into its own folder, then reported the folder: 2 sessions,
    # 10 reps, 100 % before; the converted CSV is not byte-identical to the export, so its digest differs)
    (tmp_path / "rx.toml").write_text(rx_toml("p1", "Europe/Berlin", "2026-11-20", "2026-11-30",
                                              exercise("hip_external_rotation", 20, reps_per_set=4, sets=2)))
    data = tmp_path / "data"
    acc = _polar_with_sidecar(data, {"patient": "p1", "side": "left", "started_at": "2026-11-24T10:30:00+02:00"})
    _convert(data, data)
    converted = data / "Polar_Sense_B5A3F12C_20261124_093000.csv"
    assert converted.exists()

    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], workers=1, include_simulated=True)

    sessions = outcome.sessions["p1"]
    assert len(sessions) == 1
    assert len([r for r in sessions[0].reps if r.counted]) == 5
    day = next(r for r in outcome.daily if r["date"] == "2026-11-24")
    assert day["sessions"] == 1 and day["reps_total"] == 5
    (skipped, why), = outcome.notes  # (one note, naming both files: the converted copy is listed first)
    assert skipped == acc
    assert why.startswith(f"the same session as {converted} (patient p1, hip_external_rotation left,"
                          " started 2026-11-24T10:30:00+02:00, ")
    assert why.endswith("a converted or re-exported copy); counted once")
    assert sensorkit.report.build.skip_kind(why) == "a converted copy, counted once"


def test_sessions_dated_by_their_file_time_are_never_taken_for_copies(tmp_path):
    # (a copy gets a new modification time; two sessions of one length whose files happen to share
    # one are still two sessions)
    import os

    (tmp_path / "rx.toml").write_text(rx_toml("p1", "UTC", "2026-11-01", None, exercise("hip_external_rotation", 20)))
    data = tmp_path / "data"
    session = simulate_session(41, sample_rate_hz=50, n_sets=1, reps_per_set=(4, 4), distractors=False, set_kinds=("full",))
    session.meta.update(patient="p1", side="left")
    session.meta.pop("started_at", None)
    for stem in ("morning", "evening"):
        session.write(data, stem)
        session.samples.acc[0, 0] += 0.01  # (not byte-identical)
    for stem in ("morning", "evening"):
        os.utime(data / f"{stem}.csv", (1_795_000_000, 1_795_000_000))
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], workers=1, include_simulated=True,
                           as_of=date(2026, 12, 31))
    assert [s.dated_by_file_time for s in outcome.sessions["p1"]] == [True, True]
    assert not [why for _, why in outcome.notes if "same session" in why]


def test_two_sessions_of_one_start_and_another_side_or_length_both_count(tmp_path):
    # (the same start alone does not make a copy: another side, or a session minutes longer, is another session)
    (tmp_path / "rx.toml").write_text(rx_toml("p1", "UTC", "2026-11-01", None,
                                              exercise("hip_external_rotation", 20, sides=("left", "right"))))
    data = tmp_path / "data"
    session = simulate_session(41, sample_rate_hz=50, n_sets=1, reps_per_set=(4, 4), distractors=False, set_kinds=("full",))
    longer = simulate_session(41, sample_rate_hz=50, n_sets=1, reps_per_set=(8, 8), distractors=False, set_kinds=("full",))
    for stem, recorded, side in (("a", session, "left"), ("b", session, "right"), ("c", longer, "left")):
        recorded.meta.update(patient="p1", side=side, started_at="2026-11-24T09:00:00+00:00")
        recorded.write(data, stem)
        recorded.samples.acc[0, 0] += 0.01  # (no file byte-identical to another)
    assert abs(longer.samples.duration_s - session.samples.duration_s) > 2
    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [data], workers=1, include_simulated=True,
                           as_of=date(2026, 12, 31))
    assert sorted(s.recording for s in outcome.sessions["p1"]) == ["a", "b", "c"]
    assert not outcome.notes


def test_no_phone_time_zone_warning_when_the_sidecar_gives_started_at(tmp_path):
    # (the sidecar's started_at with its offset dates the session, as the warning advises: the warning,
    # and the report's "read in p1's time zone" made of it, contradicted sessions.csv's +02:00)
    (tmp_path / "rx.toml").write_text(rx_toml("p1", "Europe/Berlin", "2026-11-20", "2026-11-30",
                                              exercise("hip_external_rotation", 20)))
    pinned = _polar_with_sidecar(tmp_path / "pinned", {"patient": "p1", "side": "left",
                                                       "started_at": "2026-11-24T10:30:00+02:00"})
    loose = _polar_with_sidecar(tmp_path / "loose", {"patient": "p1", "side": "left"})

    recording = read_recording(pinned)
    assert recording.meta.started_at.isoformat() == "2026-11-24T10:30:00+02:00"
    assert not [w for w in recording.warnings if "time zone" in w]
    assert [w for w in read_recording(loose).warnings if "has no time zone" in w]  # (the phone time dates it)

    outcome = build_report(load_prescriptions(tmp_path / "rx.toml"), [tmp_path / "pinned"], workers=1,
                           include_simulated=True)
    assert not [w for _, w in outcome.warnings if "time zone" in w]

"""A report reads each recording at most once: a vendor export whole (its start time is in its
content) and then analysed from what was read; a canonical one's samples only when it matches."""
import json
from collections import Counter

import sensorkit.batch
import sensorkit.io.reader
import sensorkit.report.build
from prescriptions import exercise, rx_toml
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

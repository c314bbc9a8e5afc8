"""A rep whose return swings past the rest pose and comes back: the segmenter ends the rep at the
swing's bottom, and the way back up to the rest is no movement of its own (no row: the rep's
return, not the patient's). The live views showed it as a movement: "Moving out" ~0.3 s after the
rep, then "not counted" with the failure tone. They show the end of the rep's return now: "rest",
the angle from the rest the rep left, no rep event.

Knee extension on exact signals (tests/pipeline/synth.py), 50 Hz, fed 2 samples a packet through
the recorder to the page's hub and the terminal's displays, as ``run_session`` drives them.
"""
import io

import numpy as np
import pytest
from rich.console import Console

from sensorkit.ble.recorder import SessionRecorder
from sensorkit.live import PlainDisplay, RichDisplay
from sensorkit.pipeline import Pipeline
from sensorkit.web.live_hub import LiveHub
from synth import min_jerk, random_setup, samples_of_angle

META = {"exercise": "knee_extension", "sample_rate_hz": 50.0}


def swung_past(over_deg: float, back_s: float):
    """Two 45-deg reps, the second's return swinging ``over_deg`` past rest at 14.2 s and back in ``back_s``."""
    t = np.arange(0.0, 20.0, 0.02)
    theta = (45 * min_jerk((t - 3.0) / 1.2) - 45 * min_jerk((t - 6.2) / 1.2)
             + 45 * min_jerk((t - 10.0) / 1.2) - (45 + over_deg) * min_jerk((t - 13.2) / 1.0)
             + over_deg * min_jerk((t - 14.2) / back_s))
    return theta, t


@pytest.mark.parametrize("over_deg, back_s", [(8.0, 0.6), (10.0, 0.4)])
def test_the_way_back_from_a_swing_past_rest_shows_nothing_of_its_own(tmp_path, over_deg, back_s):
    samples = samples_of_angle(*swung_past(over_deg, back_s), *random_setup(4))
    recorder = SessionRecorder(tmp_path, f"swing{over_deg:g}", META, Pipeline(meta=META))
    hub, plain_log = LiveHub(), io.StringIO()
    terminal, plain = RichDisplay(Console(file=io.StringIO(), width=120)), PlainDisplay(plain_log)
    page, messages, shown = hub.subscribe(), [], []
    for packet in samples.chunks(2):
        for rep in recorder.feed(packet):
            for display in (hub, terminal, plain):
                display.rep(rep, recorder.status)
        for display in (hub, terminal, plain):
            display.show(recorder.status)
        shown.append((recorder.pipeline.time_s_, recorder.pipeline.phase_, recorder.pipeline.angle_deg_))
        messages += [page.get_nowait() for _ in range(page.qsize())]  # (what the page is sent)
    for display in (hub, terminal, plain):
        display.close(recorder.status)

    # the segmenter ended the second rep at the swing's bottom; the way back is no movement of its own
    full, second = recorder.reps
    assert [r.kind for r in recorder.reps] == ["full", "full"]
    back_s_end = 14.2 + back_s  # (the leg is back at rest)
    after = [(phase, angle) for t, phase, angle in shown if second.end_s < t <= back_s_end + 0.5]
    assert after and {phase for phase, _ in after} == {"rest"}  # it said "Moving out" ~0.3 s after the rep
    assert min(angle for _, angle in after) < -0.5 * over_deg  # (from the rest the rep left: the swing behind it)

    # no rep event of its own: no "not counted" note, no failure tone, no count
    assert [m["rep"]["kind"] for m in messages if m["type"] == "rep"] == ["full", "full"]
    assert hub.snapshot()["state"]["counts"]["rejected"] == 0 and recorder.status.counts["rejected"] == 0
    assert terminal._last_rep is second
    assert "movement rejected" not in plain_log.getvalue() and "rep 2 full" in plain_log.getvalue()

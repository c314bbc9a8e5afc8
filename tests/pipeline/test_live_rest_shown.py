"""The live view shows "rest" once the leg rests, wherever it rests: put down further back, or back
at a pose shifted out after a rep, before the segmenter has judged that pose.

Knee extension on exact signals, 50 Hz, 2 samples a packet (as tests/pipeline/test_live_shifted_rest.py,
whose helpers these use). The counted reps are the same whatever the view shows.
"""
from pathlib import Path

import pytest

from sensorkit.io import read_recording
from sensorkit.pipeline import Pipeline
from test_live_shifted_rest import PHASE_S, SETS, between, shown

CONFIG = Pipeline(meta={"exercise": "knee_extension"}).config


def test_a_leg_put_down_behind_its_rest_pose_shows_rest_all_the_way_there():
    # after three reps the resting leg is moved 20 deg back (1 s, from 24 s) and rests there until
    # the next rep at 31 s: no rep goes that way round. The view said "out" (the angle -8 to -19
    # deg) from the moment the segmenter saw it move until it had been quiet there rest_min_s
    reps, status = shown(SETS + [(24.0, -20), (31.0, 60, 2.0)], 38.0)
    assert [round(r.rom_deg) for r in reps if r.counted] == [60, 60, 60, 60]
    assert {phase for _, phase, _, _ in between(status, 23.0, 30.9)} == {"rest"}
    moving = between(status, 24.3, 25.0)
    assert min(angle for _, _, angle, _ in moving) < -15.0  # (the angle shown is still the true one)


def test_a_leg_moved_back_from_a_rest_shifted_out_shows_rest_all_the_way_there():
    # the leg shifted 20 deg out at 24 s stays there (the segmenter takes it for the rest after
    # rest_still_s), then is moved back to the old rest at 45 s (20 deg behind the new one)
    reps, status = shown(SETS + [(24.0, 20), (45.0, -20), (52.0, 60, 2.0)], 58.0)
    assert [round(r.rom_deg) for r in reps if r.counted] == [60, 60, 60, 60]
    assert {phase for _, phase, _, _ in between(status, 40.5, 51.9)} == {"rest"}
    assert max(abs(angle) for _, _, angle, _ in between(status, 46.0 + CONFIG.rest_min_s + 0.1, 51.9)) < 1.0
    peak = max(angle for _, _, angle, _ in between(status, 52.0, 56.0))
    assert peak == pytest.approx(60.0, abs=2.0)  # (the next rep from where the leg rests)


def test_a_rep_come_back_to_a_pose_shifted_out_shows_rest_once_quiet_there():
    # the leg shifted 20 deg out and rested there 6 s, then a 60-deg rep went out and came back
    # there (back at 35.4 s): once quiet there rest_min_s the view shows "rest", the angle from
    # that pose. It showed "return" (at 19 deg) until the segmenter split the rep from the pose,
    # new_rest_min_s (1.5 s) quiet there
    back_s = 31.0 + 2 * PHASE_S + 2.0
    reps, status = shown(SETS + [(24.0, 20), (31.0, 60, 2.0), (38.0, 60, 2.0)], 45.0)
    assert [round(r.rom_deg) for r in reps if r.counted] == [60, 60, 60, 60, 60]
    rested = between(status, back_s + CONFIG.rest_min_s + 0.3, 37.9)
    assert {phase for _, phase, _, _ in rested} == {"rest"}
    assert max(abs(angle) for _, _, angle, _ in rested) < 1.0
    assert {phase for _, phase, _, _ in between(status, 31.0 + PHASE_S + 0.5, back_s - PHASE_S - 0.2)} == {"hold"}


PHYTMO = Path(__file__).resolve().parents[3] / "shared" / "data" / "phytmo-knee-flexion-extension"


@pytest.mark.skipif(not (PHYTMO / "labels.json").exists(), reason=f"no real recordings at {PHYTMO}")
@pytest.mark.parametrize("name", ["phytmo_b05kfel1_1", "phytmo_e01kfer0_1"])
def test_real_swings_on_past_the_rest_pose_show_return_not_out(name):
    """PHYTMO series whose reps swing on past the rest pose after their return (up to 33 deg behind
    it), fed 10 samples a packet: behind the rest pose the view said "out" (28 and 12 packets), now
    "return" (or "rest" once quiet there)."""
    recording = read_recording(PHYTMO / f"{name}.csv")
    pipeline, reps, behind = Pipeline(meta=recording.meta.to_dict()), [], []
    for packet in recording.samples.chunks(10):
        reps += pipeline.update(packet)
        if pipeline.angle_deg_ <= -pipeline.config.start_deg:
            behind.append(pipeline.phase_)
    assert sum(r.counted for r in reps + pipeline.finish()) == 10
    assert len(behind) >= 10 and set(behind) <= {"return", "rest"}

"""Physics the pipeline relies on: gravity at rest, gyro about the ER axis, pivot radius, sides."""
import numpy as np
import pytest

from sensorkit.samples import GRAVITY_MS2
from tests.sim.conftest import (MIXED, MIXED_KE, MIXED_SESSIONS, continuous_ke_session, mixed_ke_session, mixed_session,
                                session, session_key)

#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [session_key(4242, **MIXED), session_key(4242, n_sets=1, sample_rate_hz=50),
            *(session_key(4242, **(MIXED | {"sample_rate_hz": rate})) for rate in (25, 52, 200)),
            *(session_key(4345, **(MIXED_KE | {"sample_rate_hz": rate})) for rate in (25, 416)),
            session_key(4345, **MIXED_KE), session_key(4340, **MIXED_KE),
            *(session_key(77, side=side, distractors=False, imperfections=False, sample_rate_hz=25)
              for side in ("right", "left")),
            *(session_key(4242, **(MIXED | {"side": side, "sample_rate_hz": 25})) for side in ("right", "left")),
            *(session_key(4345, **(MIXED_KE | {"side": side, "sample_rate_hz": 25})) for side in ("right", "left"))]


def _outside_movements(s, margin_s=0.5):
    t = s.samples.t
    keep = np.ones(len(t), dtype=bool)
    for m in s.truth:
        keep &= (t < m.start_s - margin_s) | (t > m.end_s + margin_s)
    return keep


def _integrated_angle(s):
    rate = s.samples.gyr @ s.exercise_axis_sensor
    steps = 0.5 * (rate[1:] + rate[:-1]) * np.diff(s.samples.t)
    return s.angle_deg[0] + np.concatenate([[0.0], np.cumsum(steps)])


def test_at_rest_the_accelerometer_reads_g():
    s = mixed_session()
    norm = np.linalg.norm(s.samples.acc[_outside_movements(s)], axis=1)
    np.testing.assert_allclose(norm, GRAVITY_MS2, atol=0.01)


def test_at_rest_an_imperfect_accelerometer_reads_about_g():
    s = session(4242, n_sets=1, sample_rate_hz=50)
    norm = np.linalg.norm(s.samples.acc[_outside_movements(s)], axis=1)
    assert abs(np.median(norm) - GRAVITY_MS2) < 0.8  # bias ≤ 0.3 per axis and scale ≤ 2 %
    assert np.std(norm) < 0.15


@pytest.mark.parametrize("exercise, rate_hz", [("hip_er", 25), ("hip_er", 52), ("hip_er", 200),
                                               ("knee_extension", 25), ("knee_extension", 416)])
def test_gyro_about_the_exercise_axis_integrates_to_the_true_angle(exercise, rate_hz):
    s = MIXED_SESSIONS[exercise](sample_rate_hz=rate_hz)
    error = _integrated_angle(s) - s.angle_deg
    in_distractor = np.zeros(len(error), dtype=bool)
    for m in s.truth:
        if m.kind == "rejected":  # a distractor's rotation is not about that axis; it cancels on return
            in_distractor |= (s.samples.t >= m.start_s) & (s.samples.t <= m.end_s)
    assert np.ptp(s.angle_deg) > 20
    # at 25 Hz the sensor's band limit (10 Hz) removes the 8–12 Hz tremor (≤ 0.15°) and the trapezoid
    # lags the quickest rep pieces: a few tenths of a degree, back to nothing after each movement
    assert np.abs(error[~in_distractor]).max() < (0.2 if rate_hz >= 50 else 0.5)


@pytest.mark.parametrize("exercise", [*MIXED_SESSIONS, "continuous"])
def test_every_rep_peaks_at_its_rom_above_the_angle_at_its_start(exercise):
    s = continuous_ke_session() if exercise == "continuous" else MIXED_SESSIONS[exercise]()
    for m in s.reps:
        before, after = s.angle_at([m.start_s, m.end_s])
        assert before == pytest.approx(m.rest_angle_before_deg, abs=1e-9)
        assert after == pytest.approx(m.rest_angle_after_deg, abs=1e-9)
        dense = s.angle_at(np.arange(m.start_s, m.end_s, 1e-3))
        assert m.rom_deg - 1e-3 <= dense.max() - before <= m.rom_deg + 1e-9  # the exact peak, overshoot included
        assert abs(after - before) <= 0.4 * s.style.usual_rom_deg  # the foot may settle elsewhere, not far


def _pivot_radius_m(s, m):
    """Linear acceleration over sqrt(α² + ω⁴) during the outward movement: the distance to the pivot."""
    t = np.linspace(m.start_s, m.out_end_s, 400)
    k = s.kinematics(t)
    omega = np.radians(k.rate_dps @ s.er_axis_sensor)
    alpha = np.gradient(omega, t)
    scale = np.sqrt(alpha**2 + omega**4)
    busy = scale > 0.3 * scale.max()
    return float(np.median(np.linalg.norm(k.linear_acc_ms2, axis=1)[busy] / scale[busy]))


def test_knee_out_moves_the_sensor_much_less_than_hip_er():
    s = mixed_session()
    er = [_pivot_radius_m(s, m) for m in s.truth if m.label == "hip_er"]
    knee_out = [_pivot_radius_m(s, m) for m in s.truth if m.label == "knee_out"]
    assert er and knee_out
    assert min(er) > 0.25 and max(er) < 0.5  # about the shank length from the thigh axis
    assert max(knee_out) < 0.2  # 5–15 cm above a pivot at or below the ankle
    assert max(knee_out) < 0.5 * min(er)


def test_left_leg_is_the_mirror_image_of_the_right():
    right = session(77, side="right", distractors=False, imperfections=False, sample_rate_hz=25)
    left = session(77, side="left", distractors=False, imperfections=False, sample_rate_hz=25)
    t = np.linspace(0.0, right.timeline.end_s, 4000)
    np.testing.assert_allclose(left.kinematics(t).position_m, right.kinematics(t).position_m * [1, -1, 1], atol=1e-9)
    np.testing.assert_allclose(left.angle_at(t), right.angle_at(t), atol=1e-9)


@pytest.mark.parametrize("side, medial", [("right", +1.0), ("left", -1.0)])
def test_external_rotation_moves_the_foot_medially_and_knee_out_the_shank_top_laterally(side, medial):
    s = mixed_session(side=side, sample_rate_hz=25)
    moved = {"hip_er": [], "knee_out": []}
    for m in s.reps:
        y0, y1 = s.kinematics(np.array([m.start_s, m.out_end_s])).position_m[:, 1]
        moved[m.label].append((y1 - y0) * medial)
        out = (s.samples.t > m.start_s) & (s.samples.t < m.out_end_s)
        assert (s.samples.gyr[out] @ s.er_axis_sensor).mean() > 0  # positive rate about the ER axis
    assert moved["hip_er"] and moved["knee_out"]
    assert min(moved["hip_er"]) > 0.05  # sensor (near the foot) goes medially by centimetres
    assert max(moved["knee_out"]) < 0  # the sensor is above the pivot: it goes laterally, a little


@pytest.mark.parametrize("exercise", list(MIXED_SESSIONS))
def test_gravity_seen_by_the_sensor_turns_back_by_the_exercise_angle(exercise):
    """At rest and during holds, gravity projected across the exercise axis turns by minus its angle
    (up to the hold's wobble, whose tangential acceleration averages out to a few tenths of a degree)."""
    s = MIXED_SESSIONS[exercise]()
    t, axis = s.samples.t, s.exercise_axis_sensor
    checked = 0
    ends = [0.0] + [m.end_s for m in s.truth]
    for m in s.reps:
        before = (t > m.start_s - 0.6) & (t < m.start_s - 0.1)
        hold = (t > m.out_end_s + 0.2) & (t < m.return_start_s - 0.2)
        previous_end = max(e for e in ends if e <= m.start_s)
        if hold.sum() < 5 or m.start_s - 0.6 < previous_end:
            continue
        g0, g1 = s.samples.acc[before].mean(axis=0), s.samples.acc[hold].mean(axis=0)
        g0, g1 = g0 - axis * (g0 @ axis), g1 - axis * (g1 @ axis)
        turned_deg = np.degrees(np.arctan2(axis @ np.cross(g0, g1), g0 @ g1))
        true_deg = s.angle_at(t[hold]).mean() - s.angle_at(t[before]).mean()
        assert turned_deg == pytest.approx(-true_deg, abs=0.3)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("side", ["right", "left"])
def test_knee_extension_swings_the_foot_forward_and_up_about_the_knee(side):
    s = mixed_ke_session(side=side, sample_rate_hz=25)
    knee = s.geometry.knee_m
    for m in s.reps:
        p0, p1 = s.kinematics(np.array([m.start_s, m.out_end_s])).position_m
        assert p1[0] - p0[0] > 0.05 and p1[2] - p0[2] > 0.005  # forward (by centimetres) and up
        # in the plane ⟂ the flexion axis, up to the rep's own axis tilt (a few degrees)
        assert abs((p1 - p0) @ s.exercise_axis_world) <= np.linalg.norm(p1 - p0) * np.sin(np.radians(m.axis_tilt_deg)) + 1e-9
        out = (s.samples.t > m.start_s) & (s.samples.t < m.out_end_s)
        assert (s.samples.gyr[out] @ s.exercise_axis_sensor).mean() > 0
    sitting = _outside_movements(s, margin_s=0.0)
    for m in s.reps:  # reps and rest drift turn about the knee: the sensor stays on its circle
        sitting |= (s.samples.t >= m.start_s) & (s.samples.t <= m.end_s)
    radius = np.linalg.norm(s.kinematics(s.samples.t[sitting]).position_m - knee, axis=1)
    np.testing.assert_allclose(radius, np.linalg.norm(s.geometry.sensor_m - knee), atol=1e-9)
    assert np.ptp(s.angle_deg[_outside_movements(s)]) > 0.5  # the rest angle does drift

"""The simulator's accelerations and rates are the true derivatives of its positions and orientations."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorkit.samples import GRAVITY_MS2
from tests.sim.conftest import MIXED, MIXED_KE, mixed_ke_session, mixed_session, session_key

#: simulated in the background from the folder's first test on (tests.sim.conftest)
PREFETCH = [session_key(4242, **MIXED), session_key(4249, **MIXED), session_key(4345, **MIXED_KE)]

H_S = 1e-4
LABELS = {
    "hip_er": {"hip_er", "knee_out", "fidget", "leg_shake", "knee_extension", "stand_up"},
    "hip_er_fast": {"hip_er", "knee_out", "fidget", "leg_shake", "knee_extension", "stand_up"},
    "knee_extension": {"knee_extension", "fidget", "leg_shake", "stand_up", "hip_rotation"},
}


@pytest.fixture(params=list(LABELS))
def mixed(request):
    """Every movement of each exercise; hip_er_fast and knee_extension include fast reps."""
    s = {"hip_er": mixed_session, "hip_er_fast": lambda: mixed_session(4249),
         "knee_extension": mixed_ke_session}[request.param]()
    return request.param, s


def _times(s, n=6000):
    return np.sort(np.random.default_rng(1).uniform(0.1, s.timeline.end_s - 0.1, n))


def _impact_times(s):
    out = []
    for d, m in zip(s.distractors, [m for m in s.truth if m.kind == "rejected"]):
        if d.label == "stand_up":
            p = d.params
            walk_t0 = m.start_s + p["lean_s"] + p["rise_s"] + p["walk_lead_s"]
            out += [walk_t0 + (k + 0.75) / p["step_freq_hz"] for k in range(p["cycles"])]
    return np.array(out)


def test_session_has_every_movement(mixed):
    name, s = mixed
    assert {m.label for m in s.truth} == LABELS[name]
    assert ("fast" in {m.tempo for m in s.reps}) == name.startswith(("hip_er_fast", "knee"))


def test_acceleration_is_second_derivative_of_position(mixed):
    _, s = mixed
    t = _times(s)
    impacts = _impact_times(s)
    assert len(impacts) > 0
    t = t[np.min(np.abs(t[:, None] - impacts[None, :]), axis=1) > 3 * H_S]  # acceleration jumps at heel strike
    k, kp, km = s.kinematics(t), s.kinematics(t + H_S), s.kinematics(t - H_S)
    finite = (kp.position_m - 2 * k.position_m + km.position_m) / H_S**2
    err = np.linalg.norm(finite - k.linear_acc_ms2, axis=1)
    assert np.linalg.norm(k.linear_acc_ms2, axis=1).max() > 3  # the check covers real motion (m/s²)
    assert err.max() < 0.01, f"max |finite-difference - analytic| = {err.max():.4f} m/s²"


def test_accelerometer_reads_acceleration_minus_gravity_in_sensor_frame(mixed):
    _, s = mixed
    k = s.kinematics(_times(s, 2000), with_orientation=True)
    gravity = np.array([0.0, 0.0, -GRAVITY_MS2])
    expected = np.einsum("nji,nj->ni", k.sensor_to_world, k.linear_acc_ms2 - gravity)
    np.testing.assert_allclose(k.specific_force_ms2, expected, atol=1e-9)


def test_gyro_is_rate_of_change_of_orientation(mixed):
    _, s = mixed
    t = _times(s, 3000)
    plus, minus = s.kinematics(t + H_S, True), s.kinematics(t - H_S, True)
    increment = np.einsum("nji,njk->nik", minus.sensor_to_world, plus.sensor_to_world)  # body-frame turn
    finite_dps = np.degrees(Rotation.from_matrix(increment).as_rotvec()) / (2 * H_S)
    rate = s.kinematics(t).rate_dps
    assert np.linalg.norm(rate, axis=1).max() > 50
    np.testing.assert_allclose(finite_dps, rate, atol=1e-3)


def test_a_rep_turns_the_sensor_by_its_angle_about_the_exercise_axis(mixed):
    _, s = mixed
    for rep in s.reps:
        times = np.linspace(rep.start_s, rep.end_s, 9)
        k = s.kinematics(times, with_orientation=True)
        for t_now, orientation, angle in zip(times, k.sensor_to_world, k.angle_deg):
            turn = Rotation.from_matrix(orientation @ k.sensor_to_world[0].T).as_rotvec()  # world frame
            assert np.linalg.norm(turn) == pytest.approx(abs(np.radians(angle - k.angle_deg[0])), abs=1e-9)
            if abs(angle - k.angle_deg[0]) > 1.0:  # about the rep's own axis: the exercise axis tilted
                along = np.sign(angle - k.angle_deg[0]) * turn @ s.exercise_axis_world / np.linalg.norm(turn)
                tilt = np.degrees(np.arccos(np.clip(along, -1, 1)))
                assert tilt == pytest.approx(rep.axis_tilt_deg, abs=1e-6)
        assert s.angle_at([rep.out_end_s])[0] - s.angle_at([rep.start_s])[0] <= rep.rom_deg + 1e-9
    assert max(rep.axis_tilt_deg for rep in s.reps) > 0.5  # no two reps turn about quite the same axis
    if s.exercise == "hip_external_rotation":
        np.testing.assert_allclose(s.exercise_axis_world, s.geometry.er_axis)
        np.testing.assert_allclose(s.exercise_axis_sensor, s.er_axis_sensor)
    else:  # minus the knee's flexion axis: horizontal, pointing to the patient's right
        np.testing.assert_allclose(s.exercise_axis_world, -s.geometry.flexion_axis)
        assert abs(s.exercise_axis_world[2]) < 1e-12 and s.exercise_axis_world[1] < -0.9


def test_sampled_signals_follow_the_exact_kinematics(mixed):
    """Band-limiting at 0.4 x rate only changes fast content: slow phases are reproduced closely."""
    _, s = mixed
    t = s.samples.t
    k = s.kinematics(t)
    still = np.ones(len(t), dtype=bool)
    for m in s.truth:
        still &= (t < m.start_s - 0.5) | (t > m.end_s + 0.5)
    assert still.mean() > 0.2  # the check covers a good part of the session
    np.testing.assert_allclose(s.samples.acc[still], k.specific_force_ms2[still], atol=0.05)
    np.testing.assert_allclose(s.samples.gyr[still], k.rate_dps[still], atol=0.5)

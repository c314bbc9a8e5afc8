"""sensorkit.robustness: each change is the physics it claims to be."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorkit.pipeline import Pipeline
from sensorkit.pipeline.motion import MotionTracker
from sensorkit.pipeline.rep import COUNTED_KINDS
from sensorkit.robustness import (done_slower, done_with_range, holds_wobblier, other_leg, resampled, rests_drifting,
                                  rests_shifted, strap_rotated, with_knocks)
from sensorkit.samples import Samples
from sensorkit.sim import simulate_session
from sensorkit.sim.sensor import apply_errors, band_limit, output_times


def _vertical(samples):
    return MotionTracker(samples.sample_rate_hz, 5.0, 3.0).update(samples.t, samples.acc, samples.gyr).up


def _counted(session, samples):
    meta = {k: v for k, v in session.meta.items() if not k.startswith("target_mov")}  # (no prescribed tempo)
    return sum(r.kind in COUNTED_KINDS for r in Pipeline(meta=meta).run(samples))


def _exactly_slower(session, factor, seed=1):
    """The session's motion taking ``factor`` times as long, from its exact kinematics through the
    simulator's sensor model: gravity as it is, the linear acceleration / factor², the rate / factor."""
    rate = float(round(session.samples.sample_rate_hz))
    rng = np.random.default_rng(seed)
    t = output_times(factor * session.timeline.end_s, rate, session.errors, rng)
    fine = np.arange(0.0, t[-1] + 5e-3, 1e-3)
    k = session.timeline.evaluate(fine / factor, with_orientation=True)
    linear = np.einsum("nji,nj->ni", k.sensor_to_world, k.linear_acc_ms2)  # in the sensor frame
    ideal = band_limit(fine, np.hstack([k.specific_force_ms2 - linear + linear / factor**2, k.rate_dps / factor]), rate, t)
    acc, gyr = apply_errors(t, ideal[:, :3], ideal[:, 3:], rate, session.errors, rng)
    return Samples(t, acc, gyr)


def test_a_strap_turned_turns_the_measured_vertical_with_it():
    s = simulate_session(401).samples[:2000]
    r = Rotation.random(random_state=3).as_matrix()
    turned = _vertical(strap_rotated(s, r))
    angle = np.degrees(np.arccos(np.clip(np.einsum("ni,ni->n", turned, _vertical(s) @ r.T), -1, 1)))
    assert angle.max() < 0.1


def test_the_other_leg_is_the_mirror_image_of_the_vertical():
    s = simulate_session(401).samples[:2000]
    mirrored = _vertical(other_leg(s))
    np.testing.assert_allclose(mirrored, _vertical(s) * [-1.0, 1.0, 1.0], atol=1e-4)


def test_a_recording_at_its_own_rate_is_left_alone():
    s = simulate_session(401).samples
    assert resampled(s, s.sample_rate_hz + 1e-9) is s
    assert resampled(s, 0.5 * s.sample_rate_hz).t[-1] <= s.t[-1]


@pytest.mark.parametrize("seed, exercise", [(408, "knee_extension"), (423, "hip_external_rotation")])
@pytest.mark.parametrize("factor", [0.8, 1.25])
def test_done_slower_counts_as_the_exact_physics_does_within_its_range(seed, exercise, factor):
    session = simulate_session(seed, exercise=exercise)
    assert _counted(session, done_slower(session.samples, factor)) == _counted(session, _exactly_slower(session, factor))


@pytest.mark.parametrize("factor", [0.5, 1.25])
def test_done_with_range_reads_as_the_turn_scaled(factor):
    # exact readings of reps turning about one axis, and of the same reps factor times as large
    from synth import min_jerk, random_setup, samples_of_angle
    t = np.arange(0.0, 30.0, 1 / 50.0)
    theta = sum(rom * (min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 3.2) / 1.2))
                for t0, rom in [(3, 60), (9, 40), (15, 70), (21, 30)])
    axis, g = random_setup(3)
    scaled = done_with_range(samples_of_angle(theta, t, axis, g, seed=1), factor)
    exact = samples_of_angle(factor * theta, t, axis, g, seed=1)
    assert np.percentile(np.abs(scaled.acc - exact.acc), 99) < 0.1  # m/s² (noise: 0.02)
    assert np.percentile(np.abs(scaled.gyr - exact.gyr), 99) < 1.5  # deg/s (peaks: 90-190)


def test_holds_wobblier_reads_as_the_hold_wobbling_more():
    # exact readings of two reps whose 3-s holds wobble by 0.8 deg at 2 Hz, and of the same reps
    # wobbling three times as much: the rest of the recording is left as it was
    from synth import min_jerk, random_setup, samples_of_angle
    from sensorkit.pipeline.rep import Rep
    t = np.arange(0.0, 22.0, 1 / 50.0)

    def angle(wobble_deg):
        theta = np.zeros_like(t)
        for t0 in (3.0, 12.0):
            inside = np.clip(t - t0 - 1.2, 0.0, 3.0)
            taper = np.minimum(1.0, np.minimum(inside, 3.0 - inside) / 0.3)
            theta += 50 * (min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 4.2) / 1.2))
            theta += wobble_deg * np.sin(2 * np.pi * 2.0 * inside) * taper
        return theta

    axis, g = random_setup(4)
    reps = [Rep(rep=i + 1, kind="full", start_s=t0, end_s=t0 + 5.4, rom_deg=50.0, hold_s=3.0, out_end_s=t0 + 1.2,
                return_start_s=t0 + 4.2, peak_speed_dps=80.0, out_duration_s=1.2, return_duration_s=1.2,
                rest_angle_deg=0.0, radius_m=0.4, axis_offset_deg=0.0) for i, t0 in enumerate((3.0, 12.0))]
    wobblier = holds_wobblier(samples_of_angle(angle(0.8), t, axis, g, seed=1), reps, 3.0)
    exact = samples_of_angle(angle(2.4), t, axis, g, seed=1)
    original = samples_of_angle(angle(0.8), t, axis, g, seed=1)
    hold = ((t > 4.2) & (t < 7.2)) | ((t > 13.2) & (t < 16.2))

    def rms(x):
        return float(np.sqrt(np.mean(np.einsum("ij,ij->i", x, x))))

    # (the wobble turns at 20 deg/s rms; what is left of the difference is about a fifth of what
    # it was: 0.17 of it in the rate, 0.21 in the accelerometer, as the orientation filter's
    # wobble, which the change scales, is smaller than the gyro's)
    assert rms(wobblier.gyr[hold] - exact.gyr[hold]) < 0.25 * rms(original.gyr[hold] - exact.gyr[hold])
    assert rms(wobblier.acc[hold] - exact.acc[hold]) < 0.25 * rms(original.acc[hold] - exact.acc[hold])
    outside = (t < 4.0) | ((t > 8.0) & (t < 13.0)) | (t > 17.0)
    assert np.abs(wobblier.gyr[outside] - original.gyr[outside]).max() < 0.05  # deg/s
    assert np.abs(wobblier.acc[outside] - original.acc[outside]).max() < 0.01  # m/s²


def test_rests_drifting_reads_as_the_leg_creeping_between_reps():
    # exact readings of three reps, and of the same reps with the leg creeping 2 deg/s out in the
    # first rest and back in the second (over each rest less 0.3 s at its ends), the reps done
    # from where it then rests
    from synth import min_jerk, random_setup, samples_of_angle
    from sensorkit.pipeline.rep import Rep
    t = np.arange(0.0, 30.0, 1 / 50.0)
    starts = (3.0, 11.0, 19.0)
    theta = sum(50 * (min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 3.2) / 1.2)) for t0 in starts)
    reps = [Rep(rep=i + 1, kind="full", start_s=t0, end_s=t0 + 4.4, rom_deg=50.0, hold_s=2.0, out_end_s=t0 + 1.2,
                return_start_s=t0 + 3.2, peak_speed_dps=80.0, out_duration_s=1.2, return_duration_s=1.2,
                rest_angle_deg=0.0, radius_m=0.4, axis_offset_deg=0.0) for i, t0 in enumerate(starts)]
    creep = np.zeros_like(t)
    for a, b, way in ((7.7, 10.7, 1.0), (15.7, 18.7, -1.0)):  # (6 deg each way)
        creep += way * 2.0 * np.clip(t - a, 0.0, b - a)
    axis, g = random_setup(5)
    drifting = rests_drifting(samples_of_angle(theta, t, axis, g, seed=1), reps, 2.0)
    exact = samples_of_angle(theta + creep, t, axis, g, seed=1)
    assert np.percentile(np.abs(drifting.gyr - exact.gyr), 99) < 0.5  # deg/s (the creep: 2)
    assert np.percentile(np.abs(drifting.acc - exact.acc), 99) < 0.1  # m/s² (the creep turns gravity by 6 deg: 1.0)
    counted = Pipeline(meta={"exercise": "knee_extension"}).run(drifting)
    assert [r.rom_deg for r in counted if r.counted] == pytest.approx([50, 50, 50], abs=1.5)


def test_rests_shifted_reads_as_the_resting_leg_put_down_elsewhere_between_sets():
    # exact readings of four reps in sets of 1, 2 and 1 (rests of 4, 1.5 and 4 s), and of the same
    # reps with the resting leg turned 20 deg out over 1 s (minimum jerk, from 0.3 s after the rep)
    # in the first long rest and back in the second; the reps done from where it then rests. The
    # segmenter reads each rep from its own rest (session 22)
    from synth import min_jerk, random_setup, samples_of_angle
    from sensorkit.pipeline.rep import Rep
    t = np.arange(0.0, 34.0, 1 / 50.0)
    starts = (3.0, 11.4, 17.3, 25.7)
    theta = sum(50 * (min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 3.2) / 1.2)) for t0 in starts)
    reps = [Rep(rep=i + 1, kind="full", start_s=t0, end_s=t0 + 4.4, rom_deg=50.0, hold_s=2.0, out_end_s=t0 + 1.2,
                return_start_s=t0 + 3.2, peak_speed_dps=80.0, out_duration_s=1.2, return_duration_s=1.2,
                rest_angle_deg=0.0, radius_m=0.4, axis_offset_deg=0.0) for i, t0 in enumerate(starts)]
    shift = 20.0 * (min_jerk(t - 7.7) - min_jerk(t - 22.0))
    axis, g = random_setup(5)
    plain = samples_of_angle(theta, t, axis, g, seed=1)
    shifted = rests_shifted(plain, reps, 20.0)
    exact = samples_of_angle(theta + shift, t, axis, g, seed=1)
    assert np.percentile(np.abs(shifted.gyr - exact.gyr), 99) < 1.0  # deg/s (the shift peaks at 37.5)
    assert np.percentile(np.abs(shifted.acc - exact.acc), 99) < 0.15  # m/s² (it turns gravity by 20 deg: 3.4)
    assert rests_shifted(plain, reps, 20.0, min_rest_s=5.0) is plain  # (no rest is that long)
    counted = [r for r in Pipeline(meta={"exercise": "knee_extension"}).run(shifted) if r.counted]
    assert [round(r.start_s) for r in counted] == [3, 11, 17, 26]
    assert [r.rom_deg for r in counted] == pytest.approx([50] * 4, abs=1.5)


def test_returns_in_two_stages_stop_part_way_back_and_settle_in_the_rest():
    # exact readings of three 50-deg reps with 5 s rests; each return changed to stop 15 deg above
    # rest for 1 s, then settle over 1 s. The gyro's added turn holds the leg there, nothing before
    # the return moves, the accelerometer reads the turned leg (the exact readings of the changed
    # angle), and the reps keep their count, range and hold
    from synth import min_jerk, random_setup, samples_of_angle
    from sensorkit.pipeline.rep import Rep
    from sensorkit.robustness import returns_in_two_stages
    fs = 50.0
    t = np.arange(0.0, 30.0, 1 / fs)
    starts = (3.0, 12.0, 21.0)
    theta = sum(50 * (min_jerk((t - t0) / 1.2) - min_jerk((t - t0 - 3.2) / 1.2)) for t0 in starts)
    reps = [Rep(rep=i + 1, kind="full", start_s=t0, end_s=t0 + 4.4, rom_deg=50.0, hold_s=2.0, out_end_s=t0 + 1.2,
                return_start_s=t0 + 3.2, peak_speed_dps=80.0, out_duration_s=1.2, return_duration_s=1.2,
                rest_angle_deg=0.0, radius_m=0.4, axis_offset_deg=0.0) for i, t0 in enumerate(starts)]
    axis, g = random_setup(5)
    plain = samples_of_angle(theta, t, axis, g, seed=1)
    two = returns_in_two_stages(plain, reps, 15.0, 1.0, 1.0)
    added = np.cumsum((two.gyr - plain.gyr) @ axis) / fs  # deg (the rate turns about the axis)
    lifted = theta + added
    for t0 in starts:
        during = (t > t0 + 4.3) & (t < t0 + 4.9)  # the return got below 15 deg at about t0 + 4.0
        assert np.all(np.abs(lifted[during] - 15.0) < 2.0)
        assert np.all(np.abs(added[(t > t0 - 1.0) & (t < t0 + 3.2)]) < 0.2)  # (out and hold as they were)
        assert abs(lifted[np.searchsorted(t, t0 + 7.0)]) < 0.5  # (settled by then)
    exact = samples_of_angle(lifted, t, axis, g, seed=1)
    assert np.percentile(np.abs(two.acc - exact.acc), 99) < 0.15  # m/s² (the stop turns gravity by 15 deg: 2.5)
    counted = [r for r in Pipeline(meta={"exercise": "knee_extension"}).run(two) if r.counted]
    assert [round(r.start_s) for r in counted] == [3, 12, 21]
    assert [r.rom_deg for r in counted] == pytest.approx([50] * 3, abs=1.5)
    assert [r.hold_s for r in counted] == pytest.approx([2.0] * 3, abs=0.3)


@pytest.mark.parametrize("fs_hz", [25.0, 100.0])
def test_a_knock_is_a_vibration_where_the_foot_lands_after_a_rep_followed_by_a_rest(fs_hz):
    # a rep followed by a rest gets a knock as its foot lands (UCI subject 2's ring across the
    # knee's axis, and a jolt along the vertical); one followed at once by the next, none. The ring
    # turns the shank by nothing: the rate added sums to 0
    session = simulate_session(3, exercise="knee_extension", sample_rate_hz=fs_hz)
    reps = Pipeline(meta=session.meta).run(session.samples)
    knocked = with_knocks(session.samples, reps)
    added_gyr, added_acc = knocked.gyr - session.samples.gyr, knocked.acc - session.samples.acc
    assert np.abs(added_gyr.sum(axis=0)).max() < 1e-9
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    landed = [r for r, after in zip(counted, counted[1:] + [None]) if after is None or after.start_s - r.end_s >= 1.0]
    assert landed
    t = session.samples.t
    for r in counted:
        ring = (t >= r.end_s) & (t < r.end_s + 0.4)
        if np.diff(t[max(0, int(ring.argmax()) - 1):int(ring.argmax()) + int(ring.sum())]).max() > 1.5 / fs_hz:
            # (the knock lost in a gap of the simulated link)
            continue
        if r in landed:
            assert np.linalg.norm(added_gyr[ring], axis=1).max() > 100.0 and np.linalg.norm(added_acc[ring], axis=1).max() > 10.0
        else:
            assert not added_gyr[ring].any()
    moved = np.linalg.norm(added_gyr, axis=1) > 0
    assert moved.mean() < 0.1  # (the knocks only)

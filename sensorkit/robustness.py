"""Changes to a recording that must not change what was done, and how much the reps change.

A real recording has no truth for ROM or hold, and a few labelled sessions are few. What it does
have is invariances: the same session, with the sensor strapped another way round, on the other
leg (the mirror image of the motion), sampled at another rate, or from a gyro with another bias,
noise, lost packets or timestamp jitter, is the same exercise done the same way. Counts, kinds
and tempos must not move; ROM and hold should move by little. Each change here is a pure function
of :class:`~sensorkit.samples.Samples` (seeded where random), and :func:`compare_reps` says how
much the reps moved.

- ``strap_rotated``: the sensor frame turned by a fixed rotation (acc and gyro alike);
- ``other_leg``: the mirror image of the motion, as a sensor on the other leg would read it (a
  reflection of the sensor frame: the specific force is a vector, the rate a pseudovector);
- ``resampled``: another sample rate (low-passed first at the simulator's sensor cut-off, 0.4 x
  the new rate, when it is lower; a cubic spline between samples). Upsampling adds nothing a faster
  sensor would have seen, and it evens out timestamp jitter and gaps;
- ``with_gyro_bias``, ``with_noise``, ``with_scale_errors``, ``with_lost_samples``,
  ``with_time_jitter``, ``with_glitches``: sensor errors, in :func:`standard_perturbations` mostly
  beyond what the simulator draws (``sensorkit.sim.sensor``): a gyro bias of up to ±2 deg/s per axis (simulator
  ±0.3–3), noise of 0.5 deg/s and 0.1 m/s² rms at any rate (simulator at most 0.2 and 0.05 at
  100 Hz), scale errors of ±3 % (acc) and ±2 % (gyro) (simulator ±2 %), lost samples in runs of
  1–4 (simulator 1–8), timestamp jitter of ±20 % of the period (simulator 0.5–4 %), a gyro glitch
  of 200–2000 deg/s in one sample every 5 s or so (the simulator draws none). Not covered:
  an accelerometer bias and a drifting gyro bias;
- ``done_slower``: the same motion done more slowly or quickly (time stretched, the rate divided
  by the factor, the acceleration beyond gravity by its square), at the recording's own rate.
  Gravity is taken along the orientation filter's vertical, whose error in movement (about 1°)
  stays in the accelerometer: for factors within 0.8–1.25 the counts on simulated sessions match
  those of the exact physics, but at 2 the leftover tilt outweighs the shrunken acceleration of
  the motion and reps are lost that exact physics keeps (knee extension seed 408: 7 of 10 counted,
  exact 10). The gyro's own errors are scaled with it;
- ``done_with_range``: the same motion with every turn scaled (a patient who moves less, or
  more), the timing kept: the orientation filter's orientation scaled from the first sample's,
  the accelerometer's gravity and lever-arm parts rebuilt for it (see the function);
- ``holds_wobblier``: the wobble of every counted rep's hold scaled (a patient whose holds shake
  more), the rest of the recording kept;
- ``rests_drifting``: the leg creeping about the reps' axis in every rest between counted reps,
  the reps after it done from where it rests (a resting pose that drifts);
- ``rests_shifted``: the resting leg shifted about the reps' axis in the longer rests between
  counted reps (the foot put down elsewhere between sets), the reps after it done from there;
- ``returns_in_two_stages``: each counted rep's return stopping 15° above rest for a second, then
  settling, in the rest after it (no time inserted);
- ``holds_longer``: every counted rep's hold stretched in time (a prescription with longer holds),
  given the recording's own reps; it returns the map of times with the samples;
- ``rests_shorter``: the still moments of every rest between two reps of a set cut out (a patient
  who goes straight on into the next rep), given the recording's own reps; ``time_warped``
  stretches spans of a recording in time (``holds_longer`` uses it);
- :func:`glitch_perturbations`: glitches beyond one bad gyro read (a whole sample, two samples
  in a row, the accelerometer alone);
- :func:`combined_perturbations`: several of the above at once, drawn (the other leg or not, a
  strap rotation, the motion 0.8–1.25 times as slow, 25, 52 or 100 Hz, a gyro bias, noise): a
  patient unlike the recorded ones wearing another sensor another way;
- ``with_gap``: no data for a while (a reconnect); the reps that lie wholly outside the gap must
  stay, and :func:`reps_around_gap` says how many did.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
from scipy import signal
from scipy.interpolate import CubicSpline
from scipy.spatial.transform import Rotation

from sensorkit.accuracy import match
from sensorkit.pipeline.circle import MOVING_DPS, circle_terms, fit_radius
from sensorkit.pipeline.motion import MotionTracker, orientation_filter
from sensorkit.pipeline.rep import COUNTED_KINDS, Rep
from sensorkit.samples import GRAVITY_MS2, Samples
from sensorkit.sim.profiles import MinJerk
from sensorkit.sim.sensor import LOWPASS_FRACTION


def strap_rotated(samples: Samples, rotation: np.ndarray) -> Samples:
    """The readings of a sensor turned by ``rotation`` (3 x 3, proper) on the same leg."""
    r = np.asarray(rotation, dtype=float)
    return Samples(samples.t, samples.acc @ r.T, samples.gyr @ r.T)


def other_leg(samples: Samples) -> Samples:
    """The mirror image of the motion (the other leg): the sensor frame reflected in its y-z plane."""
    return Samples(samples.t, samples.acc * [-1.0, 1.0, 1.0], samples.gyr * [1.0, -1.0, -1.0])


def resampled(samples: Samples, rate_hz: float) -> Samples:
    """The recording at ``rate_hz`` (Hz) over the same span (unchanged when that is its own rate,
    to a part in a million)."""
    fs = samples.sample_rate_hz
    if abs(rate_hz - fs) <= 1e-6 * fs:
        return samples
    t = np.arange(samples.t[0], samples.t[-1] + 0.5 / rate_hz, 1.0 / rate_hz)
    t = t[t <= samples.t[-1]]
    x = np.column_stack([samples.acc, samples.gyr])
    if rate_hz < fs:
        sos = signal.butter(4, LOWPASS_FRACTION * rate_hz, fs=fs, output="sos")
        x = signal.sosfiltfilt(sos, x, axis=0)
    y = CubicSpline(samples.t, x, axis=0)(t)
    return Samples(t, y[:, :3], y[:, 3:])


def with_gyro_bias(samples: Samples, bias_dps: np.ndarray) -> Samples:
    """A constant gyro bias added (deg/s per axis)."""
    return Samples(samples.t, samples.acc, samples.gyr + np.asarray(bias_dps, dtype=float))


def with_noise(samples: Samples, acc_ms2: float, gyr_dps: float, seed: int) -> Samples:
    """White noise of ``acc_ms2`` (m/s²) and ``gyr_dps`` (deg/s) rms added on every axis."""
    rng = np.random.default_rng(seed)
    return Samples(samples.t, samples.acc + rng.normal(0.0, acc_ms2, samples.acc.shape),
                   samples.gyr + rng.normal(0.0, gyr_dps, samples.gyr.shape))


def with_scale_errors(samples: Samples, acc_scale: np.ndarray, gyr_scale: np.ndarray) -> Samples:
    """Each axis scaled (1 + error: ``acc_scale`` and ``gyr_scale`` are the factors per axis)."""
    return Samples(samples.t, samples.acc * np.asarray(acc_scale), samples.gyr * np.asarray(gyr_scale))


def with_lost_samples(samples: Samples, share: float, seed: int, max_run: int = 4) -> Samples:
    """About ``share`` of the samples lost, in runs of 1 to ``max_run`` (first and last kept)."""
    rng = np.random.default_rng(seed)
    keep = np.ones(len(samples), dtype=bool)
    for i in rng.choice(len(samples), int(share * len(samples) / (0.5 * (1 + max_run))), replace=False):
        keep[i:i + rng.integers(1, max_run + 1)] = False
    keep[0] = keep[-1] = True
    return samples[keep]


def with_gap(samples: Samples, start_s: float, duration_s: float) -> Samples:
    """No data from ``start_s`` for ``duration_s`` (a reconnect: the link dropped, the leg went on)."""
    return samples[(samples.t < start_s) | (samples.t >= start_s + duration_s)]


def with_time_jitter(samples: Samples, fraction: float, seed: int) -> Samples:
    """Each timestamp moved by up to ± ``fraction`` of the median period (``t`` stays increasing
    where every interval is at least ``2 * fraction`` periods)."""
    rng = np.random.default_rng(seed)
    period = float(np.median(np.diff(samples.t)))
    return Samples(samples.t + rng.uniform(-fraction, fraction, len(samples)) * period, samples.acc, samples.gyr)


def with_glitches(samples: Samples, every_s: float, seed: int, gyr_dps: tuple[float, float] = (200.0, 2000.0),
                  acc_ms2: tuple[float, float] = (0.0, 0.0), run: int = 1) -> Samples:
    """About every ``every_s`` seconds ``run`` samples in a row with a glitch: a rate of ``gyr_dps``
    (deg/s, drawn uniformly between the two) in a random direction added to each, and a specific
    force of ``acc_ms2`` (m/s², likewise) to each (the default none: a bad read of the gyro alone;
    ``gyr_dps=(0, 0)``: of the accelerometer alone); each run alone (no other within two samples
    of it). Each glitched sample's errors are drawn on their own."""
    if run < 1:
        raise ValueError(f"with_glitches: run must be 1 or more samples, not {run}")
    rng = np.random.default_rng(seed)
    n = len(samples)
    wanted = int((samples.t[-1] - samples.t[0]) / every_s) if n > run + 3 else 0
    at = (np.sort(rng.choice(np.arange(1, n - run), min(wanted, max(0, (n - 2) // (run + 2))), replace=False))
          if wanted else np.empty(0, int))
    at = at[np.concatenate([[True], np.diff(at) > run + 1])] if len(at) else at  # (alone: neighbours as recorded)
    at = (at[:, None] + np.arange(run)).ravel()
    gyr = samples.gyr.copy()
    direction = _directions(rng, len(at))
    gyr[at] += rng.uniform(*gyr_dps, len(at))[:, None] * direction
    acc = samples.acc
    if acc_ms2[1] > 0:
        direction = _directions(rng, len(at))
        acc = acc.copy()
        acc[at] += rng.uniform(*acc_ms2, len(at))[:, None] * direction
    return Samples(samples.t, acc, gyr)


def _directions(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 3) random unit vectors."""
    direction = rng.normal(size=(n, 3))
    return direction / np.linalg.norm(direction, axis=1)[:, None]


def _filter_gravity(samples: Samples) -> np.ndarray:
    """Gravity (m/s², (n, 3), sensor frame) along the orientation filter's vertical."""
    return GRAVITY_MS2 * MotionTracker(samples.sample_rate_hz, 5.0, 3.0).update(samples.t, samples.acc, samples.gyr).up


def done_slower(samples: Samples, factor: float) -> Samples:
    """The motion taking ``factor`` times as long (< 1: quicker), sampled at the recording's rate.

    Angles stay: the rate is divided by ``factor``. The acceleration beyond gravity (the
    accelerometer minus gravity along the orientation filter's vertical: exact at rest, within
    the filter's error in movement) is divided by ``factor²``."""
    fs = samples.sample_rate_hz
    gravity = _filter_gravity(samples)
    stretched = Samples(samples.t * factor, gravity + (samples.acc - gravity) / factor**2, samples.gyr / factor)
    return resampled(stretched, fs)


def done_with_range(samples: Samples, factor: float, lowpass_hz: float = 5.0) -> Samples:
    """The same motion with every turn ``factor`` times as large (< 1: a smaller range, as a
    stiffer patient's; the way out and any turn off the exercise's plane alike), the timing kept.

    The sensor's orientation is the orientation filter's (VQF, 6D: gravity anchors the tilt); its
    turn from the first sample, as a rotation vector, is scaled by ``factor``. The rate gains the
    difference between the new orientation's rate and the filter's. The accelerometer is split
    into gravity (along the filter's vertical), the lever arm's acceleration (``α × ρ + ω × (ω ×
    ρ)``, ``ρ`` fitted over the recording's moving samples as the pipeline fits it, the rates
    low-passed at ``lowpass_hz`` at zero phase) and the rest (the rest of the body moving with the
    leg, the filter's tilt error in movement, noise). Gravity, and the rest scaled by ``factor``
    (a smaller motion shakes the body less; the noise shrinks with it), turn with the new
    orientation, and the lever arm's acceleration is that of the new rate. On a turn about one
    axis it reproduces the readings of the turn scaled to within 0.07 m/s² and 1.3 deg/s (99th
    percentile at ``factor`` 0.5; ``tests/pipeline/test_robustness.py``). Rests shift with
    the turn (a rest 10° from the first is 10 · ``factor``° from it). Kept unscaled, the rest
    outweighs the lever arm's acceleration of small slow reps: at 0.75, the radius fitted to UCI
    subject 2's low-amplitude reps (57–63° at 1) grew from 0.40–0.55 to 0.80–0.82 m, beyond
    ``max_radius_m``."""
    q = _filter_orientation(samples)
    return _turned_to(samples, q, q[0] * Rotation.from_rotvec(factor * (q[0].inv() * q).as_rotvec()),
                      factor, lowpass_hz)


def _filter_orientation(samples: Samples) -> Rotation:
    """The orientation filter's orientation (VQF, 6D; sensor to earth) at every sample."""
    quat = orientation_filter(samples.sample_rate_hz, 3.0).updateBatch(
        np.ascontiguousarray(np.radians(samples.gyr)), np.ascontiguousarray(samples.acc))["quat6D"]
    return Rotation.from_quat(quat[:, [1, 2, 3, 0]])  # (VQF: w, x, y, z)


def _turned_to(samples: Samples, q: Rotation, turned: Rotation, other_factor: float, lowpass_hz: float) -> Samples:
    """The readings of the sensor turned from orientations ``q`` (the filter's) to ``turned``,
    the timing kept (see :func:`done_with_range`): the rate gains the difference of the two
    orientations' rates; gravity and the acceleration that is neither gravity nor the lever
    arm's (times ``other_factor``) turn with the sensor, and the lever arm's is the new rate's."""
    t, fs = samples.t, samples.sample_rate_hz
    sos = signal.butter(2, min(lowpass_hz, 0.4 * fs), fs=fs, output="sos")

    def body_rate(r: Rotation) -> np.ndarray:  # rad/s, (n, 3): central differences of the orientation
        step = (r[:-1].inv() * r[1:]).as_rotvec()
        both = np.vstack([step[:1], step[:-1] + step[1:], step[-1:]])
        span = np.concatenate([[t[1] - t[0]], t[2:] - t[:-2], [t[-1] - t[-2]]])
        return signal.sosfiltfilt(sos, both / span[:, None], axis=0)  # (VQF's orientation moves in steps of noise)

    added = body_rate(turned) - body_rate(q)
    motion = MotionTracker(fs, lowpass_hz, 3.0).update(t, samples.acc, samples.gyr)
    moving = motion.speed_dps > MOVING_DPS
    rho = fit_radius(circle_terms(motion.smooth_omega_dps[moving], motion.alpha_dps2[moving],
                                  motion.lin_acc_ms2[moving])) if np.count_nonzero(moving) >= 5 else None
    rho = np.zeros(3) if rho is None else rho
    omega = signal.sosfiltfilt(sos, np.radians(samples.gyr), axis=0)

    def lever(w: np.ndarray) -> np.ndarray:  # α × ρ + ω × (ω × ρ), (n, 3) m/s²
        return np.cross(np.gradient(w, t, axis=0), rho) + np.cross(w, np.cross(w, rho))

    gravity = GRAVITY_MS2 * motion.up
    other = samples.acc - gravity - lever(omega)  # the rest of the body's motion, the filter's tilt error, noise
    acc = (turned.inv() * q).apply(gravity + other_factor * other) + lever(omega + added)
    return replace(samples, acc=acc, gyr=samples.gyr + np.degrees(added))


#: :func:`holds_wobblier` amplifies the wobble of holds of at least this long (s) ...
MIN_WOBBLE_HOLD_S = 1.0
#: ... the wobble being the orientation's part above this (Hz; real holds wobble at 1-3 Hz, a
#: sagging hold's trend is slower) ...
WOBBLE_TREND_HZ = 0.5
#: ... faded in and out over this much of each end of the hold (s), so that the outward movement
#: and the return are the recorded ones ...
WOBBLE_TAPER_S = 0.3
#: ... and past any sample at either end turning faster than this (deg/s; in UCI's holds the gyro reads
#: at most 7.8 deg/s in the median hold and 29.4 in the fastest, 0.3 s inside its ends)
WOBBLE_MAX_DPS = 40.0


def holds_wobblier(samples: Samples, reps: list[Rep], factor: float, lowpass_hz: float = 5.0) -> Samples:
    """The recording with the wobble of each counted rep's hold of ``reps`` (the recording's own,
    as analysed; holds of at least MIN_WOBBLE_HOLD_S) ``factor`` times as large: a patient whose
    holds shake more. In each hold the orientation filter's orientation, as a rotation vector from
    the hold's middle, is split into its trend (low-passed at WOBBLE_TREND_HZ, zero phase: the
    sag and sway) and the rest (the wobble, with the filter's own noise); the rest is scaled,
    faded in and out over WOBBLE_TAPER_S at the hold's ends, and the readings are rebuilt for the
    new orientation as :func:`done_with_range` rebuilds them (the acceleration that is neither
    gravity nor the lever arm's kept as it was). The timing, the outward movements and the
    returns are the recording's. The filter's orientation wobbles less than the gyro says the leg
    does (its rate differs from the gyro's by about 40 % rms in 0.5-5 Hz on UCI's holds), so the
    gyro's wobble grows by less than ``factor`` (UCI's test sessions: 1.8 times at 2, 3.5 at 4;
    at 0, 0.36-0.45 of it is left)."""
    q = _filter_orientation(samples)
    rotvecs = q.as_rotvec()
    t, fs = samples.t, samples.sample_rate_hz
    sos = signal.butter(2, WOBBLE_TREND_HZ, fs=fs, output="sos")
    taper_n = max(1, int(round(WOBBLE_TAPER_S * fs)))
    changed = False
    for r in reps:
        if r.kind not in COUNTED_KINDS or r.hold_s < MIN_WOBBLE_HOLD_S:
            continue
        # (past any sample at either end turning faster than WOBBLE_MAX_DPS: the end of the outward
        # movement or the start of the return, should the analysis have timed the hold a little
        # wide, is not scaled as wobble)
        i0, i1 = np.searchsorted(t, [r.out_end_s, r.return_start_s])
        slow = (np.sqrt(np.einsum("ij,ij->i", samples.gyr[i0:i1], samples.gyr[i0:i1])) <= WOBBLE_MAX_DPS).nonzero()[0]
        if not len(slow):
            continue
        i0, i1 = i0 + int(slow[0]), i0 + int(slow[-1]) + 1
        if i1 - i0 <= max(3 * taper_n, 16):  # (sosfiltfilt pads 9 samples each side)
            continue
        mid = q[(i0 + i1) // 2]
        d = (mid.inv() * q[i0:i1]).as_rotvec()
        wobble = d - signal.sosfiltfilt(sos, d, axis=0)
        ramp = np.minimum(1.0, np.minimum(np.arange(i1 - i0), np.arange(i1 - i0 - 1, -1, -1)) / taper_n)  # (0 at both ends)
        rotvecs[i0:i1] = (mid * Rotation.from_rotvec(d + (factor - 1.0) * ramp[:, None] * wobble)).as_rotvec()
        changed = True
    if not changed:
        return samples
    return _turned_to(samples, q, Rotation.from_rotvec(rotvecs), 1.0, lowpass_hz)


#: :func:`rests_drifting` moves the rest pose in the rests between counted reps of at most this long
#: (s: within a set and between sets; a longer break is left as it is) ...
MAX_DRIFT_REST_S = 60.0
#: ... over their middle, leaving this much of each end as recorded (s): the settling of the
#: return before and the start of the next rep
DRIFT_MARGIN_S = 0.3


def rests_drifting(samples: Samples, reps: list[Rep], drift_dps: float, max_deg: float = 15.0) -> Samples:
    """The recording with the leg creeping about the exercise's axis at ``drift_dps`` (deg/s) in
    every rest between two counted reps of ``reps`` (the recording's own, as analysed), out and
    back in turn, by at most ``max_deg`` per rest: a resting pose that drifts (the foot sliding
    on the floor, the leg sagging), the reps after it done from where the leg now rests. The
    orientation filter's orientation is turned about the reps' axis (in the sensor's frame: the
    knee's or hip's axis turns with the shank) by the drift so far, at every sample from the rest
    on, and the readings are rebuilt for it as :func:`done_with_range` rebuilds them. Each rest's
    drift is a linear creep over the rest less DRIFT_MARGIN_S at each end; the reps keep their
    range, hold and timing."""
    if drift_dps == 0:
        return samples

    def creep(t: np.ndarray, rest_from_s: float, rest_to_s: float, sign: float) -> np.ndarray | None:
        a, b = rest_from_s + DRIFT_MARGIN_S, rest_to_s - DRIFT_MARGIN_S
        if b <= a or rest_to_s - rest_from_s > MAX_DRIFT_REST_S:
            return None
        step = sign * min(drift_dps * (b - a), max_deg)
        return np.where(t <= a, 0.0, np.where(t >= b, step, step * (t - a) / (b - a)))

    return _turned_in_rests(samples, reps, creep)


#: :func:`rests_shifted` shifts the leg in the rests between counted reps of at least this long (s:
#: time to shift and come to rest; UCI's rests within a set are 0.4-3 s, between sets 20-40 s) ...
MIN_SHIFT_REST_S = 3.0
#: ... over this long (s), from DRIFT_MARGIN_S after the rep before
SHIFT_S = 1.0


def rests_shifted(samples: Samples, reps: list[Rep], shift_deg: float, min_rest_s: float = MIN_SHIFT_REST_S,
                  shift_s: float = SHIFT_S) -> Samples:
    """The recording with the resting leg shifted about the exercise's axis by ``shift_deg`` (out
    the way the reps go, and back at the next such rest, in turn; negative: back first) in every
    rest of at least ``min_rest_s`` between two counted reps of ``reps`` (the recording's own, as
    analysed), the reps after it done from where the leg then rests: the foot put down elsewhere
    between sets. The shift is a minimum-jerk turn over ``shift_s`` from DRIFT_MARGIN_S after the
    rep before the rest, rebuilt as :func:`rests_drifting` rebuilds its creep; the reps keep their
    range, hold and timing."""
    if shift_deg == 0:
        return samples

    def shift(t: np.ndarray, rest_from_s: float, rest_to_s: float, sign: float) -> np.ndarray | None:
        if rest_to_s - rest_from_s < min_rest_s:
            return None
        return MinJerk(rest_from_s + DRIFT_MARGIN_S, shift_s, sign * shift_deg)(t)[0]

    return _turned_in_rests(samples, reps, shift)


def _turned_in_rests(samples: Samples, reps: list[Rep],
                     turn: Callable[[np.ndarray, float, float, float], np.ndarray | None]) -> Samples:
    """The recording with the leg turned about the reps' axis (sensor frame, signed the way the first
    counted rep of ``reps`` went out) in the rests between counted reps: ``turn(t, rest_from_s,
    rest_to_s, sign)`` gives the turn (deg) a rest adds at every sample, from the rest on (None:
    none there), ``sign`` +1 and -1 in turn over the rests that add one."""
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    if len(counted) < 2:
        return samples
    t = samples.t
    axis = _reps_axis(samples, counted)
    drift = np.zeros(len(t))  # deg, the turn added so far at each sample
    sign = 1.0
    for before, after in zip(counted, counted[1:]):
        step = turn(t, before.end_s, after.start_s, sign)
        if step is None:
            continue
        drift += step
        sign = -sign
    if not drift.any():
        return samples
    q = _filter_orientation(samples)
    return _turned_to(samples, q, q * Rotation.from_rotvec(np.radians(drift)[:, None] * axis), 1.0, 5.0)


def _reps_axis(samples: Samples, counted: list[Rep]) -> np.ndarray:
    """The counted reps' axis in the sensor frame (the main axis of the gyro's readings within them),
    signed the way the first went out."""
    t = samples.t
    moving = np.zeros(len(t), dtype=bool)
    for r in counted:
        moving |= (t >= r.start_s) & (t <= r.end_s)
    gyr = samples.gyr[moving]
    _, vecs = np.linalg.eigh(gyr.T @ gyr)
    axis = vecs[:, -1]
    r0 = counted[0]
    out = (t >= r0.start_s) & (t <= r0.out_end_s)
    return -axis if np.sum(samples.gyr[out] @ axis) < 0 else axis


#: :func:`returns_in_two_stages` stops each return this far (deg) above the rest it goes back to ...
TWO_STAGE_STOP_DEG = 15.0
#: ... for this long (s) ...
TWO_STAGE_STOP_S = 1.0
#: ... then settles the rest of the way over this long (s; minimum jerk), in the rest after the rep,
#: which must be long enough for both and DRIFT_MARGIN_S before the next rep
TWO_STAGE_SETTLE_S = 1.0
#: ... the stop rounded off by a zero-phase low-pass at this cut-off (Hz): the leg slows into it
TWO_STAGE_SMOOTH_HZ = 2.0


def returns_in_two_stages(samples: Samples, reps: list[Rep], stop_deg: float = TWO_STAGE_STOP_DEG,
                          stop_s: float = TWO_STAGE_STOP_S, settle_s: float = TWO_STAGE_SETTLE_S) -> Samples:
    """The recording with the return of each counted rep of ``reps`` (the recording's own, as
    analysed) stopping ``stop_deg`` above the rest, staying there ``stop_s`` and then settling the
    rest of the way over ``settle_s``, in the rest after the rep (reps whose rest before the next
    counted rep is shorter than ``stop_s + settle_s + DRIFT_MARGIN_S`` are left as they are): the
    two-stage return of real patients. The timing is the recording's: no time is inserted (the
    first version of this change, session 21, stretched the end of each return in time, and the
    error of splitting the readings into gravity and the rest, left in the slowed span, cost reps).
    The leg's angle about the reps' axis from the rest before the rep, θ, is read from the
    orientation filter's orientation; the turn added is the part of a profile that holds
    ``stop_deg`` (from the return's start to ``stop_s`` after θ falls below it, then settling to 0)
    that θ falls short of, low-passed at TWO_STAGE_SMOOTH_HZ (zero phase); the readings are rebuilt
    for the turned orientation as :func:`rests_drifting` rebuilds them. Ranges, holds and counts
    are the recording's; each return's end moves later, into its rest."""
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    if not counted or stop_deg <= 0:
        return samples
    t = samples.t
    axis = _reps_axis(samples, counted)
    q = _filter_orientation(samples)
    added = np.zeros(len(t))
    fs = samples.sample_rate_hz
    sos = signal.butter(2, min(TWO_STAGE_SMOOTH_HZ, 0.4 * fs), fs=fs, output="sos")
    for r, after in zip(counted, counted[1:] + [None]):
        rest_to_s = after.start_s if after is not None else float(t[-1])
        i0, i_end = np.searchsorted(t, [r.return_start_s, r.end_s])
        i1 = np.searchsorted(t, rest_to_s - DRIFT_MARGIN_S)
        if i_end >= len(t) or i1 <= i0:
            continue
        rest = q[max(0, np.searchsorted(t, r.start_s) - 1)]
        theta = np.degrees((rest.inv() * q[i0:i1]).as_rotvec() @ axis)
        below = np.flatnonzero(theta < stop_deg)
        if not len(below):
            continue
        t_stop = t[i0 + int(below[0])]  # the return passes the stop's level
        if t_stop + stop_s + settle_s > t[i1 - 1]:
            continue  # (no room in the rest)
        level = stop_deg - MinJerk(t_stop + stop_s, settle_s, stop_deg)(t[i0:i1])[0]
        short = np.maximum(0.0, level - np.maximum(theta, 0.0))  # (nothing once settled)
        pad = min(len(short) - 1, 3 * int(round(fs / TWO_STAGE_SMOOTH_HZ)))
        smooth = signal.sosfiltfilt(sos, np.concatenate([np.zeros(pad), short, np.zeros(pad)]))[pad:pad + len(short)]
        added[i0:i1] += smooth * np.minimum(1.0, (len(short) - 1 - np.arange(len(short))) / max(1, pad))
    if not added.any():
        return samples
    return _turned_to(samples, q, q * Rotation.from_rotvec(np.radians(added)[:, None] * axis), 1.0, 5.0)


#: the knock :func:`with_knocks` adds as the foot lands: the rate (deg/s) about the horizontal axis
#: across the exercise's, every 0.04 s from the landing (UCI subject 2's template at 20.0 s, 25 Hz,
#: its last step made to bring the net turn to 0: a vibration, since the accelerometer's gravity is
#: left as it was, the shank's pose after it is the recording's) ...
KNOCK_RING_DPS = (275.0, -150.0, -55.0, -55.0, 20.0, 55.0, -90.0, 0.0)
KNOCK_RING_STEP_S = 0.04
#: ... and the jolt of the accelerometer along the resting vertical: a half sine this long (s),
#: its peak (m/s²) by default (that knock read 52.8 m/s² in all, 5.4 g, for one sample)
KNOCK_JOLT_S = 0.03
KNOCK_JOLT_MS2 = 40.0
#: ... at the end of reps followed by a rest this long (s) at least
KNOCK_REST_S = 1.0


def with_knocks(samples: Samples, reps: list[Rep], jolt_ms2: float = KNOCK_JOLT_MS2) -> Samples:
    """The recording with the foot knocking the floor as it lands at the end of each counted rep of
    ``reps`` (the recording's own, as analysed) followed by a rest of ``KNOCK_REST_S`` before the
    next (in a set without rests the foot turns round at the bottom, it does not land), as real
    feet do: a rate ring about the horizontal axis across the reps' axis (``KNOCK_RING_DPS``) and
    a jolt of ``jolt_ms2`` along the vertical at the rest before the rep (a half sine of
    ``KNOCK_JOLT_S``). A vibration, not a turn of the leg: the reps to count are the recording's."""
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    if not counted:
        return samples
    t = samples.t
    axis = _reps_axis(samples, counted)
    ring_t = KNOCK_RING_STEP_S * np.arange(len(KNOCK_RING_DPS))
    gyr, acc = samples.gyr.copy(), samples.acc.copy()
    for r, after in zip(counted, counted[1:] + [None]):
        if after is not None and after.start_s - r.end_s < KNOCK_REST_S:
            continue
        before = (t >= r.start_s - 0.5) & (t < r.start_s)
        if not before.any():
            continue
        up = acc[before].mean(axis=0)
        up /= np.linalg.norm(up)
        across = np.cross(axis, up)
        if np.linalg.norm(across) < 0.1:
            continue
        across /= np.linalg.norm(across)
        since = t - r.end_s
        ring = np.interp(since, ring_t, KNOCK_RING_DPS, left=0.0, right=0.0)
        inside = ring != 0.0
        ring[inside] -= ring[inside].mean()  # (sampled, it turns the shank by nothing either)
        jolt = np.where((since >= 0.0) & (since <= KNOCK_JOLT_S), np.sin(np.pi * since / KNOCK_JOLT_S), 0.0)
        if not jolt.any():  # (the half sine between two samples: the one after the landing takes it)
            jolt[np.searchsorted(t, r.end_s):][:1] = 1.0
        gyr += np.outer(ring, across)
        acc += np.outer(jolt_ms2 * jolt, up)
    return replace(samples, acc=acc, gyr=gyr)


#: :func:`holds_longer` stretches the holds of at least this long (s)
MIN_HOLD_S = 0.5


def time_warped(samples: Samples, spans: list[tuple[float, float]], factor: float) -> tuple[Samples, Callable[[float], float]]:
    """The recording with each span (start s, end s; in time order, apart) lasting ``factor``
    times as long, and the map from its times to the new ones. Inside a span the rate is divided
    by ``factor`` and the acceleration beyond gravity (along the orientation filter's vertical) by
    its square, as in :func:`done_slower`. The rest is untouched. Sampled at the recording's rate
    (a cubic spline)."""
    fs = samples.sample_rate_hz
    knots_old, knots_new, shift = [float(samples.t[0])], [float(samples.t[0])], 0.0
    for a, b in spans:
        knots_old += [a, b]
        knots_new += [a + shift, a + shift + factor * (b - a)]
        shift += (factor - 1.0) * (b - a)
    knots_old.append(float(samples.t[-1]))
    knots_new.append(float(samples.t[-1]) + shift)
    old, new = np.array(knots_old), np.array(knots_new)

    def moved(time_s: float) -> float:
        """A time (s) of the recording in the warped one."""
        return float(np.interp(time_s, old, new))

    # the stretch of the piece each sample lies in
    piece = np.clip(np.searchsorted(old, samples.t, side="right") - 1, 0, len(old) - 2)
    lengths = np.diff(old)
    stretch = np.where(lengths > 0, np.diff(new) / np.where(lengths > 0, lengths, 1.0), 1.0)[piece]
    gravity = _filter_gravity(samples)
    acc = gravity + (samples.acc - gravity) / stretch[:, None] ** 2
    x = np.column_stack([acc, samples.gyr / stretch[:, None]])
    t_new = np.interp(samples.t, old, new)
    t = np.arange(t_new[0], t_new[-1] + 0.5 / fs, 1.0 / fs)
    t = t[t <= t_new[-1]]
    y = CubicSpline(t_new, x, axis=0)(t)
    return Samples(t, y[:, :3], y[:, 3:]), moved


def holds_longer(samples: Samples, reps: list[Rep], factor: float,
                 min_hold_s: float = MIN_HOLD_S) -> tuple[Samples, Callable[[float], float]]:
    """The recording with each counted rep's hold of ``reps`` (the recording's own, as analysed;
    holds of at least ``min_hold_s``) lasting ``factor`` times as long, and the map from its times
    to the new ones: a prescription with longer holds, done the way these holds were (the wobble
    and sag slowed with them; :func:`time_warped`)."""
    spans = [(r.out_end_s, r.return_start_s) for r in reps if r.kind in COUNTED_KINDS and r.hold_s >= min_hold_s]
    return time_warped(samples, spans, factor)


#: :func:`rests_shorter` shortens the rests between counted reps of at most this long (s): the
#: rests within a set (the real ones up to 5.8 s), not the pauses between sets
MAX_REST_S = 8.0
#: ... by cutting out samples this still (deg/s, the gyro's magnitude): a resting leg reads
#: 0.5-2.2 deg/s in UCI's rests (noise and tremor), a two-stage return's settling 4 and more
STILL_DPS = 3.0


def rests_shorter(samples: Samples, reps: list[Rep], keep_s: float = 0.0, max_rest_s: float = MAX_REST_S,
                  still_dps: float = STILL_DPS) -> tuple[Samples, Callable[[float], float]]:
    """The recording with the still samples of each rest between two counted reps of ``reps``
    (the recording's own, as analysed: from one's end to the next's start; rests of at most
    ``max_rest_s``) cut out but for the first ``keep_s`` seconds of them, and the map of times: a
    patient who goes straight on into the next rep. What moves in the rest (the settling of a
    two-stage return, a shift of the foot) is kept as it was; the samples after a cut follow the
    sample before it at the recording's interval. Nothing is scaled: a still leg's orientation
    hardly changes while it rests (the gyro under ``still_dps``)."""
    t = samples.t
    speed = np.sqrt(np.einsum("ni,ni->n", samples.gyr, samples.gyr))
    counted = [r for r in reps if r.kind in COUNTED_KINDS]
    interval = np.diff(t, append=t[-1] + float(np.median(np.diff(t)))) if len(t) > 1 else np.zeros(len(t))
    cut = np.zeros(len(t), dtype=bool)
    for a, b in zip(counted, counted[1:]):
        if not 0.0 < b.start_s - a.end_s <= max_rest_s:
            continue
        i0, i1 = np.searchsorted(t, a.end_s), np.searchsorted(t, b.start_s, side="right")
        still = np.flatnonzero(speed[i0:i1] < still_dps) + i0
        kept_s = np.cumsum(interval[still])
        cut[still[kept_s > keep_s]] = True
    removed_before = np.concatenate([[0.0], np.cumsum(np.where(cut, interval, 0.0))[:-1]])
    new_t = t - removed_before  # (a cut run's samples all map to the time of the sample after it)

    def moved(time_s: float) -> float:
        """A time (s) of the recording in the one with shorter rests."""
        return float(np.interp(time_s, t, new_t))

    keep = ~cut
    return Samples(new_t[keep], samples.acc[keep], samples.gyr[keep]), moved


def reps_with_shorter_rests(reps: list[Rep], moved: Callable[[float], float]) -> list[Rep]:
    """``reps`` as :func:`rests_shorter` (with its map of times ``moved``) should leave them: their
    times moved, their holds kept."""
    return [replace(r, start_s=moved(r.start_s), end_s=moved(r.end_s)) for r in reps]


def reps_with_longer_holds(reps: list[Rep], factor: float, moved: Callable[[float], float],
                           min_hold_s: float = MIN_HOLD_S) -> list[Rep]:
    """``reps`` as :func:`holds_longer` (with its map of times ``moved``) should leave them: their
    times moved, the holds it stretched ``factor`` times as long."""
    return [replace(r, start_s=moved(r.start_s), end_s=moved(r.end_s),
                    hold_s=r.hold_s * factor if r.kind in COUNTED_KINDS and r.hold_s >= min_hold_s else r.hold_s)
            for r in reps]


@dataclass(frozen=True)
class Perturbation:
    """One change of a recording: ``family`` (what kind of change) and ``name`` (which one);
    ``time_factor``: a moment at ``t`` s is at ``time_factor * t`` s after the change;
    ``rom_factor``: a rep's range is ``rom_factor`` times what it was."""

    family: str
    name: str
    apply: Callable[[Samples], Samples]
    time_factor: float = 1.0
    rom_factor: float = 1.0


def standard_perturbations(rotations: int = 4, rates_hz: tuple[float, ...] = (25, 26, 50, 52, 100, 104, 200),
                           seeds: int = 3, slower: tuple[float, ...] = (0.8, 1.25),
                           ranges: tuple[float, ...] = (0.5, 0.75, 1.25)) -> list[Perturbation]:
    """The changes the benchmark applies to every real recording: ``rotations`` random strap
    rotations, the other leg (as is, and rotated), each rate of ``rates_hz``, the motion done
    each factor of ``slower`` times as slowly (see :func:`done_slower` for its range), with each
    factor of ``ranges`` times the range (:func:`done_with_range`: a patient who moves less, or
    more), and ``seeds`` draws
    each of a gyro bias (±2 deg/s per axis), noise (0.1 m/s², 0.5 deg/s rms), scale errors (±3 %
    acc, ±2 % gyro), lost samples (1 % in runs of 1-4), timestamp jitter (±20 % of the period) and
    gyro glitches (one sample of 200–2000 deg/s every 5 s or so)."""
    out = [Perturbation("strap", f"rotation {k}", partial(strap_rotated, rotation=Rotation.random(random_state=k).as_matrix()))
           for k in range(rotations)]
    out.append(Perturbation("other leg", "mirrored", other_leg))
    turn = Rotation.random(random_state=rotations).as_matrix()
    out.append(Perturbation("other leg", "mirrored and rotated", lambda s: strap_rotated(other_leg(s), turn)))
    out += [Perturbation("rate", f"{r:g} Hz", partial(resampled, rate_hz=r)) for r in rates_hz]
    out += [Perturbation("tempo", f"{f:g} x as long", partial(done_slower, factor=f), time_factor=f) for f in slower]
    out += [Perturbation("range", f"{f:g} x the range", partial(done_with_range, factor=f), rom_factor=f) for f in ranges]
    for k in range(seeds):
        rng = np.random.default_rng(k)
        bias, acc_scale, gyr_scale = rng.uniform(-2, 2, 3), rng.uniform(0.97, 1.03, 3), rng.uniform(0.98, 1.02, 3)
        out += [
            Perturbation("gyro bias", f"{np.round(bias, 1).tolist()} deg/s", partial(with_gyro_bias, bias_dps=bias)),
            Perturbation("noise", f"seed {k}", partial(with_noise, acc_ms2=0.1, gyr_dps=0.5, seed=k)),
            Perturbation("scale", f"seed {k}", partial(with_scale_errors, acc_scale=acc_scale, gyr_scale=gyr_scale)),
            Perturbation("lost samples", f"seed {k}", partial(with_lost_samples, share=0.01, seed=k)),
            Perturbation("time jitter", f"seed {k}", partial(with_time_jitter, fraction=0.2, seed=k)),
            Perturbation("glitches", f"seed {k}", partial(with_glitches, every_s=5.0, seed=k)),
        ]
    return out


def glitch_perturbations(seeds: int = 3) -> list[Perturbation]:
    """``seeds`` draws each of the glitches beyond one bad gyro read (:func:`with_glitches`; the
    gyro's alone are in :func:`standard_perturbations`): a whole sample (200–2000 deg/s and
    20–150 m/s², the accelerometer's ±16 g, added) about every 5 s, two glitched samples in a row
    (200–2000 deg/s each) about every 5 s, and the accelerometer alone (20–150 m/s²) about every
    second."""
    out = []
    for k in range(seeds):
        out += [
            Perturbation("whole-sample glitches", f"seed {k}",
                         partial(with_glitches, every_s=5.0, seed=k, acc_ms2=(20.0, 150.0))),
            Perturbation("glitches two in a row", f"seed {k}", partial(with_glitches, every_s=5.0, seed=k, run=2)),
            Perturbation("accelerometer glitches", f"seed {k}",
                         partial(with_glitches, every_s=1.0, seed=k, gyr_dps=(0.0, 0.0), acc_ms2=(20.0, 150.0))),
        ]
    return out


def _combined(samples: Samples, mirrored: bool, rotation: np.ndarray, factor: float, rate_hz: float,
              bias_dps: np.ndarray, seed: int) -> Samples:
    """The changes of one :func:`combined_perturbations` draw, in the order a sensor would make them."""
    changed = strap_rotated(other_leg(samples) if mirrored else samples, rotation)
    changed = resampled(done_slower(changed, factor), rate_hz)
    return with_noise(with_gyro_bias(changed, bias_dps), acc_ms2=0.1, gyr_dps=0.5, seed=seed)


def combined_perturbations(draws: int = 20) -> list[Perturbation]:
    """``draws`` changes of several kinds at once (family ``combined``), seeded 0..draws-1: the
    other leg (half the draws), a random strap rotation, the motion done 0.8–1.25 times as slowly,
    25, 52 or 100 Hz, a gyro bias of up to ±2 deg/s per axis and noise of 0.1 m/s² and 0.5 deg/s
    rms (each within the range :func:`standard_perturbations` applies alone)."""
    out = []
    for k in range(draws):
        rng = np.random.default_rng(10_000 + k)
        mirrored, factor = bool(rng.random() < 0.5), float(rng.uniform(0.8, 1.25))
        rate_hz, bias = float(rng.choice([25.0, 52.0, 100.0])), rng.uniform(-2, 2, 3)
        rotation = Rotation.random(random_state=10_000 + k).as_matrix()
        name = f"draw {k}: {'other leg, ' if mirrored else ''}{factor:.2f} x as long, {rate_hz:g} Hz"
        out.append(Perturbation("combined", name, partial(_combined, mirrored=mirrored, rotation=rotation,
                                                          factor=factor, rate_hz=rate_hz, bias_dps=bias, seed=k),
                                time_factor=factor))
    return out


def label_in_time(label: dict, time_factor: float | Callable[[float], float]) -> dict:
    """A recording's ``labels.json`` entry (see :func:`sensorkit.accuracy.score_real`) with its sets'
    time windows (``start_s``, ``end_s``) multiplied by ``time_factor`` (or moved by it, a map of
    times in s)."""
    move = time_factor if callable(time_factor) else (lambda t: t * time_factor)
    sets = [s | {k: float(move(s[k])) for k in ("start_s", "end_s") if k in s} for s in label.get("sets", [])]
    return label | {"sets": sets}


@dataclass(frozen=True)
class RepChange:
    """How the counted reps of a recording changed: ``counted_before``/``counted_after``, and per
    counted rep found in both (overlap as :func:`sensorkit.accuracy.match`) whether its kind and
    tempo stayed and its ROM (deg) and hold (s) change, after minus before."""

    counted_before: int
    counted_after: int
    same_kind: list[bool]
    same_tempo: list[bool]
    rom_change_deg: list[float]
    hold_change_s: list[float]


def scaled_reps(reps: list[Rep], time_factor: float = 1.0, rom_factor: float = 1.0) -> list[Rep]:
    """``reps`` with their times and holds ``time_factor`` times as long and their ranges
    ``rom_factor`` times as large: what a change with those factors should leave."""
    return [replace(r, start_s=r.start_s * time_factor, end_s=r.end_s * time_factor, hold_s=r.hold_s * time_factor,
                    rom_deg=r.rom_deg * rom_factor) for r in reps]


def compare_reps(before: list[Rep], after: list[Rep], time_factor: float = 1.0, rom_factor: float = 1.0) -> RepChange:
    """The counted reps of ``after`` against those of ``before`` (see :class:`RepChange`), whose
    times are ``time_factor`` times those of ``before`` (holds compared after that scaling too)
    and ranges ``rom_factor`` times theirs (:func:`scaled_reps`)."""
    a = [r for r in scaled_reps(before, time_factor, rom_factor) if r.kind in COUNTED_KINDS]
    b = [r for r in after if r.kind in COUNTED_KINDS]
    pairs = match(b, a)  # (it reads start_s and end_s only)
    return RepChange(
        counted_before=len(a), counted_after=len(b),
        same_kind=[b[i].kind == a[j].kind for i, j in pairs],
        same_tempo=[b[i].tempo == a[j].tempo for i, j in pairs],
        rom_change_deg=[b[i].rom_deg - a[j].rom_deg for i, j in pairs],
        hold_change_s=[b[i].hold_s - a[j].hold_s for i, j in pairs],
    )


@dataclass(frozen=True)
class GapOutcome:
    """The counted reps of a recording with a gap against those without it: ``expected``, the
    counted reps that ended before the gap or began after it; ``found``, those counted again,
    starting and ending within ``tolerance_s`` of where they did; ``added``, reps counted with the
    gap that match no rep counted without it (a rep across a short gap may still be counted)."""

    expected: int
    found: int
    added: int

    def __add__(self, other: GapOutcome) -> GapOutcome:
        """Both outcomes together (over several gaps or recordings)."""
        return GapOutcome(self.expected + other.expected, self.found + other.found, self.added + other.added)


def reps_around_gap(before: list[Rep], after: list[Rep], start_s: float, duration_s: float,
                    tolerance_s: float = 1.0) -> GapOutcome:
    """How a gap from ``start_s`` for ``duration_s`` changed the counted reps (see :class:`GapOutcome`)."""
    counted = [r for r in before if r.kind in COUNTED_KINDS]
    outside = [r.end_s < start_s or r.start_s >= start_s + duration_s for r in counted]
    got = [r for r in after if r.kind in COUNTED_KINDS]
    same = [[abs(g.start_s - e.start_s) <= tolerance_s and abs(g.end_s - e.end_s) <= tolerance_s for g in got]
            for e in counted]
    found = sum(any(row) for row, out in zip(same, outside) if out)
    matched = sum(any(row[i] for row in same) for i in range(len(got)))
    return GapOutcome(sum(outside), found, len(got) - matched)

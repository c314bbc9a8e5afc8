"""``simulate_session(seed, **options)``: one seated session (hip ER or knee extension) with its recording
files and ground truth."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from sensorkit.errors import ConfigError
from sensorkit.samples import COLUMNS, Samples
from sensorkit.sim.distractors import DistractorSpec
from sensorkit.sim.exercises import ExerciseMotion, exercise_names, get_exercise
from sensorkit.sim.geometry import LegGeometry, draw_geometry
from sensorkit.sim.motor import MotorStyle
from sensorkit.sim.plan import PlanLimits, SessionStyle, build_session
from sensorkit.sim.sensor import SAMPLE_RATES_HZ, SensorErrors, apply_errors, band_limit, output_times
from sensorkit.sim.timeline import Kinematics, Timeline
from sensorkit.sim.truth import TruthMovement

REP_KINDS = ("full", "partial", "knee_out")  # every counted kind of every exercise
DEFAULT_EXERCISE = "hip_external_rotation"
CSV_FORMATS = ["%.6f"] + ["%.6g"] * 6
#: simulated (demo) data is marked: sidecar ``"simulated": true`` and a patient id starting with this,
#: which no real pseudonym may use
DEMO_PATIENT_PREFIX = "demo-"


@dataclass(frozen=True)
class SimOptions:
    """What a caller may fix; ``None`` means drawn from the seed.

    ``strap_rotation``: sensor-to-shank rotation (scipy Rotation, quaternion x,y,z,w, 3x3 matrix or
    "identity"); ``imperfections=False`` gives a perfect sensor (exact timestamps k/rate, no bias,
    noise, drift, scale, misalignment, quantisation or lost samples; the band-limiting stays).
    ``set_kinds``: each set's kind (full, partial, knee_out or mixed), e.g. ("full", "knee_out").
    ``fine_rate_hz``: the kinematics grid before the sensor's low-pass (default max(1000, 10 × rate)).
    ``exercise``: "hip_external_rotation" or "knee_extension" (``sensorkit.sim.exercises``); ``kinds``
    and ``distractor_labels`` default to that exercise's (hip ER: full, partial, knee_out; fidget,
    leg_shake, knee_extension, stand_up. Knee extension: full, partial; fidget, leg_shake, stand_up,
    hip_rotation). ``fast_reps=False``: every rep at the controlled tempo (nothing else changes).
    ``continuous``: True for a session of continuous swings (no hold, no rest, past rest at the bottom,
    as in PHYTMO's series), False for none; ``None``: drawn (12 % of sessions).
    ``axis_spread=False``: every rep turns about exactly the exercise axis (by default each rep's
    axis tilts from it by a few degrees, as real reps' do; nothing else changes).
    """

    exercise: str = DEFAULT_EXERCISE
    side: str | None = None
    sample_rate_hz: float | None = None
    n_sets: int | None = None
    set_kinds: tuple[str, ...] | None = None
    reps_per_set: tuple[int, int] = (5, 12)
    max_duration_s: float | None = None
    kinds: tuple[str, ...] | None = None
    distractors: bool = True
    n_distractors: int | None = None
    distractor_labels: tuple[str, ...] | None = None
    imperfections: bool = True
    strap_rotation: object = None
    targets: bool | None = None
    fine_rate_hz: float | None = None
    fast_reps: bool = True
    continuous: bool | None = None
    axis_spread: bool = True

    def __post_init__(self) -> None:
        if self.exercise not in exercise_names():
            raise ConfigError(f"simulate: exercise must be one of {', '.join(exercise_names())}, not {self.exercise!r}")
        motion = self.motion
        if self.side not in (None, "left", "right"):
            raise ConfigError(f"simulate: side must be 'left' or 'right', not {self.side!r}")
        if self.sample_rate_hz is not None and not 1 <= self.sample_rate_hz <= 2000:
            raise ConfigError(f"simulate: sample_rate_hz must be within 1..2000, not {self.sample_rate_hz}")
        if not set(self.rep_kinds) <= set(motion.rep_kinds) or not self.rep_kinds:
            raise ConfigError(f"simulate: kinds must be a non-empty subset of {motion.rep_kinds} for {self.exercise}, "
                              f"not {self.kinds}")
        if not set(self.labels) <= set(motion.distractor_labels) or not self.labels:
            raise ConfigError(f"simulate: distractor_labels must come from {motion.distractor_labels} for {self.exercise}")
        if self.n_distractors is not None and self.n_distractors < 0:
            raise ConfigError(f"simulate: n_distractors must be at least 0, not {self.n_distractors}")
        lo, hi = tuple(self.reps_per_set) if len(self.reps_per_set) == 2 else (0, 0)
        if not 1 <= lo <= hi:
            raise ConfigError(f"simulate: reps_per_set must be (low, high) with 1 <= low <= high, not {self.reps_per_set}")
        if self.n_sets is not None and self.n_sets < 1:
            raise ConfigError(f"simulate: n_sets must be at least 1, not {self.n_sets}")
        if self.set_kinds is not None:
            allowed = (*self.rep_kinds, "mixed")
            if not self.set_kinds or not set(self.set_kinds) <= set(allowed):
                raise ConfigError(f"simulate: set_kinds must be a non-empty list from {allowed}, not {self.set_kinds}")
            if self.n_sets is not None and self.n_sets != len(self.set_kinds):
                raise ConfigError(f"simulate: n_sets={self.n_sets} but {len(self.set_kinds)} set_kinds given")

    @property
    def motion(self) -> ExerciseMotion:
        """The simulator's motion model of ``exercise``."""
        return get_exercise(self.exercise)

    @property
    def rep_kinds(self) -> tuple[str, ...]:
        """The kinds to simulate: ``kinds``, else the exercise's."""
        return self.motion.rep_kinds if self.kinds is None else tuple(self.kinds)

    @property
    def labels(self) -> tuple[str, ...]:
        """The distractor labels to draw from: ``distractor_labels``, else the exercise's."""
        return self.motion.distractor_labels if self.distractor_labels is None else tuple(self.distractor_labels)

    def to_json(self) -> dict:
        """These options as the truth file stores them (the strap rotation as a quaternion, x y z w)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["strap_rotation"] = None if self.strap_rotation is None else _strap(self.strap_rotation).as_quat().tolist()
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


def _strap(value: object) -> Rotation:
    if isinstance(value, Rotation):
        return value
    if isinstance(value, str) and value == "identity":
        return Rotation.identity()
    array = np.asarray(value, dtype=np.float64)
    if array.shape == (4,):
        return Rotation.from_quat(array)
    if array.shape == (3, 3):
        return Rotation.from_matrix(array)
    raise ConfigError("simulate: strap_rotation must be a Rotation, quaternion (x,y,z,w), 3x3 matrix or 'identity'")


@dataclass
class SimulatedSession:
    """A simulated recording (``samples``, ``meta``) and everything true about it."""

    seed: int
    options: SimOptions
    samples: Samples
    meta: dict
    truth: list[TruthMovement]
    geometry: LegGeometry
    timeline: Timeline
    errors: SensorErrors
    style: SessionStyle
    distractors: list[DistractorSpec] = field(default_factory=list)
    #: the exercise's angle coordinate at ``samples.t``, degrees: hip ER: ER + knee_out rotations;
    #: knee extension: the extension (positive = foot up); distractors excluded
    angle_deg: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: the patient's motor habits that session (wobble, sag, overshoot, staged movements, rests)
    motor: MotorStyle | None = None

    @property
    def exercise(self) -> str:
        """The exercise simulated (``hip_external_rotation`` or ``knee_extension``)."""
        return self.options.exercise

    @property
    def exercise_axis_world(self) -> np.ndarray:
        """Unit world axis of the exercise rotation (hip ER: the ER axis; knee extension: minus the
        knee's flexion axis, so that a positive angle lifts the foot)."""
        return self.timeline.exercise_axis

    @property
    def exercise_axis_sensor(self) -> np.ndarray:
        """Unit exercise axis in the sensor frame; positive rotation about it is the exercise direction.
        Constant for the whole session (reps and rest drift turn about that axis; distractors return)."""
        return self.geometry.sensor_to_world.T @ self.exercise_axis_world

    @property
    def er_axis_sensor(self) -> np.ndarray:
        """Unit ER axis in the sensor frame at the rest geometry; positive rotation about it is external
        rotation. Constant for a hip-ER session (the ER rotation keeps its own axis fixed); in a
        knee-extension session it holds only at knee-extension angle 0."""
        return self.geometry.sensor_to_world.T @ self.geometry.er_axis

    @property
    def sensor_to_shank(self) -> Rotation:
        """The strap: maps sensor-frame vectors into the shank frame."""
        return self.geometry.sensor_to_shank

    @property
    def reps(self) -> list[TruthMovement]:
        """The counted movements (full, partial, knee_out) in time order."""
        return [m for m in self.truth if m.counted]

    def kinematics(self, t: np.ndarray, with_orientation: bool = False) -> Kinematics:
        """Exact (unfiltered, error-free) kinematics at any times ``t`` (s)."""
        return self.timeline.evaluate(t, with_orientation)

    def angle_at(self, t: np.ndarray) -> np.ndarray:
        """The true exercise angle coordinate (degrees; see ``angle_deg``) at any times ``t`` (s)."""
        return self.timeline.evaluate(t).angle_deg

    def truth_json(self) -> dict:
        """Everything true about the session, as ``NAME.truth.json`` holds it (see :func:`read_truth`)."""
        return {
            "seed": self.seed,
            "options": self.options.to_json(),
            "frames": "world: x forward, y patient's left, z up; shank: x forward, y left (knee flexion axis), "
                      "z up the shank; sensor_to_shank maps sensor-frame vectors into the shank frame; "
                      "exercise axis: hip ER = ER axis (positive = foot medially), knee extension = minus the "
                      "knee flexion axis (positive = foot forward and up)",
            "sensor_to_shank_quat_xyzw": self.sensor_to_shank.as_quat().round(8).tolist(),
            "sensor_to_shank_matrix": self.sensor_to_shank.as_matrix().round(8).tolist(),
            "exercise": self.exercise,
            "exercise_axis_sensor": self.exercise_axis_sensor.round(8).tolist(),
            "exercise_axis_world": self.exercise_axis_world.round(8).tolist(),
            "er_axis_sensor": self.er_axis_sensor.round(8).tolist(),
            "er_axis_world": self.geometry.er_axis.round(8).tolist(),
            "gravity_sensor_at_start_ms2": self.kinematics(np.zeros(1)).specific_force_ms2[0].round(6).tolist(),
            "geometry": self.geometry.to_json(),
            "style": self.style.to_json(),
            "motor": None if self.motor is None else self.motor.to_json(),
            "sensor_errors": self.errors.to_json(),
            "distractors": [d.to_json() for d in self.distractors],
            "movements": [m.to_json() for m in self.truth],
        }

    def write(self, folder: str | Path, name: str) -> dict[str, Path]:
        """Write ``NAME.csv``, ``NAME.json`` and ``NAME.truth.json`` into ``folder`` (created), all
        or none: each written once, to a hidden temporary file beside it, and the three renamed
        into place together, the CSV last (:class:`~sensorkit.io.outputs.OutputSet`: an error or a
        Ctrl-C leaves no recording without its sidecar and truth, nor half a file, and earlier
        files of these names as they were). Returns the paths by ``"csv"``, ``"meta"``, ``"truth"``."""
        from sensorkit.io.outputs import OutputSet

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {k: folder / f"{name}{suffix}" for k, suffix in
                 (("meta", ".json"), ("truth", ".truth.json"), ("csv", ".csv"))}  # (put in place in this order)
        with OutputSet(paths.values()) as outputs:
            outputs.write(paths["meta"], json.dumps(self.meta, indent=2) + "\n")
            outputs.write(paths["truth"], _readable_json(self.truth_json()))
            with outputs.writing(paths["csv"]) as handle:  # (a full disk: one line naming the file)
                # (+ 0.0: a -0.0 written 0, not -0; every other value as it is)
                np.savetxt(handle, self.samples.to_array() + 0.0, fmt=CSV_FORMATS, delimiter=",",
                           header=",".join(COLUMNS), comments="")
        return paths


def _readable_json(document: dict) -> str:
    """One top-level key per line; lists of objects (movements) one object per line."""
    lines = []
    for key, value in document.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            text = "[\n" + ",\n".join("  " + json.dumps(item) for item in value) + "\n ]"
        else:
            text = json.dumps(value)
        lines.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def read_truth(path: str | Path) -> tuple[list[TruthMovement], dict]:
    """Load ``NAME.truth.json``: the movements and the whole document."""
    document = json.loads(Path(path).read_text())
    return [TruthMovement.from_json(m) for m in document["movements"]], document


def _meta(rng: np.random.Generator, side: str, rate_hz: float, style: SessionStyle, exercise: str) -> dict:
    offset_h = float(rng.choice([-8, -5, -4, 0, 1, 2, 5.5, 9]))
    day = datetime(2026, 9, 1, tzinfo=timezone(timedelta(hours=offset_h))) + timedelta(
        days=int(rng.integers(0, 120)), seconds=int(rng.integers(7 * 3600, 21 * 3600)))
    meta = {"side": side, "sample_rate_hz": rate_hz, "patient": f"{DEMO_PATIENT_PREFIX}p{rng.integers(1, 200):03d}",
            "started_at": day.isoformat(timespec="seconds"), "exercise": exercise,
            "sensor": "simulated", "simulated": True}
    if style.target_rom_deg is not None:
        meta |= {"target_rom_deg": style.target_rom_deg, "target_hold_s": style.target_hold_s}
    return meta


def simulate_session(seed: int, **options) -> SimulatedSession:
    """One session from ``seed`` (int ≥ 0); ``options`` are the fields of :class:`SimOptions`.

    Independent random streams (geometry, schedule, sensor, metadata, fast reps, rep axes) mean that fixing an
    option such as the sample rate or the perfect-sensor switch leaves the movements of that seed
    unchanged, and switching ``fast_reps`` off changes only the rushed reps' durations (and so the
    times after them), not the drawn geometry, ROMs, holds, distractors or sensor errors.
    """
    try:
        opts = SimOptions(**options)
    except TypeError as exc:
        raise ConfigError(f"simulate: {exc}") from None
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"simulate: seed must be an integer >= 0, not {seed!r}")
    streams = np.random.SeedSequence(int(seed)).spawn(6)  # the first four predate fast reps, the sixth rep axes
    geo_rng, plan_rng, sensor_rng, meta_rng, fast_rng, axis_rng = (np.random.default_rng(s) for s in streams)
    side = str(geo_rng.choice(["left", "right"]))
    rate = int(geo_rng.choice(SAMPLE_RATES_HZ))
    n_distractors = int(geo_rng.integers(0, 5))
    side, rate = opts.side or side, opts.sample_rate_hz or rate
    if opts.n_distractors is not None:
        n_distractors = opts.n_distractors
    strap = None if opts.strap_rotation is None else _strap(opts.strap_rotation)
    geometry = draw_geometry(geo_rng, side, strap)
    set_kinds = None if opts.set_kinds is None else tuple(opts.set_kinds)
    n_sets = len(set_kinds) if set_kinds is not None else opts.n_sets
    limits = PlanLimits(n_sets, set_kinds, tuple(opts.reps_per_set), opts.max_duration_s, opts.rep_kinds,
                        n_distractors if opts.distractors else 0, opts.labels, opts.targets, opts.fast_reps,
                        opts.continuous)
    timeline, truth, style, motor, distractors = build_session(geometry, opts.motion, limits, plan_rng, fast_rng,
                                                                axis_rng if opts.axis_spread else None)

    drawn_errors = SensorErrors.draw(sensor_rng)
    errors = drawn_errors if opts.imperfections else SensorErrors.perfect()
    t = output_times(timeline.end_s, rate, errors, sensor_rng)
    fine_rate = opts.fine_rate_hz or max(1000.0, 10.0 * rate)
    fine_t = np.arange(0.0, t[-1] + 5.0 / fine_rate, 1.0 / fine_rate)
    fine = timeline.evaluate(fine_t)
    ideal = band_limit(fine_t, np.hstack([fine.specific_force_ms2, fine.rate_dps]), rate, t)
    acc, gyr = apply_errors(t, ideal[:, :3], ideal[:, 3:], rate, errors, sensor_rng)
    meta = _meta(meta_rng, side, rate, style, opts.exercise)
    return SimulatedSession(int(seed), opts, Samples(t, acc, gyr), meta, truth, geometry, timeline, errors, style,
                            distractors, timeline.evaluate(t).angle_deg, motor)

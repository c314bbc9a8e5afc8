"""Every tunable of the pipeline in one validated object. Units are in the names.

Each parameter carries its reason: physics, or a figure measured on the real recordings in
``../shared/data`` (UCI knee extension, 3 subjects × 3 sessions at 25 Hz; PHYTMO continuous knee
flexion-extension at 101 Hz). None sits on a simulator draw range.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sensorkit.exercises import Exercise

#: (low, high) allowed for each parameter, inclusive; integers are checked as integers. A low of 0
#: turns a test off (``min_phase_s``, ``min_knee_radius_m``, ``min_rep_fraction`` ...); where 0 or a
#: negative value has no physical meaning the low is above it (``max_reversals``: a rep turns back once,
#: at the top; ``typical_rom_floor_deg``: the typical full ROM is a turn, and divides).
RANGES: dict[str, tuple[float, float]] = {
    "lowpass_hz": (0.2, 20.0),
    "still_gyr_dps": (0.5, 60.0),
    "max_gap_fill_s": (0.0, 5.0),
    "spike_gyr_dps": (0.0, 10_000.0),
    "rate_estimate_s": (0.05, 10.0),
    "vqf_tau_acc_s": (0.1, 30.0),
    "start_deg": (1.0, 45.0),
    "onset_deg": (0.1, 20.0),
    "return_fraction": (0.05, 0.95),
    "end_floor_deg": (0.5, 45.0),
    "max_movement_s": (2.0, 600.0),
    "settle_s": (0.1, 60.0),
    "rest_still_s": (1.0, 600.0),
    "rest_min_s": (0.02, 10.0),
    "new_rest_min_s": (0.1, 60.0),
    "pre_rest_s": (0.1, 10.0),
    "min_rom_deg": (0.5, 120.0),
    "max_rom_deg": (5.0, 180.0),
    "max_axis_tilt_deg": (1.0, 90.0),
    "max_axis_offset_deg": (1.0, 90.0),
    "axis_cluster_deg": (1.0, 90.0),
    "min_phase_s": (0.0, 5.0),
    "max_reversals": (1, 100),
    "reversal_fraction": (0.05, 1.0),
    "reversal_floor_deg": (0.0, 45.0),
    "foot_pivot_min_height_m": (-0.5, 0.5),
    "max_radius_m": (0.1, 10.0),
    "min_knee_radius_m": (0.0, 1.0),
    "min_rep_fraction": (0.0, 1.0),
    "partial_fraction": (0.1, 1.0),
    "typical_rom_percentile": (0.0, 100.0),
    "typical_rom_floor_deg": (1.0, 180.0),
    "typical_rom_history": (1, 10_000),
    "hold_speed_fraction": (0.01, 0.9),
    "hold_min_speed_dps": (0.0, 100.0),
    "hold_level_fraction": (0.0, 0.99),
    "fast_fraction": (0.05, 1.0),
    "tempo_min_reps": (1, 1000),
    "tempo_history": (1, 10_000),
    "set_break_s": (1.0, 3600.0),
    "controlled_rep_s": (0.2, 120.0),
}


@dataclass(frozen=True)
class PipelineConfig:
    """Parameters of the pipeline; every value is checked at construction (``ValueError`` naming it).

    Parameters marked *exercise* default to None: the exercise model fills them in
    (:meth:`resolved`); a value set here wins over the exercise's. The cut-off is also checked
    against the recording's Nyquist frequency once the sample rate is known.

    Orientation and motion
        lowpass_hz: cut-off (Hz) of the 2nd-order Butterworth smoothing the angular rate and the
            linear acceleration (causal per sample; zero-phase over a movement when it is
            measured). The fastest real reps (PHYTMO's swings, about 1.2 s each) carry their power
            below 1 Hz; hold wobble at 1–3 Hz is what hysteresis absorbs.
        still_gyr_dps: a sample is still when its smoothed angular speed is below this. A resting
            real leg reads 1.0–1.2 deg/s (median; 99th percentile 3.0–7.1 deg/s, raw, in the
            other-ankle recordings); the slowest real rep peaks at 55 deg/s.
        max_gap_fill_s: lost-packet gaps up to this long are filled by linear interpolation (VQF
            needs a uniform rate); longer ones (a reconnect) are left as one step.
        spike_gyr_dps: a sample whose angular rate lies further than this from both its
            neighbours' and from their mean, while its specific force moved less than such a
            change of the rate would give 0.1 m from the axis (``spikes.MIN_RADIUS_M``), is a
            glitch, replaced by their mean (0: off; :mod:`sensorkit.pipeline.spikes`). In the
            real recordings such one-sample excursions reach 84 deg/s where the accelerometer is
            calm (UCI subject 2; PHYTMO 79 deg/s at 101 Hz), and 90–380 deg/s only where the foot
            strikes the floor (UCI subject 2), which jolts the accelerometer: kept (real motion).
            A glitch of 300 deg/s is 12° of false turn at 25 Hz.
            The same filter mends two such samples in a row, a whole sample whose jolt lies along
            the rate's change, and an accelerometer glitch over 5 g (``spikes.MIN_JOLT_MS2``); 0
            turns all of it off.
        rate_estimate_s: the sample rate is the median interval over the first this-many seconds.
        vqf_tau_acc_s: VQF's accelerometer time constant: how fast the inclination follows gravity.
            VQF's default (3 s): a rep's movements (0.5–3 s) ride on the gyro, rests and holds
            on gravity (the angle is anchored to gravity, never re-referenced).

    Segmentation (hysteresis on the shank's angle from its resting pose)
        start_deg: a movement starts when the angle rises this far above the rest angle. Larger
            than the resting leg's sway (other-ankle recordings: 99 % within 2.1–2.3° of the mean
            tilt), smaller than the smallest rep counted (``min_rom_deg``).
        onset_deg: the movement's start and end are where the angle is within this of rest.
        return_fraction: a movement has returned when the angle is back below this fraction of its
            peak above rest (so a return that stops ≈ 15° above rest — 20 % of a real 75° rep —
            ends it, and a wobbly hold — a few degrees — never does).
        end_floor_deg: ... and at least this close to rest (small reps).
        max_movement_s: a movement still away from rest after this long is ended and rejected
            (standing up, walking away). Real holds last up to about 6 s; prescriptions hold ≤ 30 s.
            After a gap in the data no longer than this, the seated rest before it is kept for at
            most this long, until the leg has rested near it (a leg cannot be held out longer).
        settle_s: a movement that has not gone ``min_rom_deg`` above rest and then stays still this
            long has settled into a new rest pose (after continuous reps the real rest pose can sit
            up to 15° from where the series started, with no still moment between the reps).
        rest_still_s: a movement that stays still this long (within it: not the rest before a slow
            way out) at under half the last counted rep's
            peak above rest has come to rest there: the rest pose shifted by more than
            ``min_rom_deg`` between sets (real rests drift by up to 15°). Three times the longest
            real hold (5.1 s); a prescribed hold (``target_hold_s``) one and a half times as long
            raises it. A rep held that low that long is cut there.
        rest_min_s: a rest this long (quiet throughout) anchors the next movement: one whose
            outward movement pauses on the way, each pause taking the rest pose along, still
            starts once it is ``start_deg`` from there, and is measured from there. Longer than
            146 of 147 real pauses inside a movement (UCI, PHYTMO: 99th percentile 0.36 s).
        new_rest_min_s: a quiet spell this long inside a movement is a new rest when the leg then
            leaves it neither back toward the rest pose (a rep's hold ends in its return) nor on
            with the turn that brought it there (a pause on the way out, a hold lifted again): the
            movement began from a pause inside a distractor (sitting down), taken for the rest.
            Longer than every real pause inside a movement (UCI, PHYTMO: the longest of 147, 1.2 s).
        pre_rest_s: seconds before a movement kept to measure the rest pose.

    Classification
        min_rom_deg: *exercise*; movements with a smaller ROM are fidgets.
        max_rom_deg: *exercise*; larger ones are beyond the exercise.
        max_axis_tilt_deg: *exercise*; a rep's rotation axis lies within this of horizontal (both
            exercises turn the hanging shank about a horizontal axis; physics, with room for a
            thigh that slopes on the chair).
        max_axis_offset_deg: a movement turning about an axis further than this from the learned
            exercise axis is not a rep of it (real reps: within 6° of their session's axis, 13°
            in PHYTMO's off-plane incorrect series; a kick in hip ER is 90° off).
        axis_cluster_deg: movements whose axes are within this angle vote for the same axis.
        min_phase_s: outward or return phases shorter than this are jerks, not reps. The shortest
            real phase is 0.20 s (PHYTMO's fast, incorrect series), the next 0.35 s; a leg shake
            at 4–6 Hz has half-cycles of 0.08–0.12 s (and is mostly too small to count anyway).
        max_reversals: more large reversals than this within one movement is shaking. Every real
            rep turns back once (142 of 147 counted UCI and PHYTMO reps: at the top) or twice (5:
            a swing past rest and back).
        reversal_fraction: a reversal is large when the angle swings back by more than this
            fraction of the movement's ROM (real hold wobble: under 10 % of ROM).
        reversal_floor_deg: ... and by more than this (deg): a hold's wobble does not shrink with
            the rep's range, and the largest swing back and forth inside a real hold is 6.4°
            (103 counted UCI and PHYTMO reps; 95 % under 2.5°), so a small rep's wobbly hold (a
            12° rep wobbling 6°) is no shaking.
        foot_pivot_min_height_m: a movement whose rotation axis lies more than this below the
            sensor (along the resting vertical) pivots about the foot: in hip ER, knee out with
            both feet on the floor (the exercise's pivot kind); in an exercise without one (knee
            extension), not a rep at all (the shank rocking over the foot: standing, a step).
            Turning about the knee or the hip, the axis lies above an ankle or shin sensor:
            0.23–0.53 m above in every real rep (UCI, PHYTMO). The sign is what tells the two
            apart: a sensor high on the shin can sit as far from the foot as from the knee, so
            the distance alone cannot (it overlapped at 0.2 m in simulated sessions).
        max_radius_m: a movement whose rotation radius is larger than this moved the leg as a whole
            (walking, standing up): a shank with its foot is under 0.6 m long; real reps fit
            0.24–0.55 m.
        min_knee_radius_m: in an exercise without a foot-pivot kind (knee extension), a movement
            turning closer than this to the sensor did not turn about the knee (steps, shuffling
            the feet): a shank sensor sits 0.24–0.55 m from the knee in the real recordings, and
            0.15 m is a sensor a hand below the knee (sensorkit is worn at the ankle).
        min_rep_fraction: a knee-pivot movement below this fraction of the typical full ROM that
            is not held at the top on purpose (1.2 s: ``classify.DELIBERATE_HOLD_S``) is no rep: a
            fidget of the exercise's own turn, too small for this patient's reps. The smallest real rep reaches 0.53 of it (a UCI
            low-amplitude rep), the movements between real reps 0.07–0.11 (UCI: 5.8–9.6° against
            typical ROMs of 84–89°) and the incomplete 11th swing of PHYTMO's incorrect series
            0.18 above rest; 0.3 lies between. Knee-out reps (about the foot) and reps held 1.2 s
            or more are not judged by it; 0 turns it off.
        partial_fraction: a knee-pivot rep below this fraction of the typical full ROM is partial.
            Real low-amplitude reps reach 53–81 % of the subject's typical full ROM (the 80th
            percentile), full reps 81–94 %: the two overlap by a few reps, and 0.8 sits where they
            meet (kind right on 115 of 117 labelled UCI reps).
        typical_rom_percentile: the typical full ROM is this percentile of recent rep ROMs.
        typical_rom_floor_deg: *exercise*; lower bound of the typical full ROM before any rep.
        typical_rom_history: how many recent reps the typical ROM looks at.
        hold_speed_fraction: the outward movement ends (and the return starts) where the angular
            speed about the axis falls below this fraction of the phase's peak speed ...
        hold_min_speed_dps: ... or below this, whichever is larger.
        hold_level_fraction: ... where the leg is at or above this fraction of the highest
            angle it reaches from there to the return, so that a pause part way out (a rep that
            goes out in steps) is no hold, while an overshoot's lower hold and a sagging hold are.
            Real holds never dip below 84.5 % of their rep's ROM (151 UCI and PHYTMO reps over
            20°): 0.7 keeps every real hold whole. (The return starts before the first descent at
            half its peak speed that takes the leg below this fraction of its level: a return
            that stops part way down is no hold either, a wobble's downswing does not end it.)

    Tempo
        fast_fraction: a counted rep lasting (start to end: out, hold and return) less than this
            fraction of the reference is ``fast``. Real fast reps last 32–57 % of the median correct
            rep of the same session (they skip the hold), low-amplitude reps 74–152 %: 0.6 lies
            between (the reference is the patient's recent normal reps, so a slower set moves it).
        tempo_min_reps: normal reps needed before their median is the reference.
        tempo_history: how many recent reps the median looks at.
        controlled_rep_s: *exercise*; duration of a controlled rep before any was seen.

    Sets
        set_break_s: a counted rep that starts this long (s) or longer after the last counted rep
            ended starts a new set. In the real test sessions (UCI, 3 subjects) the pauses between
            reps of a set reach 1.3 s and those between sets are 24–41 s; the template sessions'
            three groups of three reps, done as one set, pause 1.4–8.2 s between groups.
    """

    lowpass_hz: float = 3.0
    still_gyr_dps: float = 10.0
    max_gap_fill_s: float = 1.0
    spike_gyr_dps: float = 150.0
    rate_estimate_s: float = 1.0
    vqf_tau_acc_s: float = 3.0

    start_deg: float = 5.0
    onset_deg: float = 2.0
    return_fraction: float = 0.3
    end_floor_deg: float = 3.0
    max_movement_s: float = 40.0
    settle_s: float = 1.0
    rest_still_s: float = 15.0
    rest_min_s: float = 0.5
    new_rest_min_s: float = 1.5
    pre_rest_s: float = 1.0

    min_rom_deg: float | None = None
    max_rom_deg: float | None = None
    max_axis_tilt_deg: float | None = None
    max_axis_offset_deg: float = 30.0
    axis_cluster_deg: float = 25.0
    min_phase_s: float = 0.15
    max_reversals: int = 2
    reversal_fraction: float = 0.3
    reversal_floor_deg: float = 6.5
    foot_pivot_min_height_m: float = 0.0
    max_radius_m: float = 0.8
    min_knee_radius_m: float = 0.15
    min_rep_fraction: float = 0.3
    partial_fraction: float = 0.8
    typical_rom_percentile: float = 80.0
    typical_rom_floor_deg: float | None = None
    typical_rom_history: int = 50
    hold_speed_fraction: float = 0.05
    hold_min_speed_dps: float = 2.0
    hold_level_fraction: float = 0.7

    fast_fraction: float = 0.6
    tempo_min_reps: int = 3
    tempo_history: int = 20
    controlled_rep_s: float | None = None

    set_break_s: float = 10.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                if f.default is not None:  # None means "the exercise's default" only where that is the default
                    raise ValueError(f"{f.name} must be a number, got None")
                continue
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
                raise ValueError(f"{f.name} must be a number, got {value!r}")
            low, high = RANGES[f.name]
            if isinstance(low, int) and isinstance(high, int):
                if not math.isfinite(value) or not float(value).is_integer():
                    raise ValueError(f"{f.name} must be a whole number, got {value!r}")
                object.__setattr__(self, f.name, int(value))
            else:
                number = float(value)
                if math.isnan(number):
                    raise ValueError(f"{f.name} must be a number, got NaN")
                object.__setattr__(self, f.name, number)
            if not low <= getattr(self, f.name) <= high:
                raise ValueError(f"{f.name} = {value!r} is out of range [{low}, {high}]")
        if self.onset_deg >= self.start_deg:
            raise ValueError(f"onset_deg = {self.onset_deg:g} must be below start_deg = {self.start_deg:g}: a movement's"
                             " start is the last sample within onset_deg of rest before it passed start_deg")

    def with_(self, **changes) -> "PipelineConfig":
        """A copy with some parameters changed (unknown names raise TypeError, bad values ValueError)."""
        return replace(self, **changes)

    def resolved(self, exercise: "Exercise") -> "PipelineConfig":
        """A copy with every parameter left None taken from ``exercise.defaults``."""
        missing = {f.name for f in fields(self) if getattr(self, f.name) is None}
        unfilled = missing - set(exercise.defaults)
        if unfilled:
            raise ValueError(f"exercise {exercise.name} has no default for {', '.join(sorted(unfilled))}")
        config = replace(self, **{k: exercise.defaults[k] for k in missing})
        if config.min_rom_deg >= config.max_rom_deg:
            raise ValueError(f"min_rom_deg = {config.min_rom_deg:g} must be below max_rom_deg = {config.max_rom_deg:g}"
                             f" (exercise {exercise.name}): no movement could be a rep")
        return config

    def check_rate(self, fs_hz: float) -> None:
        """ValueError when ``lowpass_hz`` is not below the Nyquist frequency of ``fs_hz``."""
        if self.lowpass_hz >= 0.45 * fs_hz:
            raise ValueError(f"a sample rate of {fs_hz:.1f} Hz is too low for lowpass_hz = {self.lowpass_hz:g}, which "
                             f"must be below 0.45 × the sample rate (the rate over {self.lowpass_hz / 0.45:.1f} Hz, or a "
                             "lower lowpass_hz)")

    @classmethod
    def names(cls) -> list[str]:
        """The parameter names, in declaration order."""
        return [f.name for f in fields(cls)]


#: the parameters an exercise's model fills in (None by default here: ``Exercise.defaults``)
EXERCISE_PARAMETERS = frozenset(f.name for f in fields(PipelineConfig) if f.default is None)


def check_exercise_defaults(exercise: str, defaults: Mapping[str, float]) -> None:
    """ValueError naming ``exercise`` and the parameter when one of its ``defaults`` is no exercise
    parameter (:data:`EXERCISE_PARAMETERS`) or lies outside the parameter's range."""
    unknown = set(defaults) - EXERCISE_PARAMETERS
    if unknown:
        raise ValueError(f"exercise {exercise}: not exercise parameters: {', '.join(sorted(unknown))} (those are"
                         f" {', '.join(sorted(EXERCISE_PARAMETERS))})")
    try:
        PipelineConfig(**defaults)
    except ValueError as exc:
        raise ValueError(f"exercise {exercise}'s default {exc}") from None
    low, high = defaults.get("min_rom_deg"), defaults.get("max_rom_deg")
    if low is not None and high is not None and low >= high:
        raise ValueError(f"exercise {exercise}'s default min_rom_deg = {low:g} must be below max_rom_deg = {high:g}")


#: the sidecar keys of the prescription the pipeline reads
PRESCRIPTION_KEYS = ("target_rom_deg", "target_hold_s", "target_movement_s")


def prescribed(meta: Mapping[str, Any], key: str) -> float | None:
    """The sidecar's prescription ``key`` (:data:`PRESCRIPTION_KEYS`) checked as a sidecar takes it
    (:class:`~sensorkit.errors.ConfigError` naming the key), None when absent. A ``target_rom_deg``
    of 0 is no target, as in a sidecar (a prescription's ``rom_deg = 0``): no rep's typical range is 0°."""
    from sensorkit.errors import ConfigError
    from sensorkit.io.meta import sidecar_value

    value = meta.get(key)
    if value is None:
        return None
    try:
        number = sidecar_value(key, value)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None
    return None if key == "target_rom_deg" and number == 0 else number

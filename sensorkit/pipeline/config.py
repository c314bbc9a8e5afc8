"""Every tunable of the pipeline in one documented object. Units are in the names."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sensorkit.exercises import Exercise


@dataclass(frozen=True)
class PipelineConfig:
    """Parameters of the pipeline (defaults come from the physics, see README "Design").

    Parameters marked *exercise* default to None: the exercise model fills them in
    (:meth:`resolved`, see :mod:`sensorkit.exercises`); a value set here wins over the exercise's.

    Filtering and stillness
        lowpass_hz: cutoff of the causal 2nd-order Butterworth applied to gyro and accelerometer
            before thresholds (tremor at 8–12 Hz is large in rate, small in angle).
        still_window_s: trailing window over which the sensor must be quiet to count as still.
        still_gyr_range_dps: largest spread of the low-passed gyro (any axis) within the window.
        still_acc_range_ms2: largest spread of the low-passed accelerometer within the window.
        still_gyr_dps: largest low-passed angular speed (against a slow running mean of the gyro,
            which is the bias because movements come back) — a steady turn is not still.
        bias_prior_time_constant_s: time constant of that slow running mean.
        bias_time_constant_s: averaging time of the gyro-bias estimate over still samples.
        rate_estimate_s: the sample rate is the median over the first this-many seconds.
        max_gap_fill_s: gaps (lost packets) up to this long are filled by linear interpolation.

    Segmentation
        min_movement_deg: motion between still periods turning less than this is not a movement
            (within a hold it is tremor).
        return_fraction: a move ending closer to where the movement started than this fraction of
            the movement's peak excursion brings it back to rest (else it is waiting in a hold).
        max_hold_s: a still period away from rest longer than this ends the movement anyway.
        max_moves: a movement not back at rest after this many moves (each separated by a
            still moment) has ended elsewhere (standing up, walking): a rep has out and back.
        max_movement_s: movements longer than this are rejected (standing, walking).
        pre_rest_s: seconds of rest before a movement kept to measure the rest angle.

    Classification
        min_rom_deg: *exercise*; movements with a smaller excursion are fidgets.
        max_rom_deg: *exercise*; larger excursions are beyond the exercise (they never define the axis).
        max_axis_tilt_deg: *exercise*; a rep's rotation axis lies within this of the plane
            perpendicular to gravity at rest (the hanging shank); steeper ones are other movements.
        max_axis_offset_deg: a movement turning about an axis further than this from the learned
            exercise axis is not a rep of it (a kick in hip ER, walking).
        axis_cluster_deg: movements whose axes are within this angle share an axis cluster.
        axis_votes_to_cut: votes the exercise axis needs before a move about another axis that stops
            away from rest is ended there (rather than waited on as a possible hold).
        min_phase_s: outward or return phases shorter than this are jerks, not reps.
        max_reversals: more direction reversals than this within a movement is shaking.
        knee_out_max_radius_m: rotation radius below this means the shank pivots about the foot.
        partial_fraction: a knee-pivot rep below this fraction of the typical full ROM is partial.
        typical_rom_percentile: the typical full ROM is this percentile of knee-pivot rep ROMs so far.
        typical_rom_floor_deg: *exercise*; lower bound of the typical full ROM (before any full rep).
        typical_rom_history: how many recent knee-pivot reps the typical ROM looks at.
        min_still_hold_for_gravity_s: a hold still at least this long measures ROM from gravity
            (and makes the movement's axis vote twice: reps hold, kicks and sit-downs mostly not).

    Tempo
        fast_fraction: a rep whose movement time (outward + return, hold excluded) is below this
            fraction of the reference is ``fast``; the reference is the recording's
            ``target_movement_s`` when given, else the median of the patient's recent normal reps
            once there are ``tempo_min_reps``, else ``controlled_movement_s`` (see
            :mod:`sensorkit.pipeline.tempo`).
        tempo_min_reps: normal reps needed before their median is the reference.
        tempo_history: how many recent reps the median looks at.
        controlled_movement_s: *exercise*; movement time of a controlled rep before any was seen.
    """

    lowpass_hz: float = 3.0
    still_window_s: float = 0.2
    still_gyr_range_dps: float = 4.0
    still_acc_range_ms2: float = 0.4
    still_gyr_dps: float = 5.0
    bias_prior_time_constant_s: float = 30.0
    bias_time_constant_s: float = 5.0
    rate_estimate_s: float = 1.0
    max_gap_fill_s: float = 1.0

    min_movement_deg: float = 2.0
    return_fraction: float = 0.5
    max_hold_s: float = 10.0
    max_moves: int = 3
    max_movement_s: float = 40.0
    pre_rest_s: float = 1.0

    min_rom_deg: float | None = None
    max_rom_deg: float | None = None
    max_axis_tilt_deg: float | None = None
    max_axis_offset_deg: float = 30.0
    axis_cluster_deg: float = 25.0
    axis_votes_to_cut: int = 4
    min_phase_s: float = 0.3
    max_reversals: int = 2
    knee_out_max_radius_m: float = 0.2
    partial_fraction: float = 0.8
    typical_rom_percentile: float = 80.0
    typical_rom_floor_deg: float | None = None
    typical_rom_history: int = 50
    min_still_hold_for_gravity_s: float = 0.3

    fast_fraction: float = 0.6
    tempo_min_reps: int = 3
    tempo_history: int = 20
    controlled_movement_s: float | None = None

    def with_(self, **changes) -> "PipelineConfig":
        """A copy with some parameters changed (unknown names raise TypeError)."""
        return replace(self, **changes)

    def resolved(self, exercise: "Exercise") -> "PipelineConfig":
        """A copy with every parameter left None taken from ``exercise.defaults``."""
        missing = {f.name for f in fields(self) if getattr(self, f.name) is None}
        unfilled = missing - set(exercise.defaults)
        if unfilled:
            raise ValueError(f"exercise {exercise.name} has no default for {', '.join(sorted(unfilled))}")
        return replace(self, **{k: float(exercise.defaults[k]) for k in missing})

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

"""What really happened in a simulated session: one :class:`TruthMovement` per rep or distractor."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

TRUTH_KINDS = ("full", "partial", "knee_out", "rejected")
TRUTH_LABELS = ("hip_er", "knee_out", "fidget", "leg_shake", "knee_extension", "stand_up", "hip_rotation")
TEMPOS = ("normal", "fast")


@dataclass(frozen=True)
class TruthMovement:
    """One movement, times in the recording's own ``t`` (s), angles in degrees.

    - ``start_s``: the movement leaves rest (or, in a continuous series, the bottom of the last
      swing); ``end_s``: back at rest (end of the return, settle and swing past rest included).
    - ``out_end_s`` / ``return_start_s``: end of the outward movement as sensorkit defines a
      hold's start (an overshoot's settle included only where it comes down faster than the hold's
      speed threshold: :func:`sensorkit.sim.reps.outward_end_s`) / start of the return; ``hold_s = return_start_s - out_end_s`` (0 for reps without a hold).
    - ``rom_deg``: reps: the peak angle of the rep above the angle at ``start_s`` (overshoot,
      wobble and sway included), exact; distractors: the peak of their own rotation angle.
    - ``rest_angle_before_deg`` / ``rest_angle_after_deg``: the exercise angle coordinate at
      ``start_s`` / ``end_s`` (distractors leave it unchanged).
    - ``label``: what the movement was. Hip-ER sessions: reps ``hip_er`` / ``knee_out``, distractors
      fidget, leg_shake, knee_extension, stand_up. Knee-extension sessions: reps ``knee_extension``,
      distractors fidget, leg_shake, stand_up, hip_rotation. (The kind, not the label, says whether
      a movement counts: a knee extension is a rep in one exercise and a distractor in the other.)
    - ``axis_tilt_deg``: reps turn about the exercise axis tilted by this much (deg: each rep's own
      axis, as no two real reps turn about quite the same one); 0 for distractors.
    - ``tempo``: counted reps ``normal`` (controlled) or ``fast`` (rushed: the hold mostly skipped,
      0–0.5 s, out and return 0.75–1 × the controlled rep's, little or no rest before it); ``""``
      for distractors.
    """

    kind: str  # full | partial | knee_out | rejected
    label: str  # see TRUTH_LABELS
    start_s: float
    end_s: float
    out_end_s: float
    return_start_s: float
    rom_deg: float
    hold_s: float
    rest_angle_before_deg: float
    rest_angle_after_deg: float
    set_index: int | None = None  # 0-based set of a rep; None for distractors
    tempo: str = ""  # normal | fast for counted reps, "" for distractors
    axis_tilt_deg: float = 0.0  # a rep's own axis from the exercise axis (deg)
    #: a rep's drawn outward pieces end (s): ``out_end_s``, or later by an overshoot's settle that
    #: belongs to the hold (:func:`sensorkit.sim.reps.outward_end_s`); None for distractors
    settled_s: float | None = None

    @property
    def counted(self) -> bool:
        """True for a true rep (any kind but ``rejected``)."""
        return self.kind != "rejected"

    def to_json(self) -> dict:
        """This movement as a truth file's entry (times in s, angles in degrees, to 1e-6)."""
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "TruthMovement":
        """From a truth file's entry; keys this version does not know are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

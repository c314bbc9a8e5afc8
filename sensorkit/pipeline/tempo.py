"""Stage 4c: tempo — was a counted rep rushed?

A rep is ``fast`` when its duration (from leaving rest to being back: outward movement, hold and
return) is below ``fast_fraction`` of a reference, by the first rule that applies:

1. the prescribed duration, when the recording names one (sidecar ``target_movement_s``, the
   outward plus return movement, plus ``target_hold_s`` when given); with only ``target_hold_s``
   given, the exercise's controlled rep (``controlled_rep_s``) with the prescribed hold in place of
   the ``CONTROLLED_HOLD_S`` it assumes: a rep that skips a prescribed hold is ``fast`` from the
   first, whatever the reps before it did;
2. the median of the patient's recent ``normal`` reps, once there are ``tempo_min_reps`` of them
   (fast reps never enter it, so a rushed set, however long, does not become the norm);
3. when the first ``tempo_min_reps`` reps were all quicker than the exercise's prior and each was
   held on purpose (``DELIBERATE_HOLD_S`` at the top), this patient is simply quick: the median of
   all reps so far (until rule 2 applies). Quick reps without such a hold are what "too fast"
   means, so they never become the reference: a continuous series of swings (no hold) stays
   ``fast`` from its first rep to its last, instead of turning ``normal`` after three;
4. the exercise's ``controlled_rep_s``.

Why the whole rep and not only its movement: what a therapist calls "too fast" is a rep that skips
or cuts the hold. In the real recordings (UCI, 3 subjects) the fast reps' median hold is 0.3–1.2 s
against 2.2–4.5 s for the correct ones, while their outward and return movements are only somewhat
quicker; their whole rep lasts 32–57 % of a correct one. A slow, held low-amplitude rep is normal.
Labels are causal: a rep is judged when it ends and never relabelled.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sensorkit.pipeline.classify import DELIBERATE_HOLD_S
from sensorkit.pipeline.config import PipelineConfig, prescribed
from sensorkit.pipeline.stats import median


#: the hold (s) an exercise's ``controlled_rep_s`` includes (both exercises' priors: out, a 2-s
#: hold and return)
CONTROLLED_HOLD_S = 2.0


def prescribed_rep_s(meta: Mapping[str, Any], controlled_rep_s: float | None = None) -> float | None:
    """Rule 1's reference from a recording's sidecar (s): ``target_movement_s`` (out and return)
    plus ``target_hold_s`` when given; without a movement target, ``controlled_rep_s`` (the
    exercise's, s) with ``target_hold_s`` in place of ``CONTROLLED_HOLD_S``; None without either
    target (or without ``controlled_rep_s``)."""
    movement_s, hold_s = prescribed(meta, "target_movement_s"), prescribed(meta, "target_hold_s")
    if movement_s is not None:
        return movement_s + (hold_s if hold_s is not None else 0.0)
    if hold_s is not None and controlled_rep_s is not None:
        return max(0.0, controlled_rep_s - CONTROLLED_HOLD_S) + hold_s
    return None


class TempoJudge:
    """Tells ``normal`` from ``fast`` reps, learning the patient's controlled tempo as reps come."""

    def __init__(self, config: PipelineConfig, target_s: float | None = None) -> None:
        self.config = config
        self.target_s = target_s
        # only the recent reps the rules look at are kept (memory stays flat in a long session)
        self._keep = max(config.tempo_history, config.tempo_min_reps)
        self._normal_s: list[float] = []
        self._all_s: list[float] = []
        self._seen = 0  # counted reps judged so far
        # of the first tempo_min_reps reps, how many were fast by the prior and held on purpose (all of
        # them: this patient is simply quick, rule 3)
        self._held_quick = 0

    @property
    def reference_s(self) -> float:
        """Duration (s) a controlled rep takes, by the rules in the module doc."""
        cfg = self.config
        if self.target_s is not None:
            return self.target_s
        if len(self._normal_s) >= cfg.tempo_min_reps:
            return median(self._normal_s[-cfg.tempo_history:])
        if self._held_quick == cfg.tempo_min_reps:
            return median(self._all_s[-cfg.tempo_history:])
        return float(cfg.controlled_rep_s)

    def judge(self, rep_s: float, hold_s: float) -> str:
        """``fast`` or ``normal`` for a counted rep that lasted ``rep_s`` seconds (from leaving rest to
        being back: out, hold and return), held ``hold_s`` seconds at the top."""
        fast = rep_s < self.config.fast_fraction * self.reference_s
        self._seen += 1
        self._all_s.append(rep_s)
        del self._all_s[:-self._keep]
        if fast and hold_s >= DELIBERATE_HOLD_S and self._seen <= self.config.tempo_min_reps:
            self._held_quick += 1
        if fast:
            return "fast"
        self._normal_s.append(rep_s)
        del self._normal_s[:-self._keep]
        return "normal"

"""What the live views (the terminal's and the live page's) say of a movement, beyond its row.

**Fidgets and shakes.** A failure tone and a "not counted" note are for a rep attempt that failed.
A shake of the leg comes out of the pipeline as a burst of quick rejected rows ("too small (4.0
deg)", "too abrupt", ...: 15 rows in 3 s for one shake), a fidget as one. The rows stay as they
are (``reps.csv`` is the pipeline's); the live views keep quiet about them: no failure tone, and
one gentle note for a whole burst (:class:`FidgetBursts`).

**A sensor turned on the leg.** Taken off and put back, or twisted in its strap, it makes every
later rep read as "rotation about another axis" or "swung the other way". Once the reps so far
meet a rule by which ``sensorkit analyze`` warns of it (:func:`sensorkit.batch.moved_sensor_seen`;
or its reps are still counted, but rest where no seated leg rests),
the live views say so, once (:class:`MovedSensor`, :data:`MOVED_NOTE`).

**Shortfalls.** A value short of its target is never written rounded up to it
(:func:`short_of`): 39.6° against 40° reads "39.6°", not "40°".
"""
from __future__ import annotations

import functools
import math

from sensorkit.pipeline.rep import Rep


@functools.cache
def sensor_reasons() -> tuple[str, ...]:
    """The first words of the pipeline's reasons for a movement rejected by the sensor's doing (the
    link cut it, the data began in it or ended in it): said so, never taken for a fidget. (Read when first
    needed: the segmenter's module loads the analysis, which ``live --help`` does not need.)"""
    from sensorkit.pipeline.segment import BEGAN_IN_HOLD, BEGAN_MOVING, CUT_BY_END, CUT_BY_GAP, REST_UNSEEN

    return (CUT_BY_GAP, CUT_BY_END, REST_UNSEEN, BEGAN_MOVING, BEGAN_IN_HOLD)

#: a rejected movement this quick (start to end, s) and not held may be a fidget. The shake's
#: rows take 0.1-0.25 s; the quickest real rep counted (UCI's fast knee extensions) 0.63 s, a
#: rejected one of a real recording 0.35 s (swung the other way, 18°: not small, so not a fidget)
FIDGET_MAX_S = 1.0
#: ... and held at the top less than this (s): the pipeline's "held" (``classify.HELD_S``)
FIDGET_MAX_HOLD_S = 0.5
#: ... and small: a reason the pipeline gives for too small a movement, shaking, or under this
#: fraction of the target (or usual) range
FIDGET_ROM_FRACTION = 0.5
#: a quick rejected movement not held that starts within this long (s) of a fidget's end belongs
#: to the same burst (a shake's swings follow each other within 0.01-0.05 s), whatever its size
BURST_GAP_S = 1.0
#: the first words of the pipeline's reasons for a movement too small or shaking (``classify``)
SMALL_REASONS = ("too small", "shaking")
#: what the patient reads for the first fidget of a burst (the others: nothing more)
FIDGET_NOTE = "A small quick movement: not counted (a rep goes out slowly and holds at the top)."


def sensors_doing(rep: Rep) -> bool:
    """Whether rejected ``rep`` was the sensor's doing (:func:`sensor_reasons`)."""
    return rep.kind == "rejected" and (rep.reason or "").startswith(sensor_reasons())


def unheld(rep: Rep) -> bool:
    """Whether ``rep`` is a rejected movement not held at the top (:data:`FIDGET_MAX_HOLD_S`)."""
    return rep.kind == "rejected" and not rep.hold_s >= FIDGET_MAX_HOLD_S


def quick(rep: Rep) -> bool:
    """Whether ``rep`` took :data:`FIDGET_MAX_S` or less, start to end."""
    return rep.end_s - rep.start_s <= FIDGET_MAX_S


def small(rep: Rep, reference_rom_deg: float | None = None) -> bool:
    """Whether ``rep`` was small: the pipeline's "too small ..." or "shaking", or under
    :data:`FIDGET_ROM_FRACTION` of ``reference_rom_deg`` (deg: the target or usual range, None when
    there is none)."""
    return (rep.reason or "").startswith(SMALL_REASONS) or (
        reference_rom_deg is not None and math.isfinite(rep.rom_deg)
        and rep.rom_deg < FIDGET_ROM_FRACTION * reference_rom_deg)


def fidget_shaped(rep: Rep, reference_rom_deg: float | None = None) -> bool:
    """Whether ``rep`` alone looks like a fidget: rejected, not held, quick and small."""
    return unheld(rep) and quick(rep) and small(rep, reference_rom_deg)


class FidgetBursts:
    """Tells, rep by rep as they come, which are fidgets and which fidget starts a burst.

    A fidget is a rejected movement that is :func:`fidget_shaped`, or one not held and quick or
    small that starts within :data:`BURST_GAP_S` of the last fidget's end (a shake's bigger swings,
    its slower last one); a burst is fidgets following each other so. A movement rejected by the
    sensor's doing (:func:`sensors_doing`) has its own account: never a fidget.
    """

    def __init__(self) -> None:
        self._last_end_s: float | None = None
        #: how many fidgets the burst under way has had (0: none under way)
        self.in_burst = 0

    def judge(self, rep: Rep, reference_rom_deg: float | None = None) -> str:
        """``"first"`` for the fidget that starts a burst, ``"more"`` for a further one in it, ``""``
        for a movement that is no fidget (it ends the burst)."""
        continues = (self._last_end_s is not None and unheld(rep) and rep.start_s - self._last_end_s <= BURST_GAP_S
                     and (quick(rep) or small(rep, reference_rom_deg)))
        if sensors_doing(rep) or not (continues or fidget_shaped(rep, reference_rom_deg)):
            self._last_end_s, self.in_burst = None, 0
            return ""
        self._last_end_s = rep.end_s
        self.in_burst = self.in_burst + 1 if continues else 1
        return "more" if continues else "first"


def short_of(value: float, target: float, digits: int = 0) -> str:
    """``value`` written with ``digits`` decimals, or more (up to ``digits`` + 2, then cut off, not
    rounded) where that would round it up to ``target`` or over: a shortfall never reads as the
    target itself (39.6 of 40 with 0 decimals: "39.6"; 2.96 of 3 s with 1: "2.96")."""
    if not value < target:
        return f"{value:.{digits}f}"
    for d in range(digits, digits + 3):
        text = f"{value:.{d}f}"
        if float(text) < target:
            return text
    d = digits + 2
    return f"{math.floor(value * 10 ** d) / 10 ** d:.{d}f}"


#: what the patient reads, once, when the sensor seems to have turned on the leg (:class:`MovedSensor`)
MOVED_NOTE = ("The sensor seems to have turned on your leg: put it back as it was at the start,"
              " or stop and start a new session.")


class MovedSensor:
    """Tells, rep by rep as they come, when the movements so far first meet the rule by which a
    recording is said to have lost its reps to a sensor turned on the leg (``sensorkit analyze``'s
    warning: :func:`sensorkit.batch.moved_sensor_seen`): once."""

    def __init__(self) -> None:
        self._reps: list[Rep] = []
        self.said = False  # the rule was met (and said): never again

    def judge(self, rep: Rep) -> bool:
        """Whether the rule is met first with ``rep`` (the next movement of the session)."""
        from sensorkit.batch import moved_sensor_seen  # (the analysis: loaded when needed)

        if self.said:
            return False
        self._reps.append(rep)
        self.said = moved_sensor_seen(self._reps)
        return self.said

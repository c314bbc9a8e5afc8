"""The turn through a series of reps without rests, for the range of each rep in it.

A rep started from a quiet rest ranges from that rest to its peak. In a series without rests (quick
reps, PHYTMO's continuous swings) the next rep starts at the bottom of the swing before, which may
lie behind the rest pose or short of it, and the rest pose itself is not observed there (it
drifts). The orientation filter's angle at such a start is pulled by the swings' acceleration by
an amount that depends on the sample rate (a simulated series read 6.5° RMSE at 25 Hz and 1.2° at
200 Hz). So the rate about the exercise's learned axis is integrated through the series instead,
from the last quiet rest on (or, with no quiet rest before the movement and no series to go on,
from the movement's start: a recording begun just before a series, a sensor whose rest is not quiet
enough; the first movement's own range is read as any movement's), movement after movement (the
windows meet: each begins where the one before ended), with the turns the accelerometer finds
missed across lost samples put back; each rep's range is its peak minus the lowest angle since the
peak of the rep before. The integral
drifts by the gyro bias left (VQF's estimate: a few hundredths of a deg/s) over a series' seconds.

What the chain must not carry: nothing across a gap in the data (the pipeline drops it at a
reconnect, and two movements more than MAX_STEP_PERIODS apart do not meet); no axis but the
exercise's learned one (a chain begun about a movement's own axis before the exercise's is known
goes on only if that turns out to be it, within 30°); and no low of a movement foreign to the
exercise (a kick, standing up): the trough starts afresh at its end.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sensorkit.pipeline.stats import median

#: the movement before ended at most this many sample periods before this one's first sample
MAX_STEP_PERIODS = 1.5


@dataclass(frozen=True)
class Chain:
    """The integrated rate about ``axis`` (unit, sensor frame) at the last sample of a movement:
    ``angle_deg`` (from the quiet rest the series started at), the rate there (``omega_dps``, (3,))
    and its time (``t_s``); ``trough_deg``: the lowest angle since the last counted rep's peak."""

    axis: np.ndarray
    angle_deg: float
    omega_dps: np.ndarray
    t_s: float
    trough_deg: float = float("nan")

    @property
    def started(self) -> bool:
        """False for a chain that only names its axis (to start at the next quiet rest)."""
        return bool(np.isfinite(self.angle_deg))


def unstarted(axis: np.ndarray) -> Chain:
    """A chain about ``axis`` that starts at the next quiet rest."""
    return Chain(np.array(axis, dtype=float), float("nan"), np.zeros(3), float("nan"))


#: a chain goes on only about the exercise's learned axis: within 30° of it, the same way round
SAME_AXIS_COS = math.cos(math.radians(30.0))


@dataclass(frozen=True)
class Link:
    """A movement's part of the chain: its ``range_deg`` (NaN when it has none), the chain at its last
    sample (``end``), the lowest angle since the last counted rep's peak up to its end
    (``low_deg``: the trough carried in included) and its own lowest after its peak (deg)."""

    range_deg: float
    end: Chain
    low_deg: float
    low_after_peak_deg: float
    #: the highest angle of the movement's own window, when the chain started at its rest (else NaN)
    high_deg: float = float("nan")

    def next_chain(self, axis: np.ndarray, counted: bool, foreign: bool) -> Chain | None:
        """The chain the next movement carries on, about the exercise's learned ``axis`` (None when
        this one's axis is not that one): a counted rep's trough starts at its peak, a foreign
        movement's at its end (its turns are no swing of the exercise), another's goes on."""
        if float(self.end.axis @ axis) < SAME_AXIS_COS:  # (another axis, or this one the other way)
            return None
        trough = self.low_after_peak_deg if counted else self.end.angle_deg if foreign else self.low_deg
        end = self.end  # (its fields but the axis and trough: dataclasses.replace's result, without its overhead)
        return Chain(np.array(axis, dtype=float), end.angle_deg, end.omega_dps, end.t_s, trough)

    def turned_back(self, axis: np.ndarray) -> Chain | None:
        """The chain about ``axis``, the other way round from this movement's (a first movement
        that turned out to have swung behind the rest pose, :class:`sensorkit.pipeline.pipeline._Held`),
        when the chain started at this movement's rest: its angle negated, and its trough this
        movement's highest angle, negated (None otherwise)."""
        if not math.isfinite(self.high_deg) or float(self.end.axis @ axis) > -SAME_AXIS_COS:
            return None
        return replace(self.end, axis=np.array(axis, dtype=float), angle_deg=-self.end.angle_deg,
                       trough_deg=-self.high_deg)


def integral_deg(t: np.ndarray, rate: np.ndarray, first: float) -> np.ndarray:
    """``first`` plus the trapezoid integral of ``rate`` (deg/s) over ``t`` (s), per sample (deg)."""
    out = np.empty(len(rate))
    out[:1] = first
    np.cumsum(0.5 * (rate[1:] + rate[:-1]) * (t[1:] - t[:-1]), out=out[1:])
    out[1:] += first
    return out


def link(chain: Chain | None, t: np.ndarray, omega_dps: np.ndarray, filled: np.ndarray | None, start: int,
         rest: int | None, fitted_deg: np.ndarray, gaps_deg: np.ndarray) -> Link | None:
    """This movement's link: ``t`` (s) and ``omega_dps`` (n, 3) its window's samples, ``filled`` which
    of them a gap's straight line made up, ``start`` where the movement starts in it, ``rest`` the
    quiet rest sample before it (None: none, a continuous rep), ``fitted_deg`` its own angle and
    ``gaps_deg`` the turns the accelerometer put into it across lost samples, both from ``rest``
    on (from ``start`` when there is none). None when there is no chain to continue or start."""
    if rest is None and chain is not None and not chain.started:
        rest = start  # no quiet rest before it and no series to go on: the series starts at its start
    if rest is not None:  # a quiet rest (or that start): the chain starts again there, at 0
        if chain is None:
            return None
        angle = integral_deg(t[rest:], omega_dps[rest:] @ chain.axis, 0.0)
        angle += gaps_deg - gaps_deg[0]  # (fitted_deg and gaps_deg start at the rest sample)
        top = start - rest + int(angle[start - rest:].argmax())
        end = Chain(chain.axis, float(angle[-1]), omega_dps[-1].copy(), float(t[-1]))
        return Link(float("nan"), end, min(0.0, float(angle.min())), float(angle[top:].min()), float(angle[top]))
    if chain is None or not chain.started:
        return None
    # (the median step only where it decides: one sample has no period to judge by)
    if len(t) > 1 and t[0] - chain.t_s > MAX_STEP_PERIODS * median(np.diff(t).tolist()):
        return None  # (no samples lost between the two movements but those filled in)
    rate = omega_dps @ chain.axis
    first = chain.angle_deg + 0.5 * (float(chain.omega_dps @ chain.axis) + float(rate[0])) * float(t[0] - chain.t_s)
    angle = integral_deg(t, rate, first)
    angle[start:] += gaps_deg - gaps_deg[0]
    low = 0
    if filled is not None and filled[:start].any():
        # samples lost before the start, where nothing was fitted: from the movement's own angle at
        # its start on, forgetting what lay before
        angle[start:] += float(fitted_deg[0]) - float(angle[start])
        low = start
    top = start + int(angle[start:].argmax())
    trough = min(chain.trough_deg if low == 0 else np.inf, float(angle[low:top + 1].min()))
    end = Chain(chain.axis, float(angle[-1]), omega_dps[-1].copy(), float(t[-1]))
    return Link(float(angle[top] - trough), end, min(chain.trough_deg, float(angle.min())), float(angle[top:].min()))

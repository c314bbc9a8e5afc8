"""Stage 4a: learn the exercise's rotation axis in the sensor frame from the movements themselves.

The strap may sit any way round, so the axis is not assumed: every rep-shaped movement votes
with its own rotation axis. Axes within ``cluster_deg`` of each other (either sign) form a
cluster; the exercise's axis is the cluster with the most votes *net of direction* (the older one on
a tie), pointing the way most of its movements turned (external rotation is positive). An exercise
turns the shank one way from its resting pose and back, so its votes add up; a leg swinging like a
pendulum (walking after standing up, a swing behind the pose and forward again) turns both ways
about one axis and its votes cancel. A movement that held at the top votes twice: a rep holds, a
sit-down or a kick mostly does not. A knee extension turns about the knee's flexion axis, about 90°
away, and so falls in another cluster.
"""
from __future__ import annotations

import math

from dataclasses import dataclass, field

import numpy as np


def norm3(v: np.ndarray) -> float:
    return math.sqrt(float(v @ v))


#: another axis takes over only with more than this many times the votes of the one in force: one
#: held movement (2 votes: a knee extension in a hip-ER session, a hip rotation in a knee one) does
#: not take the axis from one rep without a hold (1 vote), two of them do
SWITCH_RATIO = 2.0


@dataclass
class _Cluster:
    line_sum: np.ndarray  # sum of member axes flipped onto one side (direction of the line)
    direction_votes: float  # ROM of members turning along +line minus ROM of those turning against it
    count: int  # votes of members turning along +line minus votes of those turning against it
    line: np.ndarray = field(init=False)  # unit direction of ``line_sum`` (kept up to date by ``add``)

    def __post_init__(self) -> None:
        self.line = self.line_sum / norm3(self.line_sum)

    @property
    def strength(self) -> int:
        """Votes net of direction: a one-way movement adds up, a pendulum cancels."""
        return abs(self.count)

    def add(self, signed_axis: np.ndarray, sign: int, weight: int, rom_deg: float) -> None:
        """One more member (``weight`` votes), its axis already flipped onto the line's side."""
        self.line_sum = self.line_sum + signed_axis
        self.direction_votes += sign * rom_deg
        self.count += sign * weight
        self.line = self.line_sum / norm3(self.line_sum)


class AxisModel:
    """Votes of movement axes; :attr:`axis` is the current exercise-axis estimate (or None)."""

    def __init__(self, cluster_deg: float) -> None:
        self.cos_cluster = float(np.cos(np.radians(cluster_deg)))
        self._clusters: list[_Cluster] = []
        self._axis: np.ndarray | None = None  # :attr:`axis`, computed once per change of votes
        self._top_counts = (0, 0)  # votes of the strongest and the second-strongest cluster
        self._best: _Cluster | None = None  # the cluster in force

    def observe(self, axis: np.ndarray, weight: int = 1, rom_deg: float = 1.0) -> None:
        """Add one movement's signed unit rotation axis with ``weight`` votes; the way the exercise
        turns is the way of the larger total ROM (a leg swinging through its resting pose goes
        further forward than behind)."""
        self._axis = None
        for c in self._clusters:
            cos = float(axis @ c.line)
            if abs(cos) >= self.cos_cluster:
                sign = 1 if cos >= 0 else -1
                c.add(sign * weight * axis, sign, weight, rom_deg)
                break
        else:
            self._clusters.append(_Cluster(weight * axis.astype(float), rom_deg, weight))
        counts = sorted((c.strength for c in self._clusters), reverse=True)
        self._top_counts = (counts[0], counts[1] if len(counts) > 1 else 0)

    @property
    def axis(self) -> np.ndarray | None:
        if self._axis is None and self._clusters:
            best = max(self._clusters, key=lambda c: c.strength)  # max keeps the first on ties
            # the axis in force keeps it until another has SWITCH_RATIO times its votes: a few
            # kicks between reps do not take the session's axis away
            if self._best is not None and best is not self._best and best.strength <= SWITCH_RATIO * self._best.strength:
                best = self._best
            self._best = best
            self._axis = best.line if best.direction_votes >= 0 else -best.line
            self._axis.flags.writeable = False  # shared by every caller until the next vote
        return self._axis

    @property
    def votes(self) -> int:
        """Votes of the strongest axis (0 before any)."""
        return self._top_counts[0]

    @property
    def runner_up_votes(self) -> int:
        """Votes of the second-strongest axis (0 when there is none)."""
        return self._top_counts[1]


def axis_offset_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Angle between two rotation axes as lines (0–90°), degrees."""
    return math.degrees(math.acos(min(1.0, abs(float(a @ b)))))

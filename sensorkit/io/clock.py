"""Repairs of a recording's clock, for :func:`~sensorkit.io.checks.check_time_column`.

- **Stamped once per packet**: many loggers write the packet's time on each of its samples (10 rows
  share each ``t``). When the repeated times form regular runs, :func:`packet_runs` finds them and
  :func:`spread_packets` gives each sample its own time: the stamp is the packet's *first* sample's
  time (so no sample falls before the recording's first stamp), and the packet's samples follow it
  evenly over the step to the next stamp.
- **Clock jitter**: a timestamp a little late or early makes ``t`` step back by less than one sample
  period among increasing times. :func:`untangle_jitter` re-times the rows involved evenly between
  their in-order neighbours, keeping the rows in the file's order (the order they were sampled in).
- **Both**: a packet's stamp a little early makes ``t`` step back by less than a packet period (the
  step between stamps). :func:`untangle_stamps` untangles the packets' stamps as
  :func:`untangle_jitter` untangles rows; the packets are then spread.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

#: at most this fraction of the rows may lie in runs of one timestamp (the first and last aside)
#: of a size further than :func:`size_tolerance` from the packet size, for the file to count as
#: stamped once per packet (a short run: samples lost; a coarse clock stamps 9, 10 or 11 rows alike)
MAX_ODD_ROWS = 0.20
#: a packet whose step to the next stamp gives its samples a period over this many times the
#: typical one is followed by a gap (lost packets), or is a short first packet: its samples get the
#: typical period, from its stamp
GAP_AFTER_PACKET = 1.5


@dataclass(frozen=True)
class Packets:
    """Runs of rows sharing one timestamp: ``starts`` (first row of each), ``sizes`` (rows in
    each), ``size`` (the packet size k: the usual run length), ``odd`` (runs, the first and last
    aside, further than :func:`size_tolerance` from it)."""

    starts: np.ndarray
    sizes: np.ndarray
    size: int
    odd: int


def size_tolerance(size: int) -> int:
    """How far (rows) a run of one timestamp may be from the packet size ``size`` and still count as
    a packet: 1, or a tenth of the size (a clock ticking every 50 ms at 200 Hz stamps 9 to 11 rows)."""
    return max(1, size // 10)


def packet_runs(t: np.ndarray) -> tuple[Packets | None, str]:
    """The packets of ``t`` (non-decreasing, s) when its repeated times are regular runs: the usual
    run (the packet size k) at least 2 rows, and at most :data:`MAX_ODD_ROWS` of the rows in runs
    further than :func:`size_tolerance` from it, the first and last run aside (cut by the start
    and end of the recording); else (None, why not, e.g. ``"runs of 1 to 7 rows per time ..."``)."""
    starts = np.flatnonzero(np.concatenate([[True], np.diff(t) != 0]))
    sizes = np.diff(np.append(starts, len(t)))
    inner = sizes[1:-1]
    if len(inner) < 2:
        return None, f"{len(sizes)} distinct time{'s' if len(sizes) != 1 else ''} only"
    size = int(np.bincount(inner).argmax())
    odd = np.abs(inner - size) > size_tolerance(size)
    odd_rows = int(inner[odd].sum())
    if size < 2 or odd_rows > MAX_ODD_ROWS * len(t):
        counts = np.bincount(inner)
        commonest = np.argsort(-counts, kind="stable")[:3]
        edges = [f"{int(n)} at the {where}" for n, where in ((sizes[0], "start"), (sizes[-1], "end"))
                 if n > 1 and not inner.min() <= n <= inner.max()]  # (the first and last runs, cut by the file's ends)
        return None, (f"runs of {int(inner.min())} to {int(inner.max())} rows per time"
                      + (f" ({', '.join(edges)})" if edges else "") + ", the commonest "
                      + ", ".join(f"{int(m)} ({int(counts[m])} times)" for m in commonest if counts[m]))
    return Packets(starts, sizes, size, int(np.count_nonzero(odd))), ""


def spread_packets(t: np.ndarray, packets: Packets) -> tuple[np.ndarray, float]:
    """(each row's own time (s), the typical sample period (s)) for ``t`` stamped once per packet.

    A packet's stamp is its first sample's time; its samples follow at ``step / n`` (``step``: to
    the next stamp, ``n``: its rows). Where that period is over :data:`GAP_AFTER_PACKET` times the
    typical one (the median over the packets of the usual size), as before a gap or for a short
    first packet, and for the last packet, the samples follow at the typical period. The result
    increases strictly and keeps every stamp: the first row's time is the first stamp.
    """
    stamps = t[packets.starts]
    sizes = packets.sizes
    period_s = np.diff(stamps) / sizes[:-1]
    usual = period_s[sizes[:-1] == packets.size]
    typical_s = float(np.median(usual if usual.size else period_s))
    period_s = np.append(np.where(period_s > GAP_AFTER_PACKET * typical_s, typical_s, period_s), typical_s)
    within = np.arange(len(t)) - np.repeat(packets.starts, sizes)
    return np.repeat(stamps, sizes) + within * np.repeat(period_s, sizes), typical_s


@dataclass(frozen=True)
class Jitter:
    """What :func:`untangle_jitter` did or found: ``t`` re-timed (s); ``steps_back`` (rows whose
    time was below the row before's); ``retimed`` (rows given a new time); ``worst_s`` (the largest
    amount a time lay below an earlier row's); ``period_s`` (the sample period that told jitter from
    a step back: the median interval, unless given); ``too_far``: the first row that lay a sample
    period or more below an earlier row (no jitter: nothing re-timed), with ``earlier``, that row
    (-1: the sample passed on before ``t``, ``last_s``)."""

    t: np.ndarray
    steps_back: int
    retimed: int
    worst_s: float
    period_s: float
    too_far: int | None = None
    earlier: int | None = None
    #: the account is of packet stamps (:func:`untangle_stamps`): ``steps_back`` and ``retimed``
    #: count stamps, ``period_s`` is the median step between stamps; ``too_far`` and ``earlier``
    #: are stamps, or, given the packets' sizes, rows (the first row of the packet stamped too
    #: early; the last of the packet it lies below)
    stamps: bool = False


def untangle_jitter(t: np.ndarray, last_s: float = -math.inf, period_s: float | None = None) -> Jitter:
    """``t`` (s) made non-decreasing where it steps back by less than a sample period (``period_s``;
    by default the median positive interval of ``t``): clock jitter, not a damaged file.

    Rows that are in order with every row (not below any earlier time nor above any later one) keep
    their time; the runs of others between two of them are re-timed evenly between those two, in
    the file's order (the order the sensor sampled them in; no row dropped, no value changed). A run
    at the end is spread to its largest time, one at the start from its smallest, so the span is
    kept. Exact repeats are left as they are (the reader drops a few). When a time lies a period or
    more below an earlier one, nothing is re-timed and ``too_far`` names it.

    ``last_s``: the time of the sample before ``t`` already passed on (a live stream's, causally:
    :class:`~sensorkit.inputs.InputChecks`), which keeps it: rows below it are out of order, and a
    run at the start is re-timed from it. A whole recording has none (-inf). Live, ``t`` must then
    hold a time after ``last_s`` (the caller waits for one).
    """
    n = len(t)
    if period_s is None:
        steps = np.diff(t)
        positive = steps[steps > 0]
        period_s = float(np.median(positive)) if positive.size else 0.0
    before = np.maximum.accumulate(np.concatenate([[last_s], t]))[:-1]  # (the latest time before each row)
    below_s = before - t
    steps_back = int(np.count_nonzero(t < np.concatenate([[last_s], t[:-1]])))
    worst_s = max(0.0, float(below_s.max())) if n else 0.0
    if steps_back == 0:
        return Jitter(t, 0, 0, worst_s, period_s)
    if worst_s >= period_s:  # (with no step forward at all, the period is 0: any step back is too far)
        row = int(np.flatnonzero((below_s >= period_s) & (below_s > 0))[0])
        earlier = int(np.flatnonzero(np.concatenate([[last_s], t[:row]]) == before[row])[0]) - 1
        return Jitter(t, steps_back, 0, worst_s, period_s, too_far=row, earlier=earlier)
    lowest_after = np.append(np.minimum.accumulate(t[::-1])[::-1][1:], np.inf)
    tangled = ~((t >= before) & (t <= lowest_after))
    anchors = np.flatnonzero(~tangled)
    first_in = int(anchors[0]) if anchors.size else n
    end = int(anchors[-1]) if anchors.size else -1
    anchors_t = t[anchors]
    if end < n - 1:  # (a tangle at the end: to its largest time)
        anchors, anchors_t = np.append(anchors, n - 1), np.append(anchors_t, t[end + 1:].max())
    if math.isfinite(last_s):  # (the sample passed on keeps its time)
        anchors, anchors_t = np.concatenate([[-1], anchors]), np.concatenate([[last_s], anchors_t])
    elif first_in > 0:  # (a tangle at the start: from its smallest time; every row in a tangle: over the span)
        anchors, anchors_t = np.concatenate([[0], anchors]), np.concatenate([[t[:first_in].min()], anchors_t])
    fixed = t.copy()
    fixed[tangled] = np.interp(np.flatnonzero(tangled), anchors, anchors_t)
    return Jitter(fixed, steps_back, int(np.count_nonzero(tangled)), worst_s, period_s)


def untangle_stamps(stamps: np.ndarray, sizes: np.ndarray | None = None) -> Jitter:
    """Packet stamps (s, one per packet) made non-decreasing where one steps back by less than a
    packet period (the median positive step between stamps): jitter of the packet clock. The stamps
    are untangled as :func:`untangle_jitter` untangles rows; a stamp a packet period or more below
    an earlier one is ``too_far`` (``earlier``: the stamp it lies below). The one untangling of
    packet stamps, for every reader: a Movesense export's packets, and a file stamped once per
    packet, whose ``sizes`` (rows per packet, :func:`packet_runs`) give ``t`` per row (each packet's
    rows sharing its stamp, for :func:`spread_packets`) and ``too_far`` the row starting its packet
    (``earlier``: the last row of the packet it lies below)."""
    jitter = replace(untangle_jitter(stamps), stamps=True)
    if sizes is None:
        return jitter
    starts = np.cumsum(sizes) - sizes
    too_far = earlier = None
    if jitter.too_far is not None:
        too_far = int(starts[jitter.too_far])
        earlier = int(starts[jitter.earlier] + sizes[jitter.earlier] - 1)
    return replace(jitter, t=np.repeat(jitter.t, sizes), too_far=too_far, earlier=earlier)

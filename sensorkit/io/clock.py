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

from dataclasses import dataclass

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
    amount a time lay below an earlier row's); ``period_s`` (the median interval); ``too_far``: the
    first row that lay a sample period or more below an earlier row (no jitter: nothing re-timed),
    with ``earlier``, that row."""

    t: np.ndarray
    steps_back: int
    retimed: int
    worst_s: float
    period_s: float
    too_far: int | None = None
    earlier: int | None = None
    #: the account is of packet stamps (:func:`untangle_stamps`): ``steps_back`` and ``retimed``
    #: count stamps, ``period_s`` is the median step between stamps; ``too_far`` and ``earlier``
    #: are rows (the first row of the packet stamped too early; the last of the packet it lies below)
    stamps: bool = False


def untangle_jitter(t: np.ndarray) -> Jitter:
    """``t`` (s) made non-decreasing where it steps back by less than a sample period (the median
    positive interval): clock jitter, not a damaged file.

    Rows that are in order with every row (not below any earlier time nor above any later one) keep
    their time; the runs of others between two of them are re-timed evenly between those two, in
    the file's order (the order the sensor sampled them in; no row dropped, no value changed). A run
    at the start (or end) is spread from its smallest time (to its largest), so the span is kept.
    Exact repeats are left as they are (the reader drops a few). When a time lies a period or more
    below an earlier one, nothing is re-timed and ``too_far`` names it.
    """
    n = len(t)
    steps = np.diff(t)
    positive = steps[steps > 0]
    period_s = float(np.median(positive)) if positive.size else 0.0
    highest_before = np.maximum.accumulate(t)
    below_s = np.concatenate([[0.0], highest_before[:-1] - t[1:]])
    steps_back = int(np.count_nonzero(steps < 0))
    worst_s = float(below_s.max()) if n else 0.0
    if steps_back == 0:
        return Jitter(t, 0, 0, worst_s, period_s)
    if worst_s >= period_s:  # (with no step forward at all, the period is 0: any step back is too far)
        row = int(np.flatnonzero((below_s >= period_s) & (below_s > 0))[0])
        earlier = int(np.flatnonzero(t[:row] == highest_before[row - 1])[0])
        return Jitter(t, steps_back, 0, worst_s, period_s, too_far=row, earlier=earlier)
    lowest_after = np.minimum.accumulate(t[::-1])[::-1]
    in_order = (t >= np.concatenate([[-np.inf], highest_before[:-1]])) & (t <= np.append(lowest_after[1:], np.inf))
    fixed = t.copy()
    index = np.arange(n)
    anchors = np.flatnonzero(in_order)
    if not anchors.size:  # (every row in a tangle: spread over the span)
        anchors_t, anchors = np.array([t.min(), t.max()]), np.array([0, n - 1])
    else:
        anchors_t = t[anchors]
        if anchors[0] > 0:  # (a tangle at the start: from its smallest time)
            anchors_t, anchors = np.concatenate([[t[:anchors[0]].min()], anchors_t]), np.concatenate([[0], anchors])
        if anchors[-1] < n - 1:  # (at the end: to its largest)
            anchors_t, anchors = np.append(anchors_t, t[anchors[-1] + 1:].max()), np.append(anchors, n - 1)
    tangled = ~in_order
    fixed[tangled] = np.interp(index[tangled], anchors, anchors_t)
    return Jitter(fixed, steps_back, int(np.count_nonzero(tangled)), worst_s, period_s)


def untangle_stamps(t: np.ndarray, packets: Packets) -> Jitter:
    """``t`` (s), stamped once per ``packets`` (runs of one time, :func:`packet_runs`), with the
    stamps made non-decreasing where one steps back by less than a packet period (the median
    positive step between stamps): jitter of the packet clock. The stamps are untangled as
    :func:`untangle_jitter` untangles rows (each packet's rows keep sharing its stamp, for
    :func:`spread_packets`); a stamp a packet period or more below an earlier one is ``too_far``
    (the row starting its packet; ``earlier``, the last row of the packet it lies below)."""
    stamps = untangle_jitter(t[packets.starts])
    too_far = earlier = None
    if stamps.too_far is not None:
        too_far = int(packets.starts[stamps.too_far])
        earlier = int(packets.starts[stamps.earlier] + packets.sizes[stamps.earlier] - 1)
    return Jitter(np.repeat(stamps.t, packets.sizes), stamps.steps_back, stamps.retimed, stamps.worst_s,
                  stamps.period_s, too_far, earlier, stamps=True)

"""Checks on the parsed time column: samples present, ``t`` increasing, its clock repaired where it can be."""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.io.clock import Jitter, Packets, packet_runs, spread_packets, untangle_jitter, untangle_stamps
from sensorkit.io.csv_table import line_of_row

#: repeated timestamps up to this fraction of rows (at least one) are dropped with a warning
MAX_REPEATED_FRACTION = 0.01
#: a jump in ``t`` longer than this (s) gets a warning: no exercise session pauses its sensor for
#: ten minutes (the analysis treats it as any gap: the movement it cuts is lost)
LONG_GAP_S = 600.0


def time_order(t: np.ndarray) -> tuple[int | None, np.ndarray, int]:
    """``t``'s order, as every reader checks it: (the first row whose time is below the row
    before's, or None; the rows whose time equals the row before's; how many such repeats can be
    repaired, MAX_REPEATED_FRACTION of the rows and at least one)."""
    step_s = np.diff(t)
    backwards = np.flatnonzero(step_s < 0)
    first_back = int(backwards[0]) + 1 if backwards.size else None
    return first_back, np.flatnonzero(step_s == 0) + 1, max(1, int(MAX_REPEATED_FRACTION * len(t)))


@dataclass(frozen=True)
class ClockRepair:
    """What :func:`repair_clock` made of a time column ``t`` (s)."""

    t: np.ndarray  # re-timed (the very array when nothing was; as given when a step back is refused)
    first_back: int | None  # the first row whose time is below the row before's (None: none)
    jitter: Jitter | None  # untangle_jitter's (or untangle_stamps') account of the steps back (None: none)
    repeats: np.ndarray  # the rows repeating the time before, after any re-timing
    allowed: int  # how many such repeats are dropped rather than spread as packets
    refused_back: bool = False  # the steps back are no jitter (too far, or among repeats beyond repair)
    packets: Packets | None = None  # the packets whose samples were spread
    period_s: float = 0.0  # their sample period (s)
    not_packets: str = ""  # why repeats beyond ``allowed`` are no regular packets ("": they are, or none)


def repair_clock(t: np.ndarray, rows: np.ndarray | None = None) -> ClockRepair:
    """``t``'s clock repaired where it can be (:mod:`sensorkit.io.clock`), as every reader of whole
    recordings repairs it, each saying so its own way: steps back of less than a sample period
    (jitter) re-timed; then repeats beyond ``MAX_REPEATED_FRACTION`` spread as packets, when they
    are regular ones (and, given ``rows``, the table, not whole rows written twice). In ``t``
    stamped once per packet, a stamp stepping back less than a packet period (the packet clock's
    jitter) is untangled among the stamps before the packets are spread (``jitter.stamps``)."""
    row, repeats, allowed = time_order(t)
    jitter = None
    if row is not None and repeats.size > allowed:
        stamped = _jittered_packets(t, repeats, allowed, rows)
        if stamped is not None:
            return stamped
    if row is not None:
        jitter = untangle_jitter(t)
        if jitter.too_far is not None or repeats.size > allowed:
            return ClockRepair(t, row, jitter, repeats, allowed, refused_back=True)
        t = jitter.t
        _, repeats, allowed = time_order(t)
    if repeats.size <= allowed:
        return ClockRepair(t, row, jitter, repeats, allowed)
    packets, why = _packets(t, repeats, rows)
    if packets is None:
        return ClockRepair(t, row, jitter, repeats, allowed, not_packets=why)
    spread, period_s = spread_packets(t, packets)
    return ClockRepair(spread, row, jitter, repeats, allowed, packets=packets, period_s=period_s)


def _packets(t: np.ndarray, repeats: np.ndarray, rows: np.ndarray | None) -> tuple[Packets | None, str]:
    """:func:`~sensorkit.io.clock.packet_runs` of ``t``, and, given ``rows`` (the table), none
    when most ``repeats`` repeat the whole row before (rows written twice, not samples of a packet)."""
    packets, why = packet_runs(t)
    if rows is not None and packets is not None:
        twice = int(np.count_nonzero((rows[repeats] == rows[repeats - 1]).all(axis=1)))
        if twice > repeats.size // 2:
            packets, why = None, f"{twice} of them repeat the whole row before: rows written twice?"
    return packets, why


def _jittered_packets(t: np.ndarray, repeats: np.ndarray, allowed: int,
                      rows: np.ndarray | None) -> ClockRepair | None:
    """:func:`repair_clock` of ``t`` stamped once per packet whose stamps step back: the stamps
    untangled where they step back by less than a packet period, then the packets spread; refused
    (``jitter.too_far``) where one steps back a packet period or more. None when ``t``'s repeats
    are no regular packets (the steps back are then judged row by row)."""
    packets, _ = _packets(t, repeats, rows)
    if packets is None:
        return None
    first = time_order(t)[0]
    jitter = untangle_stamps(t[packets.starts], packets.sizes)
    if jitter.too_far is not None:
        return ClockRepair(t, first, jitter, repeats, allowed, refused_back=True)
    spread, period_s = spread_packets(jitter.t, packets)
    if not bool(np.all(np.diff(spread) > 0)):  # (stamps untangled to one time: cannot be spread)
        return ClockRepair(t, first, None, repeats, allowed, refused_back=True)
    return ClockRepair(spread, first, jitter, repeats, allowed, packets=packets, period_s=period_s)


@dataclass(frozen=True)
class TimeColumn:
    """How messages name a time column: ``name`` (``"column t"``), ``short`` (``"t"``, as in
    "t must increase"), ``unit`` written after each value (``""``: seconds, as the column is)."""

    name: str = "column t"
    short: str = "t"
    unit: str = ""


def check_time_column(path: Path, t: np.ndarray, left_out: Collection[int] = (),
                      rows: np.ndarray | None = None, *, lines: np.ndarray | None = None,
                      column: TimeColumn = TimeColumn()) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """Validate ``t`` (s) and repair its clock. Returns (``t`` repaired, or the very array when
    nothing was; the rows to keep, or None for all; warnings). ``left_out``: the file's line numbers
    that have no row in ``t`` (malformed lines left out), for naming a row's line; or ``lines``:
    each row's line (a vendor export's). ``rows``: the table (``t`` its first column), to tell rows
    written twice from samples of one packet. ``column``: how messages name the time.

    Errors: no rows; all values equal; a value a sample period (the median interval) or more below
    an earlier one (a damaged file, or two recordings in one); in times stamped once per packet, a
    stamp a packet period or more below an earlier one; repeats beyond 1% of rows that are
    no regular packets. Repaired, with one warning each (:func:`repair_clock`): steps back
    of less than a period (clock jitter: the rows involved re-timed evenly between their in-order
    neighbours); times stamped once per packet (each packet's samples spread from its stamp, its
    first sample's time, towards the next stamp), their stamps first untangled where one steps back
    less than a packet period; a few exact repeats keep the first sample of each. A jump over
    ``LONG_GAP_S`` is a warning.
    """
    def line(row: int) -> int:
        return int(lines[row]) if lines is not None else line_of_row(path, row, left_out)

    n, name, short, unit = len(t), column.name, column.short, column.unit
    if n == 0:
        raise RecordingError(f"{path}: no samples (the file has a header and no data rows)")
    if n > 1 and t[0] == t[-1] and bool((t == t[0]).all()):
        raise RecordingError(f"{path}: {name}: all {n} values are {t[0]:.9g}{unit}; {short} must increase"
                             " (seconds since the start)")
    fix = repair_clock(t, rows)
    if fix.refused_back:
        _refuse_step_back(path, t, line, fix.jitter if fix.jitter is not None and fix.jitter.too_far is not None
                          else None, fix.first_back, column)
    notes = []
    if fix.jitter is not None:
        notes.append(f"{path}: line {line(fix.first_back)}: {jitter_note(fix.jitter, column)}")
    repeats, keep = fix.repeats, None
    if fix.not_packets:
        raise RecordingError(
            f"{path}: line {line(int(repeats[0]))}: {name}: {fix.t[repeats[0]]:.9g}{unit} repeats the"
            f" line before, and {repeats.size} rows ({100 * repeats.size / n:.1f}%) repeat a timestamp; at most 1% can"
            f" be repaired, or regular packets (one time for every k rows) spread; these are not ({fix.not_packets}):"
            " give each row its own time (s)"
        )
    if fix.packets is not None:
        packets = fix.packets
        odd = f", {packets.odd} stamps of another number" if packets.odd else ""
        notes.append(f"{path}: line {line(int(repeats[0]))}: {short} is stamped once per packet:"
                     f" {n} rows share {len(packets.sizes)} times ({repeats.size} repeats), {packets.size} rows a stamp{odd};"
                     f" each packet's samples spread evenly from its stamp (its first sample's time) to the next stamp:"
                     f" {1 / fix.period_s:.3g} Hz")
    elif repeats.size:
        keep = np.ones(n, dtype=bool)
        keep[repeats] = False
        notes.append(f"{path}: line {line(int(repeats[0]))}: {repeats.size} repeated"
                     f" timestamp{'s' if repeats.size > 1 else ''} ({short} equal to the row before); dropped, keeping the"
                     " first row of each")
    t = fix.t
    step_s = np.diff(t)
    long_gaps = np.flatnonzero(step_s > LONG_GAP_S)
    if long_gaps.size:
        row = int(long_gaps[0]) + 1
        notes.insert(0, f"{path}: line {line(row)}: {short} jumps {step_s[row - 1]:.6g} s from the line"
                     f" before{f' (and {long_gaps.size - 1} more gaps over {LONG_GAP_S:g} s)' if long_gaps.size > 1 else ''};"
                     " no data for that long: the sensor off, or two sessions in one file?")
    return t, keep, notes


def jitter_note(jitter: Jitter, column: TimeColumn = TimeColumn(), rows: str = "rows",
                order: str = "the file's order") -> str:
    """The warning (after ``FILE: line N: ``) for steps back re-timed as clock jitter: of ``rows``
    (``"samples"``, for arrays), or of packet stamps (``jitter.stamps``), re-timed in ``order``
    (``"their order"``, for arrays): the one wording of this repair, for every reader and for
    samples handed to the library (:class:`~sensorkit.inputs.InputChecks`)."""
    times = f"{jitter.steps_back} time{'s' if jitter.steps_back > 1 else ''}"
    worst = f"at most {1000 * jitter.worst_s:.3g} ms"
    if jitter.stamps:
        return (f"{column.short} is stamped once per packet and the stamps step back {times} by less than a packet"
                f" period ({worst}; the median step between stamps {1000 * jitter.period_s:.3g} ms): clock jitter;"
                f" {jitter.retimed} stamps re-timed evenly between their neighbours, in {order}")
    return (f"{column.short} steps back {times} by less than a sample period ({worst}; the median interval"
            f" {1000 * jitter.period_s:.3g} ms): clock jitter; {jitter.retimed} {rows} re-timed evenly between their"
            f" neighbours, in {order}")


def step_back_error(t: np.ndarray, row: int, earlier: int, before: str, jitter: Jitter | None,
                    column: TimeColumn = TimeColumn()) -> str:
    """The error (after ``FILE: line N: ``) for ``t[row]`` (s) below ``t[earlier]``, named
    ``before`` ("the line before", "line 12"): by a period or more (a packet period, for
    ``jitter.stamps``), or (``jitter`` None) among timestamps repeated beyond repair."""
    unit = column.unit
    why = damaged = ""
    if jitter is not None:
        period, median = (("a packet period", "the median step between stamps") if jitter.stamps else
                          ("a sample period", "the median interval"))
        why = f" by {t[earlier] - t[row]:.6g} s, {period} ({jitter.period_s:.6g} s, {median}) or more"
        damaged = " (a damaged file, or two recordings one after the other?)"
    return (f"{column.name}: {t[row]:.9g}{unit} is less than {before} ({t[earlier]:.9g}{unit}){why};"
            f" {column.short} must increase{damaged}")


def _refuse_step_back(path: Path, t: np.ndarray, line: Callable[[int], int], jitter: Jitter | None, first: int,
                      column: TimeColumn) -> None:
    """The error for ``t`` going back: at the first row a period (a packet period, for
    ``jitter.stamps``) or more below an earlier one (``jitter.too_far``), else (``jitter`` None:
    among timestamps repeated beyond repair) at ``first``. ``line``: a row's line in the file."""
    row = first if jitter is None else jitter.too_far
    earlier = row - 1 if jitter is None or jitter.earlier == row - 1 else jitter.earlier
    before = "the line before" if earlier == row - 1 else f"line {line(earlier)}"
    raise RecordingError(f"{path}: line {line(row)}: {step_back_error(t, row, earlier, before, jitter, column)}")


#: a median sample interval outside [MIN_INTERVAL_S, MAX_INTERVAL_S) is not a time in seconds
#: from a worn IMU (2 kHz .. 1 Hz; the contract's rates are 25-416 Hz)
MIN_INTERVAL_S = 0.0005
MAX_INTERVAL_S = 1.0
#: a first ``t`` in this range (s) is a Unix-epoch time, 2000-01-01 to 2100-01-01 UTC, not seconds
#: since the start: no session lasts the 30 years before it
EPOCH_RANGE_S = (946_684_800.0, 4_102_444_800.0)


def epoch_start_s(t: np.ndarray) -> float | None:
    """``t[0]`` (s) when ``t`` (s, increasing) is a Unix-epoch time (:data:`EPOCH_RANGE_S`), else None."""
    if not len(t):
        return None
    first = float(t[0])
    return first if EPOCH_RANGE_S[0] <= first < EPOCH_RANGE_S[1] else None
#: a sidecar ``sample_rate_hz`` further than this fraction from the timestamps' rate is refused
MAX_RATE_DISAGREEMENT = 0.10


def check_time_plausible(path: Path, t: np.ndarray, sample_rate_hz: float | None = None) -> None:
    """Refuse a time column that cannot be seconds, or that a sidecar rate contradicts.

    ``t`` (increasing) in seconds: its median interval must lie in 0.5 ms .. 1 s (milliseconds,
    microseconds, nanoseconds or row numbers do not). ``sample_rate_hz`` (the sidecar's), when
    given, must agree with 1 / median interval within 10 %: one of the two is wrong, and a count
    made from the wrong one would be silently wrong.
    """
    if len(t) < 2:
        return
    step_s = np.diff(t)
    step_s = step_s[step_s > 0]
    if not step_s.size:
        return
    median_s = float(np.median(step_s))
    if not MIN_INTERVAL_S <= median_s < MAX_INTERVAL_S:
        guess = _unit_guess(median_s)
        raise RecordingError(
            f"{path}: column t: the median sample interval is {median_s:.6g}, outside 0.0005-1 s;"
            f" t must be seconds since the start{guess}"
        )
    if sample_rate_hz:
        rate_hz = 1.0 / median_s
        if abs(rate_hz - sample_rate_hz) > MAX_RATE_DISAGREEMENT * sample_rate_hz:
            raise RecordingError(
                f"{path}: sidecar key sample_rate_hz: {sample_rate_hz:g} Hz disagrees with the timestamps"
                f" ({rate_hz:.4g} Hz from the median interval of column t) by more than 10 %;"
                f" correct whichever is wrong"
            )


def _unit_guess(median_s: float) -> str:
    """What a median interval out of range most likely means (for the message)."""
    if median_s == 1.0:
        return " (it looks like a row number)"
    for unit, factor in (("nanoseconds", 1e9), ("microseconds", 1e6), ("milliseconds", 1e3)):
        if MIN_INTERVAL_S <= median_s / factor < MAX_INTERVAL_S:
            return f" (it looks like {unit}: divide by {factor:g})"
    return ""

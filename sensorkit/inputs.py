"""Checks on samples handed to the library (:class:`~sensorkit.detect.RepDetector`), which did not
come through the file reader: the reader's checks, a whole recording at a time or packet by packet.

- a sample holding a NaN or an infinity (an empty cell of a DataFrame read from a CSV, a row of
  missing values) is left out as a lost sample, as the file reader leaves out such a line: a whole
  recording's, up to 1 % of its samples and not all, with one warning naming the first few
  (``data: 1 sample left out as a lost sample (sample 1000: ...)``); more is a
  :class:`~sensorkit.errors.SampleError` naming the first (one kept would silently cost every rep
  after it). Live, each packet's such samples are left out with a warning naming the packet and
  the first of them, so that a stream gives the reps of the same samples as a whole;
- ``t`` must increase (seconds since the start): a sample earlier than the one before is a
  :class:`~sensorkit.errors.SampleError` naming it (a reversed frame, two recordings one after the
  other, live packets that overlap by a sample period or more); an exact repeat is dropped with a warning, keeping the first,
  as the reader does (a whole recording with more than 1 % repeats is refused). A whole recording's
  clock is first repaired as the reader repairs a file's, with a warning: steps back of less than a
  sample period (jitter), and times stamped once per packet (:mod:`sensorkit.io.clock`). Live, a
  packet whose ``t`` steps back by less than a sample period (the median of the last intervals:
  a source's stamps jittering, packets overlapping by a sample or so) is re-timed causally, with a
  warning the first time: the samples out of order are re-timed evenly between the nearest in
  order, the last sample passed on keeping its time; a packet's tangled end waits for the next
  packet when no later time has come yet (never longer; :meth:`InputChecks.flush` at the end), so
  a sample still tangled a packet later is refused: with packets of one sample, jitter of more
  than half a period can do that (the same samples in packets of 2 or more, or in a file, are
  re-timed). A step back of a period or more is still an error naming the packet and sample. A stream whose
  ``t`` never steps back is passed on as it came;
- ``t`` must be numbers of seconds (:func:`time_in_seconds`): a timedelta (``timedelta64``: time since
  the start) is converted to seconds; a datetime (a clock time) is a ``SampleError`` saying how to
  make it seconds since the start; a float32 ``t`` too coarse to tell the samples apart (Unix
  times: float32's resolution near 1.7e9 is 128 s) is a ``SampleError`` saying so;
- the median sample interval must be a time in seconds from a worn IMU (0.5 ms to 1 s: not
  milliseconds, not row numbers);
- the accelerometer must read m/s² (not g or milli-g) and the gyro deg/s (not rad/s), by the
  reader's tests (:mod:`sensorkit.io.units`), and the two must not be swapped (gyro first: the
  gyro's columns reading gravity's 9.81). Live, the accelerometer and the swap are checked on the
  first second of data; the gyro's unit needs the sensor to have turned (30°), so only a whole
  recording checks it.

The same packets give the same samples whatever their sizes: live equals batch. A packet refused
changes nothing but the packet count: the stream goes on with the next packet, or with the same one
sent again, corrected.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from sensorkit.errors import RecordingError, SampleError
from sensorkit.io.checks import MAX_REPEATED_FRACTION, check_time_plausible, jitter_note, repair_clock, time_order
from sensorkit.io.clock import untangle_jitter
from sensorkit.io.csv_table import MAX_MALFORMED_FRACTION
from sensorkit.io.units import check_acc_unit, check_not_swapped, check_units
from sensorkit.samples import Samples

#: samples with a NaN or infinity named in the warning that leaves them out (then "and N more")
NAMED_LOST = 3
#: live, the accelerometer's unit is checked once this much data (s) has come
ACC_UNIT_CHECK_S = 1.0
#: live, the sample interval is checked once this many intervals have come
INTERVALS_TO_CHECK = 8
#: live, the sample period that tells jitter from a step back is the median of this many last intervals
STEPS_KEPT = 64


#: a ``t`` narrower than float64 is refused where its resolution at its largest value is this
#: fraction of the mean sample interval or more (of 1 s, the longest interval of a worn IMU, in a
#: packet of fewer than INTERVALS_TO_CHECK intervals): its times would move samples by that much,
#: or not tell them apart
MAX_T_RESOLUTION_FRACTION = 0.25


def time_in_seconds(t: Any) -> Any:
    """``t`` as the library takes it (a Series, an array or a sequence), in seconds: a ``timedelta64``
    (time since the start) converted to float seconds (NaT: NaN, a lost sample); anything else as it
    is. A ``datetime64`` (a clock time: which instant is 0?) is a :class:`SampleError` saying how to
    make it seconds since the start; so is a float ``t`` narrower than float64 whose resolution at
    its largest value is :data:`MAX_T_RESOLUTION_FRACTION` of the mean sample interval or more
    (float32 Unix times: 128 s)."""
    import pandas as pd

    dtype = getattr(t, "dtype", None)
    if dtype is None:
        return t
    if pd.api.types.is_datetime64_any_dtype(dtype):
        raise SampleError(f"t is a {dtype} (a clock time): give seconds since the start, e.g."
                          " (frame.t - frame.t.iloc[0]).dt.total_seconds(), or a timedelta (time since the start)")
    if pd.api.types.is_timedelta64_dtype(dtype):
        return np.asarray(pd.to_timedelta(np.asarray(t)).total_seconds(), dtype=np.float64)
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8:
        values = np.asarray(t, dtype=np.float64)
        finite = values[np.isfinite(values)]
        if finite.size:
            largest = float(np.abs(finite).max())
            resolution_s = float(np.spacing(dtype.type(largest)))
            # (the mean over fewer intervals could swing with the rounding itself: then 1 s, the longest)
            intervals = finite.size - 1
            interval_s = (finite.max() - finite.min()) / intervals if intervals >= INTERVALS_TO_CHECK else 1.0
            if resolution_s >= MAX_T_RESOLUTION_FRACTION * interval_s:
                raise SampleError(f"t is {dtype} near {largest:.3g}: its resolution there is {resolution_s:.3g} s, too"
                                  " coarse for the time between samples; give t in float64, or subtract the first time"
                                  f" (t - t[0]) before making it {dtype}")
    return t


class InputChecks:
    """The checks above for one stream of samples: :meth:`whole` for a whole recording,
    :meth:`packet` for the next packet of a live stream. ``where`` names the data in messages."""

    def __init__(self, where: str = "data") -> None:
        self.where = where
        self._last_t = -math.inf
        self._seen = 0  # samples before the next packet
        self._packets = 0
        self._intervals: list[float] = []
        self._interval_last: float | None = None
        self._interval_checked = False
        self._acc_head: list[np.ndarray] = []
        self._gyr_head: list[np.ndarray] = []
        self._acc_checked = False
        self._steps = np.zeros(0)  # the last STEPS_KEPT positive intervals passed on (s)
        self._held: Samples | None = None  # a packet's tangled end, waiting for a later time
        self._held_numbers = np.zeros(0, dtype=np.int64)  # (their numbers in the stream, from 0)
        self._numbers = np.zeros(0, dtype=np.int64)  # the numbers of the samples being checked (messages name them)
        self._held_before = 0  # how many of the samples being checked were held from the packet before
        self._jitter_said = False

    def whole(self, samples: Samples) -> Samples:
        """A whole recording, checked (its samples with a NaN or infinity and its repeats dropped: at
        most 1 % of its samples each, as the reader)."""
        self._numbers = np.arange(len(samples))
        samples = self._finite(samples, "", whole=True)
        samples = self._clock_repaired(samples)
        _, repeated, allowed = time_order(samples.t)
        if len(repeated) > allowed:
            raise SampleError(f"{self.where}: {len(repeated)} of {len(samples)} samples repeat the timestamp before;"
                              f" at most {100 * MAX_REPEATED_FRACTION:g} % can be repaired, or regular packets"
                              f" (one time for every k samples) spread (t must increase)")
        samples = self._in_order(samples, "")
        try:
            check_time_plausible(self.where, samples.t)
            notes = check_units(self.where, samples, report_unchecked=False) if len(samples) else []
        except RecordingError as exc:
            raise SampleError(str(exc)) from None
        for note in notes:
            warnings.warn(note, stacklevel=3)
        return samples

    def packet(self, samples: Samples) -> Samples:
        """The next live packet, checked (its repeats dropped)."""
        self._packets += 1
        kept = {key: list(value) if isinstance(value, list) else value for key, value in vars(self).items()}
        try:
            self._numbers = self._seen + np.arange(len(samples))
            self._seen += len(samples)
            samples = self._finite(samples, f" packet {self._packets}:")
            samples = self._in_order(samples, f" packet {self._packets}:", retime=True)
            self._check_interval(samples)
            self._check_acc(samples)
        except RecordingError as exc:
            self._restore(kept)
            raise SampleError(str(exc)) from None
        except BaseException:
            self._restore(kept)
            raise
        return samples

    def _restore(self, kept: dict) -> None:
        """The state before a packet refused (its number stays counted: messages number the packets sent)."""
        packets = self._packets
        vars(self).update(kept)
        self._packets = packets

    def _finite(self, samples: Samples, packet: str, whole: bool = False) -> Samples:
        """``samples`` without those holding a NaN or infinity, left out as lost samples with a
        warning naming the first (:data:`NAMED_LOST` of them); for a ``whole`` recording, more than
        :data:`~sensorkit.io.csv_table.MAX_MALFORMED_FRACTION` of them, or all, is a
        :class:`SampleError` naming the first, as the file reader refuses a file of such lines."""
        if samples.first_non_finite() is None:
            return samples
        finite = np.isfinite(samples.t) & np.isfinite(samples.acc).all(axis=1) & np.isfinite(samples.gyr).all(axis=1)
        bad = np.flatnonzero(~finite)
        said = [f"sample {self._numbers[i]}: {self._values(samples, i)}" for i in bad[:NAMED_LOST]]
        if whole and (len(bad) > MAX_MALFORMED_FRACTION * len(samples) or len(bad) == len(samples)):
            raise SampleError(f"{self.where}: {said[0]} ({len(bad)} of {len(samples)} samples hold one; at most"
                              f" {100 * MAX_MALFORMED_FRACTION:g} % can be left out as lost samples, as sensorkit"
                              " analyze leaves out such lines of a file)")
        if len(bad) > NAMED_LOST:
            said.append(f"and {len(bad) - NAMED_LOST} more")
        lost = "a lost sample" if len(bad) == 1 else "lost samples"
        warnings.warn(f"{self.where}:{packet} {len(bad)} sample{'s' if len(bad) > 1 else ''} left out as {lost} ("
                      f"{'; '.join(said)})", stacklevel=4)
        self._numbers = self._numbers[finite]
        return samples[finite]

    @staticmethod
    def _values(samples: Samples, i: int) -> str:
        return (f"a value that is not a number or infinite: t = {samples.t[i]:.9g}, acc {samples.acc[i].tolist()},"
                f" gyr {samples.gyr[i].tolist()}")

    def _clock_repaired(self, samples: Samples) -> Samples:
        """A whole recording's clock repaired as the file reader repairs it
        (:func:`~sensorkit.io.checks.repair_clock`), with a warning each: steps back of less than a
        sample period (jitter) re-timed evenly between their in-order neighbours; times stamped once
        per packet spread from each stamp to the next, their stamps first untangled where one steps
        back less than a packet period. What cannot be repaired is left for the
        checks after (an error naming the sample)."""
        if len(samples.t) < 3:
            return samples
        fix = repair_clock(samples.t)
        if fix.refused_back:
            return samples
        if fix.jitter is not None:  # (in the reader's wording)
            note = jitter_note(fix.jitter, rows="samples", order="their order")
            warnings.warn(f"{self.where}: sample {self._numbers[fix.first_back]}: {note}", stacklevel=4)
        if fix.packets is not None:
            warnings.warn(f"{self.where}: t is stamped once per packet: {len(fix.t)} samples share"
                          f" {len(fix.packets.sizes)} times, {fix.packets.size} a stamp; each packet's samples spread"
                          f" evenly from its stamp to the next: {1 / fix.period_s:.3g} Hz", stacklevel=4)
        return samples if fix.t is samples.t else Samples(fix.t, samples.acc, samples.gyr)

    def _in_order(self, samples: Samples, packet: str, retime: bool = False) -> Samples:
        """``samples`` with repeats dropped (a warning); ``t`` stepping back is an error naming the
        sample, or, ``retime`` (live packets), re-timed where by less than a sample period."""
        self._held_before = 0 if self._held is None else len(self._held)
        if self._held is not None:  # (the packet before's samples that had no time after theirs yet)
            samples, self._held = Samples.concat([self._held, samples]), None
            self._numbers = np.concatenate([self._held_numbers, self._numbers])
        numbers = self._numbers
        t = samples.t
        if not len(t):
            return samples
        before = np.concatenate([[self._last_t], t[:-1]])
        back = np.flatnonzero(t < before)
        if back.size and not retime:
            i = int(back[0])
            raise SampleError(f"{self.where}:{packet} sample {numbers[i]}: t = {t[i]:.9g} s is earlier than the"
                              f" sample before ({before[i]:.9g} s); t must increase (seconds since the start)")
        if back.size:
            samples = self._retimed(samples, numbers, packet)
            t = samples.t
            before = np.concatenate([[self._last_t], t[:-1]])
        repeats = t == before
        if repeats.any():
            i = int(np.flatnonzero(repeats)[0])
            warnings.warn(f"{self.where}:{packet} sample {numbers[i]}: {int(repeats.sum())} repeated"
                          f" timestamp(s) (t equal to the sample before); dropped, keeping the first", stacklevel=4)
            samples = samples[~repeats]
        if len(samples):
            steps = np.diff(np.concatenate([[self._last_t], samples.t]))
            self._steps = np.concatenate([self._steps, steps[np.isfinite(steps) & (steps > 0)]])[-STEPS_KEPT:]
            self._last_t = float(samples.t[-1])
        return samples

    def _retimed(self, samples: Samples, numbers: np.ndarray, packet: str) -> Samples:
        """``samples`` (a packet, after any held from the one before; ``numbers``: their numbers in
        the stream) whose ``t`` steps back, re-timed causally where by less than a sample period
        (the median interval so far: clock jitter) by the reader's own
        :func:`~sensorkit.io.clock.untangle_jitter`, given the last sample passed on (whose time
        stays): the samples out of order with some other are re-timed evenly between the nearest in
        order with all. A tangle at the packet's end is spread to its largest time; a packet none
        of whose times lies after the last passed on is held for the next packet (never longer).
        A step back of a period or more is a :class:`SampleError` naming the packet and sample."""
        t, last = samples.t, self._last_t
        steps = np.diff(np.concatenate([[last], t]))
        steps = np.concatenate([self._steps, steps[np.isfinite(steps) & (steps > 0)]])
        jitter = untangle_jitter(t, last, float(np.median(steps)) if steps.size else 0.0)
        if jitter.too_far is not None:
            i, period_s = jitter.too_far, jitter.period_s
            earlier_t = last if jitter.earlier == -1 else float(t[jitter.earlier])
            earlier = "the sample before" if i == 0 or t[i - 1] == earlier_t else "an earlier sample"
            why = (f" by {earlier_t - t[i]:.6g} s, a sample period ({period_s:.6g} s, the median interval) or more"
                   if period_s else "")
            raise SampleError(f"{self.where}:{packet} sample {numbers[i]}: t = {t[i]:.9g} s is earlier than {earlier}"
                              f" ({earlier_t:.9g} s){why}; t must increase (seconds since the start)")
        if t[-1] < last and t.max() <= last:  # (no time after the last passed on yet: wait for the next packet's)
            if self._held_before:
                raise SampleError(f"{self.where}:{packet} sample {numbers[0]}: t = {t[0]:.9g} s is still not after the"
                                  f" sample before ({last:.9g} s) a packet later; t must increase (seconds since"
                                  " the start)")
            self._held, self._held_numbers = samples, numbers
            return samples[:0]
        if not self._jitter_said:
            self._jitter_said = True
            back = int(np.flatnonzero(t < np.concatenate([[last], t[:-1]]))[0])
            plural = "s" if jitter.retimed > 1 else ""
            warnings.warn(f"{self.where}:{packet} sample {numbers[back]}: t steps back by less than a sample period"
                          f" (at most {1000 * jitter.worst_s:.3g} ms; the median interval {1000 * jitter.period_s:.3g}"
                          f" ms): clock jitter; {jitter.retimed} sample{plural} re-timed evenly between their"
                          " neighbours, in their order (later packets' jitter is re-timed without a further warning)",
                          stacklevel=5)
        return Samples(jitter.t, samples.acc, samples.gyr)

    def flush(self) -> Samples:
        """The end of a live stream: the samples held for a later time that did not come (a last
        packet's tangle), re-timed after the last passed on at the median interval."""
        held, self._held = self._held, None
        if held is None or not len(held):
            return Samples.concat([]) if held is None else held
        period_s = float(np.median(self._steps)) if self._steps.size else 0.0
        t = self._last_t + period_s * np.arange(1, len(held) + 1)
        if len(t):
            self._last_t = float(t[-1])
        return Samples(t, held.acc, held.gyr)

    def _check_interval(self, samples: Samples) -> None:
        if self._interval_checked or not len(samples):
            return
        t = samples.t if self._interval_last is None else np.concatenate([[self._interval_last], samples.t])
        self._intervals += np.diff(t).tolist()
        self._interval_last = float(samples.t[-1])
        if len(self._intervals) >= INTERVALS_TO_CHECK:
            self._interval_checked = True
            check_time_plausible(self.where, np.concatenate([[0.0], np.cumsum(self._intervals)]))

    def _check_acc(self, samples: Samples) -> None:
        if self._acc_checked or not len(samples):
            return
        self._acc_head.append(samples.acc)
        self._gyr_head.append(samples.gyr)
        n_head = sum(map(len, self._acc_head))
        # (once the interval is checked, at least INTERVALS_TO_CHECK of them are known)
        if self._interval_checked and n_head * float(np.median(self._intervals)) >= ACC_UNIT_CHECK_S:
            head, gyr_head = np.concatenate(self._acc_head), np.concatenate(self._gyr_head)
            self._acc_checked, self._acc_head, self._gyr_head = True, [], []
            check_not_swapped(self.where, head, gyr_head)
            for note in check_acc_unit(self.where, head):
                warnings.warn(note, stacklevel=4)

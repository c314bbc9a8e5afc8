"""Catch columns in the wrong unit: acceleration in g (not m/s²), angular rate in rad/s (not deg/s);
and the accelerometer's and the gyro's columns swapped (gyro first: t, gyr, acc).

The gyro test is physical rather than a magnitude guess: while the sensor turns, the gravity
direction seen by the (window-averaged) accelerometer turns in the sensor frame, and the
integrated gyro must turn at least about as much. A gyro in rad/s turns only 1/57 as far.
It must also turn it the same way: gravity, fixed in the world, turns in the sensor frame as
du/dt = u × ω. A gyro whose axes are negated or swapped against the accelerometer's (a
left-handed or "clockwise-positive" gyro, columns in another order) turns it another way, and
every angle the pipeline integrates goes wrong with no other sign.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from sensorkit.errors import RecordingError
from sensorkit.samples import GRAVITY_MS2, Samples

#: the accelerometer is averaged in blocks of this length, then low-passed at GRAVITY_CUTOFF_HZ
BLOCK_S = 0.05
GRAVITY_CUTOFF_HZ = 1.5
#: gravity and gyro turns are compared over consecutive spans of this length
SPAN_S = 0.25
#: a span counts as "turning" when gravity turned more than this in it (noise is ~0.1° after the filter)
MIN_SPAN_TURN_DEG = 1.0
#: the gyro test needs gravity to turn at least this much in total
MIN_TOTAL_TURN_DEG = 30.0
#: gyro turn / gravity turn below this means rad/s (deg/s gives >= ~1, rad/s gives 1/57.3)
MAX_RAD_PER_S_RATIO = 0.2
#: ... above this, deg/s converted twice (x 57.3): deg/s gives 0.8-4.4 on the real recordings (the
#: gyro also sees turns about the vertical, which gravity does not: PHYTMO's off-plane swings 4.4)
MIN_TWICE_CONVERTED_RATIO = 20.0
#: the gyro's frame is compared with the accelerometer's on both low-passed at this (Hz), well
#: under a leg's pendulum frequency, sqrt(g / r) / 2 pi = 0.7 Hz at r = 0.5 m: a leg turned back and
#: forth faster than that is pushed round by more than gravity, and the accelerometer's tilt turns
#: the other way (a shake's does); reps turn at 0.2-0.5 Hz
FRAME_CUTOFF_HZ = 0.4
#: ... over at least this many spans of SPAN_S in which gravity so low-passed turned more than
#: FRAME_SPAN_TURN_DEG (the other, resting ankle's recordings have none)
MIN_FRAME_SPANS = 20
FRAME_SPAN_TURN_DEG = 1.0
#: the gyro's frame is wrong when the correlation of gravity's observed turn with the turn the gyro
#: predicts (du = u × ∫ω dt per span) falls this far below that of the best of the 47 other ways the
#: gyro's axes could be negated or swapped: on the 9 real recordings with reps the columns as
#: written are the best, or within 0.001 of it (correlation 0.81-1.00); negated, they fall
#: 1.62-2.00 below it, and with one axis negated or two swapped 0.30-1.97, where that loses reps
#: (PHYTMO b05kfel1_1 with z negated: 0.33, 6 reps of 10); one about an axis the leg hardly turns
#: about falls 0.00-0.09 and changes nothing the pipeline counts (UCI s1 test with y negated: 30 of 30)
MAX_FRAME_SHORTFALL = 0.2
_MAX_ROWS_FOR_MEDIAN = 200_000
#: beyond any wearable IMU's range (high-g parts reach ±200 g ≈ 1960 m/s², gyros ±4000 deg/s):
#: such a value is a damaged file, not a measurement
MAX_ABS_ACC_MS2 = 2000.0
MAX_ABS_GYR_DPS = 20000.0
#: the columns are swapped when the middle half (quartiles) of the gyro's |values| lies within this
#: factor of gravity, as an accelerometer's does through a seated session (the real and simulated
#: recordings: 0.95-1.03 g), and the accelerometer's does not (a gyro at rest reads a few deg/s)
SWAPPED_GRAVITY_BAND = (0.75, 1.25)
#: the samples the swap check reads at most (evenly spaced): a quartile of 10,000 is within about
#: 1 % of the whole recording's, the band ±25 %; reading every one cost 12 % of reading a file
SWAPPED_CHECK_ROWS = 10_000
#: the expected column order, for messages
_ORDER = "t, acc_x, acc_y, acc_z, gyr_x, gyr_y, gyr_z"


def check_units(path: Path | str, samples: Samples, report_unchecked: bool = True) -> list[str]:
    """Raise :class:`RecordingError` for values beyond any IMU's range, acc in g/milli-g/zero or
    gyr in rad/s, or the two swapped; warnings otherwise (without ``report_unchecked``, not the one
    that says the gyro's unit could not be checked: too little turn)."""
    _check_range(path, samples)
    check_not_swapped(path, samples.acc, samples.gyr)
    problems, warnings, unchecked = [], [], []
    # (each column group's unit is checked, so that a file wrong in two ways says both at once; the
    # gyro's tests read the accelerometer's direction only, which its unit does not change)
    try:
        warnings = check_acc_unit(path, samples.acc)
    except RecordingError as exc:
        problems.append(str(exc))
    try:
        unchecked = _check_gyr(path, samples)
        if not unchecked:
            _check_gyr_frame(path, samples)
    except RecordingError as exc:
        problems.append(str(exc))
    if problems:
        prefix = f"{path}: "
        raise RecordingError("; and ".join([problems[0]] + [p.removeprefix(prefix) for p in problems[1:]]))
    return warnings + unchecked if report_unchecked else warnings


def _check_range(path: Path | str, samples: Samples) -> None:
    for name, values, limit, unit in (("acc", samples.acc, MAX_ABS_ACC_MS2, "m/s²"),
                                      ("gyr", samples.gyr, MAX_ABS_GYR_DPS, "deg/s")):
        beyond = np.abs(values) > limit
        if beyond.any():
            row, column = (int(i) for i in np.argwhere(beyond)[0])
            raise RecordingError(f"{path}: column {name}_{'xyz'[column]}: {values[row, column]:.6g} {unit} at"
                                 f" t = {samples.t[row]:.6g} s is beyond any IMU's range (±{limit:g} {unit})")


def check_not_swapped(path: Path | str, acc: np.ndarray, gyr: np.ndarray) -> None:
    """Raise :class:`RecordingError` when the gyro's columns hold the accelerometer and the other
    way round (an (n, 7) array or a file written gyro first): ``|gyr|`` reads gravity's 9.81 through
    most samples (its quartiles within :data:`SWAPPED_GRAVITY_BAND` of it) and ``|acc|`` does not.
    Checked before the units (after the range), which would otherwise call the gyro "rad/s" or the
    accelerometer "in g" (or only warn, and the reps come out wrong)."""
    if not len(acc):
        return
    low, high = (f * GRAVITY_MS2 for f in SWAPPED_GRAVITY_BAND)
    # (quartiles of evenly spaced samples: SWAPPED_CHECK_ROWS of them tell them to well under the band's
    # width; the accelerometer's only when the gyro's look like gravity, which a gyro's never do)
    stride = max(1, len(acc) // SWAPPED_CHECK_ROWS)
    gyr_q1, gyr_median, gyr_q3 = np.percentile(_norms(gyr[::stride]), [25, 50, 75])
    if not (low <= gyr_q1 and gyr_q3 <= high):
        return
    acc_q1, acc_median, acc_q3 = np.percentile(_norms(acc[::stride]), [25, 50, 75])
    if not (low <= acc_q1 and acc_q3 <= high):
        raise RecordingError(
            f"{path}: columns acc_x, acc_y, acc_z and gyr_x, gyr_y, gyr_z look swapped: |gyr| reads"
            f" {gyr_q1:.3g}-{gyr_q3:.3g} through the middle half of the samples (median {gyr_median:.3g}), as an"
            f" accelerometer reads gravity ({GRAVITY_MS2:.2f} m/s² at rest), and |acc| {acc_q1:.3g}-{acc_q3:.3g}"
            f" (median {acc_median:.3g}), as a gyro does; expected the columns in the order {_ORDER}"
            f" (acc in m/s², gyr in deg/s)")


def check_acc_unit(path: Path | str, acc: np.ndarray) -> list[str]:
    """Raise :class:`RecordingError` for acc (m/s², (n, 3)) in g, milli-g, converted to m/s² twice
    (× 9.81 again) or all about zero; a warning when its median magnitude is otherwise far from
    gravity."""
    stride = max(1, len(acc) // _MAX_ROWS_FOR_MEDIAN)
    median_ms2 = float(np.median(_norms(acc[::stride])))
    where = f"{path}: columns acc_x, acc_y, acc_z"
    expected = f"expected m/s² (about {GRAVITY_MS2:.2f} at rest)"
    if 0.5 <= median_ms2 <= 2.0:
        raise RecordingError(f"{where}: in g, not m/s²: the median |acc| is {median_ms2:.3g}; {expected}; multiply by {GRAVITY_MS2}")
    if 500.0 <= median_ms2 <= 2000.0:
        raise RecordingError(f"{where}: in milli-g, not m/s²: the median |acc| is {median_ms2:.4g}; {expected}")
    if median_ms2 < 0.5:
        raise RecordingError(f"{where}: the accelerometer reads about zero (median |acc| {median_ms2:.3g}); {expected}")
    if 0.5 * GRAVITY_MS2**2 <= median_ms2 <= 2.0 * GRAVITY_MS2**2:
        # (m/s² multiplied by 9.81 again: every movement reads as 10 g, and the lever arm's fit
        # rejects every rep; no worn IMU's median reads 5-20 g through a seated session)
        raise RecordingError(f"{where}: converted to m/s² twice: the median |acc| is {median_ms2:.3g}; {expected};"
                             f" divide by {GRAVITY_MS2}")
    if not 0.5 * GRAVITY_MS2 <= median_ms2 <= 2.0 * GRAVITY_MS2:
        return [f"{where}: the median |acc| is {median_ms2:.3g}, far from gravity; {expected}"]
    return []


def _norms(xyz: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(xyz, axis=1)`` for (n, 3) rows: the same sums, in the same order, faster."""
    x, y, z = xyz.T
    return np.sqrt(x * x + y * y + z * z)


def _block_means(xyz: np.ndarray, block: int, n_blocks: int) -> np.ndarray:
    """Means of consecutive ``block``-row blocks (the sums ``mean(axis=1)`` of a reshape does, in order)."""
    end = n_blocks * block
    total = xyz[0:end:block].copy()
    for k in range(1, block):
        total += xyz[k:end:block]
    return total / block


def gravity_and_gyro_turn_deg(samples: Samples) -> tuple[float, float, float]:
    """(gravity turn, gyro turn, median per-span ratio gyro/gravity), turns in degrees.

    The gravity direction is the accelerometer averaged over BLOCK_S blocks and low-passed at
    GRAVITY_CUTOFF_HZ (zero-phase); its turn is summed over consecutive SPAN_S spans, and the gyro
    turn is the path length (sum of |gyr| dt) over the same spans. Only spans where gravity turned
    more than MIN_SPAN_TURN_DEG and no gap interrupts the data are counted.
    """
    t, acc, gyr = samples.t, samples.acc, samples.gyr
    if len(t) < 2:
        return 0.0, 0.0, float("nan")
    nominal_step_s = float(np.median(np.diff(t)))
    block = max(1, int(round(BLOCK_S / nominal_step_s)))
    n_blocks = len(t) // block
    block_rate_hz = 1.0 / (block * nominal_step_s)
    if n_blocks < 16 or block_rate_hz <= 2.5 * GRAVITY_CUTOFF_HZ:
        return 0.0, 0.0, float("nan")
    from scipy.signal import butter, sosfiltfilt  # here: a command that reads no recording starts 0.7 s sooner

    mean_acc = _block_means(acc, block, n_blocks)
    low_pass = butter(2, GRAVITY_CUTOFF_HZ, fs=block_rate_hz, output="sos")
    gravity = sosfiltfilt(low_pass, mean_acc, axis=0)[:: max(1, int(round(SPAN_S * block_rate_hz)))]
    centres = (np.arange(n_blocks) * block + block // 2)[:: max(1, int(round(SPAN_S * block_rate_hz)))]
    norm = np.linalg.norm(gravity, axis=1)
    direction = gravity / np.maximum(norm, 1e-12)[:, None]
    cosine = np.clip(np.einsum("ij,ij->i", direction[:-1], direction[1:]), -1.0, 1.0)
    gravity_turn = np.degrees(np.arccos(cosine))

    step_s = np.minimum(np.diff(t, append=t[-1] + nominal_step_s), 3 * nominal_step_s)
    path_deg = np.concatenate([[0.0], np.cumsum(_norms(gyr) * step_s)])
    gyro_turn = np.diff(path_deg[centres])
    span_s = np.diff(t[centres])
    usable = (span_s <= 2 * SPAN_S) & (norm[:-1] > 0) & (norm[1:] > 0)
    turning = usable & (gravity_turn > MIN_SPAN_TURN_DEG)
    if not turning.any():
        return 0.0, 0.0, float("nan")
    median_ratio = float(np.median(gyro_turn[turning] / gravity_turn[turning]))
    return float(gravity_turn[turning].sum()), float(gyro_turn[turning].sum()), median_ratio


def _check_gyr(path: Path | str, samples: Samples) -> list[str]:
    """Raise for a gyro in rad/s, converted to deg/s twice, or all zero; a warning (never silence)
    when it cannot tell."""
    gravity_deg, gyro_deg, median_ratio = gravity_and_gyro_turn_deg(samples)
    where = f"{path}: columns gyr_x, gyr_y, gyr_z"
    if gravity_deg < MIN_TOTAL_TURN_DEG:
        return [f"{where}: unit not checked (deg/s assumed): gravity turned only {gravity_deg:.0f}° in the sensor"
                f" frame (the check needs {MIN_TOTAL_TURN_DEG:.0f}°)"]
    ratio = gyro_deg / gravity_deg
    if not np.any(samples.gyr):
        raise RecordingError(f"{where}: all zero, yet gravity turned {gravity_deg:.0f}° in the sensor frame; no gyro data?")
    if ratio < MAX_RAD_PER_S_RATIO and median_ratio < MAX_RAD_PER_S_RATIO:
        raise RecordingError(
            f"{where}: in rad/s, not deg/s: gravity turned {gravity_deg:.0f}° in the sensor frame while the"
            f" integrated gyro turned {gyro_deg:.1f}° (ratio {ratio:.3f}; rad/s gives 1/57.3 = 0.017);"
            f" multiply by 57.2958"
        )
    if ratio > MIN_TWICE_CONVERTED_RATIO and median_ratio > MIN_TWICE_CONVERTED_RATIO:
        raise RecordingError(
            f"{where}: converted to deg/s twice? gravity turned {gravity_deg:.0f}° in the sensor frame while the"
            f" integrated gyro turned {gyro_deg:.0f}° (ratio {ratio:.0f}; deg/s gives about 1, 57.3 times that is"
            f" deg/s multiplied again); divide by 57.2958"
        )
    return []


#: the 48 ways a gyro's axes can be negated or put in another order, the columns as written first:
#: (the columns read for x, y, z; their signs)
_GYRO_FRAMES = [(p, s) for p in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))
                for s in ((1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1), (-1, -1, -1))]


@functools.lru_cache(maxsize=32)
def _low_pass(cutoff_hz: float, rate_hz: float) -> np.ndarray:
    """A 2nd-order Butterworth low-pass at ``cutoff_hz`` for data at ``rate_hz`` (sos; designing one
    costs more than filtering a span-averaged recording)."""
    from scipy.signal import butter

    return butter(2, cutoff_hz, fs=rate_hz, output="sos")


def gyro_frame_fit(samples: Samples) -> tuple[float, float, str] | None:
    """How well the gyro turns gravity the way the accelerometer sees it turn (both low-passed at
    FRAME_CUTOFF_HZ): (the correlation, over SPAN_S spans, of gravity's turn with the turn the gyro
    as written predicts, du = u × ∫ω dt; the best correlation of any way of negating or reordering
    the gyro's axes; that way, as the gyro's columns read for x, y, z, e.g. ``-gyr_x, -gyr_y,
    -gyr_z``); None with fewer than MIN_FRAME_SPANS spans in which gravity turned. When the columns
    as written fit 1 - MAX_FRAME_SHORTFALL or better, no other can fit that much better: the best
    is not sought, and given as theirs."""
    t = samples.t
    if len(t) < 2:
        return None
    step_s = float(np.median(np.diff(t)))
    # (averaged over each span first: the mean is a first cut of what the low-pass takes out, and
    # the filter then runs at 4 Hz, not the sample rate)
    block = max(1, int(round(SPAN_S / step_s)))
    n_blocks = len(t) // block
    block_rate_hz = 1.0 / (block * step_s)
    if n_blocks < 16 or block_rate_hz <= 2.5 * FRAME_CUTOFF_HZ:
        return None
    from scipy.signal import sosfiltfilt

    end = n_blocks * block
    steps = np.minimum(np.diff(t[:end + 1], append=t[-1] + step_s)[:end], 3 * step_s)  # (s; a gap: 3 steps)
    acc = _block_means(samples.acc, block, n_blocks)
    turn = (samples.gyr[:end] * steps[:, None]).reshape(n_blocks, block, 3).sum(axis=1)  # (deg) in each span
    turned = np.radians(np.cumsum(turn, axis=0) - 0.5 * turn)  # (rad) the gyro summed, to each span's middle
    both = sosfiltfilt(_low_pass(FRAME_CUTOFF_HZ, round(block_rate_hz, 6)), np.hstack([acc, turned]), axis=0)
    gravity, gyro = both[:, :3], both[:, 3:]
    centres = np.arange(n_blocks) * block + block // 2
    norm = _norms(gravity)
    if not (norm > 0).all():
        return None
    direction = gravity / norm[:, None]
    seen = np.diff(direction, axis=0)  # gravity's direction's change over each span
    span_s = np.diff(t[centres])
    turning = (np.degrees(_norms(seen)) > FRAME_SPAN_TURN_DEG) & (span_s <= 2 * SPAN_S)
    if int(turning.sum()) < MIN_FRAME_SPANS:
        return None
    seen, gyro = seen[turning], np.diff(gyro, axis=0)[turning]
    middle = direction[:-1][turning] + 0.5 * seen
    seen_size = float((seen * seen).sum())
    scores = []
    for order, signs in _GYRO_FRAMES:
        if len(scores) == 1 and scores[0] >= 1.0 - MAX_FRAME_SHORTFALL:  # (no other can fit that much better)
            return scores[0], scores[0], "gyr_x, gyr_y, gyr_z"
        predicted = np.cross(middle, gyro[:, order] * signs)  # du = u × (turn), in the accelerometer's frame
        size = math.sqrt(float((predicted * predicted).sum()) * seen_size)
        scores.append(float((predicted * seen).sum()) / size if size > 0 else 0.0)
    best = int(np.argmax(scores))  # (the first of ties: the columns as written, else the fewest changes)
    order, signs = _GYRO_FRAMES[best]
    label = ", ".join(f"{'-' if sign < 0 else ''}gyr_{'xyz'[axis]}" for axis, sign in zip(order, signs))
    return scores[0], scores[best], label


def _check_gyr_frame(path: Path | str, samples: Samples) -> None:
    """Raise when the gyro turns gravity another way than the accelerometer sees it turn: its axes
    negated or swapped against the accelerometer's (see :data:`MAX_FRAME_SHORTFALL`)."""
    fit = gyro_frame_fit(samples)
    if fit is None:
        return
    as_written, best, label = fit
    if best - as_written > MAX_FRAME_SHORTFALL:
        raise RecordingError(
            f"{path}: columns gyr_x, gyr_y, gyr_z: the gyro turns the other way from the accelerometer, or about"
            f" other axes: gravity's turn in the sensor frame correlates {as_written:.2f} with the one the gyro"
            f" predicts (du/dt = u × ω), and {best:.2f} with the gyro read as ({label}); expected both in one"
            f" right-handed frame (a left-handed or clockwise-positive gyro, or its columns in another order?)")

"""Pipeline-independent motion statistics, computed the same way on real and simulated recordings.

The estimator is deliberately simple and knows nothing of the sensorkit pipeline:

1. **Angle**: the accelerometer low-passed at ``lowpass_hz`` (4th-order Butterworth, zero phase);
   the resting gravity direction is its mean over the first still second of the recording (gyro
   magnitude below ``still_dps``); the rotation axis is the normal of the plane that the low-passed
   gravity direction sweeps while the leg moves. The angle is the signed tilt of the low-passed accelerometer from the
   resting direction in the plane perpendicular to that axis (degrees), its sign chosen so that reps
   are positive. During a movement the linear acceleration adds a few degrees of error; at rest and
   in holds it is the shank's tilt.
2. **Reps**: the angle is low-passed again at 2 Hz; a rep is a span above 30 % of the 75th-percentile
   peak of the excursions above 15° that reaches 50 % of it. ``base``: the lowest angle since the
   previous rep; ``amplitude = peak - base``. ``out``: from 10 % to 80 % of the amplitude on the way
   up; ``hold``: from the first to the last time at or above 80 %; ``return``: from there down to
   10 % above the lowest angle before the next rep.
3. **Per rep**: ``rest_before_s``: the longest still stretch (gyro magnitude low-passed at 3 Hz below
   ``still_dps``) between the previous rep and this rep's 10 % crossing (0 for a continuous swing);
   ``overshoot_deg``: peak minus the median angle of the hold's second half (holds ≥ 1 s);
   ``wobble_rms_deg`` / ``wobble_hz``: rms and dominant frequency (≥ 0.5 Hz) of the hold's angle
   after removing its straight-line trend (holds ≥ 1.5 s, 0.25 s trimmed at each end); ``sag_deg``:
   that trend's change over the hold; ``rest_deg``: the median angle of that still stretch (None
   below 0.3 s); ``return_pause_s`` / ``out_pause_s``: the longest still stretch inside the
   return / the outward movement (10 %–80 %);
   ``out_peak_at``: where the outward speed peaks in the 10–80 % span (0–1).
   ``axis_spread_deg``: the angle between the rep's own rotation axis (the gyro's principal direction
   over the rep, 10 % to 10 %, sensor frame) and its session's axis (the normalised median of its
   reps' axes).
4. **Per session**: ``rest_drift_deg``: the largest difference between two rest angles of the session;
   ``swing_period_s`` (continuous series): 1 / the gyro's dominant frequency.

The accelerometer tilt also reads the shank's tangential acceleration (r (2πf)² / g of the angle at
frequency f): at 1–4 Hz it magnifies a hold's wobble several-fold and it shifts the outward speed
peak later; the simulator's sensor sits at the ankle, so it is compared with the UCI recordings
(sensor above the ankle) on everything and with PHYTMO's (mid-shin) only on the swing period.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfiltfilt

STILL_DPS = 12.0  # gyro magnitude below this (deg/s, low-passed at 3 Hz) is still
LOWPASS_HZ = 5.0  # keeps hold wobble (1–3 Hz), removes most impact and noise
MIN_PEAK_DEG = 15.0
SEGMENT_HZ = 2.0  # the angle low-passed for finding reps and their phases


@dataclass
class RepStats:
    """One rep as the estimator sees it; seconds and degrees."""

    start_s: float  # 10 % crossing on the way up
    end_s: float  # 10 % crossing on the way down
    peak_deg: float
    amplitude_deg: float
    out_s: float
    return_s: float
    hold_s: float
    rest_before_s: float | None  # None for the first rep of a recording
    overshoot_deg: float | None
    wobble_rms_deg: float | None
    wobble_hz: float | None
    sag_deg: float | None
    rest_deg: float | None
    return_pause_s: float  # longest still stretch inside the return (10 %–80 %): a two-stage return
    out_peak_at: float  # where the outward speed peaks, as a fraction of the 10 %–80 % out span
    out_pause_s: float = 0.0  # longest still stretch inside the outward movement (10 %–80 %): a stop part way
    group: str = ""  # correct | fast | partial | continuous (from labels or truth)
    axis_spread_deg: float = float("nan")  # the rep's gyro axis from its session's median axis


@dataclass
class SessionStats:
    name: str
    reps: list[RepStats]
    rest_drift_deg: float | None
    swing_period_s: float | None = None  # continuous series: 1 / the gyro's dominant frequency over the reps

    def to_json(self) -> dict:
        return {"name": self.name, "rest_drift_deg": self.rest_drift_deg, "swing_period_s": self.swing_period_s,
                "reps": [asdict(r) for r in self.reps]}


def _lowpass(x: np.ndarray, rate_hz: float, cutoff_hz: float) -> np.ndarray:
    cutoff = min(cutoff_hz, 0.45 * rate_hz)
    sos = butter(4, cutoff / (rate_hz / 2), output="sos")
    return sosfiltfilt(sos, x, axis=0)


def _longest_s(mask: np.ndarray, rate: float) -> float:
    """Duration (s) of the longest True run of ``mask`` sampled at ``rate`` (0 without one)."""
    return max((d - c for c, d in _runs(mask)), default=0) / rate


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs of ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def resample_uniform(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Linear interpolation onto a uniform grid at the median sample interval (jitter, lost samples)."""
    dt = float(np.median(np.diff(t)))
    grid = np.arange(t[0], t[-1], dt)
    acc_u = np.column_stack([np.interp(grid, t, acc[:, i]) for i in range(3)])
    gyr_u = np.column_stack([np.interp(grid, t, gyr[:, i]) for i in range(3)])
    return grid, acc_u, gyr_u, 1.0 / dt


def tilt_angle_deg(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray, lowpass_hz: float = LOWPASS_HZ,
                   still_dps: float = STILL_DPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(uniform times s, signed tilt angle deg, gyro magnitude deg/s low-passed at 3 Hz); see the module doc."""
    t, acc, gyr, rate = resample_uniform(t, acc, gyr)
    acc_lp = _lowpass(acc, rate, lowpass_hz)
    gyr_mag = _lowpass(np.linalg.norm(gyr, axis=1), rate, 3.0)
    still = gyr_mag < still_dps
    first = next(((a, b) for a, b in _runs(still) if b - a >= rate), (0, max(1, int(rate))))
    ref = acc_lp[first[0]:first[0] + int(rate)].mean(axis=0)
    unit_acc = acc_lp / np.linalg.norm(acc_lp, axis=1, keepdims=True)
    moving = unit_acc[~still] if (~still).sum() > 10 else unit_acc
    axis = np.linalg.svd(moving, full_matrices=False)[2][2]  # normal of the plane the gravity direction sweeps
    e1 = ref - (ref @ axis) * axis
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(axis, e1)
    angle = np.degrees(np.arctan2(acc_lp @ e2, acc_lp @ e1))
    if np.percentile(angle, 99) < -np.percentile(angle, 1):
        angle = -angle  # reps are positive
    return t, angle, gyr_mag


def rep_stats(t: np.ndarray, angle: np.ndarray, gyr_mag: np.ndarray, still_dps: float = STILL_DPS,
              windows: list[tuple[float, float, str]] | None = None) -> list[RepStats]:
    """The reps of one angle trace (see the module doc). ``windows``: optional (start, end, group) spans;
    reps whose middle falls outside every window are dropped, the others get that window's group."""
    rate = 1.0 / float(t[1] - t[0])
    smooth = _lowpass(angle, rate, SEGMENT_HZ)
    above = _runs(smooth > MIN_PEAK_DEG)
    if not above:
        return []
    reference = float(np.percentile([smooth[a:b].max() for a, b in above], 75))
    cores = _hysteresis_runs(smooth, 0.5 * reference, 0.3 * reference)
    still = gyr_mag < still_dps
    out: list[RepStats] = []
    for k, (a, b) in enumerate(cores):
        prev_end = cores[k - 1][1] if k else 0
        next_start = cores[k + 1][0] if k + 1 < len(cores) else len(angle)
        i_base = prev_end + int(np.argmin(smooth[prev_end:a + 1]))
        base = float(smooth[i_base])
        i_base_next = b - 1 + int(np.argmin(smooth[b - 1:next_start]))
        base_next = float(smooth[i_base_next])
        i_peak = a + int(np.argmax(smooth[a:b]))
        amp = float(smooth[i_peak]) - base
        rising = np.flatnonzero(smooth[i_base:i_peak + 1] <= base + 0.1 * amp)
        if k == 0 and (i_base == 0 or not rising.size):
            continue  # the recording starts inside a movement
        i10 = i_base + int(rising[-1])
        top = np.flatnonzero(smooth[a:b] >= base + 0.8 * amp)
        i80, i80r = a + int(top[0]), a + int(top[-1])
        amp_down = float(smooth[i80r]) - base_next
        falling = np.flatnonzero(smooth[i80r:i_base_next + 1] <= base_next + 0.1 * max(amp_down, 0.0) / 0.8)
        i10r = i80r + int(falling[0]) if falling.size else i_base_next
        hold = (i80r - i80) / rate
        rest_before = rest_deg = None
        gap = still[prev_end:i10 + 1]
        runs = _runs(gap)
        if runs:
            c, d = max(runs, key=lambda r: r[1] - r[0])
            if k:
                rest_before = (d - c) / rate
            if d - c >= int(0.3 * rate):
                rest_deg = float(np.median(angle[prev_end + c:prev_end + d]))
        elif k:
            rest_before = 0.0
        overshoot = wobble = wobble_hz = sag = None
        peak = float(angle[i80:i80r + 1].max())
        if hold >= 1.0:
            overshoot = peak - float(np.median(angle[(i80 + i80r) // 2:i80r + 1]))
        trim = int(0.25 * rate)
        if hold >= 1.5:
            seg = angle[i80 + trim:i80r - trim + 1]
            tt = np.arange(seg.size) / rate
            slope, icpt = np.polyfit(tt, seg, 1)
            resid = seg - (slope * tt + icpt)
            wobble = float(np.sqrt(np.mean(resid**2)))
            sag = float(slope * tt[-1])
            n_fft = max(seg.size, int(8 * rate))  # zero-padded to 0.125 Hz bins
            spectrum = np.abs(np.fft.rfft(resid * np.hanning(seg.size), n_fft))
            freqs = np.fft.rfftfreq(n_fft, 1 / rate)
            band = freqs >= 0.5
            wobble_hz = float(freqs[band][np.argmax(spectrum[band])])
        return_pause, out_pause = _longest_s(still[i80r:i10r + 1], rate), _longest_s(still[i10:i80 + 1], rate)
        speed = np.diff(smooth[i10:i80 + 1])
        out_peak_at = float(np.argmax(speed) / max(len(speed) - 1, 1)) if speed.size else 0.5
        out.append(RepStats(float(t[i10]), float(t[i10r]), peak, amp, (i80 - i10) / rate, (i10r - i80r) / rate, hold,
                            rest_before, overshoot, wobble, wobble_hz, sag, rest_deg, return_pause, out_peak_at,
                            out_pause))
    if windows is not None:
        kept = []
        for rep in out:
            mid = 0.5 * (rep.start_s + rep.end_s)
            match = [w for w in windows if w[0] <= mid <= w[1]]
            if match:
                rep.group = match[0][2]
                kept.append(rep)
        out = kept
    return out


def _hysteresis_runs(x: np.ndarray, high: float, low: float) -> list[tuple[int, int]]:
    """[start, stop) spans that rise above ``high`` and last until ``x`` falls below ``low``."""
    spans = []
    for a, b in _runs(x > low):
        if x[a:b].max() > high:
            spans.append((a, b))
    return spans


def session_stats(name: str, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray,
                  windows: list[tuple[float, float, str]] | None = None) -> SessionStats:
    tt, angle, gyr_mag = tilt_angle_deg(t, acc, gyr)
    reps = rep_stats(tt, angle, gyr_mag, windows=windows)
    _set_axis_spread(reps, t, gyr)
    rests = [r.rest_deg for r in reps if r.rest_deg is not None]
    drift = float(max(rests) - min(rests)) if len(rests) >= 2 else None
    period = None
    if windows is not None and windows and all(w[2] == "continuous" for w in windows):
        period = swing_period_s(t, gyr, windows[0][0], windows[-1][1])
    return SessionStats(name, reps, drift, period)


def _set_axis_spread(reps: list[RepStats], t: np.ndarray, gyr: np.ndarray) -> None:
    """Each rep's ``axis_spread_deg`` (see the module doc)."""
    axes = []
    for rep in reps:
        span = gyr[(t >= rep.start_s) & (t <= rep.end_s)]
        axes.append(np.linalg.svd(span, full_matrices=False)[2][0] if len(span) >= 3 else np.full(3, np.nan))
    if len(axes) < 2:
        return
    axes = np.array(axes)
    axes *= np.where(axes @ axes[0] < 0, -1.0, 1.0)[:, None]
    middle = np.nanmedian(axes, axis=0)
    middle /= np.linalg.norm(middle)
    for rep, axis in zip(reps, axes):
        rep.axis_spread_deg = float(np.degrees(np.arccos(np.clip(axis @ middle, -1.0, 1.0))))


def swing_period_s(t: np.ndarray, gyr: np.ndarray, start_s: float, end_s: float) -> float:
    """1 / the dominant frequency (0.3–2 Hz) of the gyro's main component between two times: the
    period of a continuous series, whatever the sensor's distance from the knee."""
    t, _, gyr, rate = resample_uniform(t, np.zeros_like(gyr), gyr)
    span = gyr[(t >= start_s) & (t <= end_s)]
    main = span @ np.linalg.svd(span - span.mean(axis=0), full_matrices=False)[2][0]
    n_fft = max(len(main), int(64 * rate))
    spectrum = np.abs(np.fft.rfft((main - main.mean()) * np.hanning(len(main)), n_fft))
    freqs = np.fft.rfftfreq(n_fft, 1 / rate)
    band = (freqs >= 0.3) & (freqs <= 2.0)
    return float(1 / freqs[band][np.argmax(spectrum[band])])


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, 0], data[:, 1:4], data[:, 4:7]


UCI_GROUPS = {"correct": "correct", "fast": "fast", "low_amplitude": "partial"}


def real_sessions(data_dir: Path) -> list[SessionStats]:
    """The real knee-extension recordings with reps (UCI test/template sessions, PHYTMO series)."""
    out = []
    uci = data_dir / "uci-pt-knee-extension"
    labels = json.loads((uci / "labels.json").read_text())
    for name, label in sorted(labels.items()):
        if not label["counted_reps"]:
            continue
        groups = [UCI_GROUPS[s["execution"]] for s in label["sets"]]
        windows = [(s["start_s"], s["end_s"], g) for s, g in zip(label["sets"], groups) if "start_s" in s]
        session = session_stats(name, *read_csv(uci / f"{name}.csv"), windows=windows or None)
        if not windows:  # templates: 3 correct, 3 fast, 3 low-amplitude, used only when exactly those are found
            if len(session.reps) != label["counted_reps"]:
                continue
            for rep, group in zip(session.reps, [g for s, g in zip(label["sets"], groups) for _ in range(s["reps"])]):
                rep.group = group
        out.append(session)
    phytmo = data_dir / "phytmo-knee-flexion-extension"
    for name, label in sorted(json.loads((phytmo / "labels.json").read_text()).items()):
        if label["execution"] != "correct":
            continue  # the incorrect series swings off-plane: the tilt estimator does not resolve it
        windows = [(r["start_s"], r["end_s"], "continuous") for r in label["reps"]]
        out.append(session_stats(name, *read_csv(phytmo / f"{name}.csv"), windows=[
            (windows[0][0] - 0.5, windows[-1][1] + 0.5, "continuous")]))
    return out


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("nan")


def _share(flags: list[bool]) -> float:
    return float(np.mean(flags)) if flags else float("nan")


#: name -> what it is (the statistics compared by ``benchmarks/sim_vs_real.py`` and tests/sim/test_realism.py)
STATISTICS = {
    "hold_correct_s": "median hold of controlled reps with a hold (s)",
    "hold_fast_s": "median hold of fast reps (s)",
    "out_correct_s": "median outward time 10-80 % of controlled reps (s)",
    "out_fast_over_correct": "median outward time of fast reps / of controlled reps",
    "out_over_return": "median of out / return time per controlled rep",
    "rest_correct_s": "median still time before a controlled rep (s)",
    "no_rest_share_fast": "share of fast reps with < 0.3 s still before them",
    "no_rest_share_correct": "share of controlled reps with < 0.3 s still before them",
    "wobble_rms_deg": "median rms of the hold angle around its trend (holds >= 1.5 s, deg)",
    "wobble_1_4hz_share": "share of holds whose wobble peaks in 1-4.5 Hz",
    "sag_abs_deg": "median |trend change| over a hold (deg)",
    "overshoot_deg": "median peak minus late-hold level (holds >= 1 s, deg)",
    "return_pause_share": "share of controlled reps with >= 0.2 s still inside the return",
    "out_pause_share": "share of controlled reps with >= 0.3 s still inside the outward movement",
    "out_peak_at": "median position of the outward speed peak in the 10-80 % span (0-1)",
    "rest_drift_deg": "median over sessions of the largest rest-to-rest angle difference (deg)",
    "continuous_period_s": "median period of a continuous series (1 / dominant gyro frequency, s)",
    "axis_spread_deg": "median angle of a rep's gyro axis from its session's median axis (deg)",
    "axis_spread_p90_deg": "90th percentile of that angle (deg)",
}


def summary(sessions: list[SessionStats]) -> dict[str, float]:
    """The statistics of ``STATISTICS`` over ``sessions`` (NaN where there is nothing to measure)."""
    reps = [r for s in sessions for r in s.reps]
    correct = [r for r in reps if r.group in ("correct", "partial")]
    fast = [r for r in reps if r.group == "fast"]
    holds = [r for r in correct if r.hold_s >= 0.5]
    periods = [s.swing_period_s for s in sessions if s.swing_period_s is not None]
    spreads = [r.axis_spread_deg for r in reps if r.axis_spread_deg == r.axis_spread_deg]
    out_c, out_f = _median([r.out_s for r in correct]), _median([r.out_s for r in fast])
    return {
        "hold_correct_s": _median([r.hold_s for r in holds]),
        "hold_fast_s": _median([r.hold_s for r in fast]),
        "out_correct_s": out_c,
        "out_fast_over_correct": out_f / out_c if fast and correct else float("nan"),
        "out_over_return": _median([r.out_s / r.return_s for r in correct if r.return_s > 0]),
        "rest_correct_s": _median([r.rest_before_s for r in correct if r.rest_before_s is not None]),
        "no_rest_share_fast": _share([r.rest_before_s < 0.3 for r in fast if r.rest_before_s is not None]),
        "no_rest_share_correct": _share([r.rest_before_s < 0.3 for r in correct if r.rest_before_s is not None]),
        "wobble_rms_deg": _median([r.wobble_rms_deg for r in reps if r.wobble_rms_deg is not None]),
        "wobble_1_4hz_share": _share([1.0 <= r.wobble_hz <= 4.5 for r in reps if r.wobble_hz is not None]),
        "sag_abs_deg": _median([abs(r.sag_deg) for r in reps if r.sag_deg is not None]),
        "overshoot_deg": _median([r.overshoot_deg for r in reps if r.overshoot_deg is not None]),
        "return_pause_share": _share([r.return_pause_s >= 0.2 for r in correct]),
        "out_pause_share": _share([r.out_pause_s >= 0.3 for r in correct]),
        "out_peak_at": _median([r.out_peak_at for r in correct]),
        "rest_drift_deg": _median([s.rest_drift_deg for s in sessions if s.rest_drift_deg is not None]),
        "continuous_period_s": _median(periods),
        "axis_spread_deg": _median(spreads),
        "axis_spread_p90_deg": float(np.percentile(spreads, 90)) if spreads else float("nan"),
    }


def simulated_stats(session, name: str | None = None) -> SessionStats:
    """The same statistics on a :class:`~sensorkit.sim.SimulatedSession`; each found rep takes its group
    from the true rep it falls in (continuous sessions: ``continuous``; fast: ``fast``; else
    ``correct`` or ``partial`` by kind); found movements that are no true rep are dropped."""
    group_of = {"full": "correct", "partial": "partial", "knee_out": "partial"}
    windows = []
    for m in session.reps:
        if session.motor is not None and session.motor.continuous:
            group = "continuous"
        else:
            group = "fast" if m.tempo == "fast" else group_of[m.kind]
        windows.append((m.start_s, m.end_s, group))
    s = session.samples
    return session_stats(name or f"sim_{session.seed}", s.t, s.acc, s.gyr, windows=windows)

"""Plots (PNG, needs the ``plot`` extra: matplotlib, imported only when a plot is drawn).

    from sensorkit.plot import plot_recording, plot_patient_progress
    plot_recording("recordings/sim_9013.csv", "sim_9013.png")       # angle trace, reps shaded by kind
    plot_patient_progress(daily_rows_of_one_patient, "p101.png")     # ROM and adherence over the period

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no global backend change).
The angle trace is the pipeline's own estimate (``Pipeline.angle_trace`` with ``keep_angle``), at
every ``block_size``-th sample: degrees about the exercise axis learned from the recording above
the rest angle before the current movement (0 at rest by design; with no axis learned, the total
turn). Every sample is drawn, the first second too (live shows 0 until the sample rate
is known).
"""
from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from sensorkit import exercises
from sensorkit.errors import SensorkitError, escape_controls
from sensorkit.io import read_recording
from sensorkit.io.meta import exercise_warning, with_defaults
from sensorkit.pipeline import Pipeline, PipelineConfig, Rep
from sensorkit.samples import Samples

KIND_COLOURS = {"full": "#2a9d4a", "partial": "#e79a1c", "knee_out": "#3b6fc4", "rejected": "#9a9a9a"}
#: the ROM label of a rep judged fast, and how many rows of labels close reps are stacked on
FAST_COLOUR = "#7d3c98"
LABEL_ROWS = 5
#: deg: a rep whose ROM exceeds the peak the trace draws by more than this (it went on from the bottom
#: of the swing before it, below the rest pose; over twice a resting leg's sway, 2.3°) gets a dotted
#: line over the span its ROM covers
SPAN_SHOWN_DEG = 5.0
_INSTALL_HINT = "plotting needs matplotlib: pip install 'sensorkit[plot]'"


def require_matplotlib() -> None:
    """Raise a one-line :class:`SensorkitError` when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SensorkitError(_INSTALL_HINT) from None


def _figure(width_in: float, height_in: float):
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _save(png: bytes, out_png: str | os.PathLike) -> Path:
    """Write ``png`` to ``out_png`` as a whole (a hidden temporary file renamed into place)."""
    from sensorkit.io.outputs import OutputSet

    out = Path(out_png)
    with OutputSet([out]) as outputs:
        outputs.write_bytes(out, png)
    return out


def angle_trace(samples: Samples, meta: Mapping | None = None, config: PipelineConfig | None = None,
                block_size: int = 5) -> tuple[np.ndarray, np.ndarray, list[Rep]]:
    """(t_s, angle_deg, reps): the pipeline's angle above the rest before it (as shown live) at
    every ``block_size``-th sample analysed, and its reps. Every sample is there, the first second
    too (live, the angle shows 0 until the sample rate is known, then catches up)."""
    pipeline = Pipeline(config, meta=dict(meta or {}), keep_angle=True)
    reps = pipeline.run(samples)
    trace = pipeline.angle_trace()[::max(1, block_size)]
    return trace[:, 0].copy(), trace[:, 1].copy(), reps


def plot_recording(csv_path: str | os.PathLike, out_png: str | os.PathLike, block_size: int = 5) -> Path:
    """One recording: the exercise's angle trace, each movement shaded by kind, holds marked, ROM
    labelled (a fast rep's label in its own colour); written to ``out_png``."""
    return _save(recording_png(csv_path, block_size), out_png)


def recording_png(csv_path: str | os.PathLike, block_size: int = 5,
                  on_warning: Callable[[str], None] | None = None, meta_defaults: dict | None = None) -> bytes:
    """The PNG bytes of :func:`plot_recording`; ``on_warning`` gets each of the reader's warnings
    (a line dropped, repeated timestamps, ...) and, as ``analyze`` says it, the default exercise
    assumed. ``meta_defaults``: sidecar keys (``exercise``, ``side``) where its sidecar is silent
    (:func:`~sensorkit.io.meta.with_defaults`)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    figure = _figure(12, 4.5)
    rec = read_recording(csv_path)
    rec.meta, said = with_defaults(rec.meta, meta_defaults, rec.path)
    assumed = exercise_warning(rec.path, rec.meta)
    rec.warnings = [*rec.warnings, *said, *([assumed] if assumed else [])]
    for warning in rec.warnings if on_warning is not None else ():
        on_warning(warning)
    meta = rec.meta.to_dict()
    t_s, angle_deg, reps = angle_trace(rec.samples, meta, block_size=block_size)
    ax = figure.add_subplot()
    counted = [r for r in reps if r.kind != "rejected"]
    peaks = [_peak_drawn(r, t_s, angle_deg) for r in counted]
    for rep in reps:
        ax.axvspan(rep.start_s, rep.end_s, color=KIND_COLOURS.get(rep.kind, "#9a9a9a"), alpha=0.22, lw=0)
    for rep, peak in zip(counted, peaks):
        if rep.hold_s > 0:
            ax.hlines(peak, rep.out_end_s, rep.return_start_s, color=KIND_COLOURS.get(rep.kind, "#9a9a9a"), lw=4, alpha=0.9)
    from_below = [(rep, peak) for rep, peak in zip(counted, peaks) if rep.rom_deg > peak + SPAN_SHOWN_DEG]
    for rep, peak in from_below:  # (its ROM spans from the swing's bottom, below the rest the trace is drawn from)
        at = _peak_time(rep, t_s, angle_deg)
        ax.vlines(at, peak - rep.rom_deg, peak, color=KIND_COLOURS.get(rep.kind, "#9a9a9a"), lw=1.2, ls=":")
    ax.plot(t_s, angle_deg, color="black", lw=0.9)
    if rec.meta.target_rom_deg:
        ax.axhline(rec.meta.target_rom_deg, color="#c0392b", ls="--", lw=0.8)
    exercise = exercises.get(rec.meta.exercise)
    counts = {k: sum(r.kind == k for r in reps) for k in KIND_COLOURS}
    handles = [Patch(color=c, alpha=0.5, label=f"{k} ({counts[k]})") for k, c in KIND_COLOURS.items()
               if k in exercise.kinds or k == "rejected"]
    handles.append(Line2D([], [], color="#555555", lw=4, label="hold, drawn at the rep's peak"))
    if from_below:
        handles.append(Line2D([], [], color="#555555", lw=1.2, ls=":",
                              label="whole arc from the swing's bottom\n(reps without a rest between;\nreps.csv rom_deg)"))
    if any(r.tempo == "fast" for r in reps):
        handles.append(Line2D([], [], color=FAST_COLOUR, marker="$°$", ls="", label="ROM of a fast rep"))
    if rec.meta.target_rom_deg:
        handles.append(Line2D([], [], color="#c0392b", ls="--", lw=0.8, label=f"target ROM {rec.meta.target_rom_deg:g}°"))
    figure.legend(handles=handles, loc="outside right upper", fontsize=8)  # beside the plot: never over a label
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"{exercise.title} angle above rest (°)")
    ax.set_xlim(*ax.get_xlim())
    ax.set_ylim(min(-5.0, float(np.nanmin(angle_deg, initial=0))), max(10.0, float(np.nanmax(angle_deg, initial=0))) * 1.3)
    who = " ".join(str(meta[k]) for k in ("patient", "side", "started_at") if k in meta)
    if rec.meta.started_at_from_file_time:  # (no started_at in the sidecar: a copy's date, maybe)
        who += " (file time)"
    ax.set_title(escape_controls(f"{rec.name}  {who}".strip()), fontsize=10)  # (a tab in the name: no glyph)
    _label_roms(figure, ax, counted, peaks)
    return _png(figure)


def _peak_drawn(rep, t_s: np.ndarray, angle_deg: np.ndarray) -> float:
    """The highest angle the trace draws inside ``rep`` (deg): where its ROM label and hold go. It is
    the ROM for a rep from rest; a rep in a series without rests ranges from the bottom of the swing
    before, below the rest pose the trace is drawn from (its ROM is larger)."""
    inside = angle_deg[(t_s >= rep.start_s) & (t_s <= rep.end_s)]
    return float(np.nanmax(inside)) if len(inside) and np.isfinite(inside).any() else float(rep.rom_deg)


def _peak_time(rep, t_s: np.ndarray, angle_deg: np.ndarray) -> float:
    """The time (s) of the highest angle the trace draws inside ``rep`` (its middle if none)."""
    inside = np.flatnonzero((t_s >= rep.start_s) & (t_s <= rep.end_s))
    if not len(inside) or not np.isfinite(angle_deg[inside]).any():
        return (rep.start_s + rep.end_s) / 2
    return float(t_s[inside[np.nanargmax(angle_deg[inside])]])


def _label_roms(figure, ax, reps, heights: list[float] | None = None) -> list:
    """Each rep's ROM, how far it got from rest (``reached_deg``, which the trace's peak shows; its
    ``rom_deg`` where it has none), above its peak (``heights``, deg; default its ROM; a fast rep's in
    FAST_COLOUR), on the lowest of LABEL_ROWS rows where its drawn box clears every label placed
    before it (else the least crowded row); returns the labels' boxes (display units)."""
    figure.canvas.draw()  # the layout (the legend outside) settles where the axes are
    renderer = figure.canvas.get_renderer()
    placed: list = []
    for rep, height in zip(reps, heights if heights is not None else [r.rom_deg for r in reps]):
        fast = rep.tempo == "fast"
        label = ax.annotate(f"{getattr(rep, 'reached_deg', rep.rom_deg):.1f}°", ((rep.start_s + rep.end_s) / 2, height), xytext=(0, 5),
                            textcoords="offset points", ha="center", fontsize=8,
                            color=FAST_COLOUR if fast else "black", fontweight="bold" if fast else "normal")
        best = None
        for row in range(LABEL_ROWS):
            label.xyann = (0, 5 + 10 * row)
            box = label.get_window_extent(renderer).padded(1.0)
            clashes = sum(box.overlaps(other) for other in placed[-12:])  # (labels run left to right)
            if best is None or clashes < best[0]:
                best = (clashes, row, box)
            if not clashes:
                break
        label.xyann = (0, 5 + 10 * best[1])
        placed.append(best[2])
    return placed


def _draw_targets(ax, rom_targets: Mapping[str, float] | Sequence[TargetSpan] | None, colours: Mapping[str, str],
                  last_day: date) -> None:
    """Each exercise's target ROM as a dashed line in its colour (``colours``): across the plot, or
    (spans) over the days each was in force, an open-ended one to ``last_day``; one legend entry per
    exercise naming its targets in order ("target 29° then 32°")."""
    if not rom_targets:
        return
    if isinstance(rom_targets, Mapping):
        for exercise, target in sorted(rom_targets.items()):
            ax.axhline(target, color=colours.get(exercise, "#c0392b"), ls="--", lw=0.9,
                       label=f"{exercise.replace('_', ' ')} target {target:g}°")
        return
    spans = sorted(rom_targets, key=lambda s: (s[0], s[1]))
    said: dict[str, list[float]] = {}
    for exercise, _, _, target in spans:
        if said.setdefault(exercise, [])[-1:] != [target]:
            said[exercise].append(target)
    day = lambda d: float(np.datetime64(d, "D").astype(float))  # noqa: E731 (the axis' unit: days since 1970)
    for exercise, first, last, target in spans:
        label = f"{exercise.replace('_', ' ')} target {' then '.join(f'{v:g}°' for v in said.pop(exercise))}" \
            if exercise in said else None  # (once per exercise)
        ax.hlines(target, day(first) - 0.5, day(last if last is not None else last_day) + 0.5,
                  color=colours.get(exercise, "#c0392b"), ls="--", lw=0.9, label=label)


def _true(value: object) -> bool:
    """A report's boolean cell: True, or ``"true"`` as its CSV writes it."""
    return value is True or str(value).strip().lower() == "true"


def _number(value: object) -> float:
    if value is None or value == "":
        return math.nan
    return float(value)


#: a prescribed ROM target over the days it was in force: (exercise, first day, last day or None: open-ended, deg)
TargetSpan = tuple[str, date, date | None, float]


def plot_patient_progress(rows: Sequence[Mapping], out_png: str | os.PathLike,
                          rom_targets: Mapping[str, float] | Sequence[TargetSpan] | None = None) -> Path:
    """One patient's daily report rows (dicts, numbers or CSV strings): ROM per day and adherence per day.
    ``rom_targets``: each exercise's target ROM (deg), or the targets of a changed prescription, each
    over the days of its period (:data:`TargetSpan`)."""
    if not rows:
        raise SensorkitError(f"{out_png}: no report rows to plot")
    return _save(patient_progress_png(rows, rom_targets), out_png)


def patient_file_name(patient: str) -> str:
    """``PATIENT.png`` for a patient id, encoded so it stays inside the folder (``/``, ``..``, control
    characters become ``%XX``)."""
    from sensorkit.io.outputs import safe_file_stem

    return f"{safe_file_stem(patient)}.png"


def patient_progress_png(rows: Sequence[Mapping],
                         rom_targets: Mapping[str, float] | Sequence[TargetSpan] | None = None) -> bytes:
    """The PNG bytes of :func:`plot_patient_progress`."""
    if not rows:
        raise SensorkitError("no report rows to plot")
    figure = _figure(11, 7)
    ax_rom, ax_adh = figure.subplots(2, 1, sharex=True)
    patient = rows[0]["patient"]
    series = sorted({(r["exercise"], r["side"]) for r in rows})
    width = 0.8 / len(series)
    colours: dict[str, str] = {}
    # the ROM of full reps, as the summary gives it: a day of deliberately reduced-range (partial) or
    # knee-out reps is no drop in the patient's range (reports from before that column: all reps)
    full = "rom_full_mean_deg" in rows[0]
    for i, (exercise, side) in enumerate(series):
        mine = [r for r in rows if (r["exercise"], r["side"]) == (exercise, side)]
        days = np.array([np.datetime64(date.fromisoformat(str(r["date"]))) for r in mine])
        rom_mean = np.array([_number(r["rom_full_mean_deg" if full else "rom_mean_deg"]) for r in mine])
        rom_max = np.array([_number(r["rom_max_deg"]) for r in mine])
        adherence = np.array([_number(r["adherence_pct"]) for r in mine])
        going = np.array([_true(r.get("day_in_progress", False)) for r in mine], dtype=bool)
        label = f"{exercise.replace('_', ' ')} {side}"
        has = ~np.isnan(rom_mean)
        line, = ax_rom.plot(days[has], rom_mean[has], "o-", label=f"{label}: mean ROM{' of full reps' if full else ''}")
        colours.setdefault(exercise, line.get_color())
        has_max = ~np.isnan(rom_max)
        ax_rom.plot(days[has_max], rom_max[has_max], "^", color=line.get_color(), alpha=0.5, ms=5,
                    label=f"{label}: max ROM (any rep)")
        x = days.astype("datetime64[D]").astype(float) + (i - (len(series) - 1) / 2) * width
        judged = ~np.isnan(adherence)  # (an exercise day: its adherence; any other day, or one whose data were lost: none)
        over = judged & ~going
        ax_adh.bar(x[over], adherence[over], width=width, color=line.get_color(), label=label)
        # (the report's day, not over: its reps so far, hollow, neither a result nor a miss)
        ax_adh.bar(x[judged & going], adherence[judged & going], width=width, color="none", edgecolor=line.get_color(),
                   hatch="//", label=f"{label}: today so far" if (judged & going).any() else None)
        # (0 %: a day missed, no recording, crossed; a day recorded whose reps completed none (short of the
        # ROM or hold), a hollow circle: not the same problem)
        recorded = np.array([_true(r.get("has_data", False)) for r in mine], dtype=bool)
        missed, none_completed = over & (adherence == 0) & ~recorded, over & (adherence == 0) & recorded
        ax_adh.plot(x[missed], np.zeros(missed.sum()), "x", color="#c0392b", ms=7, clip_on=False)
        ax_adh.plot(x[none_completed], np.zeros(none_completed.sum()), "o", color="#c0392b", mfc="none", ms=7,
                    clip_on=False)
        for k in np.flatnonzero(judged & going):  # (a hollow bar of 0 so far is not seen: said in words)
            ax_adh.annotate("today\nso far", (x[k], adherence[k]), xytext=(0, 3), textcoords="offset points",
                            ha="center", fontsize=7, color=line.get_color())
        # (an exercise day whose data were partly lost, adherence unknown: "?", as the dashboard's calendar)
        prescribed = np.array([_number(r.get("reps_prescribed", "")) > 0 for r in mine], dtype=bool)  # (nan > 0: False)
        for k in np.flatnonzero(prescribed & ~judged):
            ax_adh.annotate("?", (x[k], 0), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9,
                            fontweight="bold", color="#5a3b00")
    _draw_targets(ax_rom, rom_targets, colours, max(date.fromisoformat(str(r["date"])) for r in rows))
    ax_rom.set_ylabel("ROM (°)")
    # (the stray reps of a flagged session, another exercise? or a sensor moved?, are not in the report's ROM:
    # said where the trend is drawn)
    flagged = sorted({w for r in rows for w in str(r.get("session_warnings") or "").split(";") if w})
    if flagged:
        ax_rom.set_title(f"ROM per day without the stray reps of {len(flagged)} flagged session"
                         f"{'s' if len(flagged) > 1 else ''} (another exercise? sensor moved?: report.csv's"
                         " session_warnings)", fontsize=9)
    ax_rom.set_ylim(bottom=0)
    ax_rom.legend(fontsize=8, loc="lower left")
    ax_rom.grid(alpha=0.3)
    # (the report's: each exercise day's adherence, the week's days_per_week days with exercise first; the
    # mean over the days that are over, as summary.csv's, the day in progress apart)
    over_all = [a for r in rows if not math.isnan(a := _number(r["adherence_pct"])) and not _true(r.get("day_in_progress", False))]
    mean = (f"mean {sum(over_all) / len(over_all):.0f} % over {len(over_all)} exercise day{'s' if len(over_all) > 1 else ''}"
            " × side, today apart" if over_all else "no exercise day over yet")
    ax_adh.set_ylabel("adherence (%)")
    ax_adh.set_ylim(0, 105)
    ax_adh.set_title(f"adherence per exercise day (the week's prescribed days, those with exercise first; {mean})\n"
                     "x = 0 %, missed; o = 0 %, recorded but none completed; ? = data lost", fontsize=9)
    ax_adh.legend(fontsize=8, loc="upper right")
    ax_adh.grid(alpha=0.3, axis="y")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator

    first, last = min(str(r["date"]) for r in rows), max(str(r["date"]) for r in rows)
    span_days = (date.fromisoformat(str(last)) - date.fromisoformat(str(first))).days
    if span_days <= 45:  # (a day's ticks, never hours: each bar stands on its day)
        ax_adh.xaxis.set_major_locator(DayLocator(interval=1 + span_days // 12))
        ax_adh.xaxis.set_major_formatter(DateFormatter("%b %d"))
    else:
        locator = AutoDateLocator(minticks=4, maxticks=16)
        ax_adh.xaxis.set_major_locator(locator)
        ax_adh.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    start_x = np.datetime64(date.fromisoformat(str(first))).astype("datetime64[D]").astype(float)
    ax_adh.set_xlim(start_x - 0.6, start_x + span_days + 0.6)
    figure.suptitle(f"{patient}: progress {first} to {last}", fontsize=11)
    return _png(figure)

"""Batch analysis: recordings in, ``reps.csv`` and ``sessions.csv`` out (columns: docs/formats.md).

    from sensorkit.batch import analyze_recording, analyze_many, analyze_paths
    result = analyze_recording("recordings/sim_9013.csv")     # one file: reps + session summary
    for path, result, error in analyze_many(files, workers=4):  # many, in input order
        ...
    outcome = analyze_paths(["recordings"], out_dir="out")     # folders too; writes the two CSVs

A file that cannot be read becomes one failure (name + one-line reason); the rest go on. The record
of a session that had no samples (``record``/``live``: the CSV's header alone, the sidecar saying how
it ended) is no failure: a ``sessions.csv`` row with status ``no_data`` and that one line. The files
run serially, in a local process pool, or on a Dask cluster (``scheduler="tcp://host:port"``); each
task carries a path, not data, and the results are the same whichever way they ran.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from sensorkit import exercises
from sensorkit.distributed import choose_workers, run_in_processes, run_on_dask
from sensorkit.errors import (ConfigError, NoDataError, RecordingError, SensorkitError, escape_controls, failure_reason,
                              name_text)
from sensorkit.io import Recording, find_recordings, read_recording
from sensorkit.io.discover import recording_names
from sensorkit.io.files import noting_digests
from sensorkit.io.meta import exercise_warning, file_time_warning, with_defaults
from sensorkit.io.outputs import OutputSet, check_output_folder, check_outputs, no_negative_zero
from sensorkit.io.outputs import interrupts_noted  # noqa: F401 - (moved there: commands that analyse nothing use it)
from sensorkit.io.outputs import raise_if_interrupted as _raise_if_interrupted
from sensorkit.pipeline import COUNTED_KINDS, REP_COLUMNS, Pipeline, PipelineConfig, Rep
from sensorkit.pipeline.config import prescribed
from sensorkit.pipeline.classify import ANOTHER_AXIS, HELD_S, OTHER_WAY
from sensorkit.pipeline.gaps import GapFiller
from sensorkit.samples import Samples

SESSION_COLUMNS = (
    "recording", "path", "status", "error", "patient", "side", "exercise", "started_at",
    "duration_s", "sample_rate_hz", "samples", "reps_counted", "reps_full", "reps_partial",
    "reps_knee_out", "rejected", "rom_mean_deg", "rom_max_deg", "hold_mean_s", "warnings", "reps_fast",
    "sets", "gaps", "lost_in_gaps_s",
)
#: the earlier outputs a batch may replace in its output folder (:func:`~sensorkit.io.outputs.output_kind`)
REPLACEABLE = ("reps.csv of sensorkit analyze", "sessions.csv of sensorkit analyze")


def check_batch_outputs(out_dir: str | os.PathLike, files: Iterable[str | os.PathLike]) -> tuple[Path, Path]:
    """The ``reps.csv`` and ``sessions.csv`` a batch of ``files`` writes in ``out_dir`` (the folder
    made if needed), once it is safe to write them; else :class:`~sensorkit.io.outputs.OutputError`
    in one line: an output that is one of ``files`` (or its sidecar, or its vendor partner), a
    recording, a folder, or an existing file that is not an earlier table of ``sensorkit analyze``
    (a user's own ``reps.csv``) is never overwritten; nor is a folder that cannot be written used.
    The one check of :func:`analyze_paths` and ``sensorkit analyze``."""
    out = Path(out_dir)
    targets = out / "reps.csv", out / "sessions.csv"
    check_outputs([("--out", target) for target in targets], inputs=files, replaceable=REPLACEABLE)
    check_output_folder(out)
    return targets


@dataclass
class RecordingResult:
    """One analysed recording: its reps (rows of reps.csv), its sessions.csv row, the reader's
    repairs; ``no_data``: for the record of a session without samples, its one line (no reps)."""

    reps: list[Rep]
    rep_rows: list[dict]
    session_row: dict
    warnings: list[str] = field(default_factory=list)
    no_data: str = ""
    #: the SHA-256 (hex) of the recording's file, hashed as the reader read it (None: not known;
    #: a batch's check for identical files then reads it again)
    sha256: str | None = None


@dataclass
class BatchOutcome:
    """What a batch did: ``analyzed`` files, movements by ``kinds``, ``failures`` (path, reason).

    ``results`` holds every :class:`RecordingResult` only when asked for (``keep_results``): at
    scale they are what fills memory, and their rows are already in the written tables.
    """

    results: list[RecordingResult] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # earlier outputs in an input folder
    not_recordings: list[tuple[Path, str]] = field(default_factory=list)  # a folder's other CSVs (patients.csv), why
    without_data: list[tuple[Path, str]] = field(default_factory=list)  # sessions recorded without samples
    analyzed: int = 0
    kinds: Counter = field(default_factory=Counter)
    fast: int = 0  # counted reps with tempo "fast"
    exercises: set[str] = field(default_factory=set)  # the exercises of the analysed recordings

    @property
    def reps(self) -> int:
        """Counted reps over all analysed files."""
        return sum(self.kinds[kind] for kind in COUNTED_KINDS)

    def add(self, result: RecordingResult, keep: bool) -> None:
        """Count one analysed recording (kinds, fast reps); keep its result when ``keep``."""
        self.analyzed += 1
        self.exercises.add(result.session_row["exercise"])
        self.kinds.update(rep.kind for rep in result.reps)
        self.fast += sum(rep.tempo == "fast" for rep in result.reps)
        if keep:
            self.results.append(result)


def analyze_recording(path: str | os.PathLike | Recording, config: PipelineConfig | None = None,
                      meta_defaults: dict | None = None) -> RecordingResult:
    """Read one recording (or take one already read) and run the pipeline over it (raises
    RecordingError for a bad file).

    ``meta_defaults``: sidecar keys to assume where the recording's own sidecar is silent (the
    report passes the prescription's tempo as ``target_movement_s``; ``analyze --exercise/--side``
    their values), as :func:`~sensorkit.io.meta.with_defaults` says; a recording analysed as the
    default exercise, named by neither, is said in a warning.
    """
    try:
        with noting_digests() as digests:  # (the file hashed as it is read: not read again for its digest)
            rec = path if isinstance(path, Recording) else read_recording(path)
    except NoDataError as exc:
        return no_data_result(Path(path), exc)
    rec.meta, said = with_defaults(rec.meta, meta_defaults, rec.path)
    assumed = exercise_warning(rec.path, rec.meta)
    rec.warnings = [*rec.warnings, *said, *([assumed] if assumed else [])]
    if rec.meta.started_at_from_file_time:
        rec.warnings = [*rec.warnings, file_time_warning(rec.path, rec.meta.started_at, rec.meta.no_sidecar)]
    meta = rec.meta.to_dict()
    problem = settings_problem(config, rec.meta.exercise)
    if problem:  # (a setting the exercise's own parameters contradict: this file's failure, in one line)
        raise ConfigError(f"{rec.path}: the settings conflict with its exercise: {problem}")
    pipeline = Pipeline(config, meta=meta)
    reps = pipeline.run(rec.samples)
    gaps, lost_s = unbridged_gaps(rec.samples, pipeline)
    misfit = exercise_misfit_warning(rec.path, rec.meta.exercise, reps, pipeline.config.max_rom_deg)
    moved = moved_sensor_warning(rec.path, reps)
    beyond = target_beyond_range_warning(rec.path, rec.meta.exercise, prescribed(meta, "target_rom_deg"),
                                         pipeline.config.max_rom_deg)
    rec.warnings = [*rec.warnings, *(w for w in (beyond, misfit, moved) if w)]
    side = rec.meta.side or ""
    rows = [rep.row(rec.name, side, str(rec.path)) for rep in reps]
    counted = [r for r in reps if r.counted]
    roms = np.array([r.reached_deg for r in counted])  # (how far from rest: see Rep.reached_deg)
    holds = np.array([r.hold_s for r in counted])
    kinds = [r.kind for r in reps]
    session = {
        "recording": rec.name, "path": str(rec.path), "status": "ok", "error": "",
        "patient": rec.meta.patient or "", "side": side, "exercise": rec.meta.exercise,
        "started_at": rec.meta.started_at.isoformat() if rec.meta.started_at else "",
        "duration_s": rec.samples.duration_s, "sample_rate_hz": rec.samples.sample_rate_hz,
        "samples": len(rec.samples), "reps_counted": len(counted),
        "reps_full": kinds.count("full"), "reps_partial": kinds.count("partial"),
        "reps_knee_out": kinds.count("knee_out"), "reps_fast": sum(r.tempo == "fast" for r in counted),
        "sets": max((r.set for r in counted), default=0),
        "rejected": kinds.count("rejected"),
        "rom_mean_deg": float(roms.mean()) if len(roms) else np.nan,
        "rom_max_deg": float(roms.max()) if len(roms) else np.nan,
        "hold_mean_s": float(holds.mean()) if len(holds) else np.nan,
        "warnings": " | ".join(rec.warnings), "gaps": gaps, "lost_in_gaps_s": lost_s,
    }
    session = {k: round(v, 3) if isinstance(v, float) else v for k, v in session.items()}
    return RecordingResult(reps, rows, session, list(rec.warnings),
                           sha256=None if isinstance(path, Recording) else digests.get(Path(path)))


def target_beyond_range_warning(path: str | os.PathLike, exercise: str, target_rom_deg: float | None,
                                max_rom_deg: float) -> str | None:
    """The warning for a recording whose sidecar's ``target_rom_deg`` (deg; None: none) is over its
    exercise's range (``max_rom_deg``, deg, as the pipeline has it): no rep could reach it, so every
    rep is judged against a target it cannot meet (a value of another exercise, or a typo?). The
    library's detectors refuse such a target (:func:`sensorkit.exercises.target_rom_problem`); None otherwise."""
    beyond = exercises.target_rom_problem(exercise, target_rom_deg, max_rom_deg)
    if beyond is None:
        return None
    return escape_controls(f"{path}: its sidecar's target_rom_deg {beyond}: check the target (another exercise's?);"
                           " its reps are analysed with it")


#: the start of the reason of a movement rejected as larger than the exercise's ``max_rom_deg``
#: (:func:`sensorkit.pipeline.classify.shape_problem`)
BEYOND_RANGE = "beyond the exercise's range"
#: a recording whose movements went beyond its exercise's range this often (at least this many, and
#: at least this fraction of all its movements, counted or rejected) was likely of another exercise.
#: Real knee extensions (UCI, PHYTMO: 12 recordings) analysed as knee extension: none beyond the
#: range; analysed as hip ER: 6 to 27 in each, 46-90 % of the movements. 120 simulated sessions of
#: the right exercise (seeds 0-59 of each): at most 1 (a distractor)
MISFIT_MIN_MOVEMENTS, MISFIT_MIN_FRACTION = 3, 0.25


def exercise_misfit_warning(path: str | os.PathLike, exercise: str, reps: list[Rep], max_rom_deg: float) -> str | None:
    """The warning for a recording whose movements do not fit its ``exercise`` (the sidecar's, or
    the default): :data:`MISFIT_MIN_MOVEMENTS` or more, and :data:`MISFIT_MIN_FRACTION` of all
    ``reps`` (the pipeline's movements, counted and rejected) or more, rejected as beyond the
    exercise's range (``max_rom_deg``, deg, as the pipeline had it); None otherwise."""
    beyond = sum(rep.reason.startswith(BEYOND_RANGE) for rep in reps)
    if beyond < MISFIT_MIN_MOVEMENTS or beyond < MISFIT_MIN_FRACTION * len(reps):
        return None
    return escape_controls(f"{path}: {beyond} of its {len(reps)} movements went beyond the range of {exercise}"
                           f" (over {max_rom_deg:g} deg):"
                           " is this another exercise? Check the exercise it was analysed as (the sidecar's, or --exercise; its reps are counted as"
                           f" {exercise}'s)")


#: held movements in a row (no counted rep between) rejected as turning about another axis, or the
#: other way, after which a recording is said to have lost its reps to a sensor turned on the leg or
#: to another exercise: a set's worth. Where no sensor moved, at most 1: the simulator's
#: distractors (a knee extension in a hip-ER session, a hip rotation in a knee one, standing up and
#: walking; 180 sessions, seeds 0-59 and 72000-72029 of each exercise) and the second motion model
#: (120, 700000-700059) give runs of up to 10 such movements but at most 1 held; the 12 real
#: recordings none
MOVED_MIN_HELD = 3


def moved_sensor_run(reps: list[Rep]) -> tuple[int, Rep | None, int]:
    """The longest run, in ``reps`` (a recording's movements, or a live session's so far), of
    movements after counted reps rejected as turning about another axis or the other way though
    held like reps (``HELD_S``), no counted rep between them: (how many, its first, the counted reps
    before it); (0, None, 0) without one. :data:`MOVED_MIN_HELD` or more: a sensor turned on the leg
    (:func:`moved_sensor_warning`; ``live`` says so as it happens)."""
    counted = run = 0
    first: Rep | None = None
    worst: tuple[int, Rep | None, int] = (0, None, 0)  # (held in the run, its first, counted before it)
    for rep in reps:
        if rep.counted:
            counted, run, first = counted + 1, 0, None
        elif counted and rep.hold_s >= HELD_S and rep.reason.startswith((ANOTHER_AXIS, OTHER_WAY)):
            run += 1
            first = first or rep
            if run > worst[0]:
                worst = (run, first, counted)
    return worst


#: the end of the moved-sensor warnings: how to count the reps of a recording already made
CUT_HINT = "; to count them, cut it where the sensor was put back (convert --from-s) and analyse that part"


def moved_sensor_evidence(reps: list[Rep]) -> tuple[bool, int, Rep, int] | None:
    """The rule by which ``reps`` (a recording's movements, or a live session's so far) show the
    sensor turned on the leg, if one is met: (whether its reps were rejected, held like reps -
    :func:`moved_sensor_run` - rather than counted but resting too far - :func:`rest_moved_run`; how
    many in the run, its first, the counted reps before it); None when neither reaches
    :data:`MOVED_MIN_HELD`. The held run is taken first."""
    for rejected, run in ((True, moved_sensor_run), (False, rest_moved_run)):
        n, first, before = run(reps)
        if n >= MOVED_MIN_HELD and first is not None:
            return rejected, n, first, before
    return None


def moved_sensor_seen(reps: list[Rep]) -> bool:
    """Whether ``reps`` (a recording's movements, or a live session's so far) meet either rule by
    which :func:`moved_sensor_warning` says the sensor seems to have turned on the leg."""
    return moved_sensor_evidence(reps) is not None


def moved_sensor_warning(path: str | os.PathLike, reps: list[Rep]) -> str | None:
    """The warning for a recording whose movements, after counted reps, were rejected as turning
    about another axis or the other way though held like reps: :data:`MOVED_MIN_HELD` or more held
    (``HELD_S``) in a row, no counted rep between them (:func:`moved_sensor_run`); None otherwise.
    A sensor turned on the leg (taken off and put back, or twisted in its strap) puts the
    exercise's axis elsewhere in its frame (or the other way round): every rep after it is rejected
    so, as the pipeline keeps the axis the earlier reps taught it (another takes over only with
    twice its votes). Or: :data:`MOVED_MIN_HELD` or more counted reps in a row rested over
    :data:`REST_MOVED_DEG` from the first rep's rest (:func:`rest_moved_run`): reps still counted
    after the sensor turned, read about the stale axis (their hold and rest may be swapped)."""
    evidence = moved_sensor_evidence(reps)
    if evidence is None:
        return None
    rejected, n, first, before = evidence
    if not rejected:
        return escape_controls(f"{path}: after {before} counted reps, {n} counted reps in a row rested over"
                               f" {REST_MOVED_DEG:g} deg from where the first rep rested, about the exercise's axis"
                               f" (from {first.start_s:.1f} s), where no seated leg rests: did the sensor turn on"
                               " the leg (taken off and put back, or twisted in its strap)? Their range, hold and"
                               " tempo may be misread (check them on the plot): strap it as at the start, or begin"
                               f" a new recording{CUT_HINT}")
    return escape_controls(f"{path}: after {before} counted reps, {n} movements in a row held like reps were"
                           f" rejected as turning about another axis or the other way (from {first.start_s:.1f} s):"
                           " did the sensor turn on the leg (taken off and put back, or twisted in its strap), or"
                           " was this another exercise? Such reps are not counted: strap it as at the start, or"
                           f" begin a new recording{CUT_HINT}")


#: deg: a counted rep whose rest pose lies further than this from where the recording's first rep
#: rested, about the exercise's axis (``rest_angle_deg``), rested where no seated leg rests: three
#: times the largest drift of a real resting leg between sets (15.3 deg, UCI subject 1's test
#: session; the 12 real recordings' counted reps 0-15.3 deg, the simulator's 80 sessions of seeds
#: 72000-72039 of each exercise at most 22.2 deg). The sensor turned on the leg reads the rest
#: about a stale axis (40 random turns of it between the sets of that real session: 57-171 deg)
REST_MOVED_DEG = 45.0


def rest_moved_run(reps: list[Rep]) -> tuple[int, Rep | None, int]:
    """The longest run, in ``reps`` (a recording's movements, or a live session's so far), of
    counted reps whose rest pose lies over :data:`REST_MOVED_DEG` from the first rep's, about the
    exercise's axis, no counted rep nearer it between them (a rep begun at the bottom of a swing,
    ``rom_deg`` not its ``peak_deg``, has no rest of its own: it neither adds to a run nor ends it;
    a series resampled to 200 Hz reads such reps' swing bottoms 19-33 deg behind the first rest): (how many, its first, the counted reps
    before it); (0, None, 0) without one. :data:`MOVED_MIN_HELD` or more: a sensor turned on the leg
    whose reps are still counted, read about a stale axis (:func:`moved_sensor_warning`)."""
    counted = run = before = 0
    first: Rep | None = None
    worst: tuple[int, Rep | None, int] = (0, None, 0)  # (in the run, its first, counted before it)
    for rep in reps:
        if not rep.counted:
            continue
        if rep.reached_deg != rep.rom_deg:  # (begun at a swing's bottom: read from no rest)
            pass
        elif abs(rep.rest_angle_deg) > REST_MOVED_DEG:  # (NaN: a rest that was no rest, never beyond)
            if not run:
                first, before = rep, counted
            run += 1
            if run > worst[0]:
                worst = (run, first, before)
        else:
            run = 0
        counted += 1
    return worst


def unbridged_gaps(samples: Samples, pipeline: Pipeline) -> tuple[int, float]:
    """(how many gaps in ``samples`` were too long for ``pipeline`` to bridge, the seconds of data
    lost in them) once it has run over them: a gap is what its gap filler leaves (over
    ``max_gap_fill_s`` of samples missing at the rate it measured, ``fs_hz_``), its loss the time
    between the samples either side less one sample period. (0, 0.0) before any ran."""
    if pipeline.fs_hz_ is None or len(samples) < 2:
        return 0, 0.0
    pieces = GapFiller(pipeline.fs_hz_, pipeline.config.max_gap_fill_s).split(samples)
    lost_s = [float(piece.t[0] - before.t[-1]) - 1.0 / pipeline.fs_hz_
              for (before, _), (piece, after_gap) in zip(pieces[:-1], pieces[1:]) if after_gap]
    return len(lost_s), float(sum(lost_s))


def settings_problem(config: PipelineConfig | None, exercise: str | None) -> str | None:
    """Why ``config`` cannot analyse ``exercise`` (None or "": the default), as the library's
    detectors refuse it at construction (:meth:`PipelineConfig.resolved
    <sensorkit.pipeline.PipelineConfig.resolved>`: ``min_rom_deg`` not below ``max_rom_deg`` once
    the exercise's own values fill in), e.g. ``min_rom_deg = 70 must be below max_rom_deg = 60
    (exercise hip_external_rotation): ...``; None when it can. An unknown exercise is a
    :class:`~sensorkit.errors.ConfigError`."""
    model = exercises.get(exercise)
    try:
        (config or PipelineConfig()).resolved(model)
    except ValueError as exc:
        return str(exc)
    return None


def no_data_result(path: Path, error: NoDataError) -> RecordingResult:
    """The result of the record of a session without samples: no reps, a ``sessions.csv`` row with
    status ``no_data``, the error's line, the sidecar's patient, side, exercise and start, 0 samples."""
    meta = error.meta
    sidecar = {} if meta is None else {"patient": meta.patient or "", "side": meta.side or "", "exercise": meta.exercise,
                                       "started_at": meta.started_at.isoformat() if meta.started_at else ""}
    row = unanalysed_session_row(path.stem, str(path), "no_data", str(error), samples=0, duration_s=0.0,
                                 reps_counted=0, reps_full=0, reps_partial=0, reps_knee_out=0, reps_fast=0,
                                 sets=0, rejected=0, gaps=0, lost_in_gaps_s=0.0, **sidecar)
    return RecordingResult([], [], row, no_data=str(error))


def failed_session_row(path: Path, reason: str) -> dict:
    """The ``sessions.csv`` row of a file that could not be read: status ``failed`` and its one-line
    ``reason``, the rest empty."""
    return unanalysed_session_row(name_text(path.stem), name_text(str(path)), "failed", reason)


def unanalysed_session_row(recording: str, path: str, status: str, error: str, **filled) -> dict:
    """A ``sessions.csv`` row of a recording the pipeline did not run on (``status`` ``failed`` or
    ``no_data``, ``error`` its one line): every column empty but those and the ``filled`` ones."""
    row = dict.fromkeys(SESSION_COLUMNS, "")
    row.update(recording=recording, path=path, status=status, error=error, **filled)
    return row


FileOutcome = tuple[Path, RecordingResult | None, str]


def analyze_file(path: str, base_dir: str, config: PipelineConfig | None = None,
                 meta_defaults: dict | None = None) -> tuple[RecordingResult | None, str]:
    """One task of a batch: (result, "") or (None, one-line reason). Never raises.

    ``path`` is the file as the user named it; a relative one is read from ``base_dir`` (the caller's
    working folder, which a remote worker does not share) and every message and row names it as given.
    ``meta_defaults``: see :func:`analyze_recording`.
    """
    result, error = run_file_task(lambda actual: analyze_recording(actual, config, meta_defaults), path, base_dir)
    shown = Path(path)
    actual = shown if shown.is_absolute() else Path(base_dir) / shown
    if result is not None and actual != shown:
        row = result.session_row
        row["path"] = str(shown)
        for rep_row in result.rep_rows:
            rep_row["path"] = str(shown)
        row["warnings"] = relabel_path(row["warnings"], actual, shown)
        result.warnings = [relabel_path(warning, actual, shown) for warning in result.warnings]
        if result.no_data:
            result.no_data = row["error"] = relabel_path(result.no_data, actual, shown)
    return result, error


def run_file_task(task: Callable[[Path], object], path: str, base_dir: str) -> tuple[object | None, str]:
    """``(task(file), "")`` or ``(None, one-line reason)``; never raises. ``path`` as the user named
    it; a relative one is opened from ``base_dir`` (a remote worker does not share the caller's
    working folder) and the reason names it as given."""
    shown = Path(path)
    actual = shown if shown.is_absolute() else Path(base_dir) / shown
    try:
        return task(actual), ""
    except SensorkitError as exc:
        _raise_if_interrupted()
        return None, failure_reason(shown, relabel_path(str(exc), actual, shown))
    except Exception as exc:  # noqa: BLE001 - a bug on one file must not end the batch
        _raise_if_interrupted()
        return None, relabel_path(escape_controls(f"{shown}: internal error: {one_line(exc)}"), actual, shown)


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (no traceback)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def relabel_path(text: str, actual: Path, shown: Path) -> str:
    """``text`` naming the file as the user gave it (``shown``), not as it was opened (``actual``);
    so too the files beside it (its sidecar, the partner of a vendor pair)."""
    if actual == shown:
        return text
    text = text.replace(escape_controls(str(actual)), escape_controls(str(shown)))  # (as messages write them)
    if actual.parent != shown.parent:
        beside = "" if str(shown.parent) == "." else os.path.join(str(shown.parent), "")
        # (the folder only where it begins a path and a file name follows it, no folder: not inside
        # "m/s²", nor in another path that ends with the same folder's name)
        folder = re.escape(escape_controls(os.path.join(str(actual.parent), "")))
        neighbour = re.compile(rf"(?<![\w/.~-]){folder}(?=[^/\s]+(?:[\s:,;)\]'\"]|$))")
        text = neighbour.sub(lambda _: escape_controls(beside), text)
    return text


def analyze_many(
    paths: Iterable[str | os.PathLike],
    config: PipelineConfig | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    meta_defaults: list[dict | None] | None = None,
) -> Iterator[FileOutcome]:
    """``(path, result or None, error)`` for each recording file in ``paths``, in input order.

    ``paths`` are files (see :func:`sensorkit.io.find_recordings` for folders). ``scheduler``
    (``tcp://HOST:PORT``) runs the files on that Dask cluster (needs the ``dask`` extra); otherwise
    ``workers`` processes run them locally (None: serial below ``PARALLEL_FROM_FILES`` files, else one
    per CPU; 1: serial, in this process). Per-file errors, including unexpected exceptions and lost
    workers, come back as one-line reasons; the output does not depend on how the files ran.
    Raises :class:`~sensorkit.errors.ConfigError` at once for a bad ``workers`` or ``scheduler``.
    ``meta_defaults``: per file (same order), sidecar keys to assume where its sidecar is silent.
    """
    files = [Path(p) for p in paths]
    defaults = meta_defaults if meta_defaults is not None else [None] * len(files)
    return run_many(analyze_file, files, [(config, d) for d in defaults], workers, scheduler)


def run_many(task: Callable, files: list[Path], task_args: list[tuple], workers: int | None = None,
             scheduler: str | None = None) -> Iterator[FileOutcome]:
    """``(path, value or None, error)`` of ``task(path, base_dir, *args)`` for each file, in input
    order: serially, in local processes or on a Dask cluster, as :func:`analyze_many` says.
    ``task`` returns ``(value, error)`` and never raises (see :func:`run_file_task`)."""
    tasks = [(str(p), os.getcwd(), *args) for p, args in zip(files, task_args)]
    if scheduler:
        outcomes = run_on_dask(task, tasks, scheduler)
    else:
        n_workers = choose_workers(len(files), workers)
        outcomes = (run_in_processes(task, tasks, n_workers) if n_workers > 1
                    else ((task(*args), None) for args in tasks))
    return _with_paths(files, outcomes)


def _with_paths(files: list[Path], outcomes: Iterator) -> Iterator[FileOutcome]:
    for path, (outcome, lost) in zip(files, outcomes):
        if lost is not None:
            yield path, None, escape_controls(f"{path}: worker failed: {one_line(lost)}")
        else:
            yield path, *outcome


def analyze_paths(
    paths: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    config: PipelineConfig | None = None,
    on_file: Callable[[Path, RecordingResult | None, str], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    keep_results: bool = True,
    files: list[Path] | None = None,
    meta_defaults: dict | None = None,
) -> BatchOutcome:
    """Analyse every recording under ``paths``; write ``reps.csv`` and ``sessions.csv`` in ``out_dir``.

    ``on_file(path, result_or_None, error)`` is called after each file, in input order (for progress
    and messages). ``workers`` and ``scheduler`` as in :func:`analyze_many`. Rep rows are written
    as each file's result arrives (memory stays flat however many files); ``keep_results=False``
    also keeps no per-file results in the returned outcome (its counts are still filled in).
    Both tables appear together when the batch is done (written beside, then renamed into place);
    on any error or Ctrl-C neither is replaced and no temporary file is left. Before any file is
    analysed, the outputs are checked as ``sensorkit analyze`` checks them
    (:func:`check_batch_outputs`): an input recording, its sidecar, or a file that is not an
    earlier ``reps.csv``/``sessions.csv`` of sensorkit is never overwritten
    (:class:`~sensorkit.io.outputs.OutputError`, nothing written). Earlier outputs
    found in an input folder are skipped (``outcome.skipped``). ``files``: the recording files when
    the caller has already searched ``paths``. A folder's CSV that is no recording (its header
    names none of the recording's columns: a ``patients.csv``) is skipped too
    (``outcome.not_recordings``). ``meta_defaults``: sidecar keys to assume for every file whose
    sidecar is silent (:func:`analyze_recording`).
    """
    out = Path(out_dir)
    outcome = BatchOutcome()
    files = (find_recordings(paths, exclude=[out], skipped=outcome.skipped, not_recordings=outcome.not_recordings)
             if files is None else files)
    reps_path, sessions_path = check_batch_outputs(out, files)
    session_rows: list[dict] = []
    names = recording_names(files)
    first_copy: dict[str, tuple[Path, str]] = {}  # file digest -> the first file with it, its sidecar's patient
    with OutputSet([reps_path, sessions_path]) as outputs:
        with outputs.writing(reps_path) as reps_csv:
            write_rep_rows(reps_csv, [], header=True)
        for path, result, error in analyze_many(files, config, workers, scheduler, [meta_defaults] * len(files)):
            if result is None:
                outcome.failures.append((path, error))
                session_rows.append(failed_session_row(path, error) | {"recording": names[path]})
            else:
                # (another file of the run has the same stem: the name given by recording_names;
                # a name's bytes that are not UTF-8 written \xNN, as the path's)
                name = names[path] if names[path] != name_text(path.stem) else name_text(result.session_row["recording"])
                result.session_row["recording"] = name
                for row in result.rep_rows:  # (path: the file as given, as sessions.csv's; stays across runs)
                    row.update(recording=name, path=name_text(row["path"]))
                with outputs.writing(reps_path) as reps_csv:
                    write_rep_rows(reps_csv, result.rep_rows, header=False)
                if result.no_data:  # (a session tried without samples: no failure, nothing analysed)
                    outcome.without_data.append((path, result.no_data))
                else:
                    copy = _copy_warning(path, result.sha256, result.session_row["patient"], first_copy)
                    if copy:  # (analysed as any file, and said: its reps are another file's too)
                        result.warnings = [*result.warnings, copy]
                        result.session_row["warnings"] = " | ".join(filter(None, (result.session_row["warnings"], copy)))
                    outcome.add(result, keep_results)
                session_rows.append(result.session_row | {"path": name_text(result.session_row["path"])})
            if on_file:
                on_file(path, result, error)
        with outputs.writing(sessions_path) as sessions_csv:
            sessions = no_negative_zero(pd.DataFrame(session_rows, columns=list(SESSION_COLUMNS)))
            sessions.to_csv(sessions_csv, index=False, float_format="%.3f")
    return outcome


def _copy_warning(path: Path, digest: str | None, patient: str, first_copy: dict[str, tuple[Path, str]]) -> str | None:
    """The warning for a recording identical to one analysed before it in the batch (its SHA-256
    ``digest``, hashed as the reader read it, in ``first_copy``, digest -> (file, its sidecar's
    patient), to which it is added when new): a copy or a backup, whose reps are in the tables
    twice; or the same samples given to two patients by their sidecars, one of which is wrong. None
    for a file not seen before. Without ``digest`` (a reader that did not hash it: a malformed
    file's slow path) the file is read again for it (None if it cannot be now)."""
    if digest is None:
        try:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None
    if digest not in first_copy:
        first_copy[digest] = path, patient
        return None
    first, first_patient = first_copy[digest]
    if patient != first_patient:
        return escape_controls(f"{path}: the same recording as {first} (an identical file), but its sidecar names patient"
                               f" {patient or '(none)'} and {first}'s {first_patient or '(none)'}: one session is one"
                               " patient's; correct the sidecar that is wrong")
    return escape_controls(f"{path}: the same recording as {first} (an identical file: a copy or a backup): its reps"
                           " are in reps.csv twice; count them once (report does)")


def write_rep_rows(handle: TextIO, rows: list[dict], header: bool) -> None:
    """Append ``rows`` (:data:`REP_COLUMNS` keys) to an open ``reps.csv``; ``header``: the column line too.

    Row by row the text is what one table of all rows would give: every column's type is the
    same in every file's rows (numbers, or text), and ``rep`` and ``set`` are integer columns with gaps.
    """
    if not rows and not header:
        return
    reps = pd.DataFrame(rows, columns=list(REP_COLUMNS))
    reps["rep"] = reps["rep"].astype("Int64")
    reps["set"] = reps["set"].astype("Int64")
    no_negative_zero(reps).to_csv(handle, header=header, index=False, float_format="%.3f")  # (0.000, not -0.000)

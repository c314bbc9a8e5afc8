"""``sensorkit analyze PATH... --out DIR``: reps.csv and sessions.csv for recordings."""
from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sensorkit import exercises
from sensorkit.cli.parallel import parallel_options
from sensorkit.cli.safety import batch_guard, require_inputs, scheduler_notice, stderr_console
from sensorkit.errors import ConfigError, escape_controls, failure_reason

if TYPE_CHECKING:  # (the analysis stack loads when a command runs: not for --help or a usage error)
    from sensorkit.pipeline import PipelineConfig


def parse_settings(settings: tuple[str, ...]) -> PipelineConfig:
    """``NAME=VALUE`` pairs over the default :class:`PipelineConfig`; a value out of its range
    (NaN, infinite, or refused by the config's own checks) is a :class:`ConfigError` naming it."""
    from sensorkit.pipeline import PipelineConfig

    config = PipelineConfig()
    changes = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or name not in PipelineConfig.names():
            raise ConfigError(f"--set {item!r}: expected NAME=VALUE with NAME one of {', '.join(PipelineConfig.names())}")
        kind = int if isinstance(getattr(config, name), int) else float  # None: an exercise's float
        try:
            changes[name] = kind(value)
        except ValueError:
            raise ConfigError(f"--set {item!r}: {value!r} is not a {kind.__name__}") from None
        if not math.isfinite(changes[name]):
            raise ConfigError(f"--set {item!r}: {name} must be a finite number")
    try:
        return config.with_(**changes)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"--set: {exc}") from None


def check_settings_fit(config: PipelineConfig, exercise: str | None) -> None:
    """:class:`ConfigError` (``--set: ...``) when the settings conflict with the parameters of
    ``exercise`` (``--exercise``, when given), or, without it, with those of every exercise
    (``min_rom_deg`` not below an exercise's ``max_rom_deg``), so no recording could be analysed:
    said before any file is. A conflict with some exercises only is the failure of each of their
    files (:func:`sensorkit.batch.settings_problem` says why)."""
    from sensorkit.batch import settings_problem  # (pandas: only with --set)

    names = [exercise] if exercise else exercises.names()
    problems = [problem for name in names if (problem := settings_problem(config, name))]
    if problems and len(problems) == len(names):
        raise ConfigError(f"--set: {'; '.join(problems)}")


def recording_options(command):
    """``--exercise`` and ``--side``: what a recording is, for those whose sidecar does not say."""
    command = click.option(
        "--side", type=click.Choice(["left", "right"]), default=None,
        help="The leg that wore the sensor (left or right), for recordings whose sidecar names none. A"
             " sidecar's own side holds (a warning when it differs).")(command)
    return click.option(
        "--exercise", type=click.Choice(exercises.names()), default=None,
        help=f"The exercise recorded, for recordings whose sidecar names none. A sidecar's own exercise holds"
             f" (a warning when it differs). Without either: {exercises.DEFAULT_EXERCISE}, with a warning"
             f" per recording.")(command)


def said_for_recordings(exercise: str | None, side: str | None) -> dict[str, str]:
    """The ``--exercise`` and ``--side`` given (:func:`recording_options`), as sidecar keys."""
    return {key: value for key, value in (("exercise", exercise), ("side", side)) if value is not None}


@click.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for reps.csv and sessions.csv.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Change an analysis setting (one of PipelineConfig's, in the docs), e.g. --set min_rom_deg=6."
                   " Repeatable.")
@recording_options
@parallel_options
@click.option("--angles", is_flag=True,
              help="Also write NAME.angle.csv in --out for each recording analysed: the exercise angle per sample"
                   " (deg; t, angle_deg, angle_from_first_rest_deg, filled), to lay over a goniometer's trace."
                   " Runs the analysis a second time.")
@click.option("--quiet", is_flag=True, help="No progress bar or per-file lines.")
def analyze(paths: tuple[Path, ...], out_dir: Path, settings: tuple[str, ...], exercise: str | None,
            side: str | None, workers: int | None, scheduler: str | None, angles: bool, quiet: bool) -> None:
    """Count, classify and measure the reps in recordings (files, or folders searched recursively).

    Writes reps.csv (one row per rep) and sessions.csv (one row per recording) in --out (with
    --angles, NAME.angle.csv per recording too). The
    results do not depend on --workers or --scheduler: rows come in the order of the files.
    A recording whose sidecar names no exercise, with no --exercise, is analysed as the default
    one with a warning naming it.
    """
    try:  # (settings given: checked first; the defaults are made once the inputs are there)
        config = parse_settings(settings) if settings else None
        if config is not None:
            check_settings_fit(config, exercise)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    require_inputs(paths)
    from sensorkit.batch import check_batch_outputs
    from sensorkit.io import find_recordings
    from sensorkit.io.outputs import folder_made_for

    config = config if config is not None else parse_settings(())
    err = stderr_console()
    guard = batch_guard(_ANGLES_INTERRUPTED) if angles else batch_guard()
    with guard, folder_made_for(out_dir):  # (--out made for a run that writes nothing: removed again)
        skipped: list = []
        not_recordings: list = []  # (a clinic's patients.csv beside the recordings: a note, no failure)
        files = find_recordings(paths, exclude=[out_dir], skipped=skipped, not_recordings=not_recordings)
        check_batch_outputs(out_dir, files)  # (analyze_paths checks so again: the library's callers too)
        if angles:  # (by the names the files will go by; checked again by the names they went by)
            from sensorkit.io.angle_csv import check_angle_outputs
            from sensorkit.io.discover import recording_names

            check_angle_outputs(out_dir, recording_names(files).values(), files)
        for path, kind in skipped if not quiet else ():
            err.print(escape_controls(f"note: {path}: skipped: an earlier output ({kind}), not a recording"),
                      soft_wrap=True)
        for path, why in not_recordings if not quiet else ():
            err.print(escape_controls(f"note: {path}: skipped: {why}"), soft_wrap=True)
        scheduler_notice(scheduler)
        if scheduler:
            from sensorkit.distributed import quiet_dask_logs, require_distributed
            require_distributed()  # (a usage error first, found files or not)
            quiet_dask_logs()  # (a lost scheduler is one line: no Dask tracebacks)
        if not files:  # (nothing written: earlier results in --out stay as they were)
            err.print(escape_controls(f"error: no recordings found in {' '.join(map(str, paths))}"), markup=False,
                      soft_wrap=True)
            sys.exit(1)
        said = said_for_recordings(exercise, side) or None
        analysed: list[tuple[Path, str]] = []  # (each file analysed, the name it went by in reps.csv)
        outcome = _run(files, out_dir, config, workers, scheduler, quiet, err, said, analysed)
        angle_failures = (_write_angles(analysed, files, out_dir, config, workers, scheduler, quiet, err, said)
                          if angles else 0)
    _summarise(outcome, out_dir, quiet, err, angle_failures)


#: what a Ctrl-C (or SIGTERM) of ``analyze --angles`` leaves: the angle files come after the tables
_ANGLES_INTERRUPTED = ("interrupted; reps.csv and sessions.csv are replaced only once every file was analysed, and each"
                       " NAME.angle.csv after them whole or not at all (earlier results are otherwise unchanged)")


def _write_angles(analysed, files, out_dir, config, workers, scheduler, quiet, err, meta_defaults) -> int:
    """``NAME.angle.csv`` in ``out_dir`` for each of ``analysed`` (path, name), the analysis run again
    with keep_angle (as the batch ran, on the same workers or cluster); returns the files that failed."""
    from sensorkit.batch import run_many
    from sensorkit.io.angle_csv import angle_task, check_angle_outputs, write_angle_file

    targets = check_angle_outputs(out_dir, [name for _, name in analysed], files)
    paths = [path for path, _ in analysed]
    failed = 0
    for (path, rows, error), target in zip(run_many(angle_task, paths, [(config, meta_defaults)] * len(paths),
                                                    workers, scheduler), targets):
        if rows is None:
            err.print(f"{error} (no {target.name})", markup=False, soft_wrap=True)
            failed += 1
            continue
        write_angle_file(target, rows)
    if not quiet and paths:
        err.print(escape_controls(f"{len(paths) - failed} angle file(s) NAME.angle.csv -> {out_dir}"), markup=False,
                  soft_wrap=True)
    return failed


def _run(files, out_dir, config, workers, scheduler, quiet, err, meta_defaults=None, analysed=None):
    """The batch with its progress bar and per-file lines."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sensorkit.batch import analyze_paths

    # (the bar only on a terminal: into a file or a pipe, a clinic's log, it drew nothing but left an
    # empty line before the summary)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, disable=quiet or not err.is_terminal, transient=True,
                  auto_refresh=False) as progress:  # no refresh thread: pool workers can fork
        task = progress.add_task("analyzing", total=len(files))

        def on_file(path, result, error):
            if analysed is not None and result is not None and not result.no_data:
                analysed.append((path, result.session_row["recording"]))
            if error:
                line = failure_reason(path, error)  # (as sessions.csv says it)
                progress.console.print(line, markup=False, soft_wrap=True)
            elif result.no_data:  # (a session recorded without samples: said, as sessions.csv says it)
                progress.console.print(result.no_data, markup=False, soft_wrap=True)
            for warning in result.warnings if result and not quiet else ():
                progress.console.print(f"warning: {warning}", markup=False, soft_wrap=True)
            progress.advance(task)
            progress.refresh()

        return analyze_paths(files, out_dir, config, on_file=on_file, workers=workers, scheduler=scheduler,
                             keep_results=False, files=files, meta_defaults=meta_defaults)


def _counted_kinds(outcome) -> str:
    """The counted reps by kind, e.g. ``full 51, partial 9``: the kinds the batch's exercises have
    (``knee_out`` only with hip external rotation; full and partial always)."""
    from sensorkit.pipeline.rep import COUNTED_KINDS

    names = [kind for kind in COUNTED_KINDS
             if kind in ("full", "partial") or any(kind in exercises.get(e).kinds for e in outcome.exercises)]
    return ", ".join(f"{kind} {outcome.kinds[kind]}" for kind in names)


def _summarise(outcome, out_dir, quiet, err, angle_failures: int = 0) -> None:
    kinds = outcome.kinds
    n = outcome.analyzed + len(outcome.failures) + len(outcome.without_data)
    without_data = f"{len(outcome.without_data)} without data, " if outcome.without_data else ""
    if not quiet:
        err.print(escape_controls(
            f"{n} recording(s): {outcome.analyzed} analyzed, {without_data}{len(outcome.failures)} failed; "
            f"{outcome.reps} reps ({_counted_kinds(outcome)}; fast {outcome.fast}), "
            f"{kinds['rejected']} rejected -> {out_dir / 'reps.csv'}, {out_dir / 'sessions.csv'}"),
            markup=False, soft_wrap=True,
        )
    if n == 0:
        err.print("error: no recordings found", markup=False)
        sys.exit(1)
    sys.exit(1 if outcome.failures or angle_failures else 0)

"""``sensorkit analyze PATH... --out DIR``: reps.csv and sessions.csv for recordings."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sensorkit.batch import analyze_paths
from sensorkit.cli.notice import warm_up_kernels
from sensorkit.cli.parallel import parallel_options
from sensorkit.errors import ConfigError
from sensorkit.io import find_recordings
from sensorkit.pipeline import PipelineConfig


def parse_settings(settings: tuple[str, ...]) -> PipelineConfig:
    """``NAME=VALUE`` pairs over the default :class:`PipelineConfig`."""
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
    return config.with_(**changes)


@click.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for reps.csv and sessions.csv.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override a pipeline parameter (see PipelineConfig), e.g. --set min_rom_deg=6.")
@parallel_options
@click.option("--quiet", is_flag=True, help="No progress bar or per-file lines.")
def analyze(paths: tuple[Path, ...], out_dir: Path, settings: tuple[str, ...], workers: int | None,
            scheduler: str | None, quiet: bool) -> None:
    """Analyze recordings (CSV files or folders searched recursively).

    The results do not depend on --workers or --scheduler: rows come in the order of the files.
    """
    try:
        config = parse_settings(settings)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    files = find_recordings(paths, exclude=[out_dir])
    warm_up_kernels()
    err = Console(stderr=True, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err, disable=quiet, transient=True,
                  auto_refresh=False) as progress:  # no refresh thread: pool workers can fork
        task = progress.add_task("analyzing", total=len(files))

        def on_file(path, result, error):
            if error:
                line = error if error.startswith(str(path)) else f"{path}: {error}"
                progress.console.print(line, markup=False, soft_wrap=True)
            for warning in result.warnings if result and not quiet else ():
                progress.console.print(f"warning: {warning}", markup=False, soft_wrap=True)
            progress.advance(task)
            progress.refresh()

        outcome = analyze_paths(files, out_dir, config, on_file=on_file, workers=workers, scheduler=scheduler,
                                keep_results=False)
    kinds = outcome.kinds
    n = outcome.analyzed + len(outcome.failures)
    if not quiet:
        err.print(
            f"{n} recording(s): {outcome.analyzed} analyzed, {len(outcome.failures)} failed; "
            f"{outcome.reps} reps (full {kinds['full']}, partial {kinds['partial']}, knee_out {kinds['knee_out']}; "
            f"fast {outcome.fast}), "
            f"{kinds['rejected']} rejected -> {out_dir / 'reps.csv'}, {out_dir / 'sessions.csv'}",
            markup=False, soft_wrap=True,
        )
    if n == 0:
        err.print("error: no recordings found", markup=False)
        sys.exit(1)
    sys.exit(1 if outcome.failures else 0)

"""``sensorkit report --prescription RX.toml|DIR PATH... --out FILE.csv``: the adherence report."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from sensorkit.cli.notice import warm_up_kernels
from sensorkit.cli.parallel import parallel_options
from sensorkit.errors import SensorkitError
from sensorkit.report import DAILY_COLUMNS, SUMMARY_COLUMNS, build_report, load_prescriptions, write_csv


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prescription", "rx_path", required=True, type=click.Path(exists=True, path_type=Path),
              help="A prescription TOML file, or a folder of them (one patient per file).")
@click.option("--out", "out_csv", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Daily report CSV: one row per patient x local date x exercise x side.")
@click.option("--summary", "summary_csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Summary CSV: one row per patient per 30-day period.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the failed and skipped recordings (one line each) to this file.")
@click.option("--plot-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write one progress plot per patient, PATIENT.png (needs the plot extra).")
@parallel_options
def report(paths: tuple[Path, ...], rx_path: Path, out_csv: Path, summary_csv: Path | None,
           log_path: Path | None, plot_dir: Path | None, workers: int | None, scheduler: str | None) -> None:
    """Adherence per patient, local day, exercise and side, from recordings (files or folders).

    The tables do not depend on --workers or --scheduler.
    """
    lines: list[str] = []

    def on_message(line: str) -> None:
        lines.append(line)
        click.echo(line, err=True)

    try:
        prescriptions = load_prescriptions(rx_path)
        if plot_dir is not None:
            from sensorkit.plot import require_matplotlib
            require_matplotlib()  # fail before the analysis, not after
        warm_up_kernels()
        outcome = build_report(prescriptions, paths, exclude=[d for d in (plot_dir,) if d],
                               skip_files=[f for f in (out_csv, summary_csv, log_path) if f], on_message=on_message,
                               workers=workers, scheduler=scheduler)
        write_csv(out_csv, outcome.daily, DAILY_COLUMNS)
        if summary_csv is not None:
            write_csv(summary_csv, outcome.summary, SUMMARY_COLUMNS)
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        if plot_dir is not None:
            from sensorkit.plot import plot_patient_progress
            for patient, rx in sorted(prescriptions.items()):
                rows = [r for r in outcome.daily if r["patient"] == patient]
                plot_patient_progress(rows, plot_dir / f"{patient}.png", rom_targets={p.name: p.rom_deg for p in rx.exercises})
    except SensorkitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    n_sessions = sum(len(s) for s in outcome.sessions.values())
    click.echo(f"{len(prescriptions)} patient(s), {n_sessions} session(s) reported, {len(outcome.notes)} skipped, "
               f"{len(outcome.failures)} failed -> {out_csv}", err=True)
    sys.exit(1 if outcome.failures else 0)

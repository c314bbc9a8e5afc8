"""``sensorkit report --prescription RX.toml|DIR PATH... --out FILE.csv``: the adherence report."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from sensorkit.cli.parallel import parallel_options
from sensorkit.cli.params import Day, TextDefault
from sensorkit.cli.safety import batch_guard, require_inputs, say, scheduler_notice
from sensorkit.errors import escape_controls


#: what each output may replace: only an earlier output of its own kind (never a picture, a
#: recording, an analyze table or any other file)
_REPLACEABLE = {"--out": ["daily report of sensorkit report"], "--summary": ["summary of sensorkit report"],
                "--weekly": ["weekly table of sensorkit report"],
                "--log": ["log of sensorkit report"], "--plot-dir": ["PNG image"]}


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prescription", "rx_path", required=True, type=click.Path(path_type=Path),
              help="A prescription TOML file, or a folder of them (one patient and period per file).")
@click.option("--out", "out_csv", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Daily report CSV: one row per patient x local date x exercise x side.")
@click.option("--summary", "summary_csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Summary CSV: one row per patient x 30-day period x exercise x side (ROM of full reps).")
@click.option("--weekly", "weekly_csv", type=click.Path(dir_okay=False, path_type=Path),
              help="Weekly CSV: one row per patient x prescription week x exercise x side (days with exercise of "
                   "days due, reps completed of prescribed).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the failed and skipped recordings (one line each) to this file.")
@click.option("--plot-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one progress plot per patient, PATIENT.png (needs the plot extra).")
@click.option("--include-simulated", is_flag=True,
              help="Count simulated recordings (demo data; left out by default).")
@click.option("--as-of", "as_of", type=Day(), default=None, metavar="YYYY-MM-DD",
              cls=TextDefault, show_default="today, in each patient's time zone",
              help="The day the report is made. It is in progress (day_in_progress): it counts the reps done so "
                   "far, and the summary's mean leaves it out. Later days are not reported (neither done nor missed), nor are recordings dated after it "
                   "(a note names each: after today, a recorder's clock ahead?). A prescription without an end is "
                   "reported up to it.")
@parallel_options
def report(paths: tuple[Path, ...], rx_path: Path, out_csv: Path, summary_csv: Path | None, weekly_csv: Path | None,
           log_path: Path | None, plot_dir: Path | None, include_simulated: bool, as_of, workers: int | None,
           scheduler: str | None) -> None:
    """Report adherence per patient, local day, exercise and side, from recordings (files or folders).

    The tables do not depend on --workers or --scheduler. The outputs are written together when
    the report is done (none of them on an error or Ctrl-C; earlier ones are then kept).
    """
    require_inputs([rx_path], holding="prescriptions")  # (a file or a folder of them)
    require_inputs(paths)
    from sensorkit.io import find_recordings  # (the analysis stack: not for --help or a usage error)
    from sensorkit.io.outputs import LOG_HEADER, OutputSet, check_output_folder, check_outputs
    from sensorkit.report import DAILY_COLUMNS, SUMMARY_COLUMNS, WEEKLY_COLUMNS, build_report, csv_text, load_prescriptions

    lines: list[str] = []

    def on_message(line: str) -> None:
        line = escape_controls(line)  # (one line in the log too: a file name's control characters escaped)
        lines.append(line)
        say(line)

    with batch_guard("interrupted; no report written (earlier outputs are unchanged)"):
        rx_failed: list = []  # (a typo in one patient's prescription does not stop the others' report)
        prescriptions = load_prescriptions(rx_path, rx_failed)
        for where, reason in rx_failed:  # (a file not read, or a folder below that could not be searched)
            left_out = "their patients are" if where.is_dir() else "this prescription is not read, its patient is"
            on_message(f"error: {reason}; {left_out} left out of the report")
        outputs = [("--out", out_csv), ("--summary", summary_csv), ("--weekly", weekly_csv), ("--log", log_path)]
        outputs = [(option, path) for option, path in outputs if path is not None]
        skipped: list = []
        not_recordings: list = []  # (a clinic's patients.csv beside the recordings: a note, no failure)
        files = find_recordings(paths, exclude=[d for d in (plot_dir,) if d], skipped=skipped,
                                not_recordings=not_recordings)
        check_outputs(outputs, inputs=files, replaceable=_REPLACEABLE)
        plots = {}
        if plot_dir is not None:
            from sensorkit.plot import patient_file_name, require_matplotlib
            require_matplotlib()  # fail before the analysis, not after
            check_output_folder(plot_dir, "--plot-dir")
            plots = {patient: plot_dir / patient_file_name(patient) for patient in prescriptions}
            check_outputs([("--plot-dir", p) for p in plots.values()] + outputs, inputs=files, replaceable=_REPLACEABLE)
        for option, path in outputs:
            check_output_folder(path.parent, option=f"{option} {path}: folder")
        for path, kind in skipped:
            on_message(f"{path}: skipped: an earlier output ({kind}), not a recording")
        for path, why in not_recordings:
            on_message(f"{path}: skipped: {why}")
        if not files:  # (a mistyped folder would otherwise read as a patient who did nothing)
            on_message(f"warning: no recordings found in {' '.join(map(str, paths))}: every prescribed day "
                       f"reads as not done")
        scheduler_notice(scheduler)
        if scheduler:
            from sensorkit.distributed import quiet_dask_logs
            quiet_dask_logs()  # (a lost scheduler is one line: no Dask tracebacks)
        outcome = build_report(prescriptions, paths, on_message=on_message, workers=workers, scheduler=scheduler,
                               as_of=as_of if as_of is not None else "today",
                               include_simulated=include_simulated, files=files)
        pngs = {}
        if plot_dir is not None:
            from sensorkit.plot import patient_progress_png
            for patient, rx in sorted(prescriptions.items()):
                rows = [r for r in outcome.daily if r["patient"] == patient]
                if rows:
                    pngs[plots[patient]] = patient_progress_png(rows, rx.rom_target_spans())
        with OutputSet([path for _, path in outputs] + list(pngs)) as written:
            written.write(out_csv, csv_text(outcome.daily, DAILY_COLUMNS))
            if summary_csv is not None:
                written.write(summary_csv, csv_text(outcome.summary, SUMMARY_COLUMNS))
            if weekly_csv is not None:
                written.write(weekly_csv, csv_text(outcome.weekly, WEEKLY_COLUMNS))
            if log_path is not None:
                written.write(log_path, LOG_HEADER + "".join(f"{line}\n" for line in lines))
            for path, png in pngs.items():
                written.write_bytes(path, png)
    n_sessions = sum(len(s) for s in outcome.sessions.values())
    file_time = len(outcome.dated_by_file_time)
    dated = f" ({file_time} dated by file time: no started_at)" if file_time else ""
    without_data = f", {len(outcome.without_data)} without data" if outcome.without_data else ""
    # (every output written, not the daily report alone: a summary, log or plots asked for are named too)
    written_to = [str(path) for _, path in outputs] + ([f"{len(pngs)} plot(s) in {plot_dir}"] if plot_dir else [])
    n_after = sum(len(s) for s in outcome.dated_after.values())
    after = f" ({n_after} dated after the report's day: counted on no day)" if n_after else ""
    say(f"{len(prescriptions)} patient(s), {n_sessions} session(s) reported{dated}{without_data}, {len(outcome.notes)} skipped{after}, "
        f"{len(outcome.failures)} failed{f', {len(rx_failed)} prescription(s) not read' if rx_failed else ''}"
        f" -> {', '.join(written_to)}")
    sys.exit(1 if outcome.failures or rx_failed else 0)

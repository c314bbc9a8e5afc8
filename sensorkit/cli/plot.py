"""``sensorkit plot RECORDING --out FILE.png`` and ``sensorkit plot --patient-report REPORT.csv --out DIR``."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from sensorkit.errors import RecordingError, SensorkitError


def _report_rows(path: Path) -> dict[str, list[dict]]:
    """The rows of a daily report CSV (``sensorkit report --out``), grouped by patient."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise SensorkitError(f"{path}: cannot read: {exc}") from None
    needed = {"patient", "date", "exercise", "side", "rom_mean_deg", "rom_max_deg", "adherence_pct"}
    if not rows or not needed <= set(rows[0]):
        raise SensorkitError(f"{path}: not a daily report (expected the columns of sensorkit report --out)")
    by_patient: dict[str, list[dict]] = {}
    for row in rows:
        by_patient.setdefault(row["patient"], []).append(row)
    return by_patient


@click.command("plot")
@click.argument("recording", required=False, type=click.Path(path_type=Path))
@click.option("--patient-report", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A daily report CSV: one progress plot per patient, OUT/PATIENT.png.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The PNG file (RECORDING), or the folder for the per-patient PNGs (--patient-report).")
def plot(recording: Path | None, patient_report: Path | None, out: Path) -> None:
    """Plot a recording's angle trace and reps, or per-patient progress from a report."""
    if (recording is None) == (patient_report is None):
        raise click.UsageError("give either RECORDING or --patient-report REPORT.csv")
    from sensorkit.plot import plot_patient_progress, plot_recording, require_matplotlib

    try:
        require_matplotlib()
        if recording is not None:
            written = [plot_recording(recording, out)]
        else:
            written = [plot_patient_progress(rows, out / f"{patient}.png")
                       for patient, rows in sorted(_report_rows(patient_report).items())]
    except RecordingError as exc:  # the recording itself is bad: a per-file failure
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except SensorkitError as exc:  # no matplotlib, unusable report, unwritable output
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for path in written:
        click.echo(str(path))

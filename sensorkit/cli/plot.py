"""``sensorkit plot RECORDING --out FILE.png`` and ``sensorkit plot --patient-report REPORT.csv --out DIR``."""
from __future__ import annotations

import csv
import os
import sys
from datetime import date
from pathlib import Path

import click

from sensorkit.cli.analyze import recording_options, said_for_recordings
from sensorkit.cli.safety import require_inputs, say
from sensorkit.errors import NoDataError, RecordingError, SensorkitError, escape_controls, failure_reason


def _report_rows(path: Path) -> dict[str, list[dict]]:
    """The rows of a daily report CSV (``sensorkit report --out``), grouped by patient."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SensorkitError(f"{path}: cannot read: {exc}") from None
    needed = {"patient", "date", "exercise", "side", "rom_mean_deg", "rom_max_deg", "adherence_pct"}
    if not rows or not needed <= set(rows[0]):
        raise SensorkitError(f"{path}: not a daily report (expected the columns of sensorkit report --out)")
    by_patient: dict[str, list[dict]] = {}
    for line, row in enumerate(rows, start=2):
        _check_row(path, line, row)
        by_patient.setdefault(row["patient"], []).append(row)
    return by_patient


def _check_row(path: Path, line: int, row: dict) -> None:
    """A daily report's row as the plot reads it: every field, an ISO date, numbers or empty cells."""
    if None in row or None in row.values():  # (csv.DictReader: fields beyond the header, or missing)
        given = len(row) - 1 + len(row[None]) if None in row else sum(v is not None for v in row.values())
        raise SensorkitError(f"{path}: line {line}: {given} fields, expected {len(row) - (None in row)} (the header's)")
    try:
        date.fromisoformat(str(row["date"]))
    except ValueError:
        raise SensorkitError(f"{path}: line {line}: column date: {row['date']!r} is not a date like 2026-10-01") from None
    for column in ("rom_mean_deg", "rom_full_mean_deg", "rom_max_deg", "adherence_pct"):
        cell = row.get(column)
        if cell in ("", None):
            continue
        try:
            float(cell)
        except ValueError:
            raise SensorkitError(f"{path}: line {line}: column {column}: {cell!r} is not a number") from None


def _target_spans(rx_path: Path, by_patient: dict[str, list[dict]]) -> dict[str, list]:
    """Each reported patient's target ROM spans (:meth:`~sensorkit.report.prescription.Prescription.rom_target_spans`)
    from the prescriptions at ``rx_path``; a patient without one: none drawn, said in a warning."""
    from sensorkit.report import load_prescriptions

    prescriptions = load_prescriptions(rx_path)
    for patient in sorted(set(by_patient) - set(prescriptions)):
        say(f"warning: {rx_path}: no prescription for patient {patient!r}: no target drawn on their plot")
    return {patient: rx.rom_target_spans() for patient, rx in prescriptions.items()}


@click.command("plot")
@click.argument("recording", required=False, type=click.Path(path_type=Path))
@click.option("--patient-report", type=click.Path(path_type=Path), metavar="REPORT.csv",
              help="A daily report CSV (report --out): one progress plot per patient, OUT/PATIENT.png.")
@click.option("--prescription", "rx_path", type=click.Path(path_type=Path), default=None, metavar="RX.toml|DIR",
              help="With --patient-report: the prescriptions (as for report): each exercise's target ROM drawn over"
                   " the days it was in force. Without it no target is drawn (the report CSV holds none).")
@click.option("--out", "out_text", required=True, type=click.Path(path_type=str),
              help="With RECORDING: the PNG file to write (a folder, or a new one written with a trailing /: "
                   "FOLDER/NAME.png). With --patient-report: the folder for the patients' PNGs.")
@recording_options
def plot(recording: Path | None, patient_report: Path | None, rx_path: Path | None, out_text: str,
         exercise: str | None, side: str | None) -> None:
    """Plot a recording's angle trace and reps, or per-patient progress from a report."""
    out = Path(out_text)
    # (a folder: one there, or one to make, written with a trailing separator: out/plots/)
    into_folder = out.is_dir() or out_text.endswith(("/", os.sep))
    if (recording is None) == (patient_report is None):
        raise click.UsageError("give either RECORDING or --patient-report REPORT.csv")
    said = said_for_recordings(exercise, side)
    if said and recording is None:
        raise click.UsageError("--exercise and --side say what RECORDING is: not for --patient-report")
    if rx_path is not None and patient_report is None:
        raise click.UsageError("--prescription draws a report's targets: only with --patient-report")
    require_inputs([recording if recording is not None else patient_report], folders=False)
    if rx_path is not None:
        require_inputs([rx_path], holding="prescriptions")
    from sensorkit.io.outputs import OutputSet, check_output_folder, check_outputs, folder_made_for
    from sensorkit.plot import patient_file_name, patient_progress_png, recording_png, require_matplotlib

    # (a folder made for the plot, or for the file's parent, is removed again when nothing is written)
    with folder_made_for(out if into_folder or recording is None else out.parent):
        try:
            require_matplotlib()
            if recording is not None:
                if into_folder:  # (the plot goes in it, named after the recording; a new one is made)
                    out = check_output_folder(out) / f"{recording.stem}.png"
                check_outputs([("--out", out)], inputs=[recording], replaceable=["PNG image"])
                if out.suffix.lower() != ".png":
                    raise SensorkitError(f"--out {out}: the plot is a PNG image: give a name ending in .png, or a folder"
                                         " (a new one: end it with /)")
                pngs = {out: recording_png(recording, on_warning=lambda warning: say(f"warning: {warning}"),
                                           meta_defaults=said)}
            else:
                by_patient = _report_rows(patient_report)
                check_output_folder(out)
                targets = {out / patient_file_name(patient): rows for patient, rows in sorted(by_patient.items())}
                check_outputs([("--out", t) for t in targets], inputs=[patient_report], replaceable=["PNG image"])
                spans = _target_spans(rx_path, by_patient) if rx_path is not None else {}
                pngs = {target: patient_progress_png(rows, spans.get(rows[0]["patient"]))
                        for target, rows in targets.items()}
            with OutputSet(pngs) as outputs:
                for target, png in pngs.items():
                    outputs.write_bytes(target, png)
        except NoDataError as exc:  # the record of a session without samples (as analyze words it)
            say(f"error: {failure_reason(recording, str(exc))}; nothing to plot")
            sys.exit(1)
        except RecordingError as exc:  # the recording itself is bad: a per-file failure (as analyze words it)
            say(f"error: {failure_reason(recording, str(exc)) if recording is not None else exc}")
            sys.exit(1)
        except SensorkitError as exc:  # no matplotlib, unusable report, unsafe or unwritable output
            say(f"error: {exc}")
            sys.exit(2)
        except KeyboardInterrupt:
            say("interrupted; nothing written")
            sys.exit(130)
    for path in pngs:
        click.echo(escape_controls(str(path)))

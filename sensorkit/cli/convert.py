"""``sensorkit convert INPUT... --out DIR``: vendor exports (or canonical files) to canonical ``NAME.csv`` + ``NAME.json``;
``--from-s``/``--to-s``: the part of each between two times."""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from sensorkit.cli.params import Number
from sensorkit.cli.safety import batch_guard, require_inputs, say
from sensorkit.errors import SensorkitError, escape_controls, failure_reason
from sensorkit.exercises import names as exercise_names


@click.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the converted recordings, NAME.csv + NAME.json (created).")
@click.option("--exercise", type=click.Choice(exercise_names()), default=None,
              help="The exercise done, written in every converted sidecar. A vendor export does not say it; a "
                   "recording that names no exercise is analysed as hip_external_rotation.")
@click.option("--side", type=click.Choice(["left", "right"]), default=None,
              help="The leg wearing the sensor, written in every converted sidecar.")
@click.option("--patient", default=None, metavar="PSEUDONYM",
              help="The patient's pseudonym, written in every converted sidecar.")
@click.option("--from-s", type=Number(min=0), default=None, metavar="SECONDS",
              help="Keep the samples from this time on (the recording's t, s), e.g. from where a sensor turned on "
                   "the leg was put back; the part is named NAME_fromAs (NAME_As-Bs with --to-s).")
@click.option("--to-s", type=Number(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Keep the samples before this time (the recording's t, s); the part is named NAME_toBs.")
def convert(inputs: tuple[Path, ...], out_dir: Path, exercise: str | None, side: str | None,
            patient: str | None, from_s: float | None, to_s: float | None) -> None:
    """Convert vendor exports (files, or folders searched recursively) to sensorkit recordings.

    Each becomes NAME.csv (the samples) and NAME.json (its sidecar: what was recorded) in --out.
    The sidecar's "sensor" names the vendor format, and its "started_at" comes from the file's
    own timestamps when it has them; without them it has none (said on stderr), and a report
    dates the session by its file's time, saying so. What was repaired on reading (a cut last
    line, repeated timestamps) is said on stderr as analyze says it. A file that fails is one
    line on stderr; the exit status is then 1. A Ctrl-C leaves each recording whole or absent.
    An --out that is (or lies in) a folder an input was read from is said in a note: a later
    analyze or report of that folder finds the converted recordings beside their originals.

    With --from-s and/or --to-s each becomes the part of it between those times (t, s, kept as
    they were: the part's reps are timed as the whole recording's; its sidecar is the recording's,
    started_at included); a recording with no sample there fails in one line.
    """
    require_inputs(inputs)
    if from_s is not None and to_s is not None and from_s >= to_s:
        raise click.UsageError(f"--from-s {from_s:g} must be before --to-s {to_s:g}")
    from sensorkit.io import find_recordings, read_recording, write_recording  # (pandas: not for --help)
    from sensorkit.io.files import resolved, sidecar_path
    from sensorkit.io.outputs import OutputError, check_output_folder, check_outputs

    given = {key: value for key, value in (("exercise", exercise), ("side", side), ("patient", patient)) if value}
    failed = 0
    written: dict[str, Path] = {}
    with batch_guard("interrupted; the files converted so far are complete, the one being written is not there"):
        skipped: list = []
        not_recordings: list = []
        files = find_recordings(inputs, exclude=[out_dir], skipped=skipped, not_recordings=not_recordings)
        check_output_folder(out_dir)
        for earlier, kind in skipped:
            say(f"note: {earlier}: skipped: an earlier output ({kind}), not a recording")
        holding = _input_folder_holding(out_dir, inputs) if files else None
        if holding is not None:
            folder, what = holding
            say(f"note: --out {out_dir} {'is' if resolved(out_dir) == resolved(folder) else 'lies in'} {what}:"
                f" a later analyze or report of {folder} finds each converted recording beside its original"
                " (a report counts a session once where its files give its start time; analyze lists both)")
        for other, why in not_recordings:
            say(f"note: {other}: skipped: {why}")
        for path in files:
            try:
                recording = read_recording(path)
                name = recording.name
                if from_s is not None or to_s is not None:
                    recording.samples, name = _part(path, recording.samples, name, from_s, to_s)
                target = out_dir / f"{name}.csv"
                if name in written:
                    raise SensorkitError(f"{path}: the recording name '{name}' is also that of"  # (written as the path is)
                                         f" {written[name]}; not overwritten")
                check_outputs([("--out", target), ("--out", sidecar_path(target))], inputs=files)
                for existing in (target, sidecar_path(target)):
                    if existing.exists():
                        raise OutputError(f"{existing}: already exists; a recording is never overwritten"
                                          " (choose another --out)")
                meta = dataclasses.replace(recording.meta, n_samples=None, **given)
                if exercise:  # (named now: written; one nothing named is not: see RecordingMeta.to_dict)
                    meta = dataclasses.replace(meta, exercise_assumed=False)
                dated_by_file = meta.started_at_from_file_time
                if dated_by_file:  # (a guess: not written as if known)
                    meta = dataclasses.replace(meta, started_at=None, started_at_from_file_time=False)
                    say(f"note: {path}: no start time in it: the converted sidecar has no started_at (the converted"
                        " file keeps the input's modification time, by which a report dates it, and says so)")
                for warning in recording.warnings:
                    say(f"warning: {warning}")
                times_ns = None
                if dated_by_file:  # (so that it is dated as the input was, not by the day of the conversion)
                    source = os.stat(path)
                    times_ns = (source.st_atime_ns, source.st_mtime_ns)
                # (the sidecar and then the CSV renamed into place: a Ctrl-C leaves the pair whole or absent)
                write_recording(target, recording.samples, meta, times_ns=times_ns)
                written[name] = path
                click.echo(escape_controls(f"{path} -> {target} ({len(recording.samples)} samples,"
                                           f" {recording.meta.sensor or 'sensorkit'})"))
            except (SensorkitError, OSError, ValueError) as exc:
                failed += 1
                say(failure_reason(path, str(exc)))
    if not files:
        click.echo("error: no recordings found", err=True)
        sys.exit(1)
    sys.exit(1 if failed else 0)


def _part(path: Path, samples, name: str, from_s: float | None, to_s: float | None) -> tuple:
    """(the samples of a recording from ``from_s`` to before ``to_s``, s of its ``t``; either None: from
    its start, to its end, and the part's name); a SensorkitError naming ``path`` when none lie there."""
    keep = (samples.t >= (from_s if from_s is not None else -float("inf"))) & (samples.t < (to_s if to_s is not None else float("inf")))
    if not keep.any():
        span = f"its samples span {samples.t[0]:.3f}-{samples.t[-1]:.3f} s" if len(samples) else "it has no samples"
        raise SensorkitError(f"{path}: no samples from {from_s or 0:g} s to {'its end' if to_s is None else f'{to_s:g} s'}"
                             f" ({span}); nothing written")
    part = samples[keep]
    if from_s is not None and to_s is not None:
        return part, f"{name}_{from_s:g}s-{to_s:g}s"
    return part, f"{name}_from{from_s:g}s" if from_s is not None else f"{name}_to{to_s:g}s"


def _input_folder_holding(out_dir: Path, inputs: tuple[Path, ...]) -> tuple[Path, str] | None:
    """(folder, how to name it) for the first folder an input was read from (an input folder, or
    an input file's) that holds ``out_dir`` or is it; None when there is none."""
    from sensorkit.io.files import resolved

    out = resolved(out_dir)
    for given in inputs:
        folder = given if given.is_dir() else given.parent
        if out.is_relative_to(resolved(folder)):
            return folder, f"the input folder {folder}" if folder is given else f"the folder {folder} of the input {given}"
    return None

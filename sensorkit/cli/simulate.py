"""``sensorkit simulate``: synthetic recordings with ground truth (NAME.csv, NAME.json, NAME.truth.json)."""
from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress

from sensorkit.cli.params import Number, TextDefault
from sensorkit.errors import escape_controls
from sensorkit.exercises import DEFAULT_EXERCISE, names as exercise_names


#: the lowest output rate (Hz): the analysis low-passes at 3 Hz (``lowpass_hz``), which needs over
#: 6.7 Hz; worn IMUs stream at 12.5 Hz or more
MIN_RATE_HZ = 10.0


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _summary(name: str, session, csv_path: Path) -> str:
    from sensorkit.sim.session import REP_KINDS

    kinds = [m.kind for m in session.reps]
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in REP_KINDS if k in kinds)
    n_fast = sum(m.tempo == "fast" for m in session.reps)
    rejected = [m.label for m in session.truth if not m.counted]
    return (f"{name}: {session.exercise} {session.meta['side']} {session.meta['sample_rate_hz']} Hz "
            f"{session.samples.duration_s:.1f} s, {len(kinds)} reps ({counts}; {n_fast} fast), "
            f"{len(rejected)} rejected{' (' + ', '.join(rejected) + ')' if rejected else ''} -> {csv_path}")


def _write_whole(session, out_dir: Path, name: str) -> Path:
    """Write ``NAME.csv``, ``NAME.json`` and ``NAME.truth.json`` into ``out_dir`` all or none (each
    once, renamed into place together, the CSV last: a Ctrl-C leaves no recording without its
    sidecar, nor half a file; see :meth:`sensorkit.sim.session.SimulatedSession.write`); returns the CSV's path."""
    from sensorkit.io.outputs import check_output_folder

    check_output_folder(out_dir)
    return session.write(out_dir, name)["csv"]


@click.command("simulate")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for NAME.csv, NAME.json and NAME.truth.json (created).")
@click.option("--exercise", type=click.Choice(exercise_names()), default=DEFAULT_EXERCISE, show_default=True,
              help="The exercise performed.")
@click.option("--sessions", default=1, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="How many sessions.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), metavar="SEED",
              help="Seed of the first session (each seed makes another); the next ones use seed+1, seed+2, ...")
@click.option("--sample-rate-hz", type=Number(MIN_RATE_HZ, 2000), default=None, metavar="HZ",
              cls=TextDefault, show_default="drawn per session from 25, 26, 50, 52, 100, 104, 200",
              help="The simulated sensor's sample rate (Hz).")
@click.option("--side", type=click.Choice(["left", "right"]), default=None, cls=TextDefault, show_default="drawn per session",
              help="The leg wearing the sensor.")
@click.option("--perfect", is_flag=True, help="A perfect sensor: no bias, noise, drift, jitter or lost samples.")
@click.option("--no-distractors", is_flag=True,
              help="Only reps: no fidgets, leg shakes, kicks, hip rotations or standing up.")
@click.option("--no-fast-reps", is_flag=True, help="Every rep at the controlled tempo (no rushed reps).")
@click.option("--no-axis-spread", is_flag=True,
              help="Every rep about exactly the exercise axis (by default each tilts a few degrees, as real reps do).")
@click.option("--continuous/--no-continuous", default=None, cls=TextDefault, show_default="drawn: continuous in 12 % of sessions",
              help="Continuous swings: no hold, no rest between reps.")
@click.option("--targets/--no-targets", default=None, cls=TextDefault, show_default="drawn: targets in 40 % of sessions",
              help="A target ROM and hold in the sidecar.")
@click.option("--sets", "n_sets", type=click.IntRange(min=1), default=None, metavar="N",
              cls=TextDefault, show_default="drawn per session, 1 to 3", help="Sets per session.")
@click.option("--set-kinds", default=None, metavar="KIND,...",
              help="The kind of each set, comma-separated (full, partial, knee_out, mixed); fixes the number of sets.")
@click.option("--kinds", default=None, metavar="KIND,...",
              cls=TextDefault, show_default="the exercise's: full, partial, knee_out for hip ER; full, partial for knee extension",
              help="The rep kinds allowed, comma-separated.")
@click.option("--max-duration-s", type=Number(min=10), default=None, metavar="SECONDS",
              help="Stop adding reps once a session would last longer than this (s).")
def simulate(out_dir: Path, exercise: str, sessions: int, seed: int, sample_rate_hz: float | None, side: str | None,
             perfect: bool, no_distractors: bool, no_fast_reps: bool, no_axis_spread: bool, continuous: bool | None,
             targets: bool | None, n_sets: int | None,
             set_kinds: str | None, kinds: str | None, max_duration_s: float | None) -> None:
    """Write simulated seated sessions (hip ER or knee extension) named sim_<seed> with their ground truth.

    The sidecars are marked as demo data: "simulated": true and a patient id starting with "demo-"."""
    rate = None if sample_rate_hz is None else (int(sample_rate_hz) if sample_rate_hz.is_integer() else sample_rate_hz)
    options = {
        "exercise": exercise, "fast_reps": not no_fast_reps, "axis_spread": not no_axis_spread, "targets": targets,
        "continuous": continuous,
        "side": side, "sample_rate_hz": rate, "imperfections": not perfect, "distractors": not no_distractors,
        "n_sets": n_sets, "kinds": None if kinds is None else _names(kinds), "set_kinds": None if set_kinds is None else _names(set_kinds),
        "max_duration_s": max_duration_s,
    }
    for current in range(seed, seed + sessions):  # (all checked before anything is written)
        for path in (out_dir / f"sim_{current}{suffix}" for suffix in (".csv", ".json", ".truth.json")):
            if path.exists() or path.is_symlink():
                raise click.UsageError(f"{path} already exists: simulate never overwrites a file (give another --out "
                                       "or --seed)")
    from sensorkit.sim import simulate_session  # (here: the simulator loads scipy; --help starts without it)

    with Progress(console=Console(stderr=True), transient=True, disable=sessions < 3) as progress:
        task = progress.add_task("simulating", total=sessions)
        for current in range(seed, seed + sessions):
            name = f"sim_{current}"
            session = simulate_session(current, **options)
            csv_path = _write_whole(session, out_dir, name)
            click.echo(escape_controls(_summary(name, session, csv_path)))
            progress.advance(task)

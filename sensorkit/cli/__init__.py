"""The ``sensorkit`` command line. Each subcommand lives in its own module in this package."""
from __future__ import annotations

import importlib
import importlib.util

import click

from sensorkit import __version__
from sensorkit.cli.notice import notice_if_slow
from sensorkit.errors import SensorkitError, escape_controls

#: subcommand name -> module in sensorkit.cli defining a click command called ``command``.
_COMMANDS = {
    "analyze": "analyze",
    "simulate": "simulate",
    "decode": "decode",
    "scan": "ble_commands",
    "record": "ble_commands",
    "live": "ble_commands",
    "report": "report",
    "plot": "plot",
    "convert": "convert",
    "dashboard": "dashboard",
}


#: each subcommand's one-line help, so ``sensorkit --help`` lists them without importing them (the
#: analysing ones import numpy, scipy, pandas and vqf: about a second); tests keep it equal to the
#: commands' own short help
_SHORT_HELP = {
    "analyze": "Count, classify and measure the reps in recordings (files, or folders searched recursively).",
    "convert": "Convert vendor exports (files, or folders searched recursively) to sensorkit recordings.",
    "dashboard": "Serve the clinician dashboard: patients, adherence, ROM progress, recordings, report downloads.",
    "decode": "Decode FILE (one notification payload per line, hex) with PROTOCOL and print CSV samples.",
    "live": "Record and show reps live: angle, target band, hold timer, rep counts.",
    "plot": "Plot a recording's angle trace and reps, or per-patient progress from a report.",
    "record": "Record a session from the sensor to --out (NAME.csv + NAME.json, saved every second).",
    "report": "Report adherence per patient, local day, exercise and side, from recordings (files or folders).",
    "scan": "List the sensors in range that sensorkit can read (from their Bluetooth advertisements).",
    "simulate": "Write simulated seated sessions (hip ER or knee extension) named sim_<seed> with their ground truth.",
}


def _available() -> list[str]:
    return sorted(n for n, m in _COMMANDS.items() if importlib.util.find_spec(f"sensorkit.cli.{m}"))


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return _available()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _SHORT_HELP[name]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _available():
            return None
        with notice_if_slow(10.0):  # a cold disk cache after an install
            module = importlib.import_module(f"sensorkit.cli.{_COMMANDS[name]}")
        return getattr(module, name.replace("-", "_"))


@click.group(cls=_LazyGroup)
# (the version of the sensorkit that runs, not an installed distribution's metadata: another checkout
# installed, or this one installed before its version changed, said another)
@click.version_option(version=__version__, package_name="sensorkit")
def cli() -> None:
    """sensorkit: rep-by-rep analysis of seated hip external rotation and knee extension from an ankle IMU."""


#: the exit status of a command stopped by Ctrl-C (128 + SIGINT), and by SIGTERM (128 + SIGTERM)
_INTERRUPTED = 130
_TERMINATED = 143


def _exit_now(code: int) -> None:
    """End the process with ``code`` at once, its output flushed: no interpreter shutdown, which
    takes a while after a big analysis (freeing its modules) and in which a Ctrl-C kills the process
    by the signal instead of its exit status."""
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _ignore_interrupts() -> None:
    """The last step of a finished command's exit (an ``atexit`` callback registered before any
    other): a Ctrl-C in the interpreter's own shutdown, after its Python handlers are gone, would
    kill the process by the signal instead of its exit status; it is ignored."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def main() -> None:
    import atexit
    import signal

    if hasattr(signal, "SIGXFSZ"):  # a file-size limit reached: a one-line write error, not a kill
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    atexit.register(_ignore_interrupts)  # (first registered: run last)
    from sensorkit.cli import safety

    safety.process_ends_with_command = True
    try:
        _main()
    except SystemExit as exc:
        if exc.code in (_INTERRUPTED, _TERMINATED):  # (stopped by Ctrl-C or SIGTERM: everything is put
            _exit_now(exc.code)  # away; a second one now must not find the interpreter shutting down)
        # (done, its outputs written and its summary said: a Ctrl-C while the process ends, its
        # threads joined, ends it at once with the status it has, not a traceback)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        signal.signal(signal.SIGINT, lambda signum, frame: _exit_now(code))
        raise


def _main() -> None:
    try:
        code = cli.main(standalone_mode=False)  # (--help and --version return 0)
    except click.UsageError as exc:  # one line, as every user error (click's own is four)
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        click.echo(escape_controls(f"error: {exc.format_message()}{where}"), err=True)
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        click.echo(escape_controls(f"Error: {exc.format_message()}"), err=True)  # (as exc.show(), one line)
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:  # Ctrl-C before a command took charge of it (while it loads)
        import sys

        outputs = sys.modules.get("sensorkit.io.outputs")
        if outputs is None or not outputs.said_interrupted():  # (a command's note says it already)
            click.echo("interrupted", err=True)
        raise SystemExit(_INTERRUPTED) from None
    except SensorkitError as exc:  # user errors: one line, no traceback
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(getattr(exc, "exit_status", 2)) from None
    raise SystemExit(code if isinstance(code, int) else 0)

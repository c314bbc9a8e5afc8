"""What every batch command does the same way: one-line errors, Ctrl-C as an interrupt, literal paths.

Light to import (no rich, numpy or pandas): every command loads it, also to print its help."""
from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from sensorkit.errors import SensorkitError, escape_controls

if TYPE_CHECKING:  # (rich loads when a console is made: not for --help)
    from rich.console import Console

#: the exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells use (that of
#: :func:`sensorkit.io.outputs.stop_at_once` too; not imported from there: this module stays light)
EXIT_INTERRUPTED = 130
#: the exit status of a run stopped by SIGTERM (128 + SIGTERM: ``timeout``, systemd, cron)
EXIT_TERMINATED = 143
#: the exit status of a usage error, an unusable output or an unreachable scheduler
EXIT_USAGE = 2
#: set by :func:`sensorkit.cli.main`: this process ends with its command, so a Ctrl-C handler that
#: ends it at once may stay after a Ctrl-C (in a process that goes on, a test's, it is put back)
process_ends_with_command = False


def stderr_console() -> Console:
    """A rich console on stderr that prints text as given: no markup, emoji codes or highlighting
    (a file named ``[red]x.csv`` or ``:x:.csv`` is printed as named)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, emoji=False)


def say(line: str) -> None:
    """One line on stderr, literally (control characters, in a file name, escaped: still one line)."""
    click.echo(escape_controls(line), err=True)


@contextmanager
def batch_guard(interrupted_note: str = "interrupted; no results written (earlier results are unchanged)") -> Iterator[None]:
    """Turn Ctrl-C into ``interrupted_note`` and exit 130, SIGTERM into the same note as
    ``terminated (SIGTERM); ...`` and exit 143, and a sensorkit error (an unusable output, an
    unreachable scheduler) into ``error: ...`` and exit 2: one line, no traceback. An error that
    fails the run as a whole after it started (a Dask cluster lost: its ``exit_status``, 3) is said
    with what ``interrupted_note`` says after its ``;`` (nothing written). A second Ctrl-C or SIGTERM
    while the first is handled ends the process at once, with the first's status and note
    (:func:`~sensorkit.io.outputs.stop_at_once`): no traceback, no temporary file left."""
    from sensorkit.io.outputs import interrupts_noted, say_interrupted, stop_at_once, terminated, terminated_note

    try:
        with interrupts_noted(interrupted_note):
            yield
    except KeyboardInterrupt:
        note, status = ((terminated_note(interrupted_note), EXIT_TERMINATED) if terminated()
                        else (interrupted_note, EXIT_INTERRUPTED))
        previous = {}
        if threading.current_thread() is threading.main_thread():  # (a Ctrl-C while saying so: the end)
            previous = {signum: signal.signal(signum, lambda signum, frame: stop_at_once(note, status))
                        for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            say_interrupted(note)
            sys.exit(status)
        finally:  # (kept while the process ends: a Ctrl-C then must not raise in click's unwinding)
            for signum, handler in previous.items():
                if handler is not None and not process_ends_with_command:
                    signal.signal(signum, handler)
    except SensorkitError as exc:
        status = getattr(exc, "exit_status", EXIT_USAGE)
        unwritten = interrupted_note.partition("; ")[2] if status != EXIT_USAGE else ""
        say(f"error: {exc}" + (f"; {unwritten}" if unwritten else ""))
        sys.exit(status)


def scheduler_notice(scheduler: str | None) -> None:
    """Say where the work goes when the scheduler came from DASK_SCHEDULER_ADDRESS (not typed)."""
    if not scheduler:
        return
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source("scheduler") if ctx is not None else None
    if source is click.core.ParameterSource.ENVIRONMENT:
        say(f"note: running on the Dask scheduler at {scheduler} (from DASK_SCHEDULER_ADDRESS;"
            " unset it to run on this machine)")


def require_inputs(paths, folders: bool = True, streams: bool = False, holding: str = "recordings") -> None:
    """Each input PATH given on the command line exists and can be read (a folder: searched), else a
    usage error (exit 2) naming it in one line, as the reader would (``nope.csv: cannot read: no such
    file``), before anything is read or written. Checked as the reader checks a file: a missing
    file, a dangling link, no permission, no regular file. A recording that is there but bad is the
    reader's (a per-file failure, exit 1), and so is one in a folder that cannot be read. Every
    command says a missing input so, whatever it reads (a recording, a prescription, a report, a
    capture). ``folders=False``: a folder is refused too (a command that takes one file).
    ``streams=True``: ``-`` (stdin), a pipe or a device (``/dev/fd/3``, ``/dev/stdin``) is taken
    too, as by a command that reads its input line by line (``decode``). ``holding``: what a folder
    given holds, as a folder that cannot be searched is said (``"recordings"``, ``"prescriptions"``)."""
    import os
    import stat
    from pathlib import Path

    from sensorkit.io.files import file_size, unsearchable_folder

    for given in paths:
        if streams and str(given) == "-":
            continue
        path = Path(given)
        if path.is_dir() and folders:
            if os.access(path, os.R_OK | os.X_OK):
                continue
            raise click.UsageError(unsearchable_folder(path, holding))
        try:
            if streams and not path.is_dir() and path.exists() and not stat.S_ISREG(os.stat(path).st_mode):
                pass  # (a pipe or device: read as it comes)
            else:
                file_size(path)  # (missing, a dangling link, a folder that cannot be searched, no regular file)
            if not os.access(path, os.R_OK):
                raise PermissionError(path)
        except PermissionError:
            raise click.UsageError(f"{path}: cannot read: permission denied") from None
        except SensorkitError as exc:
            raise click.UsageError(str(exc)) from None


def usage_error_from(check: Callable[[], object]) -> object:
    """``check()``, with a :class:`SensorkitError` turned into a click usage error (exit 2)."""
    try:
        return check()
    except SensorkitError as exc:
        raise click.UsageError(str(exc)) from None

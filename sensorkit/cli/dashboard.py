"""``sensorkit dashboard --prescription RX.toml|DIR RECORDINGS...``: the clinician dashboard, served locally."""
from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from sensorkit.cli.params import Day, TextDefault
from sensorkit.errors import SensorkitError


#: how often the first analysis says how far it got (s)
PROGRESS_EVERY_S = 5.0


class Progress:
    """The first analysis's progress, said at once ("analysing 800 recordings found ...") and then
    every :data:`PROGRESS_EVERY_S` (``say(line)``; ``clock``: seconds): the dashboard's address
    comes only when it is done, many minutes on thousands of files."""

    def __init__(self, found: int, say: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self.found, self._say, self._clock = found, say, clock
        self._start_s = self._said_s = clock()
        say(f"analysing {found} recording(s) found; the address follows when they are done")

    def __call__(self, analysed: int) -> None:
        now_s = self._clock()
        if now_s - self._said_s >= PROGRESS_EVERY_S:
            self._said_s = now_s
            self._say(f"analysed {analysed} of {self.found} ({now_s - self._start_s:.0f} s)")


@click.command("dashboard")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prescription", "rx_path", required=True, type=click.Path(path_type=Path),
              help="A prescription TOML file, or a folder of them (one patient and period per file), as for report.")
@click.option("--as-of", type=Day(), default=None, metavar="YYYY-MM-DD", cls=TextDefault, show_default="today, in each patient's time zone",
              help="The day the report is made, as for report --as-of: it is in progress, its reps done so far shown "
                   "apart (today so far); the last 7 and 30 days end the day before it; recordings dated after it are "
                   "counted on no day (flagged).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="Address to serve on; any but loopback warns and requires the printed token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8766, show_default=True, metavar="PORT",
              help="Port to serve on (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Only print the dashboard's address.")
@click.option("--include-simulated", is_flag=True,
              help="Count simulated recordings (demo data; left out by default), as report does.")
def dashboard(paths: tuple[Path, ...], rx_path: Path, as_of, host: str, port: int, no_browser: bool,
              include_simulated: bool) -> None:
    """Serve the clinician dashboard: patients, adherence, ROM progress, recordings, report downloads.

    Reads what report reads; each recording is analysed once and reused while unchanged.
    Runs until Ctrl-C.
    """
    from sensorkit.cli.safety import require_inputs
    from sensorkit.web import require_web

    require_inputs([rx_path], holding="prescriptions")  # (said as every command says it: before the web
    require_inputs(paths)  # extra is needed)
    require_web()
    from sensorkit.io import find_recordings
    from sensorkit.report import load_prescriptions
    from sensorkit.web.dashboard_app import dashboard_app
    from sensorkit.web.dashboard_data import DashboardData
    from sensorkit.web.serve import WebServer, open_browser

    try:
        rx_failed: list = []  # (a typo in one patient's prescription does not hide the others)
        prescriptions = load_prescriptions(rx_path, rx_failed)
        for where, reason in rx_failed:  # (a file not read, or a folder below that could not be searched)
            left_out = "their patients are" if where.is_dir() else "this prescription is not read, its patient is"
            click.echo(f"error: {reason}; {left_out} not shown", err=True)
        data = DashboardData(prescriptions, paths, as_of=as_of,
                             include_simulated=include_simulated, prescriptions_failed=rx_failed,
                             prescription_path=rx_path)
        progress = Progress(len(find_recordings(paths)), lambda line: click.echo(line, err=True))
        data.refresh(on_analysed=progress)
        click.echo(data.status_line(), err=True)
        server = WebServer(dashboard_app(data), host, port)
    except SensorkitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if server.warning:
        click.echo(server.warning, err=True)
    click.echo(f"dashboard: {server.url}  (Ctrl-C to stop)", err=True)
    if not no_browser and not open_browser(server.url):
        click.echo("no browser could be opened: open the address above", err=True)
    async def serve() -> None:  # Ctrl-C and SIGTERM stop it alike
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.stop)
        await server.serve()

    asyncio.run(serve())
    click.echo("stopped", err=True)

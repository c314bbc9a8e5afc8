"""The ``sensorkit`` command line. Each subcommand lives in its own module in this package."""
from __future__ import annotations

import importlib
import importlib.util

import click

from sensorkit.cli.notice import notice_if_slow
from sensorkit.errors import SensorkitError

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
}


def _available() -> list[str]:
    return sorted(n for n, m in _COMMANDS.items() if importlib.util.find_spec(f"sensorkit.cli.{m}"))


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return _available()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _available():
            return None
        with notice_if_slow(3.0):  # Stage 1's kernels compile at import after an install
            module = importlib.import_module(f"sensorkit.cli.{_COMMANDS[name]}")
        return getattr(module, name.replace("-", "_"))


@click.group(cls=_LazyGroup)
@click.version_option(package_name="sensorkit")
def cli() -> None:
    """sensorkit: rep-by-rep analysis of seated hip external rotation from an ankle IMU."""


def main() -> None:
    try:
        cli(standalone_mode=True)
    except SensorkitError as exc:  # user errors: one line, no traceback
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2)

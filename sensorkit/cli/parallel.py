"""The ``--workers`` / ``--scheduler`` options shared by ``analyze`` and ``report``."""
from __future__ import annotations

import click

from sensorkit.cli.params import TextDefault


def parallel_options(func):
    """Add ``--workers N`` and ``--scheduler tcp://HOST:PORT`` (env ``DASK_SCHEDULER_ADDRESS``)."""
    func = click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", default=None, metavar="tcp://HOST:PORT",
                        help="Run on this Dask cluster (needs the dask extra; env DASK_SCHEDULER_ADDRESS). "
                             "Its workers must reach the same paths. A scheduler that does not answer within "
                             "10 s is an error (env SENSORKIT_SCHEDULER_TIMEOUT_S: another wait, seconds); one lost "
                             "mid-run fails the run (exit 3, nothing written).")(func)
    return click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                        cls=TextDefault, show_default="one at a time below 4 files, else one per CPU",
                        help="How many recordings to analyse at once, in processes on this computer "
                             "(1: one at a time). Not used with --scheduler.")(func)

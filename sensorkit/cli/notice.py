"""A line on stderr when a step is slow: importing the analysis modules (slowest on a cold disk cache)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

#: what a slow command import usually means: numpy, scipy, pandas and vqf read from a cold disk
COMPILING = "loading the analysis modules (slower on the first run after an install)..."
_said: set[str] = set()


def say_once(message: str) -> None:
    """Print ``message`` on stderr, once per process."""
    if message not in _said:
        _said.add(message)
        click.echo(message, err=True)


@contextmanager
def notice_if_slow(after_s: float, message: str = COMPILING) -> Iterator[None]:
    """Say ``message`` (once per process) if the ``with`` block is still running after ``after_s``."""
    timer = threading.Timer(after_s, say_once, (message,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()  # gone before a process pool forks (it forks only a single-threaded process)


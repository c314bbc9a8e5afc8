"""A line on stderr when a step is slow: the pipeline's kernels being compiled (first run only)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

#: what a slow import or warm-up usually means: numba compiling the kernels after an install
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


def warm_up_kernels() -> None:
    """Compile (or load) the pipeline's kernels now, saying so if it takes a while: before a live
    stream (no pause at its first rep) and before a batch (its worker processes then load them)."""
    try:
        from sensorkit.pipeline.warmup import warm_up
    except ImportError:  # a pipeline without compiled kernels: nothing to warm up
        return
    with notice_if_slow(1.0):
        warm_up()

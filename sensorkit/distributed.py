"""Where a batch's tasks run when not in this process: a local process pool or an existing Dask cluster.

Each runner takes a picklable module-level function and its argument tuples and yields
``(value, None)`` or ``(None, exception)`` per task, in task order. The exception is the task
machinery's (a worker process that died, a lost Dask worker), never the function's own: batch
functions catch their errors and return them as values.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sensorkit.errors import ConfigError

#: with ``workers=None``, fewer files than this run serially (a pool costs time to start)
PARALLEL_FROM_FILES = 4
#: how long to wait for a Dask scheduler to answer, seconds
CONNECT_TIMEOUT_S = 10.0
#: the local pool's workers import this once, in the fork server, before forking
_PRELOAD = ["sensorkit.batch"]

TaskOutcome = tuple[object, BaseException | None]


def cpu_count() -> int:
    """CPUs this process may use (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def choose_workers(n_tasks: int, workers: int | None) -> int:
    """Processes for ``n_tasks``: ``workers`` if given (at least 1), else serial for a few, else one per CPU."""
    if workers is not None:
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1, not {workers}")
        return max(1, min(workers, n_tasks))
    if n_tasks < PARALLEL_FROM_FILES:
        return 1
    return max(1, min(cpu_count(), n_tasks))


def _pool_context() -> multiprocessing.context.BaseContext:
    """How pool workers start: fork while this process has one thread (instant, modules already
    imported; forking a threaded process can deadlock), else a fork server preloaded with sensorkit
    (about 1 s once per process: importing scipy.signal), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def run_in_processes(fn: Callable, tasks: Sequence[tuple], workers: int) -> Iterator[TaskOutcome]:
    """Run ``fn(*task)`` for every task in a pool of ``workers`` local processes.

    A worker process that dies (a crash in native code, the OOM killer) breaks the whole pool; every
    task not finished by then is rerun alone in a process of its own, so only the culprit fails.
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
    futures = [pool.submit(fn, *task) for task in tasks]
    return _pool_outcomes(fn, tasks, futures, pool)


def _pool_outcomes(fn: Callable, tasks: Sequence[tuple], futures: list[Future],
                   pool: ProcessPoolExecutor) -> Iterator[TaskOutcome]:
    try:
        for index, future in enumerate(futures):
            try:
                yield future.result(), None
            except BrokenProcessPool:
                yield _run_alone(fn, tasks[index])
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                yield None, exc
            futures[index] = None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_alone(fn: Callable, task: tuple) -> TaskOutcome:
    with ProcessPoolExecutor(max_workers=1, mp_context=_pool_context()) as alone:
        try:
            return alone.submit(fn, *task).result(), None
        except Exception as exc:  # noqa: BLE001 - this task's own process died: its outcome
            return None, exc


def run_on_dask(fn: Callable, tasks: Sequence[tuple], address: str) -> Iterator[TaskOutcome]:
    """Run ``fn(*task)`` for every task on the Dask cluster whose scheduler is at ``address``.

    Connects at once, so a missing ``dask`` extra or an unreachable scheduler is a
    :class:`ConfigError` here, before any task runs. The workers must be able to import sensorkit
    and read the paths the tasks name.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError(
            "--scheduler needs Dask's distributed scheduler, which is not installed: pip install 'sensorkit[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    futures = [client.submit(fn, *task, pure=False) for task in tasks]
    return _dask_outcomes(futures, client)


def _dask_outcomes(futures: list, client) -> Iterator[TaskOutcome]:
    try:
        for index, future in enumerate(futures):
            try:
                yield future.result(), None
            except Exception as exc:  # noqa: BLE001 - a lost worker (KilledWorker), an import error there
                yield None, exc
            future.release()  # let the cluster forget the result
            futures[index] = None
    finally:
        client.close()

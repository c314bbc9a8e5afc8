"""Where a batch's tasks run when not in this process: a local process pool or an existing Dask cluster.

Each runner takes a picklable module-level function and its argument tuples and yields
``(value, None)`` or ``(None, exception)`` per task, in task order. The exception is the task
machinery's (a worker process that died, a Dask worker lost more often than Dask retries), never the
function's own: batch functions catch their errors and return them as values. A Dask cluster lost
mid-run (its scheduler's connection) is no task's outcome: :class:`ClusterLostError` is raised.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sensorkit.errors import ConfigError, SensorkitError

#: with ``workers=None``, fewer files than this run serially (a pool costs time to start)
PARALLEL_FROM_FILES = 4
#: how long to wait for a Dask scheduler to answer, seconds (unless ``SCHEDULER_TIMEOUT_ENV`` says otherwise)
CONNECT_TIMEOUT_S = 10.0
#: the environment variable that sets that wait, in seconds (a number above 0)
SCHEDULER_TIMEOUT_ENV = "SENSORKIT_SCHEDULER_TIMEOUT_S"
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
    pool = None
    try:
        with interrupts_held():
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_start_worker)
            futures = [pool.submit(fn, *task) for task in tasks]
    except BaseException:  # (Ctrl-C, delivered as the workers have started)
        if pool is not None:
            _stop_now(pool)
        raise
    return _pool_outcomes(fn, tasks, futures, pool)


#: held back while pool workers start (:func:`interrupts_held`)
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM back while worker processes start, and deliver them after.

    Forking runs the ``logging`` module's after-fork hook in this process; a KeyboardInterrupt
    raised there is printed as "Exception ignored" and lost, and the batch ran to its end. Held
    back, it is raised when this block ends (``signal.pthread_sigmask`` checks for signals on
    unblocking). Only in the main thread, where Python handles signals; elsewhere a no-op.
    (The workers inherit the mask: :func:`_start_worker` lets SIGTERM through again.)
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker() -> None:
    """In a pool worker: Ctrl-C is the parent's to handle (it stops the pool); a worker that got it
    too would turn it into an error in whatever file it was reading. SIGTERM ends a worker (the
    parent stops its pool so; a forked worker would otherwise run the parent's handler and go on), and
    is let through (held back while the worker started: :func:`interrupts_held`). And a worker
    outlives no parent: one killed outright (SIGKILL, the OOM killer) never tells its workers to stop,
    and a worker waiting for its next task would wait for ever (it holds its task pipe's other end itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), name="sensorkit-orphan-watch", daemon=True).start()


#: how often a pool worker checks that the process that started it is still there, seconds
ORPHAN_CHECK_S = 1.0


def _exit_when_orphaned(parent: int) -> None:
    """Exit this worker at once when its parent process is gone (re-parented: ``os.getppid`` changed)."""
    while True:
        time.sleep(ORPHAN_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)


#: how long Ctrl-C waits for the pool's killed workers and its manager thread, seconds
STOP_WAIT_S = 3.0


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """End the pool at once (on Ctrl-C): running tasks are abandoned, not waited for.

    The workers are killed, then the pool's manager thread is given a moment to notice and close
    its wake-up pipe. Leaving it running races the interpreter's exit hook, which writes to that
    pipe while the thread closes it (``OSError: Bad file descriptor`` printed after the exit note,
    Python 3.11).
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.join(STOP_WAIT_S)
        except (OSError, AttributeError, AssertionError):
            pass
    if manager is not None and manager.is_alive() and manager is not threading.current_thread():
        manager.join(STOP_WAIT_S)


def _pool_outcomes(fn: Callable, tasks: Sequence[tuple], futures: list[Future],
                   pool: ProcessPoolExecutor) -> Iterator[TaskOutcome]:
    finished = False
    try:
        for index, future in enumerate(futures):
            try:
                yield future.result(), None
            except BrokenProcessPool:
                yield _run_alone(fn, tasks[index])
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                yield None, exc
            futures[index] = None
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True, cancel_futures=True)
        else:  # Ctrl-C, or the caller stopped early: do not wait for running tasks
            _stop_now(pool)


def _run_alone(fn: Callable, task: tuple) -> TaskOutcome:
    alone = ProcessPoolExecutor(max_workers=1, mp_context=_pool_context(), initializer=_start_worker)
    try:
        with interrupts_held():  # (the worker starts here)
            future = alone.submit(fn, *task)
        return future.result(), None
    except Exception as exc:  # noqa: BLE001 - this task's own process died: its outcome
        return None, exc
    except BaseException:
        _stop_now(alone)
        raise
    finally:
        alone.shutdown(wait=True)


def require_distributed() -> None:
    """A :class:`ConfigError` when Dask's distributed scheduler (the ``dask`` extra) is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "--scheduler needs Dask's distributed scheduler, which is not installed: pip install 'sensorkit[dask]'"
        ) from None


def run_on_dask(fn: Callable, tasks: Sequence[tuple], address: str) -> Iterator[TaskOutcome]:
    """Run ``fn(*task)`` for every task on the Dask cluster whose scheduler is at ``address``.

    Connects at once, so a missing ``dask`` extra or an unreachable scheduler is a
    :class:`ConfigError` here, before any task runs. The workers must be able to import sensorkit
    and read the paths the tasks name.
    """
    require_distributed()
    from distributed import Client

    timeout_s = connect_timeout_s()
    check_scheduler(address, timeout_s)
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever the connection raises is one line
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}") from None
    futures = [client.submit(fn, *task, pure=False) for task in tasks]
    return _dask_outcomes(futures, client, address)


def connect_timeout_s() -> float:
    """How long to wait for a Dask scheduler to answer, seconds: ``SENSORKIT_SCHEDULER_TIMEOUT_S``
    when set, else :data:`CONNECT_TIMEOUT_S`. A value that is not a number of seconds above 0 is a
    :class:`ConfigError` naming the variable."""
    raw = os.environ.get(SCHEDULER_TIMEOUT_ENV, "").strip()
    if not raw:
        return CONNECT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{SCHEDULER_TIMEOUT_ENV}={raw!r}: expected a number of seconds above 0")
    return value


def check_scheduler(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Raise :class:`ConfigError` within ``timeout_s`` unless a Dask scheduler answers at ``address``.

    Asks for its identity over Dask's own protocol: a port where nothing listens, a silent one,
    or another service (HTTP, a Dask worker) is refused in one line instead of hanging or
    failing deep inside the client (a web server's reply read as a frame length of exabytes).
    """
    from distributed.comm import connect

    _refuse_if_nothing_listens(address, timeout_s)

    async def identity() -> object:
        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identity(), timeout_s))
    except (TimeoutError, asyncio.TimeoutError):
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: no answer within {timeout_s:g} s") from None
    except Exception as exc:  # noqa: BLE001 - bad address, refused, another protocol
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {_one_line(exc)}"
                          " (is it a Dask scheduler's address?)") from None
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        raise ConfigError(f"{address} is not a Dask scheduler (it answered as {kind or 'something else'!s})")


def _refuse_if_nothing_listens(address: str, timeout_s: float) -> None:
    """A ``tcp://HOST:PORT`` where nothing listens is refused at once (Dask would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        return  # Dask names the problem
    if not host or port is None:
        return
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except ConnectionRefusedError:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: nothing listens there (connection refused)") from None
    except OSError:
        return  # unreachable host, timeout: Dask's connect reports it within the timeout


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, MemoryError):
        return "the reply is not Dask's protocol"
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


#: the exit status of a run that failed as a whole, its cluster lost (:class:`ClusterLostError`)
EXIT_RUN_FAILED = 3
#: how Dask names the cancellation of every task of a client whose scheduler connection broke
CONNECTION_LOST = "scheduler-connection-lost"
#: the reason of :class:`ClusterLostError` when the scheduler failed the tasks for want of workers
NO_WORKERS = "no-workers"
#: what a scheduler with a ``no-workers-timeout`` fails tasks with when it has had no (fit) worker that long
_NO_WORKER_ERRORS = ("NoWorkerError", "NoValidWorkerError")


class ClusterLostError(SensorkitError):
    """The Dask cluster was lost mid-run (the scheduler killed, its connection broken, the cluster
    restarted): the results held there are gone, so the run failed as a whole, not its files.
    ``done``: the tasks whose outcome had come back, of ``total``. The command line exits with
    :data:`EXIT_RUN_FAILED` and writes nothing."""

    exit_status = EXIT_RUN_FAILED

    def __init__(self, address: str, reason: str, done: int, total: int) -> None:
        self.address, self.reason, self.done, self.total = address, reason, done, total
        if reason == CONNECTION_LOST:
            what = f"lost the connection to the Dask scheduler at {address}"
        elif reason == NO_WORKERS:
            what = f"the Dask cluster at {address} has had no worker for its no-workers-timeout"
        else:
            what = f"the Dask cluster at {address} cancelled the run's tasks ({reason})"
        super().__init__(f"{what} with {done} of {total} files done")


def _cluster_lost(exc: BaseException, client) -> str | None:
    """Why ``exc``, raised by a future's ``result()``, means the cluster is lost, not one task failed
    (Dask's cancellation reason), or None: a lost worker's tasks are retried by Dask and fail one by
    one (``KilledWorker``, a task that killed its worker each time), but a broken scheduler connection
    cancels every task of the client, and a cluster without workers fails every task."""
    from concurrent.futures import CancelledError

    if isinstance(exc, CancelledError):  # (distributed's FutureCancelledError: it names a reason)
        return str(getattr(exc, "reason", "") or "cancelled")
    if type(exc).__name__ in _NO_WORKER_ERRORS:
        return NO_WORKERS
    if getattr(client, "status", "running") not in ("running", "newly-created"):  # (mid-fetch: "connecting", "closed")
        return CONNECTION_LOST
    return None


def quiet_dask_logs() -> None:
    """Silence the ``distributed`` loggers of this process (the command line's: it says what went wrong
    in one line; Dask logs a lost scheduler connection with two tracebacks). Loggers created later
    under ``distributed`` without a level of their own are silenced too. Without Dask: nothing."""
    import logging

    try:
        import distributed  # noqa: F401 - (its import sets its loggers' levels: first)
    except ImportError:
        return
    silent = logging.CRITICAL + 1
    logging.getLogger("distributed").setLevel(silent)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("distributed."):
            logging.getLogger(name).setLevel(silent)


def _dask_outcomes(futures: list, client, address: str = "") -> Iterator[TaskOutcome]:
    """Each future's outcome in order; a lost cluster raises :class:`ClusterLostError` (at the first
    task it hits: the results already taken stand, the rest are gone)."""
    finished = lost = False
    try:
        for index, future in enumerate(futures):
            try:
                value = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker (KilledWorker), an import error there
                reason = _cluster_lost(exc, client)
                if reason is not None:
                    lost = True
                    raise ClusterLostError(address, reason, index, len(futures)) from None
                yield None, exc
            else:
                yield value, None
            future.release()  # let the cluster forget the result
            futures[index] = None
        finished = True
    finally:
        if not finished and not lost:  # Ctrl-C: cancel what is left on the cluster, do not wait for it
            try:
                client.cancel([f for f in futures if f is not None], force=True)
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
        try:
            client.close() if finished else client.close(timeout=2)
        except Exception:  # noqa: BLE001
            pass

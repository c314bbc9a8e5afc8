"""Shared simulated sessions (built once per test run; simulate_session is deterministic per seed).

:func:`sessions` simulates the sessions of a list that are not cached yet in parallel, one process per
CPU (pytest itself runs on one core). A test module lists what it will need in ``PREFETCH``; from the
folder's first test on, the workers simulate those in test order while pytest runs the tests.
:func:`truth_sessions` are for tests that read only what is true about a session (truth, timeline,
``angle_at``, geometry, style, metadata), never its samples.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest

from sensorkit.sim import SimulatedSession, simulate_session

ALL_DISTRACTORS = ("fidget", "leg_shake", "knee_extension", "stand_up")
KE_DISTRACTORS = ("fidget", "leg_shake", "stand_up", "hip_rotation")

#: the kinematics grid of a truth-only session, as a multiple of its sample rate (the default is
#: max(1000 Hz, 10 x); the truth, timeline and metadata do not depend on it: test_truth checks it)
TRUTH_ONLY_FINE_RATE_FACTOR = 2

_CACHE: dict[tuple, SimulatedSession] = {}
_PENDING: dict[tuple, Future] = {}
_POOL: ProcessPoolExecutor | None = None


def session_key(seed: int, **options) -> tuple:
    """What identifies ``session(seed, **options)`` (for :func:`prefetch`)."""
    return int(seed), False, tuple(sorted(options.items()))


def truth_key(seed: int, **options) -> tuple:
    """What identifies the truth-only session of ``truth_sessions([seed], **options)``."""
    assert options.get("sample_rate_hz"), "a truth-only session needs a fixed sample_rate_hz"
    return int(seed), True, tuple(sorted(options.items()))


def session(seed: int, **options) -> SimulatedSession:
    """A cached session; options must be hashable (tuples, not lists)."""
    return sessions([seed], **options)[0]


def sessions(seeds: Iterable[int], **options) -> list[SimulatedSession]:
    """``session(seed, **options)`` for every seed; those not cached yet are simulated in parallel."""
    return _cached([session_key(seed, **options) for seed in seeds])


def truth_sessions(seeds: Iterable[int], **options) -> list[SimulatedSession]:
    """As :func:`sessions`, for tests that never read the samples: the sensor's signal is computed on
    a coarse grid and then removed (reading ``samples`` or ``angle_deg`` fails the test). Needs
    ``sample_rate_hz``."""
    return _cached([truth_key(seed, **options) for seed in seeds])


def prefetch(keys: Iterable[tuple]) -> None:
    """Start simulating these sessions (:func:`session_key`, :func:`truth_key`) in the background
    workers, in this order, so that they are ready (or under way) when a test asks for them."""
    if _cpus() < 2:
        return
    for key in keys:
        if key not in _CACHE and key not in _PENDING:
            _PENDING[key] = _pool().submit(_compute, key)


class _NotSimulated:
    """Stands for the samples of a truth-only session: any use fails, naming the helper to use."""

    def __getattr__(self, name: str):
        if name.startswith("__"):  # pickle's and copy's look-ups
            raise AttributeError(name)
        raise AssertionError("a truth_sessions() session has no samples: use sessions() for a test that reads them")

    def __len__(self) -> int:
        raise AssertionError("a truth_sessions() session has no samples: use sessions() for a test that reads them")


def call_key(fn: Callable, arg: Hashable) -> tuple:
    """What identifies ``fn(arg)`` computed like a session (:func:`prefetch`, :func:`results`); ``fn`` a
    module-level function, ``fn``, ``arg`` and the result picklable."""
    return "call", fn, arg


def results(keys: Sequence[tuple]) -> list:
    """The sessions or results of ``keys``, each computed once (in the workers when prefetched)."""
    return _cached(list(keys))


def _compute(key: tuple) -> object:
    if key[0] == "call":
        return key[1](key[2])
    return _simulate(key)


def _simulate(key: tuple) -> SimulatedSession:
    seed, truth_only, items = key
    options = dict(items)
    if not truth_only:
        return simulate_session(seed, **options)
    full = simulate_session(seed, fine_rate_hz=TRUTH_ONLY_FINE_RATE_FACTOR * options["sample_rate_hz"], **options)
    return dataclasses.replace(full, samples=_NotSimulated(), angle_deg=_NotSimulated())


def _cached(keys: list[tuple]) -> list[SimulatedSession]:
    wanted = list(dict.fromkeys(keys))
    missing = [key for key in wanted if key not in _CACHE and key not in _PENDING]
    if len(missing) > 1:
        prefetch(missing)
    for key in wanted:
        if key in _PENDING:
            _CACHE[key] = _PENDING.pop(key).result()
        elif key not in _CACHE:
            _CACHE[key] = _compute(key)
    return [_CACHE[key] for key in keys]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _pool() -> ProcessPoolExecutor:
    """Spawned workers, kept for the test run: a fork of the pytest process could inherit other tests'
    threads, and the fork server's preload list is the product's to set."""
    global _POOL
    if _POOL is None:
        workers = max(1, _cpus() // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))  # (pytest -n: a share)
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    return _POOL


def shutdown_pool() -> None:
    """Stop the background workers (started again when needed)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None
    _PENDING.clear()


_PREFETCHED = False


@pytest.fixture(scope="module", autouse=True)
def _prefetch_the_folder(request: pytest.FixtureRequest) -> None:
    """At this folder's first test, start simulating the sessions that its selected modules list in
    ``PREFETCH`` (keys from :func:`session_key` / :func:`truth_key`), in test order: the workers
    simulate while pytest runs the tests. Under ``pytest -n`` (each process runs some whole modules),
    each module's own list, at its first test."""
    import tests.sim.conftest as shared  # the tests' copy of this file (pytest loads it as "conftest" too)

    if os.environ.get("PYTEST_XDIST_WORKER"):  # (pytest -n: this process runs only some of the modules,
        shared.prefetch(getattr(request.module, "PREFETCH", ()))  # whole, --dist loadfile: just this one's)
    elif not shared._PREFETCHED:
        shared._PREFETCHED = True
        here = Path(__file__).parent
        modules = dict.fromkeys(item.module for item in request.session.items if Path(item.path).parent == here)
        shared.prefetch([key for module in modules for key in getattr(module, "PREFETCH", ())])


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After the last test of this folder, stop the workers: their pool's thread would make the product
    choose another start method for its own process pools in later tests."""
    if nextitem is None or Path(nextitem.path).parent != Path(__file__).parent:
        # the tests import this file as tests.sim.conftest; pytest loads it again as "conftest"
        import tests.sim.conftest as shared

        shared.shutdown_pool()
        shared._PREFETCHED = False


MIXED = dict(set_kinds=("full", "partial", "knee_out"), reps_per_set=(5, 6), n_distractors=4, imperfections=False,
             sample_rate_hz=100)
MIXED_KE = dict(exercise="knee_extension", set_kinds=("full", "partial"), reps_per_set=(5, 6), n_distractors=4,
                imperfections=False, sample_rate_hz=100)


def mixed_session(seed: int = 4242, **options) -> SimulatedSession:
    """Three sets of every rep kind plus one distractor of each label, perfect sensor by default."""
    return session(seed, **(MIXED | options))


def mixed_ke_session(seed: int = 4345, **options) -> SimulatedSession:
    """A knee-extension session: a full and a partial set plus one distractor of each label."""
    return session(seed, **(MIXED_KE | options))


def continuous_ke_session(**options) -> SimulatedSession:
    """A knee-extension session of continuous swings (no hold, no rest, past rest at the bottom)."""
    session_ = mixed_ke_session(4340, **options)
    assert session_.motor.continuous
    return session_


#: both exercises' mixed sessions, for tests that hold for every exercise
MIXED_SESSIONS = {"hip_er": mixed_session, "knee_extension": mixed_ke_session}

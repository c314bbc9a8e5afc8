"""Shared simulated sessions (built once per test run; simulate_session is deterministic per seed)."""
from __future__ import annotations

from functools import lru_cache

from sensorkit.sim import SimulatedSession, simulate_session

ALL_DISTRACTORS = ("fidget", "leg_shake", "knee_extension", "stand_up")
KE_DISTRACTORS = ("fidget", "leg_shake", "stand_up", "hip_rotation")


@lru_cache(maxsize=None)
def session(seed: int, **options) -> SimulatedSession:
    """A cached session; options must be hashable (tuples, not lists)."""
    return simulate_session(seed, **options)


def mixed_session(seed: int = 4242, **options) -> SimulatedSession:
    """Three sets of every rep kind plus one distractor of each label, perfect sensor by default."""
    defaults = dict(set_kinds=("full", "partial", "knee_out"), reps_per_set=(5, 6), n_distractors=4,
                    imperfections=False, sample_rate_hz=100)
    return session(seed, **(defaults | options))


def mixed_ke_session(seed: int = 4345, **options) -> SimulatedSession:
    """A knee-extension session: a full and a partial set plus one distractor of each label."""
    defaults = dict(exercise="knee_extension", set_kinds=("full", "partial"), reps_per_set=(5, 6), n_distractors=4,
                    imperfections=False, sample_rate_hz=100)
    return session(seed, **(defaults | options))


def continuous_ke_session(**options) -> SimulatedSession:
    """A knee-extension session of continuous swings (no hold, no rest, past rest at the bottom)."""
    session_ = mixed_ke_session(4340, **options)
    assert session_.motor.continuous
    return session_


#: both exercises' mixed sessions, for tests that hold for every exercise
MIXED_SESSIONS = {"hip_er": mixed_session, "knee_extension": mixed_ke_session}

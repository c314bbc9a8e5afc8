"""Measured holds against the simulator's truth: no bias left from the truth's definition."""
import numpy as np

from sensorkit.accuracy import match
from sensorkit.pipeline import Pipeline
from sensorkit.sim import simulate_session


def test_simulated_held_reps_read_their_true_hold_without_a_bias():
    """Held reps (hip ER development seeds 1-8, a third of them overshooting and settling slowly)
    read their hold within 0.06 s on average; while the truth counted a slow settle as outward
    movement they read 0.1-0.2 s long (the settle, 0.3-0.7 s, timed as hold by the pipeline)."""
    errors = []
    for seed in range(1, 9):
        session = simulate_session(seed)
        reps = Pipeline(meta=session.meta).run(session.samples)
        for i, j in match(reps, session.truth):
            rep, truth = reps[i], session.truth[j]
            if truth.counted and rep.kind != "rejected" and truth.hold_s >= 0.5:
                errors.append(rep.hold_s - truth.hold_s)
    assert len(errors) >= 50
    assert abs(np.mean(errors)) < 0.06

"""The radius fit's closed-form elimination of the nuisance terms solves the full weighted problem."""
import numpy as np

from sensorkit.pipeline.radius import _huber_offset


def full_design_huber(columns: np.ndarray, nuisance: np.ndarray, solves: int) -> np.ndarray:
    """The 14-unknown Huber IRLS written out: offset (2) + 4 nuisance terms for each component."""
    m = len(columns)
    design = np.zeros((m, 3, 14))
    target = np.empty((m, 3))
    for k in range(3):
        design[:, k, 0:2] = columns[:, 3 * k:3 * k + 2]
        design[:, k, 2 + 4 * k:6 + 4 * k] = nuisance
        target[:, k] = columns[:, 3 * k + 2]
    design, target = design.reshape(3 * m, 14), target.reshape(-1)
    weights = np.ones(m)
    for i in range(solves):
        sw = np.sqrt(np.repeat(weights, 3))
        coef = np.linalg.lstsq(design * sw[:, None], target * sw, rcond=None)[0]
        residual = np.linalg.norm((target - design @ coef).reshape(m, 3), axis=1)
        scale = 1.5 * np.partition(residual, m // 2)[m // 2] + 1e-9
        weights = np.minimum(1.0, scale / np.maximum(residual, 1e-12))
    return coef[:2]


def test_elimination_equals_the_full_weighted_least_squares():
    rng = np.random.default_rng(3)
    m = 120
    theta = np.linspace(0, 1.2, m)
    nuisance = np.column_stack([np.sin(theta), 1 - np.cos(theta), np.ones(m), np.linspace(0, 4, m)])
    columns = rng.normal(size=(m, 9))
    offset = np.array([0.12, -0.27])
    for k in range(3):
        columns[:, 3 * k + 2] = columns[:, 3 * k:3 * k + 2] @ offset + nuisance @ rng.normal(size=4) \
            + 0.01 * rng.normal(size=m)
    columns[::17, 2::3] += 3.0  # jolts: outliers the Huber weights must discount
    for solves in (1, 2, 4):
        got = _huber_offset(columns, nuisance, max_solves=solves, tol_m=-1.0)
        assert np.allclose(got, full_design_huber(columns, nuisance, solves), rtol=0, atol=1e-10)
    assert np.allclose(_huber_offset(columns, nuisance), offset, atol=0.01)  # the default: stops early

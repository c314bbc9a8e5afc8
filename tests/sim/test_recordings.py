"""The committed sample recordings are complete, small, and still what the simulator produces."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit.sim import read_truth, simulate_session

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
NAMES = sorted(p.name[: -len(".truth.json")] for p in RECORDINGS.glob("*.truth.json"))


def test_there_are_several_varied_recordings_listed_in_the_readme():
    assert 5 <= len(NAMES) <= 8
    readme = (RECORDINGS / "README.md").read_text()
    kinds, labels, rates, sides = set(), set(), set(), set()
    for name in NAMES:
        assert f"| {name} |" in readme
        assert (RECORDINGS / f"{name}.csv").stat().st_size < 1.5e6
        movements, document = read_truth(RECORDINGS / f"{name}.truth.json")
        assert document["seed"] >= 9000
        kinds |= {m.kind for m in movements}
        labels |= {m.label for m in movements}
        rates.add(document["options"]["sample_rate_hz"])
        sides.add(document["options"]["side"])
    assert kinds == {"full", "partial", "knee_out", "rejected"} and {"stand_up", "knee_extension"} <= labels
    assert min(rates) <= 26 and max(rates) >= 200 and sides == {"left", "right"}


@pytest.mark.parametrize("name", NAMES)
def test_recording_matches_the_simulator(name):
    """Fails when the simulator changed: regenerate with the commands in recordings/README.md."""
    _, document = read_truth(RECORDINGS / f"{name}.truth.json")
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in document["options"].items()}
    session = simulate_session(document["seed"], **options)
    written = pd.read_csv(RECORDINGS / f"{name}.csv").to_numpy()
    assert written.shape == session.samples.to_array().shape
    np.testing.assert_allclose(written, session.samples.to_array(), rtol=1e-5, atol=1e-4)

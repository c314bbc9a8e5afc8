"""The committed sample recordings are complete, small, and still what the simulator produces."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sensorkit.sim import read_truth, simulate_session

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
NAMES = sorted(p.name[: -len(".truth.json")] for p in RECORDINGS.glob("*.truth.json"))


EXPECTED = {  # per exercise: its counted kinds, distractor labels that must appear
    "hip_external_rotation": ({"full", "partial", "knee_out"}, {"stand_up", "knee_extension"}),
    "knee_extension": ({"full", "partial"}, {"stand_up", "hip_rotation"}),
}


def test_there_are_several_varied_recordings_of_each_exercise_listed_in_the_readme():
    assert 7 <= len(NAMES) <= 10
    readme = (RECORDINGS / "README.md").read_text()
    seen = {name: {"kinds": set(), "labels": set(), "tempos": set(), "rates": set(), "sides": set()}
            for name in EXPECTED}
    for name in NAMES:
        assert f"| {name} |" in readme
        assert (RECORDINGS / f"{name}.csv").stat().st_size < 1.5e6
        movements, document = read_truth(RECORDINGS / f"{name}.truth.json")
        meta = json.loads((RECORDINGS / f"{name}.json").read_text())
        assert document["seed"] >= 9000 and meta["exercise"] == document["exercise"]
        got = seen[document["exercise"]]
        got["kinds"] |= {m.kind for m in movements if m.counted}
        got["labels"] |= {m.label for m in movements if not m.counted}
        got["tempos"] |= {m.tempo for m in movements if m.counted}
        got["rates"].add(document["options"]["sample_rate_hz"])
        got["sides"].add(document["options"]["side"])
    for exercise, (kinds, labels) in EXPECTED.items():
        got = seen[exercise]
        assert got["kinds"] == kinds and labels <= got["labels"], exercise
        assert got["tempos"] == {"normal", "fast"} and got["sides"] == {"left", "right"}, exercise
        assert min(got["rates"]) <= 26 and max(got["rates"]) >= 100, exercise
    assert max(seen["hip_external_rotation"]["rates"]) >= 200


@pytest.mark.parametrize("name", NAMES)
def test_recording_matches_the_simulator(name):
    """Fails when the simulator changed: regenerate with the commands in recordings/README.md."""
    _, document = read_truth(RECORDINGS / f"{name}.truth.json")
    options = {k: (tuple(v) if isinstance(v, list) else v) for k, v in document["options"].items()}
    session = simulate_session(document["seed"], **options)
    written = pd.read_csv(RECORDINGS / f"{name}.csv").to_numpy()
    assert written.shape == session.samples.to_array().shape
    np.testing.assert_allclose(written, session.samples.to_array(), rtol=1e-5, atol=1e-4)

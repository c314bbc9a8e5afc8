"""A recording written by sensorkit (record, live, convert: io/writer.py; simulate: sim/session.py)
writes a value that rounds to zero without a minus sign: ``-0.00000`` and ``-0`` were written, and
the shipped recordings/sim_*.csv had such fields (left by report10)."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from sensorkit.io import read_recording
from sensorkit.io.writer import format_rows
from sensorkit.sim.session import simulate_session

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"
NEGATIVE_ZERO = re.compile(r"(^|,)-0(\.0*)?(,|$)", re.MULTILINE)


def test_the_recording_writer_writes_no_negative_zero():
    rows = np.array([[-0.0, -0.0, -0.000004, 0.0, -0.00004, -0.0, 12.5],
                     [0.01, -0.00001, 1.0, -2.0, -0.0001, 0.00004, -0.00005]])
    assert format_rows(rows).splitlines() == ["0.000000,0.00000,0.00000,0.00000,0.0000,0.0000,12.5000",
                                              "0.010000,-0.00001,1.00000,-2.00000,-0.0001,0.0000,-0.0001"]


def test_a_simulated_recording_writes_no_negative_zero(tmp_path):
    session = simulate_session(9035, imperfections=False, distractors=False, max_duration_s=10.0)
    samples = session.samples
    gyr = samples.gyr.copy()
    gyr[:5] = -0.0  # (a value the simulator's perfect sensor gives: exactly zero, with its sign)
    session = dataclasses.replace(session, samples=dataclasses.replace(samples, gyr=gyr))
    paths = session.write(tmp_path, "s")
    text = paths["csv"].read_text()
    assert not NEGATIVE_ZERO.search(text)
    written = read_recording(paths["csv"]).samples.gyr
    assert np.array_equal(written[5:], [[float(f"{v:.6g}") for v in row] for row in gyr[5:]])  # (the others as before)


def test_the_shipped_recordings_have_no_negative_zero():
    for path in sorted(RECORDINGS.glob("sim_*.csv")):
        assert not NEGATIVE_ZERO.search(path.read_text()), path.name

"""docs/formats.md says what each "cut short" reason means as the pipeline sets it: a gap in the
data, which resumes after it (``CUT_BY_GAP``), is not the recording's end (``CUT_BY_END``).

The page said ``CUT_BY_GAP`` covered "the recording ended", after ``CUT_BY_END`` had been made for
that; a reader of a reps.csv could not tell a link that came back from a session that stopped.
"""
import re
from pathlib import Path

import numpy as np

from sensorkit.pipeline.pipeline import Pipeline
from sensorkit.pipeline.segment import CUT_BY_END, CUT_BY_GAP
from synth import random_setup, reps_then, samples_of_angle

PAGE = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def meaning(reason: str) -> str:
    """The second column of the rejection-reasons row whose example is ``reason``."""
    text = PAGE.read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith(f"| `{reason}` |")]
    return row.split("|")[2]


def reps_of(keep) -> list:
    """Two 30° reps held 2 s (at 2 s and 9 s) in 16 s of data, the samples ``keep(t)`` kept."""
    t, theta = reps_then([(2.0, 30.0, 2.0), (9.0, 30.0, 2.0)], 16.0)
    axis, g_rest = random_setup(5)
    samples = samples_of_angle(theta, t, axis, g_rest)
    return Pipeline().run(samples[keep(samples.t)])


def test_the_pipeline_sets_each_reason_where_the_page_says():
    gap = reps_of(lambda t: (t < 10.5) | (t > 13.0))  # (a link lost in the second rep's hold, back 2.5 s on)
    (cut,) = [r for r in gap if 9.0 < r.start_s and r.end_s < 10.5]  # (the rep the gap fell into)
    assert cut.kind == "rejected" and cut.reason == CUT_BY_GAP and CUT_BY_END not in [r.reason for r in gap]
    end = reps_of(lambda t: t < 11.0)  # (the recording stopped in the second rep's hold)
    assert [r.kind for r in end] == ["full", "rejected"] and end[-1].reason == CUT_BY_END
    assert np.isclose(end[-1].end_s, 11.0 - 0.02)


def test_the_gap_s_reason_is_not_said_to_cover_the_recording_s_end():
    said = meaning(CUT_BY_GAP)
    assert not re.search(r"recording ended|recording stopped|data ended", said.split("Never the recording's end")[0])
    assert "resumed" in said and "max_gap_fill_s" in said  # (a gap too long to bridge, after which data came)
    assert f"`{CUT_BY_END}`" in said  # (and where to look for the end)
    assert "last movement" in meaning(CUT_BY_END) and "resumes" in meaning(CUT_BY_END)

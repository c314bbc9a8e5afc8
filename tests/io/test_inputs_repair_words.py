"""Arrays handed to the library have their clock repaired as the reader repairs a file's, and the
warning words the repair as the reader does (one wording: :func:`sensorkit.io.checks.jitter_note`),
naming the sample where the reader names the line."""
from __future__ import annotations

import warnings

import numpy as np

from sensorkit.inputs import InputChecks
from sensorkit.io.checks import repair_clock
from sensorkit.samples import Samples


def _still(t: np.ndarray) -> Samples:
    acc = np.tile([0.0, 0.0, 9.81], (len(t), 1))
    return Samples(t, acc, np.zeros((len(t), 3)))


def _said(t: np.ndarray) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        InputChecks("data").whole(_still(t))
    return [str(w.message) for w in caught]


def test_sample_jitter_is_worded_as_the_reader_words_it():
    t = np.arange(400) * 0.01
    t[100] = t[101] + 0.002  # (late by a fifth of a period: t steps back at sample 101)
    [note] = [n for n in _said(t) if "jitter" in n]
    # the old wording left out the median interval the reader gives
    assert note == ("data: sample 101: t steps back 1 time by less than a sample period (at most 2 ms; the median"
                    " interval 10 ms): clock jitter; 2 samples re-timed evenly between their neighbours, in their order")


def test_stamp_jitter_is_worded_as_the_reader_words_it():
    stamps = np.arange(100) * 0.04
    stamps[50] = stamps[49] - 0.01  # (a stamp a quarter of a packet period below the stamp before)
    t = np.repeat(stamps, 4)
    assert repair_clock(t).jitter.stamps
    [note] = [n for n in _said(t) if "jitter" in n]
    assert note == ("data: sample 200: t is stamped once per packet and the stamps step back 1 time by less than a"
                    " packet period (at most 10 ms; the median step between stamps 40 ms): clock jitter; 2 stamps"
                    " re-timed evenly between their neighbours, in their order")

"""Mutated files of every supported layout: ``read_recording`` returns a valid recording or raises a
one-line :class:`RecordingError` naming the file, never another exception (a batch would report
that as an internal error)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from io_synth import swinging_sensor
from sensorkit.errors import RecordingError
from sensorkit.io import read_recording, write_recording
from vendor_synth import write_metabase, write_movella, write_movesense_csv, write_movesense_imu6_json, write_polar

SHORT = swinging_sensor(rate_hz=25.0, still_s=1.0, reps=1, rep_s=2.0)


def _canonical(folder: Path) -> Path:
    return write_recording(folder / "rec.csv", SHORT, {"side": "left"})


LAYOUTS = {
    "canonical": _canonical,
    "canonical_sidecar": _canonical,  # the sidecar NAME.json is what gets mutated
    "metabase": lambda folder: write_metabase(folder, SHORT, "time", 1_795_000_000_000)[0],
    "polar": lambda folder: write_polar(folder, SHORT, 800_000_000 * 10**9)[0],
    "movella": lambda folder: write_movella(folder / "dot.csv", SHORT, 4_294_000_000),
    "movesense_json": lambda folder: write_movesense_imu6_json(folder / "imu6.json", SHORT, 4),
    "movesense_csv": lambda folder: write_movesense_csv(folder, SHORT, 4)[0],
}

#: what a damaged or odd export holds: random bytes, or text that parses to something awkward
junk = st.one_of(st.binary(min_size=1, max_size=12),
                 st.sampled_from([b"nan", b"inf", b"-1e999", b"-", b"1e", b",", b";", b"\r", b"\x00", b"\n\n", b"{", b"]"]))
mutations = st.lists(st.tuples(st.sampled_from(["cut", "flip", "insert", "drop_line", "dup_line"]),
                               st.floats(0.0, 1.0), junk), min_size=1, max_size=3)


def mutate(data: bytes, steps) -> bytes:
    for kind, where, junk in steps:
        at = int(where * len(data))
        if kind == "cut":
            data = data[:at]
        elif kind == "flip":
            data = data[:at] + junk + data[at + len(junk):]
        elif kind == "insert":
            data = data[:at] + junk + data[at:]
        else:
            lines = data.split(b"\n")
            i = min(int(where * len(lines)), len(lines) - 1)
            lines[i:i + 1] = [] if kind == "drop_line" else [lines[i], lines[i]]
            data = b"\n".join(lines)
    return data


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("originals")
    out = {}
    for name, write in LAYOUTS.items():
        (root / name).mkdir()
        out[name] = write(root / name)
    return out


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_mutated_file_is_read_or_refused_in_one_line(layout, originals, tmp_path_factory):
    source = originals[layout]
    assert len(read_recording(source).samples) > 50  # the unmutated file reads

    @settings(max_examples=60, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(mutations)
    def check(steps):
        folder = tmp_path_factory.mktemp(layout)
        for sibling in source.parent.iterdir():  # the partner file of a pair, the sidecar
            shutil.copy(sibling, folder / sibling.name)
        target = folder / (source.with_suffix(".json").name if layout == "canonical_sidecar" else source.name)
        target.write_bytes(mutate(target.read_bytes(), steps))
        try:
            recording = read_recording(folder / source.name)
        except RecordingError as exc:
            message = str(exc)
            assert "\n" not in message and message.startswith(str(folder)), message
            return
        samples = recording.samples
        assert np.isfinite(samples.acc).all() and np.isfinite(samples.gyr).all()
        assert len(samples) == 0 or (np.isfinite(samples.t).all() and (np.diff(samples.t) > 0).all())

    check()

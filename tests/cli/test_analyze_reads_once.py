"""``analyze`` reads each recording once: the check for identical files (a copy, a backup, one
session given to two patients) uses the SHA-256 the reader computed as it read the file, instead
of reading every file a second time for it. Measured by the bytes this process reads
(``/proc/self/io`` ``rchar``: every read call, whether the page cache or the disk answers it)."""
from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from sensorkit.batch import analyze_paths, analyze_recording
from sensorkit.io.writer import write_recording
from sensorkit.samples import Samples

sys.path.insert(0, str(Path(__file__).parents[1] / "io"))
from vendor_synth import write_metabase, write_movesense_json_lines  # noqa: E402

linux_only = pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/self/io")


def _bytes_read() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def _still(n: int, rate_hz: float = 100.0) -> Samples:
    noise = np.random.default_rng(0).normal(0.0, 0.02, (n, 6))
    return Samples(np.arange(n) / rate_hz, noise[:, :3] + [0.0, 0.0, 9.81], noise[:, 3:])


def _read_by(run) -> int:
    before = _bytes_read()
    run()
    return _bytes_read() - before


@linux_only
def test_a_recording_and_its_copy_are_each_read_once(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    small = write_recording(tmp_path / "warm" / "w.csv", _still(3000))
    analyze_paths([small], tmp_path / "out0", workers=1)  # (imports and caches warmed)
    first = write_recording(tmp_path / "a" / "s.csv", _still(60_000))  # (about 4 MB)
    copy = tmp_path / "b" / "s.csv"
    shutil.copy(first, copy)
    size = first.stat().st_size + copy.stat().st_size
    read = _read_by(lambda: analyze_paths([first, copy], tmp_path / "out", workers=1))
    sessions = (tmp_path / "out" / "sessions.csv").read_text()
    assert "the same recording as" in sessions  # (the copy still found)
    assert read < 1.3 * size, f"{read / size:.2f} times the files' bytes read"  # (it was 2.0 and more)


@linux_only
def test_a_vendor_pair_is_read_once(tmp_path):
    analyze_paths([write_recording(tmp_path / "warm" / "w.csv", _still(3000))], tmp_path / "out0", workers=1)
    acc, gyr = write_metabase(tmp_path, _still(60_000), "time", 1_795_000_000_000)
    size = acc.stat().st_size + gyr.stat().st_size
    read = _read_by(lambda: analyze_paths([acc], tmp_path / "out", workers=1))
    assert "ok" in (tmp_path / "out" / "sessions.csv").read_text()
    assert read < 1.3 * size, f"{read / size:.2f} times the files' bytes read"


@pytest.mark.parametrize("layout", ["sensorkit CSV", "cut short", "MetaBase", "Movesense JSON"])
def test_the_digest_the_reader_gives_is_the_whole_file_s(tmp_path, layout):
    samples = _still(3000)
    if layout == "MetaBase":
        path, _ = write_metabase(tmp_path, samples, "time", 1_795_000_000_000)
    elif layout == "Movesense JSON":
        path, _ = write_movesense_json_lines(tmp_path, samples, 4)
    else:
        path = write_recording(tmp_path / "s.csv", samples)
        if layout == "cut short":  # (a crash mid-write: the reader parses up to the last line, the digest is of all)
            path.write_bytes(path.read_bytes() + b"30.00,0.01,-0.0")
    result = analyze_recording(path)
    assert layout != "cut short" or any("incomplete last line" in w for w in result.warnings)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

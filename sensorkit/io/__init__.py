"""Canonical recordings: ``NAME.csv`` (t, acc_x..z in m/s², gyr_x..z in deg/s) + ``NAME.json`` sidecar.

    from sensorkit.io import read_recording, write_recording, RecordingWriter, find_recordings
    rec = read_recording("recordings/a.csv")   # Recording(name, path, samples, meta, warnings)
    meta = read_meta("recordings/a.csv")       # RecordingMeta from the sidecar only (vendor exports: read whole)
    write_recording("out/b.csv", rec.samples, rec.meta)
    with RecordingWriter("out", "c", {"side": "left"}) as writer:   # live, crash-safe
        writer.append(block)
    paths = find_recordings(["recordings", "x.csv"], exclude=["out"])

Vendor exports (MbientLab MetaBase, Polar Sensor Logger, Movella DOT, Movesense Showcase) are read by
``read_recording`` too, detected from their content; see ``sensorkit/io/VENDOR_FORMATS.md``.

Bad input raises :class:`sensorkit.errors.RecordingError` with one line naming the file, line, column.
"""
from sensorkit.io.discover import find_recordings
from sensorkit.io.meta import RecordingMeta
from sensorkit.io.reader import Recording, meta_needs_content, read_meta, read_recording
from sensorkit.io.writer import RecordingWriter, write_recording

__all__ = [
    "Recording", "RecordingMeta", "RecordingWriter",
    "find_recordings", "meta_needs_content", "read_meta", "read_recording", "write_recording",
]

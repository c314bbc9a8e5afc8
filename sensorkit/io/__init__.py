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
__all__ = [
    "Recording", "RecordingMeta", "RecordingWriter",
    "find_recordings", "meta_needs_content", "read_meta", "read_recording", "write_recording",
]

#: each name -> its module, imported on first use: writing a recording (``record``) needs no pandas,
#: which the vendor formats behind ``find_recordings`` and ``read_recording`` import
_LAZY = {"find_recordings": "discover", "RecordingMeta": "meta", "Recording": "reader", "meta_needs_content": "reader",
         "read_meta": "reader", "read_recording": "reader", "RecordingWriter": "writer", "write_recording": "writer"}


#: the submodules this package imported when it loaded them all: attributes of it still, on first use
_LAZY_MODULES = frozenset(_LAZY.values())


def __getattr__(name: str):
    if name in _LAZY or name in _LAZY_MODULES:
        import importlib

        if name in _LAZY_MODULES:  # (importing it makes it an attribute here)
            return importlib.import_module(f"sensorkit.io.{name}")
        value = getattr(importlib.import_module(f"sensorkit.io.{_LAZY[name]}"), name)
        globals()[name] = value  # (looked up here once)
        return value
    raise AttributeError(f"module 'sensorkit.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

"""``sensorkit analyze --angles``: ``NAME.angle.csv`` per recording, the exercise angle per sample.

Columns (docs/formats.md): ``t`` (s, the recording's time), ``angle_deg`` (deg, above the rest
before each movement: steps at each new rest), ``angle_from_first_rest_deg`` (deg, from the
recording's first rest: continuous; empty where undefined), ``filled`` (1: a sample made up to
bridge a short gap, 0: a recorded one), as :attr:`sensorkit.detect.RepDetector.angle_` has them.
``NAME`` is the recording's name in ``reps.csv`` made one plain file name
(:func:`~sensorkit.io.outputs.safe_file_stem`: ``p1/s1`` is ``p1%2Fs1``).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from sensorkit.io.outputs import OutputSet, check_outputs, safe_file_stem

ANGLE_COLUMNS = ("t", "angle_deg", "angle_from_first_rest_deg", "filled")
#: what :func:`~sensorkit.io.outputs.output_kind` calls an earlier ``NAME.angle.csv`` (which a run may replace)
ANGLE_KIND = "angle.csv of sensorkit analyze"
SUFFIX = ".angle.csv"


def angle_csv_path(out_dir: str | os.PathLike, recording: str) -> Path:
    """The ``NAME.angle.csv`` of the recording named ``recording`` (as ``reps.csv`` names it) in ``out_dir``."""
    return Path(out_dir) / f"{safe_file_stem(recording)}{SUFFIX}"


def check_angle_outputs(out_dir: str | os.PathLike, names: Iterable[str], inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """The ``NAME.angle.csv`` files of recordings ``names`` in ``out_dir``, once it is safe to write them
    (:func:`~sensorkit.io.outputs.check_outputs`: never an input, its sidecar, or another file than an
    earlier ``NAME.angle.csv``); else :class:`~sensorkit.io.outputs.OutputError` in one line."""
    targets = [angle_csv_path(out_dir, name) for name in names]
    check_outputs([("--angles", target) for target in targets], inputs=inputs, replaceable=(ANGLE_KIND,))
    return targets


def angle_rows(path: str | os.PathLike, config=None, meta_defaults: dict | None = None) -> np.ndarray:
    """(n, 4): the :data:`ANGLE_COLUMNS` of the recording at ``path``, analysed as ``sensorkit
    analyze`` analyses it (``config``, ``meta_defaults``: :func:`sensorkit.batch.analyze_recording`'s)."""
    from sensorkit.io.meta import with_defaults
    from sensorkit.io.reader import read_recording
    from sensorkit.pipeline.pipeline import Pipeline

    rec = read_recording(path)
    rec.meta, _ = with_defaults(rec.meta, meta_defaults, rec.path)
    pipeline = Pipeline(config, meta=rec.meta.to_dict(), keep_angle=True)
    pipeline.run(rec.samples)
    return pipeline.angle_columns()


def angle_task(path: str, base_dir: str, config=None, meta_defaults: dict | None = None) -> tuple[np.ndarray | None, str]:
    """One task of :func:`sensorkit.batch.run_many`: (:func:`angle_rows`, "") or (None, one-line reason)."""
    from sensorkit.batch import run_file_task

    return run_file_task(lambda actual: angle_rows(actual, config, meta_defaults), path, base_dir)


def write_angle_csv(handle, rows: np.ndarray) -> None:
    """``rows`` (:func:`angle_rows`) as CSV text: a header line, ``t`` to the µs, angles to 0.001
    deg (an undefined one empty), ``filled`` 0 or 1."""
    handle.write(",".join(ANGLE_COLUMNS) + "\n")
    for t, stepped, continuous, filled in rows.tolist():
        cells = [f"{t:.6f}", _deg(stepped), _deg(continuous), "1" if filled else "0"]
        handle.write(",".join(cells) + "\n")


def _deg(value: float) -> str:
    if value != value:
        return ""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def write_angle_file(target: Path, rows: np.ndarray) -> None:
    """Write one ``NAME.angle.csv`` beside its place and rename it there (:class:`~sensorkit.io.outputs.OutputSet`:
    an error or Ctrl-C leaves the earlier file, or none, and no temporary file)."""
    with OutputSet([target]) as outputs:
        with outputs.writing(target) as handle:
            write_angle_csv(handle, rows)

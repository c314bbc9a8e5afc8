"""The package under test, for the commands these tests run in processes of their own.

``python -c WRAPPER`` and ``python -m sensorkit`` put their working folder first on ``sys.path``, so
a child process run from a checkout imports *that* checkout's sensorkit, and one run elsewhere the
installed one, whatever the tests imported. A wrapper given to ``-c`` starts with
``sys.path.insert(0, sys.argv.pop(1))`` and is given :data:`PACKAGE_ROOT` as its first argument;
``-m sensorkit`` is run with :func:`env` from a folder holding no package (the test's ``tmp_path``).
The test process itself imports this checkout's package: pyproject.toml's ``pythonpath = ["."]``
puts it first on ``sys.path`` (tests/cli/test_package_under_test.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import sensorkit

#: the folder holding the sensorkit package these tests imported (and firmware_protocols beside it)
PACKAGE_ROOT = str(Path(sensorkit.__file__).resolve().parents[1])


def env() -> dict[str, str]:
    """This process's environment with :data:`PACKAGE_ROOT` first on ``PYTHONPATH``."""
    rest = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": PACKAGE_ROOT + (os.pathsep + rest if rest else "")}

"""The tests import the sensorkit of the checkout they belong to, wherever pytest is started from and
whichever sensorkit the environment has installed (another checkout, installed editable, or one on
``PYTHONPATH``): pyproject.toml's ``pythonpath = ["."]`` puts this checkout first on ``sys.path``."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import firmware_protocols
import sensorkit

#: the checkout these tests belong to (the folder holding tests/ and sensorkit/)
CHECKOUT = Path(__file__).resolve().parents[2]


def test_the_package_imported_is_the_one_beside_these_tests():
    assert Path(sensorkit.__file__).resolve() == CHECKOUT / "sensorkit" / "__init__.py"
    assert Path(firmware_protocols.__file__).resolve() == CHECKOUT / "firmware_protocols" / "__init__.py"


def test_another_sensorkit_on_the_path_is_not_the_one_tested(tmp_path):
    # (pytest run from elsewhere, or by its own script, imported the installed sensorkit: with the venv's
    # editable install of another checkout, these tests tested that one, the subprocesses this one)
    other = tmp_path / "other_checkout"
    for package in ("sensorkit", "firmware_protocols"):
        (other / package).mkdir(parents=True)
        (other / package / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONPATH": str(other)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-o", "addopts=", "-q",
                          f"{Path(__file__).resolve()}::test_the_package_imported_is_the_one_beside_these_tests"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout

"""``njit`` for the pipeline's kernels, with numba's disk cache pointed somewhere writable.

numba caches a compiled kernel beside its source (``__pycache__``), else in the user's cache
folder (``~/.cache/numba``); when neither can be written (a read-only install run by a user
without a writable home) it refuses to define a cached kernel at all. Importing ``njit`` from
here first checks those places and, when neither is writable and ``NUMBA_CACHE_DIR`` is not set,
uses a folder in the system's temporary directory instead.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numba
from numba import njit
from numba.misc.appdirs import AppDirs

__all__ = ["njit", "configure_cache"]


def _writable(folder: Path) -> bool:
    """Can files be created in ``folder`` (made if missing)?"""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def configure_cache(package_dir: Path = Path(__file__).parent) -> str | None:
    """Set numba's cache folder when its own choices are not writable; returns the folder set."""
    if numba.config.CACHE_DIR or _writable(package_dir / "__pycache__") or \
            _writable(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)):
        return None
    user = os.getuid() if hasattr(os, "getuid") else os.getlogin()
    numba.config.CACHE_DIR = str(Path(tempfile.gettempdir()) / f"sensorkit-numba-cache-{user}")
    return numba.config.CACHE_DIR


configure_cache()

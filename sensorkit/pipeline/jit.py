"""``njit`` for the pipeline's kernels: numpy's arithmetic on errors, and a writable disk cache.

Kernels use numpy's error model: ``x / 0`` gives ``inf`` or ``nan`` as numpy would, instead of
numba's default ``ZeroDivisionError`` (a repeated timestamp must not crash a movement's fit).
numba keys a kernel's disk cache on its own source file only: a change to the options here must
also touch every module that uses this ``njit``, or an existing checkout keeps its old kernels.

numba caches a compiled kernel beside its source (``__pycache__``), else in the user's cache
folder (``~/.cache/numba``); when neither can be written (a read-only install run by a user
without a writable home) it refuses to define a cached kernel at all. Importing ``njit`` from
here first checks those places and, when neither is writable and ``NUMBA_CACHE_DIR`` is not set,
uses a folder of the user's own (mode 0700) in the system's temporary directory instead.
"""
from __future__ import annotations

import getpass
import os
import stat
import tempfile
from pathlib import Path

import numba

__all__ = ["njit", "configure_cache"]


def njit(*args, **options):
    """``numba.njit`` with ``error_model="numpy"`` unless told otherwise (same arguments)."""
    options.setdefault("error_model", "numpy")
    return numba.njit(*args, **options)


def _user_cache_dir() -> Path:
    """Where numba caches when the package folder is read-only (``~/.cache/numba`` on Linux)."""
    try:
        from numba.misc.appdirs import AppDirs  # numba's own choice, from a module of numba's
    except ImportError:
        return Path.home() / ".cache" / "numba"
    return Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)


def _writable(folder: Path) -> bool:
    """Can files be created in ``folder`` (made if missing)?"""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _private_folder(folder: Path) -> Path:
    """``folder`` when it is (or can be made) a real folder of this user's that nobody else may
    write (numba's cache files are pickles: loading another user's would run their code); else a
    new private folder beside it."""
    if not hasattr(os, "getuid"):  # Windows: the temporary folder is the user's own
        return folder
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022:
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"{folder.name}-"))


def configure_cache(package_dir: Path = Path(__file__).parent) -> str | None:
    """Set numba's cache folder when its own choices are not writable; returns the folder set."""
    if numba.config.CACHE_DIR or _writable(package_dir / "__pycache__") or _writable(_user_cache_dir()):
        return None
    user = os.getuid() if hasattr(os, "getuid") else getpass.getuser()
    numba.config.CACHE_DIR = str(_private_folder(Path(tempfile.gettempdir()) / f"sensorkit-numba-cache-{user}"))
    return numba.config.CACHE_DIR

configure_cache()

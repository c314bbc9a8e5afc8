"""``python -m sensorkit ARGS...`` run in the test's own process: the same stdout, stderr and exit
status, without the ~2 s a new process spends importing numpy, scipy and pandas.

For tests of what a command does (its outputs, exit status, messages), not of the process itself:
signals, start-up time, the package a new process imports, the encoding of its streams, a limit set
with ``preexec_fn`` or what happens at interpreter shutdown keep a real process
(``tests/reliability/conftest.py``'s ``run``). What differs from a process of its own is put as a
new process has it for the run: ``sys.argv`` and ``__main__`` (click's program name in messages),
the working folder, the environment, Python's default warning filters (printed on stderr), and the
"said once per process" notes. An exception that escapes is a traceback on stderr and exit status 1,
as the interpreter does.
"""
from __future__ import annotations

import contextlib
import io
import locale
import os
import subprocess
import sys
import traceback
import types
import warnings
from pathlib import Path

#: Python's default warning filters, as ``python -m sensorkit`` starts with (no -W, no PYTHONWARNINGS)
_DEFAULT_FILTERS = (("default", DeprecationWarning, "__main__"), ("ignore", DeprecationWarning, None),
                    ("ignore", PendingDeprecationWarning, None), ("ignore", ImportWarning, None),
                    ("ignore", ResourceWarning, None))

#: (encoding, errors) of the standard streams a new process started here has (this one's own, same locale)
_STREAMS = {name: (getattr(getattr(sys, f"__{name}__"), "encoding", None) or "utf-8",
                   getattr(getattr(sys, f"__{name}__"), "errors", None) or "strict")
            for name in ("stdout", "stderr")}


def run_in_process(*args, cwd: Path | str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sensorkit ARGS...`` in this process: its stdout and stderr (text) and exit status."""
    from sensorkit.cli import _main
    from sensorkit.cli import notice
    from sensorkit.io import outputs

    argv = [str(Path(sys.modules["sensorkit"].__file__).parent / "__main__.py"), *map(str, args)]
    main_module = types.ModuleType("__main__")
    main_module.__package__ = "sensorkit"  # (click names the program "python -m sensorkit")
    out, err = io.BytesIO(), io.BytesIO()
    # (encoded as a new process's streams are, from the same locale; decoded as subprocess.run(text=True) does)
    stdout = io.TextIOWrapper(out, encoding=_STREAMS["stdout"][0], errors=_STREAMS["stdout"][1], write_through=True)
    stderr = io.TextIOWrapper(err, encoding=_STREAMS["stderr"][0], errors=_STREAMS["stderr"][1], write_through=True)
    saved_env = dict(os.environ)
    saved = sys.argv, sys.modules["__main__"], sys.stdin, sys.stdout, sys.stderr, os.getcwd()
    notice._said.clear()
    outputs.forget_interrupted()
    code = 0
    try:
        with warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(_DEFAULT_FILTERS):
                warnings.filterwarnings(action, category=category, module=module or "")
            warnings.showwarning = warnings._showwarning_orig  # (on sys.stderr, not pytest's record)
            if env is not None:
                os.environ.clear()
                os.environ.update(env)
            if cwd is not None:
                os.chdir(cwd)
            sys.argv, sys.modules["__main__"] = argv, main_module
            sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO()), stdout, stderr
            try:
                _main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if not isinstance(exc.code, (int, type(None))):
                    print(exc.code, file=sys.stderr)
            except Exception:  # (as the interpreter: a traceback, exit 1)
                traceback.print_exc()
                code = 1
            with contextlib.suppress(ValueError):
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        sys.argv, sys.modules["__main__"], sys.stdin, sys.stdout, sys.stderr, cwd_before = saved
        os.chdir(cwd_before)
        os.environ.clear()
        os.environ.update(saved_env)
        notice._said.clear()
        outputs.forget_interrupted()
    return subprocess.CompletedProcess([sys.executable, "-m", "sensorkit", *map(str, args)], code,
                                       out.getvalue().decode(locale.getpreferredencoding(False)),
                                       err.getvalue().decode(locale.getpreferredencoding(False)))

"""Rules the compiled kernels keep so that numba's disk cache never runs stale code."""
import importlib
import pkgutil

from numba.core.registry import CPUDispatcher

import sensorkit.pipeline


def kernels():
    """(module name, kernel) for every numba kernel defined in sensorkit.pipeline."""
    for info in pkgutil.iter_modules(sensorkit.pipeline.__path__):
        module = importlib.import_module(f"sensorkit.pipeline.{info.name}")
        for kernel in vars(module).values():
            if isinstance(kernel, CPUDispatcher) and kernel.py_func.__module__ == module.__name__:
                yield module.__name__, kernel


def test_kernels_call_only_kernels_of_their_own_module():
    """The cache of a kernel is keyed on the file that defines it: a kernel calling a kernel of
    another file would go on running the old callee after only that file changed."""
    found = list(kernels())
    assert len(found) > 20
    for module, kernel in found:
        for name in kernel.py_func.__code__.co_names:
            callee = kernel.py_func.__globals__.get(name)
            if isinstance(callee, CPUDispatcher):
                assert callee.py_func.__module__ == module, f"{module}.{kernel.__name__} calls {callee.py_func.__module__}.{name}"


def test_cache_goes_to_a_temporary_folder_only_when_numba_has_nowhere_to_write(monkeypatch, tmp_path):
    import numba

    from sensorkit.pipeline import jit

    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    assert jit.configure_cache(tmp_path) is None  # the package folder is writable: numba's own choice
    monkeypatch.setattr(jit, "_writable", lambda folder: False)  # read-only install, no writable home
    chosen = jit.configure_cache(tmp_path)
    assert chosen and numba.config.CACHE_DIR == chosen and chosen.startswith(jit.tempfile.gettempdir())
    monkeypatch.setattr(numba.config, "CACHE_DIR", "/somewhere/else")  # NUMBA_CACHE_DIR set: left alone
    assert jit.configure_cache(tmp_path) is None and numba.config.CACHE_DIR == "/somewhere/else"


def test_a_temporary_cache_folder_others_could_write_is_not_used(monkeypatch, tmp_path):
    """numba's cache holds pickles: a folder another user made (or may write) is not trusted."""
    import os

    import numba

    from sensorkit.pipeline import jit

    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    monkeypatch.setattr(jit, "_writable", lambda folder: False)
    monkeypatch.setattr(jit.tempfile, "tempdir", str(tmp_path))

    def chosen() -> str:
        numba.config.CACHE_DIR = ""  # a new process
        return jit.configure_cache(tmp_path)

    own = chosen()
    assert oct(os.stat(own).st_mode & 0o777) == "0o700"
    assert chosen() == own  # the same folder next time: the cache is reused
    os.chmod(own, 0o777)  # now anybody could plant a file in it
    other = chosen()
    assert other != own and os.path.dirname(other) == str(tmp_path)
    assert oct(os.stat(other).st_mode & 0o777) == "0o700"

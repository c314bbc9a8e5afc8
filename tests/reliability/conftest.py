"""The reliability suite (issue 14): what a user can type must never destroy a recording, misfile a
patient's data or give a silently wrong count.

Every test runs the real command on real files in a temporary folder (``python -m sensorkit`` in a
process of its own, :func:`run`, or in the test's process, ``tests/in_process.py``) and checks the
exit status, the one-line message, that no input changed (hashes before and after) and
that nothing was written outside the output folder (:class:`Tree`).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NOTICE_PREFIX = "loading the analysis modules"  # said only when importing takes over 10 s


def run(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 120,
        preexec_fn=None) -> subprocess.CompletedProcess:
    """``python -m sensorkit ARGS...`` as a user runs it: real stderr, real exit status."""
    return subprocess.run([sys.executable, "-m", "sensorkit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout, preexec_fn=preexec_fn)


def lines(stream: str) -> list[str]:
    """The non-empty lines of a command's stderr or stdout (progress bars redraw with ``\\r``)."""
    return [line for line in stream.replace("\r", "\n").splitlines()
            if line.strip() and not line.startswith(NOTICE_PREFIX)]


def one_line(result: subprocess.CompletedProcess) -> str:
    """The command's only stderr line (fails when there is a traceback or more than one line)."""
    found = lines(result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(found) == 1, result.stderr
    return found[0]


def usage_error(result: subprocess.CompletedProcess) -> str:
    """The one ``error: ...`` line of a usage error (one line, as every user error: not click's
    four, with its usage and help lines)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found = lines(result.stderr)
    assert len(found) == 1 and found[0].startswith("error: "), result.stderr
    return found[0]


class Tree:
    """Every file under ``root`` with its SHA-256, to compare before and after a command."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, str]:
        files = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(self.root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        return files

    def changes(self) -> set[str]:
        """Files added, removed or changed since the snapshot (relative paths)."""
        after = self.snapshot()
        return {p for p in self.before.keys() | after.keys() if self.before.get(p) != after.get(p)}

    def assert_only_changed_under(self, *folders: str) -> set[str]:
        """Nothing changed but files under ``folders`` (relative to root); no temporary file left anywhere."""
        changed = self.changes()
        outside = {p for p in changed if not any(p == f or p.startswith(f.rstrip("/") + "/") for f in folders)}
        assert not outside, f"written or changed outside {folders}: {sorted(outside)}"
        leftovers = [p for p in self.snapshot() if p.endswith((".tmp", ".bak"))]
        assert not leftovers, f"temporary files left behind: {leftovers}"
        return changed

    def assert_unchanged(self) -> None:
        self.assert_only_changed_under()


@pytest.fixture(scope="session")
def sessions_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short simulated hip-ER sessions (50 Hz, 3 reps; ``sim_1``, ``sim_2``), made once."""
    from sensorkit.sim import simulate_session

    folder = tmp_path_factory.mktemp("sessions")
    for seed in (1, 2):
        session = simulate_session(seed, n_sets=1, reps_per_set=(3, 3), sample_rate_hz=50)
        session.write(folder, f"sim_{seed}")
    for truth in folder.glob("*.truth.json"):
        truth.unlink()
    return folder


@pytest.fixture(scope="session")
def analyzed(tmp_path_factory: pytest.TempPathFactory, sessions_dir: Path) -> tuple[Path, dict[str, bytes]]:
    """``sensorkit analyze DATA --out OUT`` of the two sessions, run once: (DATA, {file name: bytes})."""
    root = tmp_path_factory.mktemp("analyzed")
    shutil.copytree(sessions_dir, root / "data")
    result = run("analyze", root / "data", "--out", root / "out", "--quiet")
    assert result.returncode == 0, result.stderr
    return root / "data", {p.name: p.read_bytes() for p in sorted((root / "out").iterdir())}


@pytest.fixture
def earlier_analysis(workspace: Path, analyzed: tuple[Path, dict[str, bytes]]):
    """``put(out)``: the reps.csv/sessions.csv that ``analyze WORKSPACE/data --out OUT`` writes, in ``out``
    (the :func:`analyzed` run's bytes with its data folder's path replaced by this workspace's: the
    tables name each recording by the path given; the analysis is deterministic)."""
    data, files = analyzed

    def put(out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (out / name).write_bytes(content.replace(str(data).encode(), str(workspace / "data").encode()))
    return put


def as_patient(folder: Path, patient: str = "p001", started_at: str = "2026-11-02T10:00:00+01:00",
               **more) -> None:
    """Make the recordings in ``folder`` look like a clinic's: not simulated, this patient, this start."""
    for sidecar in folder.glob("*.json"):
        meta = json.loads(sidecar.read_text())
        meta.pop("simulated", None)
        meta.update(sensor="clinic-imu", patient=patient, started_at=started_at, **more)
        sidecar.write_text(json.dumps(meta))


@pytest.fixture
def workspace(tmp_path: Path, sessions_dir: Path) -> Path:
    """``tmp/data`` (a copy of the two sessions) and ``tmp/rx/p001.toml`` (hip ER, left and right)."""
    shutil.copytree(sessions_dir, tmp_path / "data")
    (tmp_path / "rx").mkdir()
    (tmp_path / "rx" / "p001.toml").write_text(prescription("p001"))
    return tmp_path


def prescription(patient: str, start: str = "2026-11-01", end: str | None = None) -> str:
    end_line = f"end = {end}\n" if end else ""
    return (f'patient = "{patient}"\ntimezone = "Europe/Berlin"\nstart = {start}\n{end_line}\n'
            '[[exercise]]\nname = "hip_external_rotation"\nsides = ["left", "right"]\nsets = 1\n'
            "reps_per_set = 3\nhold_s = 1\nrom_deg = 10\ndays_per_week = 7\n")


@pytest.fixture
def env_without_dask_address() -> dict:
    env = dict(os.environ)
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    return env

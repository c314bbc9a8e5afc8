"""Helpers for the batch-at-scale tests: run the CLI as a user would; the sample recordings."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"


def run_analyze(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sensorkit analyze ARGS...`` in a subprocess (real stderr, real exit status)."""
    return subprocess.run([sys.executable, "-m", "sensorkit", "analyze", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)

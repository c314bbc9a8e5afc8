"""``sensorkit --version`` and ``sensorkit.__version__`` are one version (pyproject.toml reads it)."""
from click.testing import CliRunner

import sensorkit
from sensorkit.cli import cli


def test_the_command_line_and_the_package_give_the_same_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.split()[-1] == sensorkit.__version__


def test_the_version_said_is_this_checkout_s_not_an_installed_one(tmp_path):
    # --version read the installed distribution's metadata: with another checkout installed (this
    # project's venv holds /work/main, editable), or this one installed before its version changed,
    # it said that one's version, not the one written in the sensorkit it runs
    import os
    import subprocess
    import sys
    from pathlib import Path

    installed = tmp_path / "site" / "sensorkit-0.0.1.dist-info"
    installed.mkdir(parents=True)
    (installed / "METADATA").write_text("Metadata-Version: 2.1\nName: sensorkit\nVersion: 0.0.1\n")
    checkout = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(checkout), str(tmp_path / "site")])}
    run = subprocess.run([sys.executable, "-m", "sensorkit", "--version"], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == sensorkit.__version__

"""``sensorkit --version`` and ``sensorkit.__version__`` are one version (pyproject.toml reads it)."""
from click.testing import CliRunner

import sensorkit
from sensorkit.cli import cli


def test_the_command_line_and_the_package_give_the_same_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.split()[-1] == sensorkit.__version__

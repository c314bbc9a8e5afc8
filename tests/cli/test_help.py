"""``sensorkit --help`` lists every command with its own short help, without importing them."""
import subprocess
import sys

import click

from sensorkit.cli import _COMMANDS, _SHORT_HELP, cli


def test_the_listed_help_is_each_commands_own():
    ctx = click.Context(cli)
    assert set(_SHORT_HELP) == set(_COMMANDS)
    for name in _COMMANDS:
        assert _SHORT_HELP[name] == cli.get_command(ctx, name).get_short_help_str(limit=200), name


def test_help_does_not_load_the_analysis_stack():
    """Listing commands must not import numba, scipy or the pipeline (seconds at every start)."""
    probe = ("import sys\nfrom click.testing import CliRunner\nfrom sensorkit.cli import cli\n"
             "result = CliRunner().invoke(cli, ['--help'])\n"
             "assert result.exit_code == 0 and 'simulate' in result.output, result.output\n"
             "print(sorted(m for m in ('numba', 'scipy', 'sensorkit.pipeline', 'pandas') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"

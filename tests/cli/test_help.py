"""``sensorkit --help`` lists every command with its own short help, without importing them."""
import subprocess
import sys

import click

from sensorkit.cli import _COMMANDS, _SHORT_HELP, cli
from under_test import PACKAGE_ROOT


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
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=PACKAGE_ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


#: click's names of value types, which say nothing to a reader ("--seed INTEGER RANGE")
_TYPE_NAMES = ("TEXT", "INTEGER", "FLOAT", "RANGE", "BOOLEAN")


def _options(name: str):
    """(option, its help record: the options as shown, the help text with its [default: ...]) of a command."""
    ctx = click.Context(cli)
    command = cli.get_command(ctx, name)
    sub = click.Context(command, info_name=name, parent=ctx)
    for param in command.get_params(sub):
        if isinstance(param, click.Option) and param.name != "help":
            yield param, param.get_help_record(sub), command.get_help(sub)


def test_every_option_names_its_value_in_words_and_shows_its_default_one_way():
    for name in _COMMANDS:
        for option, (shown, text), page in _options(name):
            where = f"sensorkit {name} {shown}"
            assert text.strip(), f"{where}: no help"
            # e.g. "--duration-s SECONDS", "--sample-rate-hz HZ" (was "--duration-s FLOAT RANGE")
            assert not any(word in shown.split() for word in _TYPE_NAMES), where
            # a default in the one bracket at the end, as written: never "(default: ...)" in the text,
            # nor click's parentheses around a described default ("[default: (drawn per session)]")
            assert "(default:" not in text and "[default: (" not in text, (where, text)
            assert text.count("[default:") <= 1, (where, text)
            # the help is plain text on a terminal: no reStructuredText quoting (was ``sensor`` in convert)
            assert "``" not in page, name


def test_a_described_default_reads_as_written():
    record = {o.name: text for o, (shown, text), page in _options("simulate")}
    assert record["side"].endswith("[default: drawn per session]"), record["side"]
    workers = {o.name: text for o, (shown, text), page in _options("analyze")}["workers"]
    assert "[default: one at a time below 4 files, else one per CPU; x>=1]" in workers, workers

"""A command that does no signal processing starts without importing the analysis stack: ``sensorkit
--help``, every command's ``--help``, ``decode``, a usage error (a missing input) of every command.
scipy.signal alone costs about 0.8 s of CPU at each start, pandas about 0.4 s."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from under_test import PACKAGE_ROOT

#: what the analysis loads: signal processing, tables, the orientation filter, the pipeline, plots
ANALYSIS_STACK = ("scipy.signal", "pandas", "vqf", "matplotlib", "sensorkit.pipeline.pipeline", "sensorkit.batch")

#: runs ``sensorkit ARGS`` in this process, then prints the ANALYSIS_STACK modules it imported
PROBE = """
import sys
sys.path.insert(0, sys.argv.pop(1))
heavy, args = sys.argv[1].split(","), sys.argv[2:]
sys.argv = ["sensorkit", *args]
from sensorkit.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nimported:", ",".join(m for m in heavy if m in sys.modules))
"""


def imported(args: list[str], cwd: Path, heavy=ANALYSIS_STACK) -> list[str]:
    """The modules of ``heavy`` that running ``sensorkit ARGS`` imported."""
    run = subprocess.run([sys.executable, "-c", PROBE, PACKAGE_ROOT, ",".join(heavy), *args], capture_output=True,
                         text=True, timeout=120, cwd=cwd)
    assert "Traceback" not in run.stderr, run.stderr
    last = run.stdout.splitlines()[-1]
    assert last.startswith("imported:"), run.stdout
    return [m for m in last.removeprefix("imported:").strip().split(",") if m]


@pytest.mark.parametrize("command", ["analyze", "convert", "dashboard", "decode", "live", "plot", "record", "report",
                                     "scan", "simulate"])
def test_a_commands_help_imports_no_analysis(tmp_path, command):
    assert imported([command, "--help"], tmp_path) == []


def test_decoding_a_capture_imports_no_analysis(tmp_path):
    (tmp_path / "capture.hex").write_text("0201\n")
    assert imported(["decode", "movesense", "capture.hex", "--sample-rate-hz", "52"], tmp_path) == []


@pytest.mark.parametrize("args", [
    ["analyze", "missing.csv", "--out", "out"],
    ["report", "--prescription", "missing.toml", ".", "--out", "report.csv"],
    ["convert", "missing.csv", "--out", "out"],
    ["plot", "missing.csv", "--out", "plot.png"],
])
def test_a_missing_input_is_said_before_the_analysis_loads(tmp_path, args):
    assert imported(args, tmp_path) == []


def test_the_command_list_and_version_import_not_even_numpy(tmp_path):
    for args in (["--help"], ["--version"]):
        assert imported(args, tmp_path, heavy=("numpy", *ANALYSIS_STACK)) == [], args


#: in a fresh process: what a user's code reaches through ``import sensorkit`` alone, and ``dir()``
NAMES_PROBE = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import sensorkit
print(sensorkit.samples.Samples.__name__)  # (the submodule an attribute, as when __init__ imported it)
missing = [name for name in sensorkit.__all__ if name not in dir(sensorkit)]
print("not in dir:", ",".join(missing))
"""


def test_the_lazy_package_still_has_its_samples_module_and_lists_its_names(tmp_path):
    # (sensorkit.Samples loads on first use since session 28: `import sensorkit; sensorkit.samples`
    # became an AttributeError, and dir(sensorkit) listed none of the lazy names)
    run = subprocess.run([sys.executable, "-c", NAMES_PROBE, PACKAGE_ROOT], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["Samples", "not in dir: "]


IO_PROBE = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import sensorkit.io
print(",".join(sorted(n for n in ("discover", "meta", "reader", "writer") if hasattr(sensorkit.io, n))))
print(sensorkit.io.reader.read_recording is sensorkit.io.read_recording)
"""


def test_sensorkit_io_still_has_the_submodules_it_imported_as_attributes(tmp_path):
    # (its names load on first use since session 28: `import sensorkit.io; sensorkit.io.reader` became
    # an AttributeError, as did discover, meta and writer, which its __init__ had imported)
    run = subprocess.run([sys.executable, "-c", IO_PROBE, PACKAGE_ROOT], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["discover,meta,reader,writer", "True"]


def test_simulate_offers_the_exercises_the_simulator_performs():
    """(its --exercise choices come from the catalogue, which loads without the simulator)"""
    from sensorkit.exercises import names
    from sensorkit.sim.exercises import exercise_names

    assert names() == exercise_names()

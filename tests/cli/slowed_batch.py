"""A ``sensorkit`` run slowed and announced, for the tests that stop a batch midway (Ctrl-C, SIGTERM).

``WRAPPER`` is run as ``python -c WRAPPER PACKAGE SECONDS SLOW ARGS...``: it imports the package under test from
PACKAGE (under_test.PACKAGE_ROOT, whatever the working folder), announces each file's task on stderr ("task") and
slows it by SECONDS, and runs ``sensorkit ARGS``. SLOW: ``discard``, the first signal's cleanup slow (the output
files' removal, as on a slow disk or with a pool slow to stop; announced "cleaning up"); ``exit``, the process's own
exit slow (an interpreter freeing a big analysis; announced "exiting"); anything else, neither.
"""
import shutil
import textwrap
from pathlib import Path

from prescriptions import exercise, rx_toml

RECORDINGS = Path(__file__).resolve().parents[2] / "recordings"

WRAPPER = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv.pop(1))
    import atexit, time
    import sensorkit.batch as batch
    import sensorkit.io.outputs as outputs
    import sensorkit.report.build as build

    def say(line):
        sys.stderr.write(line + "\\n")
        sys.stderr.flush()

    delay_s, slow, args = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    run_file_task = batch.run_file_task
    def announced(*args):
        say("task")
        time.sleep(delay_s)
        return run_file_task(*args)
    batch.run_file_task = build.run_file_task = announced

    if slow == "discard":
        discard = outputs.OutputSet._discard
        def slow_discard(self):
            say("cleaning up")
            time.sleep(20)
            discard(self)
        outputs.OutputSet._discard = slow_discard
    elif slow == "exit":
        def slow_exit():
            say("exiting")
            time.sleep(20)
        atexit.register(slow_exit)
    from sensorkit.cli import main
    sys.argv = ["sensorkit", *args]
    main()
""")


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (its path relative to it) and its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def batch(folder: Path):
    """Nine recordings (a batch long enough to stop) and a prescription under ``folder``: (data folder,
    outputs folder, command(name, workers=1) -> the arguments of ``sensorkit analyze`` or ``report``)."""
    data = folder / "data"
    data.mkdir()
    for name in ("sim_9013", "sim_9010", "sim_9024"):
        for suffix in (".csv", ".json"):
            for copy in range(3):  # (nine tasks: a batch long enough to stop)
                shutil.copy(RECORDINGS / f"{name}{suffix}", data / f"{name}_{copy}{suffix}")
    rx = folder / "rx.toml"
    rx.write_text(rx_toml("demo-p044", "Europe/Berlin", "2026-12-01", None,
                          exercise("hip_external_rotation", 35, sides=("left", "right"))))
    out = folder / "out"

    def command(name: str, workers: int = 1) -> list[str]:
        if name == "analyze":
            return ["analyze", str(data), "--out", str(out), "--workers", str(workers), "--quiet"]
        return ["report", "--prescription", str(rx), str(data), "--out", str(out / "report.csv"), "--summary",
                str(out / "summary.csv"), "--include-simulated", "--as-of", "2026-12-31", "--workers", str(workers)]

    return data, out, command

"""docs/getting-started.md shows what ``sensorkit analyze recordings`` prints: the summary line it
quotes is the one the shipped recordings give today (it went stale once: 147 reps quoted, 149 given)."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "getting-started.md"


def test_the_quoted_summary_of_analysing_the_shipped_recordings_is_what_analyze_prints(tmp_path):
    quoted = [line for line in PAGE.read_text(encoding="utf-8").splitlines()
              if re.match(r"\d+ recording\(s\): ", line) and "out/analysis/" in line]
    assert len(quoted) == 1
    result = subprocess.run([sys.executable, "-m", "sensorkit", "analyze", "recordings", "--out", str(tmp_path / "a")],
                            capture_output=True, text=True, cwd=ROOT, check=True)
    printed = result.stderr.splitlines()[-1].replace(str(tmp_path / "a"), "out/analysis")
    assert printed == quoted[0]

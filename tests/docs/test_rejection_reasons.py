"""Every ``reason`` the pipeline can write in reps.csv is in docs/formats.md's table of rejection
reasons (with an example and what it means), and the table lists no reason the pipeline no longer writes.

The reasons are read from the pipeline's source: the texts given to ``Verdict("rejected", ...)``,
returned by the movement checks (``shape_problem``, ``pivot_problem``), and the ``no_rep`` constants
a movement is rejected with whatever it measures. A placeholder of an f-string (``{f.rom_deg:.1f}``)
matches any text in the documented example.
"""
import re
from pathlib import Path

from pipeline_reasons import pipeline_reasons

PAGE = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def documented_reasons() -> list[str]:
    """The backticked examples in the first column of the table of rejection reasons."""
    text = PAGE.read_text(encoding="utf-8")
    start = text.index("### Rejection reasons")
    end = text.index("\n#", start + 1)
    return [cell for line in text[start:end].splitlines() if line.startswith("| `")
            for cell in re.findall(r"`([^`]+)`", line.split("|")[1])]


def test_the_pipeline_has_the_reasons_this_test_reads():
    reasons = pipeline_reasons()
    for written in ("beyond the exercise's range (86 deg)", "swung the other way (behind the resting pose)",
                    "cut short: the data stopped (a gap in the recording)", "shaking (3 swings back and forth)",
                    "went on straight from a movement foreign to the exercise (a step's swing, walking)",
                    "began before the leg was seen at rest after a gap in the data"):
        assert any(re.fullmatch(r, written) for r in reasons), written
    assert len(reasons) >= 19


def test_every_reason_the_pipeline_writes_is_documented_with_an_example():
    examples = documented_reasons()
    missing = sorted(r for r in pipeline_reasons() if not any(re.fullmatch(r, e) for e in examples))
    assert not missing, f"docs/formats.md, Rejection reasons: no example of {missing}"


def test_every_documented_reason_is_one_the_pipeline_writes():
    reasons = pipeline_reasons()
    stale = [e for e in documented_reasons() if not any(re.fullmatch(r, e) for r in reasons)]
    assert not stale, f"docs/formats.md, Rejection reasons: {stale} match no reason of the pipeline"

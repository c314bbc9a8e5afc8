"""Every ``reason`` the pipeline can write in reps.csv is in docs/formats.md's table of rejection
reasons (with an example and what it means), and the table lists no reason the pipeline no longer writes.

The reasons are read from the pipeline's source: the texts given to ``Verdict("rejected", ...)``,
returned by the movement checks (``shape_problem``, ``pivot_problem``), and the ``no_rep`` constants
a movement is rejected with whatever it measures. A placeholder of an f-string (``{f.rom_deg:.1f}``)
matches any text in the documented example.
"""
import ast
import re
from pathlib import Path

from sensorkit.pipeline.pipeline import NO_ROW_REASONS

PIPELINE = Path(__file__).resolve().parents[2] / "sensorkit" / "pipeline"
PAGE = Path(__file__).resolve().parents[2] / "docs" / "formats.md"
#: the functions whose returned text is a movement's reason for rejection
REASON_FUNCTIONS = {"shape_problem", "pivot_problem"}
#: statements that are no block of others (a block holds every name of the statements in it)
SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Expr)
#: what a statement that gives a movement its reason names
NO_REP = re.compile(r"\bno_rep\b|\bunseen_why\b")


def _template(node: ast.expr) -> str | None:
    """The regular expression of a string literal or f-string (a placeholder: any text); None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value) if node.value else None
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".*?" for part in node.values)
    return None


def pipeline_reasons() -> set[str]:
    """The regular expression of each reason the pipeline can write."""
    found: set[str] = set()
    for source in sorted(PIPELINE.glob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        constants = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                     for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in REASON_FUNCTIONS:
                found.update(t for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None
                             and (t := _template(r.value)))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Verdict" and len(node.args) > 1:
                kind, reason = node.args[0], node.args[1]
                if isinstance(kind, ast.Constant) and kind.value == "rejected" and (t := _template(reason)):
                    found.add(t)
        # no_rep constants: every module-level text named in a simple statement that gives a
        # movement its no_rep (``no_rep=NAME``, ``self.unseen_why = NAME``, ``return v, no_rep or NAME``)
        found.update(t for node in ast.walk(tree) if isinstance(node, SIMPLE) and NO_REP.search(ast.unparse(node))
                     for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in constants
                     and (t := _template(constants[n.id])))
    # (a movement with one of these gets no row: the way back after the movement before, part of it)
    return found - {_template(ast.Constant(r)) for r in NO_ROW_REASONS}


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

"""The reasons the pipeline can give a rejected movement in reps.csv, read from its source (for the
tests that hold the docs and the live views to them): the texts given to ``Verdict("rejected", ...)``,
returned by the movement checks (``shape_problem``, ``pivot_problem``), and the ``no_rep`` constants
a movement is rejected with whatever it measures; not those of movements that get no row
(``NO_ROW_REASONS``). A placeholder of an f-string (``{f.rom_deg:.1f}``) matches any text."""
import ast
import re
from pathlib import Path

from sensorkit.pipeline.pipeline import NO_ROW_REASONS

PIPELINE = Path(__file__).resolve().parents[1] / "sensorkit" / "pipeline"
#: the functions whose returned text is a movement's reason for rejection
REASON_FUNCTIONS = {"shape_problem", "pivot_problem"}
#: statements that are no block of others (a block holds every name of the statements in it)
SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return, ast.Expr)
#: what a statement that gives a movement its reason names
NO_REP = re.compile(r"\bno_rep\b|\bunseen_why\b")


def _template(node: ast.expr, constants: dict[str, ast.expr] | None = None) -> str | None:
    """The regular expression of a string literal or f-string (a placeholder: any text, but a
    module-level text by its name, in ``constants``: that text), or of such a name; None otherwise."""
    constants = constants or {}
    if isinstance(node, ast.Name) and node.id in constants:
        return _template(constants[node.id])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value) if node.value else None
    if isinstance(node, ast.JoinedStr):
        return "".join(re.escape(part.value) if isinstance(part, ast.Constant)
                       else (_template(part.value, constants) or ".*?") if isinstance(part, ast.FormattedValue)
                       else ".*?" for part in node.values)
    return None


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """A module's module-level names and the expressions assigned to them."""
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def pipeline_reasons() -> set[str]:
    """The regular expression of each reason the pipeline can write."""
    found: set[str] = set()
    trees = [ast.parse(source.read_text(encoding="utf-8")) for source in sorted(PIPELINE.glob("*.py"))]
    # (a module's own texts, then those of the other modules, which it may import: CUT_BY_END)
    shared = {name: value for tree in trees for name, value in _constants(tree).items()}
    for tree in trees:
        constants = shared | _constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in REASON_FUNCTIONS:
                # (a returned module-level text by its name too: ``return NOT_RETURNED``)
                found.update(t for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None
                             and (t := _template(constants.get(getattr(r.value, "id", ""), r.value))))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Verdict" and len(node.args) > 1:
                kind, reason = node.args[0], node.args[1]
                if isinstance(kind, ast.Constant) and kind.value == "rejected" and (t := _template(reason, constants)):
                    found.add(t)
        # no_rep constants: every module-level text named in a simple statement that gives a
        # movement its no_rep (``no_rep=NAME``, ``self.unseen_why = NAME``, ``return v, no_rep or NAME``)
        found.update(t for node in ast.walk(tree) if isinstance(node, SIMPLE) and NO_REP.search(ast.unparse(node))
                     for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in constants
                     and (t := _template(constants[n.id])))
    # (a movement with one of these gets no row: the way back after the movement before, part of it)
    return found - {_template(ast.Constant(r)) for r in NO_ROW_REASONS}


def leading_texts() -> list[str]:
    """Each reason's words before its first number filled in (``too small (3.1 deg)`` -> ``too small (``)."""
    return sorted({re.sub(r"\\(.)", r"\1", r.split(".*?")[0]) for r in pipeline_reasons()})


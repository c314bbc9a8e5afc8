"""Render sensorkit's plain-text docstring style as reStructuredText for autodoc.

The code's docstrings are written to be read in a terminal (``help()``, an editor), not in RST:

- examples are indented blocks after a blank line, without a ``::`` marker::

      Reads a recording.

          rec = read_recording("a.csv")    # an example

- parameters are ``name: text`` lines in an indented block (continuations indented further),
  either after a blank line or under a heading line such as ``Filtering and stillness``.

Docutils would render the first as a block quote and reject the second ("unexpected
indentation"), which fails the ``-W`` build. This extension rewrites just those two shapes, on
the ``autodoc-process-docstring`` event, before napoleon reads the docstring: example blocks
become literal blocks, ``name: text`` blocks become bullet lists with the name as code. Anything
RST already understands (``::`` blocks, directives, lists, numpy sections) is left as it is.
"""
from __future__ import annotations

import re

FIELD = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_][\w.]*(?:\(\))?)\s*:\s+(?P<text>\S.*)$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#\.\s)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank(line: str) -> bool:
    return not line.strip()


#: numpy-style section titles napoleon knows (a title with a remark in brackets is split, below)
SECTIONS = ("Parameters", "Attributes", "Returns", "Yields", "Raises", "Warns", "Examples", "Notes",
            "See Also", "References", "Other Parameters", "Methods")
QUALIFIED_TITLE = re.compile(r"^(?P<indent>\s*)(?P<title>" + "|".join(SECTIONS) + r")\s+\((?P<remark>.+)\)\s*$")


def split_qualified_titles(lines: list[str]) -> list[str]:
    """``Attributes (after fit)`` over a dashed line becomes the plain title ``Attributes``.

    Napoleon only knows the bare titles; with a remark the title becomes an RST section inside a
    docstring (an error) and the names under it (``reps_``) RST link references. The remark is
    dropped: a numpy section has no place for it (anything between two sections belongs to the
    first), so the page that documents the class says it in prose.
    """
    out: list[str] = []
    for i, line in enumerate(lines):
        match = QUALIFIED_TITLE.match(line)
        underline = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if match and len(underline) >= 3 and set(underline) == {"-"}:
            pad, title = match["indent"], match["title"]
            out.append(f"{pad}{title}")
            lines[i + 1] = pad + "-" * len(title)
        else:
            out.append(line)
    return out


def convert(lines: list[str]) -> list[str]:
    """The docstring ``lines`` (already dedented, as autodoc gives them) with the house shapes in RST."""
    lines = split_qualified_titles(list(lines))
    out: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if _is_blank(line) or not out:
            out.append(line)
            i += 1
            continue
        if _is_blank(out[-1]) and FIELD.match(line):
            j = _field_run_end(lines, i)
            if j > i + 1:  # a paragraph of "name: text" lines (with continuations): a list
                out.extend(_field_block(lines[i:j], _indent(line)))
                if j < n and not _is_blank(lines[j]):
                    out.append("")
                i = j
                continue
        # the last non-blank line already emitted, and whether a blank line separates it from here
        prev_index = max((k for k, text in enumerate(out) if not _is_blank(text)), default=None)
        if prev_index is None:
            out.append(line)
            i += 1
            continue
        prev = out[prev_index]
        after_blank = prev_index < len(out) - 1
        base = _indent(prev)
        if _indent(line) <= base or not _starts_block(prev, after_blank):
            out.append(line)
            i += 1
            continue
        # an indented block: every line until one at the base indent or less
        j = i
        while j < n and (_is_blank(lines[j]) or _indent(lines[j]) > base):
            j += 1
        while j > i and _is_blank(lines[j - 1]):
            j -= 1
        block = lines[i:j]
        if FIELD.match(block[0]):
            out.extend(_field_block(block, base if after_blank else _indent(block[0])))
        elif after_blank and not LIST_ITEM.match(block[0]):
            out.extend([" " * base + "::", ""])
            out.extend(block)
        else:
            out.extend(block)
        if j < n and not _is_blank(lines[j]):
            out.append("")
        i = j
    return out


def _field_run_end(lines: list[str], start: int) -> int:
    """End (exclusive) of the paragraph of ``name: text`` lines starting at ``start``.

    The paragraph counts as such a run only if every line is a field at the first line's indent
    or a deeper continuation; otherwise ``start + 1`` (no run).
    """
    indent = _indent(lines[start])
    j = start + 1
    while j < len(lines) and not _is_blank(lines[j]):
        line = lines[j]
        if _indent(line) < indent or (_indent(line) == indent and not FIELD.match(line)):
            return start + 1
        j += 1
    return j


def _starts_block(prev: str, after_blank: bool) -> bool:
    """Whether an indented block after ``prev`` is one of the house shapes (not RST already)."""
    text = prev.strip()
    if text.endswith("::") or text.startswith(".. "):
        return False
    if LIST_ITEM.match(prev) or FIELD.match(prev) and not after_blank:
        return False  # a list item's or a field's continuation
    if text.startswith(":") or re.fullmatch(r"[-=~^\"'`]{3,}", text):
        return False  # an RST field (":param x:") or a section underline
    return True


def _field_block(block: list[str], indent: int) -> list[str]:
    field_indent = _indent(block[0])
    out: list[str] = []
    pad = " " * indent
    for line in block:
        match = FIELD.match(line)
        if match and _indent(line) == field_indent:
            out.append(f"{pad}- ``{match['name']}``: {match['text']}")
        elif _is_blank(line):
            out.append("")
        else:
            out.append(f"{pad}  {line.strip()}")
    return out


def _process(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = convert(lines)


def setup(app):
    app.connect("autodoc-process-docstring", _process, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

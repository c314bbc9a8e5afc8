"""docs/_ext/house_docstrings.py: the code's plain-text docstring shapes rendered as RST for autodoc."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "_ext"))

from house_docstrings import convert  # noqa: E402


def test_an_indented_example_after_a_paragraph_becomes_a_literal_block():
    lines = ["Read recordings.", "", "    rec = read_recording('a.csv')", "    rec.samples", "", "More text."]
    assert convert(lines) == ["Read recordings.", "", "::", "", "    rec = read_recording('a.csv')",
                              "    rec.samples", "", "More text."]


def test_a_block_already_marked_literal_is_left_alone():
    lines = ["Example::", "", "    x = 1"]
    assert convert(lines) == lines


def test_name_colon_text_lines_become_a_bullet_list_with_continuations():
    lines = ["One entry.", "", "name: the name.", "kinds: the kinds it has,", "    continued here.", "", "More."]
    assert convert(lines) == ["One entry.", "", "- ``name``: the name.", "- ``kinds``: the kinds it has,",
                              "  continued here.", "", "More."]


def test_a_paragraph_that_is_not_all_fields_stays_prose():
    lines = ["Note: this line", "goes on here."]
    assert convert(lines) == lines


def test_fields_under_a_heading_line_become_that_heading_s_list():
    lines = ["Filtering", "    lowpass_hz: cutoff of the filter", "        (second line).",
             "    still_window_s: trailing window."]
    assert convert(lines) == ["Filtering", "    - ``lowpass_hz``: cutoff of the filter", "      (second line).",
                              "    - ``still_window_s``: trailing window."]


def test_a_single_note_line_and_numpy_sections_are_not_touched():
    lines = ["Note: this is prose.", "", "Parameters", "----------", "x : float", "    Seconds."]
    assert convert(lines) == lines


def test_a_section_title_with_a_remark_becomes_the_plain_title():
    lines = ["Attributes (after :meth:`detect`)", "---------------------------------", "reps_ : DataFrame",
             "    One row per movement."]
    assert convert(lines) == ["Attributes", "----------", "reps_ : DataFrame", "    One row per movement."]

"""Known gaps of the pipeline (issue 12), kept visible as expected failures.

Each test named here fails today for the reason given; it stays, expected to fail (strictly), until
it is fixed: it then passes and the entry goes.
"""
import pytest

KNOWN_GAPS: dict[str, str] = {}  # (test name: reason; none left)


def pytest_collection_modifyitems(items):
    for item in items:
        reason = KNOWN_GAPS.get(item.name, KNOWN_GAPS.get(item.originalname))
        if reason is not None:  # strict: once fixed, the XPASS fails until the entry goes
            item.add_marker(pytest.mark.xfail(reason=f"issue 12 known gap: {reason}", strict=True))

"""Known gaps of the redesigned pipeline (issue 12), kept visible as expected failures.

These known-answer tests were written for the previous pipeline (integrated gyro re-referenced at
every rest). The gravity-anchored pipeline passes the real recordings, but not yet these synthetic
cases; each stays here, expected to fail with its reason, until it is fixed (it then passes and
the marker goes). Tempo's definition changed on purpose (the whole rep, hold included, is timed:
see sensorkit/pipeline/tempo.py), so the tests of the old definition are expected to fail too.
"""
import pytest

KNOWN_GAPS: dict[str, str] = {}  # (test name: reason; none left)


def pytest_collection_modifyitems(items):
    for item in items:
        reason = KNOWN_GAPS.get(item.name, KNOWN_GAPS.get(item.originalname))
        if reason is not None:  # strict: once fixed, the XPASS fails until the entry goes
            item.add_marker(pytest.mark.xfail(reason=f"issue 12 known gap: {reason}", strict=True))

"""Known gaps of the pipeline (issue 12), kept visible as expected failures.

Each test named here fails today for the reason given; it stays, expected to fail (strictly), until
it is fixed: it then passes and the entry goes.
"""
import pytest

KNOWN_GAPS: dict[str, str] = {  # (test name: reason)
    "test_continuous_swings_are_read_alike_at_any_sample_rate[200]": (
        "at 100-200 Hz a swing's turnaround behind the rest pose is quiet (under 5 deg/s) for 1-3 "
        "samples and is taken for the rest: PHYTMO's series resampled to 200 Hz has every later swing "
        "15-33 deg larger; requiring 0.04 s of quiet at every rate fixes it but raises the simulated "
        "ROM error at 50-200 Hz, whose truth measures continuous reps from the swing's bottom "
        "(docs/accuracy.md, session 13)"),
}


def pytest_collection_modifyitems(items):
    for item in items:
        reason = KNOWN_GAPS.get(item.name, KNOWN_GAPS.get(item.originalname))
        if reason is not None:  # strict: once fixed, the XPASS fails until the entry goes
            item.add_marker(pytest.mark.xfail(reason=f"issue 12 known gap: {reason}", strict=True))

"""Fixtures for the web pages' tests: a small simulated clinic, and Debian's chromium for Playwright.

The browser tests need the ``web`` and ``webtest`` extras and ``/usr/bin/chromium`` (``.ci/run``
installs it); without chromium they skip, saying so.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))  # tests/prescriptions.py
sys.path.insert(0, str(HERE.parent / "report"))  # tests/report/simulated_clinic.py

#: flags for a root user on a machine without network (see the browser notes in .ci/run)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches this instead of Playwright's own (undownloadable) browser."""
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
    return {"executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


# pytest-playwright keeps Playwright (whose sync API runs an event loop in the main thread) for the
# whole session; here it lives per module, so no loop is left running for tests collected later.
@pytest.fixture(scope="module")
def playwright(browser_type_launch_args):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser_context_args(playwright):
    return {}


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **kwargs: browser_type.launch(**(browser_type_launch_args | kwargs))


@pytest.fixture(scope="module")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def clinic(tmp_path_factory):
    """The report tests' simulated clinic (two patients, 11 recordings, one broken), and the
    report's own files for it, made by the ``sensorkit report`` command."""
    from click.testing import CliRunner
    from simulated_clinic import AS_OF, write_clinic

    from sensorkit.cli import cli

    root = tmp_path_factory.mktemp("clinic")
    write_clinic(root)
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(cli, ["report", "--prescription", str(root / "rx"), str(root / "data"), "--as-of", AS_OF,
                                      "--out", str(out / "report.csv"), "--summary", str(out / "summary.csv")])
    assert result.exit_code == 1, result.output  # one broken recording
    return {"root": root, "rx": root / "rx", "data": root / "data", "report": out / "report.csv", "as_of": AS_OF,
            "summary": out / "summary.csv"}

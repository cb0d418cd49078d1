"""Real-browser tests: `streamlit run app.py` on 127.0.0.1, driven by Playwright in Debian's Chromium.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install -y chromium`).
Without Chromium or Playwright these tests skip, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from server import CHROMIUM, CHROMIUM_ARGS, ServerDidNotStart, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
TIMINGS: dict[str, float] = {}  # filled by the browser tests, printed at the end of the run


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("browser timings (targets: < 3 s to a complete page, < 0.5 s per interaction)")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.2f}")


def _missing_requirement() -> str | None:
    if CHROMIUM is None:
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    missing = _missing_requirement()
    if missing is None or IN_CI:
        return  # under CI=true a missing browser makes every browser test fail, never skip
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=missing))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1000}, "accept_downloads": True}


@pytest.fixture(scope="session")
def app_url():
    """A streamlit server for the whole session, on a free loopback port."""
    missing = _missing_requirement()
    if missing:
        (pytest.fail if IN_CI else pytest.skip)(f"browser tests need it: {missing}")
    log_path = ROOT / ".pytest_cache" / "e2e-streamlit.log"  # the server's output, for when a browser test fails
    log_path.parent.mkdir(exist_ok=True)
    try:
        with streamlit_server(ROOT / "app.py", log_path) as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))

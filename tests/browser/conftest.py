"""Browser fixtures: the real ``sepsiscope serve`` on a free port, driven by Debian's chromium.

Playwright cannot download browsers here, so it launches the system ``chromium``. Without
chromium (or without the playwright package) the tests skip, naming what is missing; under
SEPSISCOPE_REQUIRE_ALL=1 (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.live_server import Server, live_server

VENDOR = Path(__file__).parent / "vendor"
AXE = VENDOR / "axe-core-4.14.1.min.js"
ARTIFACTS = REPO / "test-artifacts"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(message: str) -> None:
    if os.environ.get("SEPSISCOPE_REQUIRE_ALL") == "1":
        pytest.fail(message + " (SEPSISCOPE_REQUIRE_ALL=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server as a subprocess, up for the whole browser session."""
    with live_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright (never a downloaded browser)."""
    executable = shutil.which("chromium")
    if executable is None:
        _missing("Debian chromium not found on PATH (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e .[dev])")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh phone-width browser context (no shared cookies or cache between tests)."""
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="en-US")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page in :func:`context`."""
    return context.new_page()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots (gitignored; CI may keep it as an artefact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

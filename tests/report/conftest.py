"""Fixtures shared by the report tests: one headless Debian Chromium per module."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def chromium() -> Any:
    from privprobe.capture.browser import DEFAULT_EXECUTABLE, EXECUTABLE_VARIABLE, FLAGS

    executable = os.environ.get(EXECUTABLE_VARIABLE) or DEFAULT_EXECUTABLE
    if not Path(executable).is_file():
        pytest.skip(f"{executable} is absent (apt-get install chromium, or scripts/setup.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        yield browser
        browser.close()

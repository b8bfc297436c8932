"""What the browser tests share: one headless Chromium (Debian's package) per test module,
launched with the project's arguments (`tests/support/browser.py`). Tests that read pages
through the project's own `Browser` helper (visits, screenshots) make that instead."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()

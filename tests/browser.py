"""Headless Chromium for the browser tests: one way to start it, one place for screenshots.

Chromium is Debian's package (``/usr/bin/chromium``), driven by Playwright's Python package;
Playwright's own browser download is never used (no internet where the tests run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser, closed on the way out (the test is skipped without
    Playwright's Python package)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshots(tmp_path: Path) -> Path:
    """Where a test's screenshots go: ``$BPMTOOL_SCREENSHOTS``, else a temporary folder."""
    folder = Path(os.environ.get("BPMTOOL_SCREENSHOTS", tmp_path / "screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder

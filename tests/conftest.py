"""Shared fixtures: where the project's and the third-party test files are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
EXAMPLES = ROOT / "examples"
SHARED_DATA = ROOT.parent / "shared" / "data"
REFERENCE_MODEL = MODELS / "saas-handoffs.yaml"
FLAWED_MODEL = MODELS / "flawed-handoffs.yaml"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Chromium; outside CI they are skipped when it is missing."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"third-party test data not found at {SHARED_DATA}")
    return SHARED_DATA

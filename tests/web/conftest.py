"""Fixtures of the web tests: an app over a fresh, seeded workspace and its TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette: httpx in TestClient is deprecated
    from fastapi.testclient import TestClient

from bpmtool.web.config import Settings
from bpmtool.web.main import create_app

#: the address the test clients talk to: a host the app answers to by default
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def client(workspace: Path) -> Iterator[TestClient]:
    app = create_app(
        Settings(workspace=workspace, max_model_bytes=200_000, max_log_bytes=2_000_000)
    )
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
def token_client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(workspace=tmp_path / "ws", token="s3cret-token"))
    with TestClient(app, base_url=BASE_URL) as c:
        yield c

"""A real uvicorn server on a free loopback port, in a thread, for load and browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bpmtool.web import serving
from bpmtool.web.config import Settings
from bpmtool.web.main import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    settings: Settings, *, header_timeout: float = serving.HEADER_TIMEOUT
) -> Iterator[str]:
    """Serve the app for ``settings``; yields its base URL."""
    port = free_port()
    config = serving.config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        limit_concurrency=200,
        header_timeout=header_timeout,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)

"""`bpmtool serve` as a process: clear refusals of bad ports, a clean stop on SIGTERM, nothing
left behind by a kill -9, and connections that stop sending are closed."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpmtool.cli import app as cli
from bpmtool.web.config import Settings
from bpmtool.web.workspace import Workspace
from tests.web.server import running_server


def test_a_port_out_of_range_is_exit_2_with_a_reason(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "99999", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2
    assert "port 99999 is not a port number" in result.output
    assert "internal error" not in result.output and not (tmp_path / "ws").exists()


def test_a_port_in_use_is_exit_2_before_anything_is_announced(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2
    assert f"port {port} is in use" in result.output
    assert "serving" not in result.output and not (tmp_path / "ws").exists()


def _start(workspace: Path) -> tuple[subprocess.Popen[str], str]:
    """`bpmtool serve` on a free port; the process and its base URL (from its announcement)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bpmtool", "serve", "--port", "0", "-w", str(workspace)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = re.search(r"on (http://127\.0\.0\.1:\d+)/", line)
    assert match, line
    return proc, match.group(1)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _wait_until(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_the_server_and_its_check_worker_cleanly(tmp_path: Path) -> None:
    proc, url = _start(tmp_path / "ws")
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=30) as page:
            assert b"saas-handoffs.yaml" in page.read()
        workers = [
            c for c in _children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
        ]
        assert workers, "the check worker did not start"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "leaked semaphore" not in err and "Traceback" not in err
    assert "stopped" in err
    assert not [w for w in workers if _running(w)]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_after_kill_9_the_worker_ends_and_the_next_start_sweeps_the_upload(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    proc, url = _start(workspace)
    port = int(url.rsplit(":", 1)[1])
    uploads = workspace / ".bpmtool" / "uploads"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(
            b"POST /api/logs?filename=big.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 50000000\r\n\r\n" + b"case,activity,time\n" * 50_000
        )
        assert _wait_until(lambda: any(p.stat().st_size > 0 for p in uploads.iterdir()))
        workers = _children(proc.pid)
        proc.kill()
        proc.wait()
    assert [p.suffix for p in uploads.iterdir()] == [".part"]
    assert _wait_until(lambda: not [w for w in workers if _running(w)])
    Workspace(workspace).sweep_leftovers()
    assert list(uploads.iterdir()) == []


def test_a_body_that_stops_arriving_gets_408_and_the_connection_closes(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", seed=False, body_timeout=1)
    with running_server(settings) as url:
        port = int(url.rsplit(":", 1)[1])
        for request in (
            b"PUT /api/models/half.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 1000\r\n\r\nid: half\n",
            b"POST /api/logs?filename=half.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n13\r\ncase,activity,time\n\r\n",
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ntoken=ab",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
                client.sendall(request)
                reply = _read_all(client)
            assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
            assert b"stopped arriving" in reply
        assert list((tmp_path / "ws" / ".bpmtool" / "uploads").iterdir()) == []


def _trickle(port: int, head: bytes, pause: float, piece: bytes, most: int) -> bytes:
    """Send ``head``, then ``piece`` every ``pause`` seconds (at most ``most`` times, never a
    pause long enough for the per-pause timeout) until the server answers; the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
        client.sendall(head)
        client.setblocking(False)
        for _ in range(most):
            time.sleep(pause)
            try:
                client.sendall(piece)
            except OSError:  # the server has closed it
                break
            try:
                if client.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                continue
        client.setblocking(True)
        return _read_all(client)


@pytest.mark.parametrize(
    ("options", "piece", "why"),
    [
        ({"body_min_rate": 1024}, b"x", b"at least 1 KB/s on average after the first 4 s"),
        ({"body_min_rate": 1, "body_deadline": 4}, b"xxxxxxxxxx", b"within 4 s"),
    ],
)
def test_a_body_that_trickles_is_cut_off_by_the_whole_body_deadline(
    tmp_path: Path, options: dict[str, float], piece: bytes, why: bytes
) -> None:
    # a byte every half second never pauses for the 2 s per-pause timeout (a slow loris)
    settings = Settings(workspace=tmp_path / "ws", seed=False, body_timeout=2, **options)
    with running_server(settings) as url:
        port = int(url.rsplit(":", 1)[1])
        for head in (
            b"PUT /api/models/slow.yaml HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 100000\r\n\r\n",
            b"POST /api/logs?filename=slow.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 100000\r\n\r\n",
        ):
            reply = _trickle(port, head, 0.5, piece, most=60)
            assert reply.startswith(b"HTTP/1.1 408"), reply[:300]
            assert b"arrives too slowly" in reply and why in reply
            assert b"application/json" in reply
        assert list((tmp_path / "ws" / ".bpmtool" / "uploads").iterdir()) == []


def test_headers_that_never_end_are_cut_off(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path / "ws", seed=False)
    with running_server(settings, header_timeout=1) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
            client.sendall(b"GET /models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            assert _read_all(client) == b""  # closed by the server, not by our timeout
        with socket.create_connection(("127.0.0.1", port), timeout=60) as client:
            assert _read_all(client) == b""  # a connection that never says anything
        with urllib.request.urlopen(f"{url}/api/models", timeout=30) as ok:
            assert ok.status == 200  # a normal request is not affected


def _read_all(client: socket.socket) -> bytes:
    """Everything until the server closes the connection (the socket's timeout fails it)."""
    data = b""
    while chunk := client.recv(65536):
        data += chunk
    return data


def test_a_check_worker_count_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--check-workers", "0", "-w", str(tmp_path / "ws")])
    assert result.exit_code == 2
    assert "--check-workers" in result.output and "validation error" not in result.output
    assert not (tmp_path / "ws").exists()

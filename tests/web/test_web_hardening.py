"""Hostile requests get a 4xx with a reason, never a 500: long names, broken logs, absurd
multipart boundaries, foreign hosts, bodies without end; the token guards every route."""

from __future__ import annotations

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount

from bpmtool.web.config import Settings
from bpmtool.web.main import create_app
from bpmtool.web.security import default_allowed_hosts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SMALL = b"id: t\nlanes: [{id: a}]\nnodes: [{id: x, lane: a}]\n"


def _multipart(boundary: str) -> tuple[bytes, dict[str, str]]:
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="m.yaml"\r\n\r\n'
        ).encode()
        + SMALL
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def test_a_put_with_a_300_character_name_is_422(client) -> None:
    name = "a" * 300 + ".yaml"
    r = client.put(f"/api/models/{name}", content=SMALL)
    assert r.status_code == 422, r.text
    assert "not a usable model file name" in r.json()["detail"]
    assert "300" in r.json()["detail"] or "305" in r.json()["detail"]
    assert client.get(f"/api/models/{name}").status_code == 404


def _upload_log(client, name: str, data: bytes) -> str:
    r = client.post("/api/logs", files={"file": (name, data)})
    assert r.status_code == 201, r.text
    return str(r.json()["name"])


def test_a_garbage_parquet_gets_its_page_with_the_problem_and_a_422(client) -> None:
    name = _upload_log(client, "junk.parquet", b"PAR1" + os.urandom(3000) + b"PAR1")
    page = client.get(f"/logs/{name}")
    assert page.status_code == 422
    assert "not a readable Parquet file" in page.text and "<html" in page.text
    api = client.get(f"/api/logs/{name}/columns")
    assert api.status_code == 422
    assert api.json()["problems"][0]["file"] == name


def test_a_csv_with_a_200_kb_header_field_gets_a_located_422(client) -> None:
    data = b"case,activity,time," + b"x" * 200_000 + b"\n1,a,2024-01-01 10:00,y\n"
    name = _upload_log(client, "wide.csv", data)
    page = client.get(f"/logs/{name}")
    assert page.status_code == 422 and "cannot be read as CSV" in page.text
    api = client.get(f"/api/logs/{name}/columns")
    assert api.status_code == 422
    assert api.json()["problems"][0]["line"] == 1
    r = client.put(f"/api/logs/{name}/columns", json={"case": "case"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "url", ["/api/models", "/api/lint", "/upload/model", "/api/logs", "/login"]
)
def test_a_multipart_boundary_of_1100_characters_is_400(client, url: str) -> None:
    body, headers = _multipart("b" * 1100)
    r = client.post(url, content=body, headers=headers)
    assert r.status_code == 400, r.text[:300]
    if url.startswith("/api/"):
        assert "boundary" in r.json()["detail"]


def test_a_request_for_another_host_is_refused(client) -> None:
    r = client.get("/models", headers={"Host": "rebound.evil.example:8000"})
    assert r.status_code == 400
    assert "--allowed-host rebound.evil.example" in r.json()["detail"]
    r = client.put(
        "/api/models/rebound.yaml", content=SMALL, headers={"Host": "rebound.evil.example"}
    )
    assert r.status_code == 400
    assert client.get("/api/models/rebound.yaml").status_code == 404  # nothing was written
    for origin in ("http://rebound.evil.example:8000", "https://127.0.0.1.evil.example"):
        r = client.get("/api/models", headers={"Origin": origin})
        assert r.status_code == 403 and "detail" in r.json()
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
        assert client.get("/api/models", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_can_be_added_or_opened(tmp_path: Path) -> None:
    app = create_app(
        Settings(
            workspace=tmp_path / "ws",
            seed=False,
            allowed_hosts=[*default_allowed_hosts("127.0.0.1"), "bpm.example"],
        )
    )
    with TestClient(app, base_url="http://bpm.example:8000") as c:
        assert c.get("/api/models").status_code == 200
        assert c.get("/api/models", headers={"Host": "other.example"}).status_code == 400
    app = create_app(Settings(workspace=tmp_path / "ws2", seed=False, allowed_hosts=["*"]))
    with TestClient(app, base_url="http://anything.example") as c:
        assert c.get("/api/models").status_code == 200
    assert default_allowed_hosts("10.0.0.7") == ["10.0.0.7"]
    everywhere = default_allowed_hosts("0.0.0.0")
    assert {"localhost", "127.0.0.1", socket.gethostname().lower()} <= set(everywhere)


def _every_route(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, with its parameters filled in; included routers
    (FastAPI keeps them as objects holding the original router) are walked into."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _every_route(inner.routes, prefix + route.include_context.prefix)
        elif not isinstance(route, Mount) and getattr(route, "methods", None):
            path = (prefix + route.path).replace("{name}", "saas-handoffs.yaml")
            for method in sorted(route.methods):
                if method != "HEAD":
                    yield method, re.sub(r"\{[a-z_]+\}", "x", path)


def test_every_route_but_login_and_static_needs_the_token(token_client) -> None:
    open_paths = {"/login", "/logout"}
    checked = 0
    for method, path in _every_route(token_client.app.routes):
        if path in open_paths:
            continue
        assert "{" not in path, path
        r = token_client.request(
            method, path, follow_redirects=False, headers={"Accept": "application/json"}
        )
        assert r.status_code == 401, (method, path, r.status_code)
        checked += 1
    assert checked > 40
    assert token_client.get("/openapi.json").status_code == 401
    r = token_client.get("/openapi.json", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and r.json()["info"]["title"] == "bpmtool"
    assert token_client.get("/static/style.css").status_code == 200
    assert token_client.get("/login").status_code == 200


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_a_chunked_login_body_is_cut_off_at_its_limit(token_client) -> None:
    r = token_client.post(
        "/login",
        content=_chunks(2_000_000),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413
    r = token_client.post(
        "/login",
        content=_chunks(2_000_000),
        headers={"content-type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_chunked_bodies_are_limited_while_they_stream(client, workspace: Path) -> None:
    # the test app: models up to 200 kB (routes that read a form: 3 x + 1 MB), logs 2 MB
    r = client.post("/api/validate", content=_chunks(3_000_000))
    assert r.status_code == 413
    r = client.put(
        "/api/logs/saas-handoffs.csv/columns",
        content=_chunks(3_000_000),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    r = client.post("/api/logs?filename=big.csv", content=_chunks(3_000_000))
    assert r.status_code == 413
    assert list((workspace / ".bpmtool" / "uploads").iterdir()) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_dead_server_are_swept_at_start_not_a_live_ones(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    create_app(Settings(workspace=ws, seed=False))
    uploads = ws / ".bpmtool" / "uploads"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = uploads / f"{_dead_pid()}-0123456789abcdef.part"
        ours = uploads / f"{os.getpid()}-0123456789abcdef.part"  # an earlier process, same id
        other = uploads / f"{live.pid}-0123456789abcdef.part"  # another server, still writing
        junk = uploads / "junk.part"
        old_tmp = ws / "models" / ".m.yaml.k2j3h4.tmp"
        new_tmp = ws / "runs" / ".x.json.a8s7d6.tmp"
        history_tmp = ws / ".bpmtool" / "history" / "m.yaml" / ".old.p0o9i8.tmp"
        for path in (dead, ours, other, junk, old_tmp, new_tmp, history_tmp):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"left over")
        hour_ago = time.time() - 3600
        for path in (old_tmp, history_tmp):
            os.utime(path, (hour_ago, hour_ago))
        create_app(Settings(workspace=ws, seed=False))
        assert not dead.exists() and not ours.exists() and not junk.exists()
        assert not old_tmp.exists() and not history_tmp.exists()
        assert other.exists() and new_tmp.exists()
    finally:
        live.kill()
        live.wait()


@pytest.mark.parametrize("name", ["bomb.csv.gz", "bomb.xes.gz"])
def test_a_compressed_log_is_held_to_the_upload_limit_once_inflated(
    client, workspace: Path, name: str
) -> None:
    # the test app takes logs up to 2 MB; this one is 15 kB packed and 3 MB unpacked
    text = b"case,activity,time\n" + b"1,a,2024-01-01 10:00:00\n" * 130_000
    if name.endswith(".xes.gz"):
        text = b"<log>" + b"<trace><string key='concept:name' value='1'/></trace>" * 60_000
    packed = gzip.compress(text)
    assert len(packed) < 100_000 and len(text) > 2_000_000
    r = client.post("/api/logs", files={"file": (name, packed)})
    assert r.status_code == 413, r.text
    assert "inflates" in r.json()["detail"]
    assert list((workspace / "logs").glob("bomb*")) == []
    assert list((workspace / ".bpmtool" / "uploads").iterdir()) == []
    r = client.post("/upload/log", files={"file": (name, packed)})
    assert r.status_code == 413 and "inflates" in r.text
    fine = gzip.compress(text[:1_000_000])
    assert client.post("/api/logs", files={"file": (name, fine)}).status_code == 201
    r = client.post("/api/logs", files={"file": ("cut.csv.gz", packed[:5000])})
    assert r.status_code == 422 and "cut short" in r.json()["detail"]


@pytest.mark.parametrize("name", ["a" * 300 + ".yaml", "b" * 300 + ".csv", "%00" * 100, "x" * 5000])
def test_no_route_answers_500_to_a_very_long_name(client, name: str) -> None:
    for method, path in _every_route(client.app.routes):
        url = path.replace("saas-handoffs.yaml", name)
        r = client.request(method, url, content=SMALL, follow_redirects=False)
        assert r.status_code < 500, (method, url[:80], r.status_code, r.text[:200])


def test_the_editor_gets_the_first_thousand_problems_and_the_count(client) -> None:
    text = SMALL + b"flows: [" + b", ".join([b"q"] * 50_000) + b"]\n"
    r = client.post("/api/validate", content=text)
    assert r.status_code == 200
    out = r.json()
    assert out["valid"] is False and out["total"] == 50_000
    assert len(out["problems"]) == 1000 and out["problems"][0]["line"] == 4
    assert len(r.content) < 400_000


_STUCK_WRITER = """
import os, sys, time
from bpmtool.io import files
def stuck(src, dst):
    print("writing", flush=True)
    time.sleep(600)
os.replace = stuck
files.write_atomic(sys.argv[1], b"x" * 1000)
"""


def test_a_killed_writers_temporary_file_is_swept_at_the_next_start(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    create_app(Settings(workspace=ws, seed=False))
    target = ws / "models" / "m.yaml"
    writer = subprocess.Popen(
        [sys.executable, "-c", _STUCK_WRITER, str(target)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        (left,) = list((ws / "models").glob(".m.yaml.*.tmp"))
        assert f".m.yaml.{writer.pid}-" in left.name
        writer.kill()
        writer.wait()
        busy = ws / "runs" / f".r.json.{live.pid}-abc123.tmp"  # another process, still writing
        busy.write_bytes(b"half")
        create_app(Settings(workspace=ws, seed=False))  # a minute later, not ten
        assert not left.exists() and busy.exists()
    finally:
        for proc in (writer, live):
            proc.kill()
            proc.wait()

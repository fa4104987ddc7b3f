"""A bounded load test on loopback: 20 clients, a few hundred requests with uploads and
concurrent saves of the same model — no failed request, no 500, no lost or torn file."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bpmtool.io.yaml_model import loads_model
from bpmtool.web.config import Settings
from tests.conftest import REFERENCE_MODEL
from tests.web.server import running_server

pytestmark = pytest.mark.slow

CLIENTS = 20
ROUNDS = 15
MODEL = "saas-handoffs.yaml"


def _client_work(
    base: str,
    n: int,
    statuses: Counter,
    saved: list[bytes],
    uploaded: dict[str, bytes],
    errors: list[str],
    lock: threading.Lock,
) -> None:
    rng = random.Random(n)
    original = REFERENCE_MODEL.read_text()
    with httpx.Client(base_url=base, timeout=60) as http:
        for i in range(ROUNDS):
            try:
                action = rng.choice(["page", "page", "api", "save", "save", "upload", "log"])
                if action == "page":
                    r = http.get(
                        rng.choice(
                            [
                                "/models",
                                f"/models/{MODEL}",
                                "/logs",
                                "/runs",
                                f"/models/{MODEL}/history",
                                "/upload",
                            ]
                        )
                    )
                    codes = [r.status_code]
                elif action == "api":
                    r = http.get(
                        rng.choice(
                            [
                                f"/api/models/{MODEL}/lint",
                                f"/api/models/{MODEL}/sipoc",
                                "/api/models",
                            ]
                        )
                    )
                    codes = [r.status_code]
                elif action == "save":
                    codes = []
                    text = original.replace('version: "1.0"', f'version: "c{n}-r{i}"').encode()
                    for attempt in range(200):  # read, change, save; on 409 back off, retry
                        got = http.get(f"/api/models/{MODEL}")
                        r = http.put(
                            f"/api/models/{MODEL}",
                            content=text,
                            headers={"If-Match": got.headers["etag"]},
                        )
                        codes += [got.status_code, r.status_code]
                        if r.status_code == 200:
                            with lock:
                                saved.append(text)
                            break
                        time.sleep(rng.uniform(0.0, 0.01 * min(attempt + 1, 20)))
                    else:
                        with lock:
                            errors.append(f"client {n} round {i}: two hundred conflicts in a row")
                elif action == "upload":
                    body = f"id: c{n}r{i}\nlanes: [{{id: a}}]\nnodes: [{{id: x, lane: a}}]\n"
                    r = http.post(
                        "/api/models", files={"file": (f"up-{n}-{i}.yaml", body.encode())}
                    )
                    codes = [r.status_code]
                    if r.status_code == 201:
                        with lock:
                            uploaded[r.json()["name"]] = body.encode()
                else:
                    rows = "".join(
                        f"C{k},Request demo,2025-01-0{1 + k % 9}T10:00:00\n" for k in range(2000)
                    )
                    r = http.post(
                        "/api/logs",
                        files={
                            "file": (
                                f"log-{n}-{i}.csv",
                                ("case_id,activity,timestamp\n" + rows).encode(),
                            )
                        },
                    )
                    codes = [r.status_code]
                with lock:
                    statuses.update(codes)
            except httpx.HTTPError as exc:
                with lock:
                    errors.append(f"client {n} round {i}: {exc!r}")


def test_twenty_clients_lose_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    statuses: Counter = Counter()
    saved: list[bytes] = []
    uploaded: dict[str, bytes] = {}
    errors: list[str] = []
    lock = threading.Lock()
    with running_server(Settings(workspace=ws)) as base:
        threads = [
            threading.Thread(
                target=_client_work, args=(base, n, statuses, saved, uploaded, errors, lock)
            )
            for n in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    total = sum(statuses.values())
    print(
        f"\nload test: {total} requests, statuses {dict(statuses)}, {len(saved)} saves, "
        f"{len(uploaded)} model uploads"
    )
    assert not errors, errors[:5]
    assert total >= 300
    assert set(statuses) <= {200, 201, 409}, statuses
    # every successful save is either the current file or a whole entry of the history
    current = (ws / "models" / MODEL).read_bytes()
    history = [p.read_bytes() for p in (ws / ".bpmtool" / "history" / MODEL).iterdir()]
    assert len(history) == len(saved)
    kept = Counter([current, *history])
    for text in saved:
        assert kept[text] >= 1
    assert current in saved
    loads_model(current)  # not torn
    for name, body in uploaded.items():
        assert (ws / "models" / name).read_bytes() == body
    assert list((ws / ".bpmtool" / "uploads").iterdir()) == []
    assert not list((ws / "models").glob(".*.tmp"))

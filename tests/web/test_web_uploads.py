"""Uploads: streamed to disk, limited, sanitised; logs and their column mapping."""

from __future__ import annotations

import io
from pathlib import Path

from tests.conftest import REFERENCE_MODEL

SMALL_MODEL = b"id: small\nlanes: [{id: a}]\nnodes: [{id: x, name: Do it, lane: a}]\n"


def test_upload_a_model_as_a_form_and_as_a_raw_body(client, workspace: Path) -> None:
    r = client.post("/api/models", files={"file": ("small.yaml", SMALL_MODEL)})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "small.yaml"
    r = client.post("/api/models?filename=small.yaml", content=SMALL_MODEL)
    assert r.json()["name"] == "small-2.yaml"  # a taken name gets a number, nothing replaced
    assert (workspace / "models" / "small.yaml").read_bytes() == SMALL_MODEL
    assert (workspace / "models" / "small-2.yaml").read_bytes() == SMALL_MODEL


def test_file_names_cannot_climb_out_of_the_workspace(client, workspace: Path) -> None:
    for evil in ("../../evil.yaml", "..\\..\\evil.yaml", "/etc/evil.yaml", "a/../../evil.yaml"):
        r = client.post("/api/models", files={"file": (evil, SMALL_MODEL)})
        assert r.status_code == 201, r.text
        assert "/" not in r.json()["name"] and ".." not in r.json()["name"]
    assert not (workspace.parent / "evil.yaml").exists()
    assert not list(workspace.parent.glob("**/evil.yaml"))[:0]  # only inside models/
    inside = sorted(p.name for p in (workspace / "models").glob("evil*.yaml"))
    assert inside == ["evil-2.yaml", "evil-3.yaml", "evil-4.yaml", "evil.yaml"]


def test_too_large_is_413_and_leaves_no_partial_file(client, workspace: Path) -> None:
    big = b"# padding\n" * 30_000  # 300 kB > the 200 kB limit of the test app
    r = client.post("/api/models", files={"file": ("big.yaml", big)})
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]
    assert list((workspace / ".bpmtool" / "uploads").iterdir()) == []
    assert not (workspace / "models" / "big.yaml").exists()


def test_a_streamed_body_without_length_is_also_cut_at_the_limit(client, workspace) -> None:
    def chunks():
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post("/api/models?filename=big.yaml", content=chunks())
    assert r.status_code == 413
    assert list((workspace / ".bpmtool" / "uploads").iterdir()) == []


def test_bad_models_are_422_with_located_problems(client) -> None:
    r = client.post("/api/models", files={"file": ("x.yaml", b"id: [unclosed\n")})
    assert r.status_code == 422
    body = r.json()
    assert body["problems"] and body["problems"][0]["line"] in (1, 2)
    assert body["problems"][0]["file"] == "x.yaml"  # the user's name, not a temp file
    r = client.post("/api/models", files={"file": ("notes.txt", b"hello")})
    assert r.status_code == 422 and "extension" in r.json()["detail"]
    r = client.post("/api/models", files={"file": ("model.bpmn", b"<not xml")})
    assert 400 <= r.status_code < 500


def test_upload_a_csv_log_and_map_its_columns(client) -> None:
    csv = b"ticket;step;when;agent\nT1;Open;2025-01-01 10:00;ann\nT1;Close;2025-01-02 11:00;bob\n"
    r = client.post("/api/logs", files={"file": ("my tickets.csv", csv)})
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    assert name == "my-tickets.csv"
    cols = client.get(f"/api/logs/{name}/columns").json()
    assert cols["columns"] == ["ticket", "step", "when", "agent"]
    assert cols["preview"][0] == ["T1", "Open", "2025-01-01 10:00", "ann"]
    r = client.put(
        f"/api/logs/{name}/columns",
        json={"case": "ticket", "activity": "step", "timestamp": "when"},
    )
    assert r.json()["chosen"] == {
        "case": "ticket",
        "activity": "step",
        "timestamp": "when",
        "resource": "agent",
    }
    r = client.put(f"/api/logs/{name}/columns", json={"case": "nope"})
    assert r.status_code == 422


def test_logs_that_are_not_their_format_are_refused(client) -> None:
    r = client.post("/api/logs", files={"file": ("x.parquet", b"hello")})
    assert r.status_code == 422 and "Parquet" in r.json()["detail"]
    r = client.post("/api/logs", files={"file": ("x.xes", b"\x00\x01binary")})
    assert r.status_code == 422


def test_page_uploads_redirect_to_the_new_model_and_log(client) -> None:
    r = client.post(
        "/upload/model",
        files={"file": ("page.yaml", REFERENCE_MODEL.read_bytes())},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/models/page.yaml")
    csv = io.BytesIO(b"case_id,activity,timestamp\nC1,Request demo,2025-01-01T10:00:00\n")
    r = client.post("/upload/log", files={"file": ("l.csv", csv)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logs/l.csv")
    page = client.get(r.headers["location"]).text
    assert "Case id" in page and '<option value="case_id" selected>' in page


def test_an_empty_form_is_a_friendly_400_page(client) -> None:
    r = client.post("/upload/model", files={"other": ("", b"")})
    assert r.status_code == 400
    assert "text/html" in r.headers["content-type"] and "choose a file" in r.text

"""Named users and roles, the history's authors and messages, the diff page, and renaming
and deleting models, logs and runs."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from bpmtool.errors import InputError
from bpmtool.web.config import Settings
from bpmtool.web.main import create_app
from bpmtool.web.users import parse_users, token_hash
from tests.web.conftest import BASE_URL

ANA = "ana-token-0123456789"
BEN = "ben-token-0123456789"
MODEL = "saas-handoffs.yaml"


def _users_file(folder: Path) -> Path:
    path = folder / "users.yaml"
    path.write_text(
        "users:\n"
        f"  - {{name: ana, role: editor, token: {ANA}}}\n"
        f"  - {{name: ben, role: viewer, token_sha256: {token_hash(BEN)}}}\n"
    )
    return path


@pytest.fixture
def team(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(workspace=tmp_path / "ws", users_file=_users_file(tmp_path)))
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _edit(c: TestClient, token: str, text: str, message: str) -> str:
    r = c.get(f"/api/models/{MODEL}", headers=_as(token))
    etag = r.headers["etag"]
    r = c.put(
        f"/api/models/{MODEL}",
        params={"message": message},
        content=text.encode(),
        headers={**_as(token), "If-Match": etag},
    )
    assert r.status_code == 200, r.text
    return str(r.json()["version"])


def test_each_user_is_known_by_token_and_a_viewer_cannot_change_anything(team) -> None:
    assert team.get("/api/models").status_code == 401
    assert team.get("/api/models", headers=_as("not-a-user-token")).status_code == 401
    assert team.get("/api/models", headers=_as(BEN)).status_code == 200
    text = team.get(f"/api/models/{MODEL}", headers=_as(BEN)).text
    etag = team.get(f"/api/models/{MODEL}", headers=_as(BEN)).headers["etag"]
    writes = [
        ("PUT", f"/api/models/{MODEL}", {"content": text.encode(), "headers": {"If-Match": etag}}),
        ("DELETE", f"/api/models/{MODEL}", {}),
        ("POST", f"/api/models/{MODEL}/rename", {"json": {"to": "other"}}),
        ("POST", "/api/models", {"files": {"file": ("x.yaml", text.encode())}}),
        ("DELETE", "/api/logs/saas-handoffs.csv", {}),
        ("POST", "/api/check", {"json": {"model": MODEL, "log": "saas-handoffs.csv"}}),
    ]
    for method, url, kwargs in writes:
        headers = {**_as(BEN), **kwargs.pop("headers", {})}
        r = team.request(method, url, headers=headers, **kwargs)
        assert r.status_code == 403, (method, url, r.text)
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["detail"] == (
            "ben is a viewer: viewers can read the workspace but not change it"
        )
    # nothing changed, and a viewer may still compute answers from an uploaded file
    assert team.get(f"/api/models/{MODEL}", headers=_as(BEN)).headers["etag"] == etag
    assert [m["name"] for m in team.get("/api/models", headers=_as(BEN)).json()] == [MODEL]
    r = team.post("/api/validate", content=text.encode(), headers=_as(BEN))
    assert r.status_code == 200 and r.json()["valid"] is True


def test_login_shows_who_is_signed_in_and_hides_the_edit_buttons_from_a_viewer(team) -> None:
    r = team.post("/login", data={"token": BEN, "next": "/models"}, follow_redirects=False)
    assert r.status_code == 303 and BEN not in r.headers["set-cookie"]
    page = team.get(f"/models/{MODEL}").text
    assert "ben · viewer" in page
    assert f"/models/{MODEL}/delete" not in page
    r = team.post(f"/models/{MODEL}/delete", data={})
    assert r.status_code == 403 and "viewer" in r.text
    team.post("/logout")
    team.post("/login", data={"token": ANA, "next": "/models"})
    page = team.get(f"/models/{MODEL}").text
    assert "ana · editor" in page and f"/models/{MODEL}/delete" in page


def test_every_save_records_its_author_and_message_and_two_versions_can_be_compared(team) -> None:
    original = team.get(f"/api/models/{MODEL}", headers=_as(ANA))
    v0 = original.headers["etag"].strip('"')
    changed = original.text.replace("name: Kickoff meeting", "name: Kick-off call", 1)
    assert changed != original.text
    v1 = _edit(team, ANA, changed, "kick-off is a call now")
    # the page editor records the message too
    team.post("/login", data={"token": ANA, "next": "/"})
    again = changed.replace("Kick-off call", "Kick-off video call", 1)
    r = team.post(
        f"/models/{MODEL}/edit",
        data={"text": again, "version": v1, "message": "video, not phone"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    saves = team.get(f"/api/models/{MODEL}/saves").json()
    assert [(s["action"], s["author"], s["message"]) for s in saves[:2]] == [
        ("saved", "ana", "video, not phone"),
        ("saved", "ana", "kick-off is a call now"),
    ]
    history = team.get(f"/api/models/{MODEL}/history").json()
    assert [h["version"] for h in history] == [v1, v0]
    assert (history[1]["author"], history[1]["message"]) == (
        "bpmtool",
        "the example model, added to the new workspace",
    )
    assert history[0]["author"] == "ana" and history[0]["message"] == "kick-off is a call now"
    page = team.get(f"/models/{MODEL}/history").text
    assert "video, not phone" in page and "kick-off is a call now" in page

    diff = team.get(f"/api/models/{MODEL}/diff", params={"a": v0}).json()
    assert diff["added"] == 1 and diff["removed"] == 1
    changes = [(r["kind"], r["text"].strip()) for r in diff["rows"] if r["kind"] in ("add", "del")]
    assert changes[0][0] == "del" and "Kickoff meeting" in changes[0][1]
    assert changes[1][0] == "add" and "Kick-off video call" in changes[1][1]
    html = team.get(f"/models/{MODEL}/diff", params={"a": v0, "b": v1}).text
    assert "Kick-off call" in html and "kick-off is a call now" in html and "+1" in html
    assert team.get(f"/models/{MODEL}/diff", params={"a": "0" * 16}).status_code == 404


def test_a_model_is_renamed_with_its_history_and_deleted_keeping_it(team) -> None:
    ws = team.app.state.workspace
    original = team.get(f"/api/models/{MODEL}", headers=_as(ANA)).text
    _edit(team, ANA, original.replace("Kickoff meeting", "Kickoff", 1), "shorter")
    runs = {}
    for state in ("done", "running"):  # a finished run follows the rename, a running one not
        runs[state] = ws.new_run_id()
        ws.write_run(
            runs[state],
            {"id": runs[state], "kind": "check", "status": state, "model": MODEL, "log": "l.csv"},
        )
    r = team.post(f"/api/models/{MODEL}/rename", json={"to": "handoffs"}, headers=_as(ANA))
    assert r.status_code == 200 and r.json() == {"name": "handoffs.yaml"}
    assert ws.read_run(runs["done"])["model"] == "handoffs.yaml"
    assert ws.read_run(runs["running"])["model"] == MODEL
    assert team.get(f"/api/models/{MODEL}", headers=_as(ANA)).status_code == 404
    saves = team.get("/api/models/handoffs.yaml/saves", headers=_as(ANA)).json()
    assert saves[0]["action"] == "renamed" and saves[0]["message"] == f"renamed from {MODEL}"
    assert saves[1]["message"] == "shorter"
    assert len(team.get("/api/models/handoffs.yaml/history", headers=_as(ANA)).json()) == 1
    # a taken name and a format change are refused, and nothing moves
    team.post("/api/models", files={"file": ("other.yaml", original.encode())}, headers=_as(ANA))
    r = team.post("/api/models/other.yaml/rename", json={"to": "handoffs.yaml"}, headers=_as(ANA))
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    r = team.post("/api/models/other.yaml/rename", json={"to": "x.bpmn"}, headers=_as(ANA))
    assert r.status_code == 422 and "keeps the format" in r.json()["detail"]
    # the page asks first, then deletes; the content stays in the history
    team.post("/login", data={"token": ANA, "next": "/"})
    confirm = team.get("/models/handoffs.yaml/delete")
    assert confirm.status_code == 200 and "Delete the model handoffs.yaml?" in confirm.text
    assert team.get("/api/models/handoffs.yaml").status_code == 200  # asking deleted nothing
    r = team.post("/models/handoffs.yaml/delete", data={"version": "stale"}, follow_redirects=False)
    assert r.status_code == 409
    version = team.get("/api/models/handoffs.yaml").headers["etag"].strip('"')
    r = team.post("/models/handoffs.yaml/delete", data={"version": version}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/models?deleted=handoffs.yaml"
    assert [m["name"] for m in team.get("/api/models").json()] == ["other.yaml"]
    kept = team.app.state.workspace.meta / "history" / "handoffs.yaml"
    assert sorted(p.read_bytes() == original.encode() for p in kept.iterdir()) == [False, True]


def test_a_log_is_renamed_with_its_mapping_and_deleted(team) -> None:
    ws = team.app.state.workspace
    h = _as(ANA)
    r = team.put("/api/logs/saas-handoffs.csv/columns", json={"resource": "lane"}, headers=h)
    assert r.status_code == 200
    r = team.post("/api/logs/saas-handoffs.csv/rename", json={"to": "crm export"}, headers=h)
    assert r.status_code == 422 and "cannot be the name" in r.json()["detail"]
    done = ws.new_run_id()
    ws.write_run(done, {"id": done, "status": "done", "model": MODEL, "log": "saas-handoffs.csv"})
    r = team.post("/api/logs/saas-handoffs.csv/rename", json={"to": "crm-2024"}, headers=h)
    assert r.json() == {"name": "crm-2024.csv"}
    assert ws.read_run(done)["log"] == "crm-2024.csv"  # the run made with it follows
    assert (
        team.get("/api/logs/crm-2024.csv/columns", headers=h).json()["chosen"]["resource"] == "lane"
    )
    assert team.delete("/api/logs/crm-2024.csv", headers=h).status_code == 204
    assert team.get("/api/logs", headers=h).json() == []
    assert not list((ws.meta / "logs").iterdir())
    assert team.delete("/api/logs/crm-2024.csv", headers=h).status_code == 404


def test_a_run_gets_a_title_and_is_deleted_with_its_files_but_not_while_it_runs(team) -> None:
    ws = team.app.state.workspace
    h = _as(ANA)
    run_id = ws.new_run_id()
    ws.write_run(
        run_id,
        {
            "id": run_id,
            "kind": "check",
            "status": "running",
            "model": MODEL,
            "log": "l.csv",
            "created": "2026-01-05T10:00:00+00:00",
        },
    )
    ws.run_file(run_id, "result").write_text(json.dumps({"summary": {}}))
    r = team.delete(f"/api/runs/{run_id}", headers=h)
    assert r.status_code == 422 and "still running" in r.json()["detail"]
    r = team.post(f"/api/runs/{run_id}/rename", json={"to": "  March   export "}, headers=h)
    assert r.status_code == 200
    assert team.get(f"/api/runs/{run_id}", headers=h).json()["title"] == "March export"
    status = ws.read_run(run_id)
    ws.write_run(run_id, {**status, "status": "done"})
    team.post("/login", data={"token": ANA, "next": "/"})
    assert "March export" in team.get("/runs").text
    assert "Delete the run March export?" in team.get(f"/runs/{run_id}/delete").text
    r = team.post(f"/runs/{run_id}/delete", follow_redirects=False)
    assert r.status_code == 303
    assert list(ws.runs.iterdir()) == []
    assert team.get(f"/api/runs/{run_id}").status_code == 404


def test_the_single_token_and_no_token_modes_save_in_a_name(client, token_client) -> None:
    text = client.get(f"/api/models/{MODEL}").text
    etag = client.get(f"/api/models/{MODEL}").headers["etag"]
    client.put(f"/api/models/{MODEL}", content=text.encode() + b"\n", headers={"If-Match": etag})
    last = client.get(f"/api/models/{MODEL}/saves").json()[0]
    assert last["author"] and last["author"] != "unknown"  # the account running the server
    assert last["message"] == "saved through the API"  # a save without a message says how
    h = {"Authorization": "Bearer s3cret-token"}
    etag = token_client.get(f"/api/models/{MODEL}", headers=h).headers["etag"]
    token_client.put(
        f"/api/models/{MODEL}", content=text.encode() + b"\n", headers={**h, "If-Match": etag}
    )
    assert token_client.get(f"/api/models/{MODEL}/saves", headers=h).json()[0]["author"] == "token"


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("users: []\n", None, "no 'users:' list"),
        ("users:\n  - {name: a, role: admin, token: 0123456789abcdef}\n", 2, "role 'admin'"),
        ("users:\n  - {name: a, role: viewer, token: short}\n", 2, "shorter than 12"),
        ("users:\n  - {name: a, role: viewer}\n", 2, "exactly one of token"),
        ("users:\n  - {name: a, role: viewer, token_sha256: abc}\n", 2, "not a SHA-256"),
        ("users:\n  - {name: a, role: viewer, tokn: 0123456789abcdef}\n", 2, "unknown key"),
        (
            "users:\n  - {name: a, role: viewer, token: 0123456789abcdef}\n"
            "  - {name: a, role: editor, token: 0123456789abcdeg}\n",
            None,
            "listed twice",
        ),
        ("users:\n  - {name: a, role: viewer\n", 3, "not valid YAML"),
    ],
)
def test_a_bad_users_file_is_refused_with_its_line(text: str, line: int | None, says: str) -> None:
    with pytest.raises(InputError) as err:
        parse_users(text, "users.yaml")
    problem = err.value.problems[0]
    assert says in problem.message and problem.file == "users.yaml"
    if line is not None:
        assert problem.line == line


def test_serve_refuses_a_bad_users_file_and_users_with_a_token(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app

    bad = tmp_path / "users.yaml"
    bad.write_text("users:\n  - {name: a, role: boss, token: 0123456789abcdef}\n")
    runner = CliRunner()
    r = runner.invoke(app, ["serve", "-w", str(tmp_path / "ws"), "-p", "0", "--users", str(bad)])
    assert r.exit_code == 2 and "users.yaml" in r.output and "users.yaml:2:" in r.output
    r = runner.invoke(app, ["serve", "--users", str(bad), "--token", "x" * 20, "-p", "0"])
    assert r.exit_code == 2 and "not both" in r.output

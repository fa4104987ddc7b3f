"""The diagram editor's server side: a model as a BPMN diagram (with its version), a diagram
saved back as BPMN or as the model's own YAML (with history and 409 on stale versions), the
model schema for the YAML editor, and the page with and without the built bundles."""

from __future__ import annotations

import re
from pathlib import Path

from bpmtool import api
from bpmtool.web.assets import built_assets
from bpmtool.web.routers import modeler
from tests.conftest import REFERENCE_MODEL, SHARED_DATA

MODEL = "saas-handoffs.yaml"
INVOICE = SHARED_DATA / "bpmn" / "camunda" / "invoice.v2.bpmn"


def _diagram(client, name: str = MODEL) -> tuple[str, str]:
    r = client.get(f"/api/models/{name}/diagram")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/xml")
    return r.text, r.headers["etag"]


def test_a_yaml_model_opens_as_its_bpmn_export_with_the_yaml_version(client) -> None:
    xml, etag = _diagram(client)
    assert etag == client.get(f"/api/models/{MODEL}").headers["etag"]
    assert "<bpmtool:model>" in xml and "BPMNShape" in xml
    assert api.loads_bpmn(xml.encode(), "x.bpmn").model == api.load(REFERENCE_MODEL)


def test_saving_the_diagram_writes_the_yaml_again_and_keeps_the_old_text(client, workspace):
    xml, etag = _diagram(client)
    renamed = xml.replace('name="Kickoff meeting"', 'name="Kick-off workshop"', 1)
    assert renamed != xml
    r = client.put(
        f"/api/models/{MODEL}/diagram", content=renamed.encode(), headers={"If-Match": etag}
    )
    assert r.status_code == 200, r.text
    saved = (workspace / "models" / MODEL).read_text()
    assert r.json()["version"] == r.headers["etag"].strip('"')
    model = api.loads_model(saved, MODEL)  # still YAML, and valid
    assert [n.name for n in model.nodes if n.id == "kickoff"] == ["Kick-off workshop"]
    before = api.load(REFERENCE_MODEL)
    assert model.model_copy(update={"nodes": before.nodes}) == before  # nothing else changed
    history = client.get(f"/api/models/{MODEL}/history").json()
    assert len(history) == 1
    old = client.get(f"/api/models/{MODEL}/history/{history[0]['id']}")
    assert old.content == REFERENCE_MODEL.read_bytes()


def test_a_stale_or_missing_version_is_refused_and_nothing_is_written(client, workspace):
    xml, etag = _diagram(client)
    first = client.put(f"/api/models/{MODEL}/diagram", content=xml, headers={"If-Match": etag})
    assert first.status_code == 200
    stored = (workspace / "models" / MODEL).read_bytes()
    again = client.put(f"/api/models/{MODEL}/diagram", content=xml, headers={"If-Match": etag})
    assert again.status_code == 409
    assert again.json()["current_version"] == first.json()["version"]
    missing = client.put(f"/api/models/{MODEL}/diagram", content=xml)
    assert missing.status_code == 428
    assert (workspace / "models" / MODEL).read_bytes() == stored


def test_a_broken_diagram_is_a_located_422(client, workspace) -> None:
    _, etag = _diagram(client)
    r = client.put(
        f"/api/models/{MODEL}/diagram",
        content=b"<definitions><process id='p'>",
        headers={"If-Match": etag},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["problems"][0]["file"] == "saas-handoffs.bpmn"
    assert body["problems"][0]["line"] == 1
    assert (workspace / "models" / MODEL).read_bytes() == REFERENCE_MODEL.read_bytes()
    empty = client.put(f"/api/models/{MODEL}/diagram", content=b"", headers={"If-Match": etag})
    assert empty.status_code == 400


def test_a_bpmn_file_is_edited_as_itself(client, workspace) -> None:
    up = client.post(
        "/api/models", files={"file": ("invoice.bpmn", INVOICE.read_bytes(), "application/xml")}
    )
    assert up.status_code == 201, up.text
    xml, etag = _diagram(client, "invoice.bpmn")
    assert xml.encode() == INVOICE.read_bytes()
    edited = xml.replace('name="Approve Invoice"', 'name="Approve the invoice"', 1)
    assert edited != xml
    r = client.put(
        "/api/models/invoice.bpmn/diagram", content=edited.encode(), headers={"If-Match": etag}
    )
    assert r.status_code == 200, r.text
    assert (workspace / "models" / "invoice.bpmn").read_text() == edited
    labels = {n.name for n in api.load(workspace / "models" / "invoice.bpmn").nodes}
    assert "Approve the invoice" in labels
    page = client.get("/models/invoice.bpmn/edit", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/models/invoice.bpmn/diagram"


def test_a_bpmn_file_without_a_diagram_opens_laid_out(client, tmp_path: Path) -> None:
    exported = api.export_bpmn(api.load(REFERENCE_MODEL)).decode()
    bare = re.sub(r"<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", exported, flags=re.S)
    assert "BPMNShape" not in bare
    client.post("/api/models", files={"file": ("bare.bpmn", bare.encode(), "application/xml")})
    r = client.get("/api/models/bare.bpmn/diagram")
    assert r.headers["x-bpmtool-laid-out"] == "1"
    assert "BPMNShape" in r.text


def test_the_model_schema_is_served_for_the_yaml_editor(client) -> None:
    schema = client.get("/api/schema/model").json()
    assert schema == api.json_schema()
    assert "lane" in schema["$defs"]["Node"]["properties"]


def test_built_assets_need_the_manifest_and_every_file(tmp_path: Path) -> None:
    assert built_assets(tmp_path) is None
    (tmp_path / "manifest.json").write_text(
        '{"build": "abc123", "files": ["modeler.js", "modeler.css", "font.woff2"],'
        ' "packages": {"bpmn-js": "18.0.0"}}'
    )
    (tmp_path / "modeler.js").write_text("")
    (tmp_path / "modeler.css").write_text("")
    assert built_assets(tmp_path) is None  # a font is missing: a half-built folder
    (tmp_path / "font.woff2").write_text("")
    assets = built_assets(tmp_path)
    assert assets is not None
    assert assets.url("modeler.js") == "/static/build/modeler.js?v=abc123"


def test_the_page_explains_how_to_build_missing_assets(client, monkeypatch) -> None:
    monkeypatch.setattr(modeler, "built_assets", lambda: None)
    page = client.get(f"/models/{MODEL}/diagram")
    assert page.status_code == 200
    assert "The diagram editor is not installed on this server" in page.text
    assert "make web-assets" in page.text
    assert "modeler.js" not in page.text
    assert f'href="/models/{MODEL}/edit"' in page.text  # the YAML editor still works


def test_a_viewer_sees_the_diagram_but_cannot_save_it(tmp_path: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from bpmtool.web.config import Settings
    from bpmtool.web.main import create_app
    from tests.web.conftest import BASE_URL

    users = tmp_path / "users.yaml"
    users.write_text(
        "users:\n"
        "  - {name: ana, role: editor, token: ana-token-0123456789}\n"
        "  - {name: ben, role: viewer, token: ben-token-0123456789}\n"
    )
    app = create_app(Settings(workspace=tmp_path / "ws", users_file=users))
    ana = {"Authorization": "Bearer ana-token-0123456789"}
    ben = {"Authorization": "Bearer ben-token-0123456789"}
    with TestClient(app, base_url=BASE_URL) as c:
        xml = c.get(f"/api/models/{MODEL}/diagram", headers=ben)
        assert xml.status_code == 200
        page = c.get(f"/models/{MODEL}/diagram", headers=ben).text
        if built_assets() is not None:
            assert "data-read-only" in page and "your role is viewer" in page
        refused = c.put(
            f"/api/models/{MODEL}/diagram",
            content=xml.content,
            headers={**ben, "If-Match": xml.headers["etag"]},
        )
        assert refused.status_code == 403
        saved = c.put(
            f"/api/models/{MODEL}/diagram",
            params={"message": "same diagram, saved from the editor"},
            content=xml.content,
            headers={**ana, "If-Match": xml.headers["etag"]},
        )
        assert saved.status_code == 200, saved.text
        last = c.get(f"/api/models/{MODEL}/saves", headers=ana).json()[0]
        assert (last["author"], last["message"]) == ("ana", "same diagram, saved from the editor")


def test_a_model_that_does_not_load_is_a_located_422_not_a_diagram(client, workspace) -> None:
    _, etag = _diagram(client)
    broken = REFERENCE_MODEL.read_text().replace("lane: sales}", "lane: salez}", 1)
    r = client.put(f"/api/models/{MODEL}", content=broken.encode(), headers={"If-Match": etag})
    assert r.status_code == 422  # the YAML API refuses it…
    (workspace / "models" / "broken.yaml").write_text(broken)  # …a file put there by hand
    r = client.get("/api/models/broken.yaml/diagram")
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert problem["line"] and "salez" in problem["message"]

"""A real client opens our BPMN: bpmn-js (from npm, not committed) in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmtool.io.bpmn_export import write_bpmn
from bpmtool.io.yaml_model import load_model
from tests.browser import CHROMIUM, chromium
from tests.conftest import REFERENCE_MODEL

BROWSER_DIR = Path(__file__).parent / "browser"  # node_modules/ there is git-ignored
VIEWER = BROWSER_DIR / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"

pytestmark = pytest.mark.browser


def _viewer() -> Path:
    if VIEWER.exists():
        return VIEWER
    if not shutil.which("npm") or not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("npm and Chromium are needed for the bpmn-js test in CI")
        pytest.skip("npm or Chromium is missing")
    BROWSER_DIR.mkdir(exist_ok=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(BROWSER_DIR),
            "bpmn-js@17",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return VIEWER


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("bpmnjs")
    shutil.copy(_viewer(), root / "viewer.js")
    (root / "index.html").write_text(
        '<!doctype html><html><body style="margin:0"><div id="canvas" '
        'style="width:1800px;height:1100px"></div><script src="viewer.js"></script>'
        "</body></html>"
    )
    model = load_model(REFERENCE_MODEL)
    (root / "model.bpmn").write_bytes(write_bpmn(model))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


def test_bpmn_js_imports_our_export_without_warnings(site: tuple[str, Path]) -> None:
    url, root = site
    model = load_model(REFERENCE_MODEL)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1800, "height": 1100})
        page.goto(f"{url}/index.html")
        result = page.evaluate("""async () => {
            const xml = await (await fetch('model.bpmn')).text();
            const viewer = new BpmnJS({container: '#canvas'});
            const out = await viewer.importXML(xml);
            viewer.get('canvas').zoom('fit-viewport');
            const all = viewer.get('elementRegistry').getAll();
            return {warnings: out.warnings.map(w => String(w.message || w)),
                    lanes: all.filter(e => e.type === 'bpmn:Lane').length,
                    pools: all.filter(e => e.type === 'bpmn:Participant').length,
                    shapes: all.filter(e => !e.waypoints && e.type !== 'label'
                                        && e.type !== 'bpmn:Collaboration').length,
                    edges: all.filter(e => e.waypoints).length};
        }""")
        page.screenshot(path=str(root / "screenshot.png"))
    assert result["warnings"] == []
    internal = [lane for lane in model.lanes if not lane.external]
    external = [lane for lane in model.lanes if lane.external]
    assert result["lanes"] == len(internal)
    assert result["pools"] == 1 + len(external)
    assert result["shapes"] == (len(model.nodes) + len(model.lanes) + 1 + len(model.artifacts))
    assert result["edges"] >= len(model.flows)
    shutil.copy(root / "screenshot.png", BROWSER_DIR / "node_modules" / "screenshot.png")


def test_bpmn_js_imports_our_export_of_third_party_files_without_warnings(
    site: tuple[str, Path],
) -> None:
    """The author's diagram written back (nested sub-processes, notes, several pools, a data
    object drawn twice, shapes bpmtool added) and bpmtool's own layout with pools: bpmn-js
    imports each without a warning and draws every participant the file has."""
    from bpmtool import api
    from bpmtool.io.bpmn import read_bpmn
    from tests.conftest import SHARED_DATA

    url, root = site
    names = {}
    for i, rel in enumerate(
        (
            "miwg-reference/B.2.0.bpmn",
            "sap-signavio-process-manager-19-9-0/C.2.0-export.bpmn",
            "sap-signavio-process-manager-19-9-0/C.1.1-export.bpmn",
            "miwg-reference/C.4.0.bpmn",
        )
    ):
        model, _ = read_bpmn(SHARED_DATA / "bpmn" / rel)
        assert model.diagram is not None
        for relayout in (False, True):
            name = f"third{i}{'r' if relayout else ''}.bpmn"
            (root / name).write_bytes(api.export_bpmn(model, relayout=relayout))
            # the author's main diagram shows the pools it shows (C.4.0 draws one of four,
            # the others on diagrams of their own); bpmtool's layout draws every pool
            participants = sum(
                1
                for p in model.pools
                if p.participant and (relayout or model.diagram.shape_of(p.id) is not None)
            )
            names[name] = (rel, participants)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{url}/index.html")
        for name, (rel, participants) in names.items():
            result = page.evaluate(
                """async (name) => {
                const xml = await (await fetch(name)).text();
                document.querySelector('#canvas').innerHTML = '';
                const viewer = new BpmnJS({container: '#canvas'});
                const out = await viewer.importXML(xml);
                const all = viewer.get('elementRegistry').getAll();
                return {warnings: out.warnings.map(w => String(w.message || w)),
                        pools: all.filter(e => e.type === 'bpmn:Participant').length};
            }""",
                name,
            )
            assert result["warnings"] == [], (rel, name)
            assert result["pools"] == participants, (rel, name)

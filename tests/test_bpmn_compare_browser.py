"""Third-party BPMN drawn by bpmtool next to bpmn-js's own drawing of the same file, in
headless Chromium: the same elements drawn, and on our picture — measured in the browser,
with the fonts it really uses — no shapes, names or finding markers on top of each other.
Side-by-side screenshots are kept in ``build/screenshots/compare-*.png`` to look at.

bpmn-js comes from npm through ``web/package.json`` (``make web-assets`` installs it;
nothing of it is committed).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bpmtool import api
from tests.browser import CHROMIUM, chromium
from tests.conftest import ROOT, SHARED_DATA, corpus_files

pytestmark = pytest.mark.browser

SHOTS = ROOT / "build" / "screenshots"
WEB = ROOT / "web"
VIEWER = WEB / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"

#: one file from each of several modelling tools, with collaborations, sub-processes,
#: boundary events, data and notes among them
SAMPLE = corpus_files(
    p
    for p in (
        SHARED_DATA / "bpmn" / rel
        for rel in (
            "miwg-reference/A.4.0.bpmn",
            "miwg-reference/B.2.0.bpmn",
            "miwg-reference/C.2.0.bpmn",
            "sap-signavio-process-manager-19-9-0/C.1.0-export.bpmn",
            "trisotech-workflow-modeler-12-6-3/C.4.0-export.bpmn",
            "camunda/invoice.v2.bpmn",
            "bpmn-io-18-6-1/C.3.0-export.bpmn",
        )
    )
    if p.exists()
)

# in the page: the boxes of what our SVG draws, as the browser lays them out
_BOXES = """() => {
    const box = el => { const r = el.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height}; };
    const out = {nodes: [], texts: [], markers: [],
                 frames: document.querySelectorAll('g[data-subprocess]').length};
    for (const g of document.querySelectorAll('g[data-node]')) {
        const shape = g.querySelector(':scope > rect, :scope > circle, :scope > polygon');
        if (shape) out.nodes.push({id: g.dataset.node, ...box(shape)});
        for (const t of g.querySelectorAll('text.outside')) {
            out.texts.push({id: g.dataset.node, what: t.textContent, ...box(t)});
        }
    }
    for (const t of document.querySelectorAll('g.flow-label text, .lane-name, .pool-name')) {
        out.texts.push({id: '', what: t.textContent, ...box(t)});
    }
    for (const g of document.querySelectorAll('g.finding-marker')) {
        out.markers.push({id: g.dataset.finding, ...box(g.querySelector('circle'))});
    }
    return out;
}"""

_BPMN_JS = """async (xml) => {
    const viewer = new BpmnJS({container: '#canvas'});
    const result = await viewer.importXML(xml);
    viewer.get('canvas').zoom('fit-viewport');
    const kinds = new RegExp('Task$|^bpmn:(CallActivity|SubProcess|Transaction|AdHocSubProcess)$'
                             + '|Event$|Gateway$');
    const root = viewer.get('canvas').getRootElement();
    const onTop = e => { while (e.parent) e = e.parent; return e === root; };
    const all = viewer.get('elementRegistry').getAll();  // drilled-down planes left out
    return {warnings: result.warnings.length,
            flowNodes: all.filter(e => kinds.test(e.type) && !e.labelTarget && onTop(e)).length};
}"""


def _viewer() -> Path:
    if VIEWER.exists():
        return VIEWER
    if not shutil.which("npm") or not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("npm and Chromium are needed for the bpmn-js comparison in CI")
        pytest.skip("npm or Chromium is missing (make web-assets installs bpmn-js)")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return VIEWER


def _overlap(a: dict[str, float], b: dict[str, float], inset: float = 0.5) -> bool:
    return (
        a["x"] + inset < b["x"] + b["w"]
        and b["x"] + inset < a["x"] + a["w"]
        and a["y"] + inset < b["y"] + b["h"]
        and b["y"] + inset < a["y"] + a["h"]
    )


def _inside(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] >= b["x"]
        and a["y"] >= b["y"]
        and a["x"] + a["w"] <= b["x"] + b["w"]
        and a["y"] + a["h"] <= b["y"] + b["h"]
    )


def _problems(
    boxes: dict[str, Any], hosts: dict[str, str], authors: set[frozenset[str]]
) -> list[str]:
    """What covers what on our picture; ``authors`` are the pairs of nodes whose names the
    file itself places on top of each other (kept where the author put them)."""
    out = []
    markers, texts, nodes = boxes["markers"], boxes["texts"], boxes["nodes"]
    for i, m in enumerate(markers):
        out += [f"marker {m['id']} over {t['what']!r}" for t in texts if _overlap(m, t)]
        out += [
            f"markers {m['id']} and {o['id']} overlap" for o in markers[i + 1 :] if _overlap(m, o)
        ]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            related = hosts.get(a["id"]) == b["id"] or hosts.get(b["id"]) == a["id"]
            nested = _inside(a, b) or _inside(b, a)  # a called process in its call activity
            if not related and not nested and _overlap(a, b):
                out.append(f"nodes {a['id']} and {b['id']} overlap")
    for i, t in enumerate(texts):
        out += [
            f"the names {t['what']!r} and {o['what']!r} overlap"
            for o in texts[i + 1 :]
            if t["id"] != o["id"]
            and frozenset((t["id"], o["id"])) not in authors
            and _overlap(t, o, 2)
        ]
    by_id = {n["id"]: n for n in nodes}
    for t in texts:
        for n in nodes:
            if t["id"] in by_id and _inside(by_id[t["id"]], n):
                continue  # the name of something drawn inside that node
            if t["id"] != n["id"] and t["id"] and _overlap(t, n, 2):
                out.append(f"the name {t['what']!r} of {t['id']} covers node {n['id']}")
    return out


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_drawn_like_bpmn_js_with_nothing_on_top_of_anything(path: Path, tmp_path: Path) -> None:
    shutil.copy(_viewer(), tmp_path / "viewer.js")
    model = api.load(path)
    svg = api.render_svg(model)
    (tmp_path / "ours.html").write_text(
        '<!doctype html><html><body style="margin:0"><style>svg{max-width:1600px;height:auto}'
        "</style>" + svg[svg.index("<svg") :] + "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / "theirs.html").write_text(
        '<!doctype html><html><body style="margin:0"><div id="canvas" '
        'style="width:1600px;height:900px"></div><script src="viewer.js"></script></body></html>'
    )
    hosts = {n.id: n.attached_to for n in model.nodes if n.attached_to}
    name = f"compare-{path.parent.name}-{path.stem}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto((tmp_path / "ours.html").as_uri())
        boxes = page.evaluate(_BOXES)
        ours = page.screenshot(full_page=True)
        page.goto((tmp_path / "theirs.html").as_uri())
        theirs_result = page.evaluate(_BPMN_JS, path.read_text(encoding="utf-8"))
        theirs = page.screenshot()
        both = (
            '<!doctype html><html><body style="margin:0;font:14px sans-serif">'
            "<div>bpmtool</div><img style='max-width:1600px' src='data:image/png;base64,"
            + base64.b64encode(ours).decode()
            + "'><div>bpmn-js</div><img src='data:image/png;base64,"
            + base64.b64encode(theirs).decode()
            + "'></body></html>"
        )
        (tmp_path / "both.html").write_text(both)
        page.goto((tmp_path / "both.html").as_uri())
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    # the same flow nodes drawn where the author put them (bpmn-js shows the file's first
    # diagram only — we also draw, under it, what no diagram shows — and leaves out a
    # called process drawn inside its expanded call activity, which we draw)
    shaped = model.diagram.shapes_by_element if model.diagram is not None else {}
    lay = api.layout(model)
    hosts_of_content = [p.box for n, p in lay.nodes.items() if model.node_by_id[n].is_activity]
    called = {
        n
        for n, p in lay.nodes.items()
        if any(b != p.box and b.contains(p.box) for b in hosts_of_content)
    }
    drawn = sum(n["id"] in shaped and n["id"] not in called for n in boxes["nodes"])
    drawn += boxes["frames"]
    assert drawn == theirs_result["flowNodes"], (drawn, theirs_result)
    labelled = [(n, p.label.box) for n, p in lay.nodes.items() if p.label is not None]
    authors = {
        frozenset((a, b))
        for i, (a, ba) in enumerate(labelled)
        for b, bb in labelled[i + 1 :]
        if ba.overlaps(bb)
    }
    assert _problems(boxes, hosts, authors) == []

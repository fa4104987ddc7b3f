"""The diagram editor in real Chromium: drag a task into another lane and see the lint
badges appear; give the handoff its artifact in the properties panel and see them go; draw a
task from the palette and connect it; the badge moves with its shape; save, reload, and find
it all in the YAML; a pool for the customer; two editors saving the same model.

Screenshots go to ``$BPMTOOL_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.web.assets import built_assets
from bpmtool.web.config import Settings
from tests.conftest import SHARED_DATA
from tests.web.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


ONBOARDING = """\
id: onboarding
name: Onboarding
lanes:
  - {id: sales, name: Sales}
  - {id: impl, name: Implementation}
artifacts:
  - {id: contract, name: Signed contract}
nodes:
  - {id: start, name: Deal won, type: start, lane: sales}
  - {id: close, name: Close deal, lane: sales, outputs: [contract]}
  - {id: prepare, name: Prepare handover, lane: sales, inputs: [contract], outputs: [contract]}
  - {id: kickoff, name: Kickoff meeting, lane: impl, inputs: [contract]}
  - {id: end, name: Live, type: end, lane: impl}
flows:
  - start -> close
  - close -> prepare
  - prepare -> kickoff: {artifact: contract}
  - kickoff -> end
"""

#: diagram coordinates → page coordinates
_TO_PAGE = """([x, y]) => {
  const canvas = window.bpmtoolModeler.get('canvas');
  const box = canvas.viewbox();
  const rect = canvas.getContainer().getBoundingClientRect();
  return [rect.left + (x - box.x) * box.scale, rect.top + (y - box.y) * box.scale];
}"""
#: an element's bounds in diagram coordinates
_BOUNDS = """id => {
  const e = window.bpmtoolModeler.get('elementRegistry').get(id);
  return e ? [e.x, e.y, e.width, e.height] : null;
}"""
#: the middle of a flow's longest segment
_FLOW_MIDDLE = """([source, target]) => {
  const flow = window.bpmtoolModeler.get('elementRegistry').find(
    e => e.waypoints && e.source && e.target && e.source.id === source && e.target.id === target);
  let best = null;
  for (let i = 1; i < flow.waypoints.length; i++) {
    const a = flow.waypoints[i - 1], b = flow.waypoints[i];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (!best || length > best[2]) best = [(a.x + b.x) / 2, (a.y + b.y) / 2, length];
  }
  return [flow.id, best[0], best[1]];
}"""
_SELECTED = "() => window.bpmtoolModeler.get('selection').get().map(e => e.id)"
#: the lanes whose flowNodeRefs hold a node
_LANES_OF = """id => window.bpmtoolModeler.get('elementRegistry')
  .filter(e => e.type === 'bpmn:Lane'
    && (e.businessObject.flowNodeRef || []).some(n => n.id === id)).map(e => e.id)"""


@pytest.fixture(autouse=True)
def _assets_built() -> None:
    """The diagram editor is the bpmn-js bundle built by ``make web-assets``."""
    if built_assets() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the web assets are not built (make web-assets)")
        pytest.skip("the web assets are not built (make web-assets)")


def _open(browser, url: str, problems: list[str], expected: str = "\0"):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and expected not in msg.text
            else None
        ),
    )
    page.goto(url)
    expect(page.locator("[data-modeler][data-ready]")).to_have_count(1, timeout=30_000)
    return page


def _center(page, element_id: str) -> tuple[float, float]:
    x, y, w, h = page.evaluate(_BOUNDS, element_id)
    px, py = page.evaluate(_TO_PAGE, [x + w / 2, y + h / 2])
    return px, py


def _drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 8, start[1] + 8, steps=3)
    page.mouse.move(*end, steps=15)
    page.mouse.up()


def _select(page, element_id: str, at: tuple[float, float] | None = None) -> None:
    """Click a shape (at its center, or at diagram point ``at``) until it is the selection:
    right after a label edit bpmn-js may still be finishing it and take the first click."""
    for _ in range(10):
        page.mouse.click(*(page.evaluate(_TO_PAGE, list(at)) if at else _center(page, element_id)))
        if page.evaluate(_SELECTED) == [element_id]:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{element_id} could not be selected")


def _accept_completion(page) -> None:
    """Enter on the open completion list; CodeMirror ignores an Enter that comes within its
    interaction delay (75 ms) of the list appearing, so a fast typist adds no stray word."""
    from playwright.sync_api import expect

    expect(page.locator(".cm-tooltip-autocomplete li[aria-selected]")).to_have_count(1)
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")


def saved_yaml_has_layout(path: Path) -> bool:
    """The YAML holds the author's diagram (the shapes as placed in the editor)."""
    model = api.loads_model(path.read_text(), path.name)
    return model.diagram is not None and model.diagram.shape_of("send_welcome_pack") is not None


def _badges(page) -> dict[str, str]:
    """Lint badge per diagram element: its tooltip (code: message per line)."""
    return dict(
        page.eval_on_selector_all(".lint-badge", "bs => bs.map(b => [b.dataset.element, b.title])")
    )


def test_drag_connect_fix_save_and_reload(browser, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "onboarding.yaml").write_text(ONBOARDING)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        page = _open(browser, base + "/models/onboarding.yaml/diagram", problems)
        summary = page.locator("[data-lint-summary]")
        expect(summary).to_have_text("No findings", timeout=20_000)
        assert page.locator(".lint-badge").count() == 0
        page.screenshot(path=shots / "modeler-01-opened.png")

        # 1. drag "Prepare handover" into the Implementation lane: it moves (no panning),
        # and close -> prepare becomes a handoff that carries nothing
        before = page.evaluate(_BOUNDS, "prepare")
        view_before = page.evaluate("() => window.bpmtoolModeler.get('canvas').viewbox()")
        assert page.evaluate(_LANES_OF, "prepare") == ["sales"]
        _, y, _, h = page.evaluate(_BOUNDS, "impl")
        # to a free spot of the Implementation lane, left of "Close deal" (the layout puts
        # Kickoff meeting right under Prepare handover, and a task is not dropped on a task
        # or on the data association running down from Close deal)
        close_x = page.evaluate(_BOUNDS, "close")[0]
        _drag(page, _center(page, "prepare"), page.evaluate(_TO_PAGE, [close_x - 30, y + h / 2]))
        assert page.evaluate(_LANES_OF, "prepare") == ["impl"]
        after = page.evaluate(_BOUNDS, "prepare")
        assert after[1] > before[1] + 50  # the shape moved down…
        view_after = page.evaluate("() => window.bpmtoolModeler.get('canvas').viewbox()")
        # …and the view did not pan
        assert (view_after["x"], view_after["y"]) == (view_before["x"], view_before["y"])
        flow_id, fx, fy = page.evaluate(_FLOW_MIDDLE, ["close", "prepare"])
        badge = page.locator(f'.lint-badge[data-element="{flow_id}"]')
        expect(badge).to_have_count(1, timeout=20_000)
        assert "HANDOFF-NO-ARTIFACT" in badge.get_attribute("title")
        assert "ARTIFACT-MULTIPLE-PRODUCERS" in _badges(page)["prepare"]
        expect(summary).to_have_text("2 warnings")
        page.screenshot(path=shots / "modeler-02-dragged-to-another-lane.png")

        # 2. the properties panel: the flow carries the contract; prepare no longer makes one
        page.mouse.click(*page.evaluate(_TO_PAGE, [fx, fy]))
        expect(page.locator(".handoff-note")).to_contain_text("Sales → Implementation")
        page.select_option("[data-prop=artifact]", label="Signed contract")
        expect(badge).to_have_count(0, timeout=20_000)
        _select(page, "prepare")
        page.locator('[data-io=output] input[data-artifact="Signed contract"]').uncheck()
        expect(summary).to_have_text("No findings", timeout=20_000)
        assert page.locator(".lint-badge").count() == 0

        # 3. a new task from the palette, in the Sales lane, connected from the kickoff
        _, sy, _, sh = page.evaluate(_BOUNDS, "sales")
        kx, _, kw, _ = page.evaluate(_BOUNDS, "kickoff")
        page.click('.djs-palette [data-action="create.task"]')
        spot = page.evaluate(_TO_PAGE, [kx + kw / 2 + 60, sy + sh / 2])
        page.mouse.move(spot[0] - 30, spot[1] - 10, steps=5)
        page.mouse.click(*spot)
        page.keyboard.type("Send welcome pack")
        page.keyboard.press("Enter")
        new_task = page.locator('g.djs-element[data-element-id="send_welcome_pack"]')
        expect(new_task).to_have_count(1)  # named after its label, for the YAML
        _select(page, "kickoff")
        page.click('.djs-context-pad [data-action="connect"]')
        target = _center(page, "send_welcome_pack")
        page.mouse.move(target[0] - 20, target[1], steps=8)
        page.mouse.click(*target)
        handoff = page.locator('.lint-badge[data-element="kickoff"]')  # kickoff → a Sales task
        expect(handoff).to_have_count(1, timeout=20_000)
        assert "HANDOFF-NO-ARTIFACT" in handoff.get_attribute("title")
        new_badge = page.locator('.lint-badge[data-element="send_welcome_pack"]')
        assert "DEAD-END" in new_badge.get_attribute("title")
        page.screenshot(path=shots / "modeler-03-new-task-connected.png")

        # 4. the badge moves with its shape
        old = new_badge.bounding_box()
        start = _center(page, "send_welcome_pack")
        _drag(page, start, (start[0] - 120, start[1]))
        expect(new_badge).to_have_count(1, timeout=20_000)
        moved = new_badge.bounding_box()
        assert moved["x"] == pytest.approx(old["x"] - 120, abs=15)
        assert moved["y"] == pytest.approx(old["y"], abs=15)

        # 5. save with a reason, reload: all of it is in the YAML and comes back
        page.fill("[data-message]", "handover prepared by implementation")
        page.keyboard.press("Control+s")
        expect(page.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
        page.screenshot(path=shots / "modeler-04-saved.png")
        model = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
        nodes = {n.id: n for n in model.nodes}
        assert nodes["prepare"].lane == "impl"
        assert nodes["prepare"].outputs == []
        assert nodes["send_welcome_pack"].name == "Send welcome pack"
        assert nodes["send_welcome_pack"].lane == "sales"
        flows = {f.key: f for f in model.flows}
        assert flows["close->prepare"].artifact == "contract"
        assert "kickoff->send_welcome_pack" in flows  # written as `a -> b`, no invented id
        kept = list((ws / ".bpmtool" / "history" / "onboarding.yaml").iterdir())
        assert [p.read_text() for p in kept] == [ONBOARDING]
        with urllib.request.urlopen(base + "/api/models/onboarding.yaml/saves") as r:
            last = json.load(r)[0]
        assert last["message"] == "handover prepared by implementation"
        assert page.input_value("[data-message]") == ""

        assert saved_yaml_has_layout(ws / "models" / "onboarding.yaml")
        placed = page.evaluate(_BOUNDS, "send_welcome_pack")

        page.reload()
        expect(page.locator("[data-modeler][data-ready]")).to_have_count(1, timeout=30_000)
        assert page.evaluate(_LANES_OF, "prepare") == ["impl"]
        # where the shapes were put by hand, not laid out again
        assert page.evaluate(_BOUNDS, "send_welcome_pack") == pytest.approx(placed, abs=1)
        assert page.evaluate(_LANES_OF, "send_welcome_pack") == ["sales"]
        expect(page.locator('.lint-badge[data-element="send_welcome_pack"]')).to_have_count(
            1, timeout=20_000
        )
        page.screenshot(path=shots / "modeler-05-reloaded.png")
    assert problems == []


def test_two_editors_saving_the_same_diagram(browser, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "onboarding.yaml").write_text(ONBOARDING)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        url = base + "/models/onboarding.yaml/diagram"
        conflict = "status of 409 (Conflict)"  # the browser logs the refused save
        ann, bob = _open(browser, url, problems), _open(browser, url, problems, conflict)
        for page, name in ((ann, "Ann's kickoff"), (bob, "Bob's kickoff")):
            _select(page, "kickoff")
            field = page.locator("[data-prop=name]")
            field.fill(name)
            field.press("Enter")
        ann.click("[data-save]")
        expect(ann.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
        bob.click("[data-save]")
        expect(bob.locator("[data-status]")).to_have_text(
            "Not saved: someone else saved first", timeout=20_000
        )
        bob.screenshot(path=shots / "modeler-06-conflict.png")
        saved = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
        assert {n.id: n.name for n in saved.nodes}["kickoff"] == "Ann's kickoff"
        bob.click("text=Save mine anyway")
        expect(bob.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
        saved = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
        assert {n.id: n.name for n in saved.nodes}["kickoff"] == "Bob's kickoff"
        history = list((ws / ".bpmtool" / "history" / "onboarding.yaml").iterdir())
        assert len(history) == 2  # the original and Ann's version
    assert problems == []


def test_a_customer_pool_and_a_new_lane(browser, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "onboarding.yaml").write_text(ONBOARDING)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        page = _open(browser, base + "/models/onboarding.yaml/diagram", problems)
        # a lane below Implementation, from the lane's menu, named in the panel
        _, y, _, h = page.evaluate(_BOUNDS, "impl")
        lx, _, _, _ = page.evaluate(_BOUNDS, "impl")
        page.mouse.click(*page.evaluate(_TO_PAGE, [lx + 60, y + h - 10]))
        assert page.evaluate(_SELECTED) == ["impl"]
        page.click('.djs-context-pad [data-action="lane-insert-below"]')
        lanes = page.evaluate(
            "() => window.bpmtoolModeler.get('elementRegistry')"
            ".filter(e => e.type === 'bpmn:Lane').map(e => e.id)"
        )
        assert len(lanes) == 3
        (new_lane,) = [lane for lane in lanes if lane not in ("sales", "impl")]
        page.evaluate(
            "id => window.bpmtoolModeler.get('selection').select("
            "window.bpmtoolModeler.get('elementRegistry').get(id))",
            new_lane,
        )
        page.locator("[data-prop=name]").fill("Customer Support")
        page.locator("[data-prop=name]").press("Enter")
        # the customer as a pool of its own, below, marked external in the panel
        pools = page.evaluate(
            "() => window.bpmtoolModeler.get('elementRegistry')"
            ".filter(e => e.type === 'bpmn:Participant').map(e => e.id)"
        )
        px, py, pw, ph = page.evaluate(_BOUNDS, pools[0])
        page.click('.djs-palette [data-action="create.participant-expanded"]')
        spot = page.evaluate(_TO_PAGE, [px + pw / 2, py + ph + 140])
        page.mouse.move(spot[0], spot[1] - 20, steps=5)
        page.mouse.click(*spot)
        page.keyboard.type("Customer")
        page.keyboard.press("Enter")
        expect(page.locator('g.djs-element[data-element-id="customer"]')).to_have_count(1)
        # what the customer does, in its pool
        cx, cy, cw, ch = page.evaluate(_BOUNDS, "customer")
        page.click('.djs-palette [data-action="create.task"]')
        spot = page.evaluate(_TO_PAGE, [cx + cw / 2, cy + ch / 2])
        page.mouse.move(spot[0] - 30, spot[1] - 10, steps=5)
        page.mouse.click(*spot)
        page.keyboard.type("Sign contract")
        page.keyboard.press("Enter")
        expect(page.locator('g.djs-element[data-element-id="sign_contract"]')).to_have_count(1)
        _select(page, "customer", at=(cx + 15, cy + ch / 2))  # the pool's name band
        page.locator("[data-prop=external]").check()
        page.screenshot(path=shots / "modeler-07-pool-and-lane.png")
        page.click("[data-save]")
        expect(page.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
    saved = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
    lanes = {lane.label: lane for lane in saved.lanes}
    assert {"Sales", "Implementation", "Customer Support", "Customer"} <= set(lanes)
    assert lanes["Customer"].external
    assert {n.id: n.lane for n in saved.nodes}["sign_contract"] == lanes["Customer"].id
    assert not lanes["Customer Support"].external
    assert problems == []


def test_the_yaml_editor_completes_from_the_schema(browser, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "onboarding.yaml").write_text(ONBOARDING)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.goto(base + "/models/onboarding.yaml/edit")
        expect(page.locator("form[data-editor][data-ready]")).to_have_count(1)
        assert page.locator(".cm-editor .cm-content").count() == 1
        assert not page.locator("textarea#text").is_visible()
        # a key inside a node's flow mapping: the Node's keys from the schema
        page.locator(".cm-line", has_text="Kickoff meeting").click()
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")  # before the closing brace
        page.keyboard.type(", ty")
        menu = page.locator(".cm-tooltip-autocomplete li .cm-completionLabel")
        expect(menu).to_have_text(["type", "task_type"])
        page.screenshot(path=shots / "yaml-01-key-completion.png")
        _accept_completion(page)
        # its value: the enum of node types
        page.keyboard.type("par")
        expect(menu).to_have_text(["parallel"])
        _accept_completion(page)
        text = page.evaluate("() => window.bpmtoolYamlEditor.state.doc.toString()")
        assert "inputs: [contract], type: parallel}" in text
        # a reference: lane ids of the document
        page.keyboard.type(", lane: ")
        page.keyboard.press("Control+Space")
        expect(menu.first).to_be_visible()
        assert sorted(menu.all_inner_texts()) == ["impl", "sales"]
        page.keyboard.press("Escape")
        # the node has its lane already: a key given twice is refused, so take it back
        for _ in ", lane: ":
            page.keyboard.press("Backspace")
        # an unknown key is marked at its line by the server's validation
        page.keyboard.press("Control+End")
        page.keyboard.type("\nsurprise: 1")
        expect(page.locator("[data-status]")).to_have_text("1 problem", timeout=20_000)
        expect(page.locator(".cm-lint-marker-error")).to_have_count(1)
        expect(page.locator("[data-problems-box] li")).to_contain_text("line 20")
        page.screenshot(path=shots / "yaml-02-problem-marked.png")
        page.keyboard.press("Control+Shift+k")  # delete the line
        expect(page.locator("[data-status]")).to_have_text("Valid model", timeout=20_000)
        page.click("button[type=submit]")
        page.wait_for_url("**/models/onboarding.yaml?saved=1")
    saved = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
    kickoff = {n.id: n for n in saved.nodes}["kickoff"]
    assert kickoff.type == "parallel"
    assert problems == []


def test_a_new_artifact_from_the_properties_panel(browser, tmp_path: Path, shots: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "onboarding.yaml").write_text(ONBOARDING)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        page = _open(browser, base + "/models/onboarding.yaml/diagram", problems)
        expect(page.locator("[data-lint-summary]")).to_have_text("No findings", timeout=20_000)
        _select(page, "kickoff")
        outputs = page.locator("[data-io=output]")
        outputs.locator("[data-new-artifact]").fill("Project plan")
        outputs.locator("button", has_text="Add").click()
        # drawn beside the kickoff, connected as its output, and ticked in the panel
        expect(outputs.locator('input[data-artifact="Project plan"]')).to_be_checked()
        assert page.evaluate(
            "() => window.bpmtoolModeler.get('elementRegistry').get('kickoff').outgoing"
            ".filter(c => c.type === 'bpmn:DataOutputAssociation').map(c => c.target.id)"
        ) == ["project_plan_ref"]
        # the flow into the kickoff: a handoff that can now say it carries the plan
        _, fx, fy = page.evaluate(_FLOW_MIDDLE, ["prepare", "kickoff"])
        page.mouse.click(*page.evaluate(_TO_PAGE, [fx, fy]))
        expect(page.locator("[data-prop=artifact] option", has_text="Project plan")).to_have_count(
            1
        )
        page.screenshot(path=shots / "modeler-08-new-artifact.png")
        page.click("[data-save]")
        expect(page.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
    saved = api.loads_model((ws / "models" / "onboarding.yaml").read_text(), "x.yaml")
    assert {a.id: a.name for a in saved.artifacts}["project_plan"] == "Project plan"
    assert {n.id: n.outputs for n in saved.nodes}["kickoff"] == ["project_plan"]
    assert problems == []


DECISION = """\
id: approval
name: Approval
lanes:
  - {id: desk, name: Desk}
nodes:
  - {id: start, name: Request in, type: start, lane: desk}
  - {id: review, name: Review request, lane: desk}
  - {id: ok, name: Approved?, type: exclusive, lane: desk}
  - {id: approve, name: Approve, lane: desk}
  - {id: reject, name: Reject, lane: desk}
  - {id: end, name: Done, type: end, lane: desk}
flows:
  - start -> review
  - review -> ok
  - ok -> approve
  - ok -> reject
  - approve -> end
  - reject -> end
"""


#: a point two thirds of the way along a flow's longest segment: near its target, where two
#: flows leaving one gateway no longer share a line (and away from the middle, where
#: bpmn-js's handle for moving the segment takes a click on the selected flow)
_FLOW_NEAR_END = _FLOW_MIDDLE.replace(
    "(a.x + b.x) / 2, (a.y + b.y) / 2", "(a.x + 2 * b.x) / 3, (a.y + 2 * b.y) / 3"
)


def _click_flow(page, source: str, target: str) -> None:
    """Click a flow near its end until it is the selection."""
    flow, *spot = page.evaluate(_FLOW_NEAR_END, [source, target])
    for _ in range(10):
        page.mouse.click(*page.evaluate(_TO_PAGE, spot))
        if page.evaluate(_SELECTED) == [flow]:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the flow {source} -> {target} could not be selected")


def test_a_gateways_flows_get_a_condition_and_a_default(
    browser, tmp_path: Path, shots: Path
) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    (ws / "models" / "approval.yaml").write_text(DECISION)
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        page = _open(browser, base + "/models/approval.yaml/diagram", problems)
        expect(page.locator("[data-lint-summary]")).to_have_count(1, timeout=20_000)
        _click_flow(page, "ok", "approve")
        page.fill("[data-prop=condition]", "amount <= 1000")
        page.keyboard.press("Enter")
        _click_flow(page, "ok", "reject")
        expect(page.locator("[data-prop=condition]")).to_have_value("")
        page.check("[data-prop=default]")
        # bpmn-js draws the default flow's slash; the flow from the task has no condition field
        _click_flow(page, "review", "ok")
        expect(page.locator("[data-prop=artifact]")).to_have_count(1)
        assert page.locator("[data-prop=condition]").count() == 1  # an activity's way out
        _click_flow(page, "ok", "approve")
        expect(page.locator("[data-prop=condition]")).to_have_value("amount <= 1000")
        expect(page.locator("[data-prop=default]")).not_to_be_checked()
        page.screenshot(path=shots / "modeler-09-condition-and-default.png")
        page.click("[data-save]")
        expect(page.locator("[data-status]")).to_have_text("Saved", timeout=20_000)
    saved = api.loads_model((ws / "models" / "approval.yaml").read_text(), "x.yaml")
    flows = {f.key: f for f in saved.flows}
    assert flows["ok->approve"].condition == "amount <= 1000"
    assert flows["ok->reject"].default and not flows["ok->approve"].default
    assert flows["ok->reject"].condition is None
    assert problems == []


#: real BPMN from other tools: the MIWG reference models and Camunda's invoice example
_REAL_BPMN = [
    SHARED_DATA / "bpmn" / "camunda" / "invoice.v2.bpmn",
    *sorted((SHARED_DATA / "bpmn" / "miwg-reference").glob("A.*.bpmn")),
]


def test_findings_of_real_bpmn_files_land_on_their_shapes(browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    ws = tmp_path / "ws"
    (ws / "models").mkdir(parents=True)
    names = []
    for path in _REAL_BPMN:
        name = path.stem.replace(".", "_") + ".bpmn"
        shutil.copy(path, ws / "models" / name)
        names.append(name)
    assert len(names) >= 5
    problems: list[str] = []
    with running_server(Settings(workspace=ws, seed=False)) as base:
        for name in names:
            page = _open(browser, f"{base}/models/{name}/diagram", problems)
            expect(page.locator("[data-lint-summary][data-runs]")).to_have_count(1)
            findings = api.lint(api.load(ws / "models" / name))
            listed = page.locator(".findings-box .finding")
            assert listed.count() == len(findings), name
            # each finding names diagram elements the editor found and marked
            assert page.locator(".findings-box .finding:not(.linked)").count() == 0, name
            marked = set(_badges(page))
            assert bool(marked) == bool(findings), name
            page.close()
    assert problems == []

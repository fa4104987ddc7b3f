"""The swimlane SVG and the report: valid, self-contained, every element explained, the
findings and the check on the picture, and the CLI commands around them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.mining.check import CheckResult
from tests.conftest import EXAMPLES, FLAWED_MODEL, REFERENCE_MODEL, SHARED_DATA

SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


@pytest.fixture(scope="module")
def checked() -> CheckResult:
    return api.check(api.load(REFERENCE_MODEL), EXAMPLES / "saas-handoffs.csv")


def _tree(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode(), etree.XMLParser(resolve_entities=False, no_network=True))


def _titled(el: etree._Element) -> bool:
    return el.find(f"{SVG}title") is not None


def test_svg_is_valid_and_every_element_has_a_tooltip() -> None:
    model = api.load(FLAWED_MODEL)
    findings = api.lint(model)
    root = _tree(api.render_svg(model, findings=findings))
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    nodes = root.findall(f".//{SVG}g[@data-node]")
    assert sorted(g.get("data-node") for g in nodes) == sorted(n.id for n in model.nodes)
    flows = root.findall(f".//{SVG}g[@class]")
    lines = [
        g
        for g in flows
        if "flow " in (g.get("class") or "") + " " and g.get("class", "").startswith("flow ")
    ]
    assert len(lines) == len(model.flows)
    lanes = root.findall(f".//{SVG}g[@data-lane]")
    assert {g.get("data-lane") for g in lanes} >= {lane.id for lane in model.lanes}
    assert all(_titled(g) for g in [*nodes, *lines, *lanes])
    # every finding with a drawable subject gets a numbered marker, in the findings' order
    markers = root.findall(f".//{SVG}g[@data-finding]")
    assert len(markers) == len(findings)
    numbers = [int(m.get("data-finding")) for m in markers]
    assert numbers == sorted(numbers) and all(_titled(m) for m in markers)
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())
    assert all(f.code in legend for f in findings)


def test_handoffs_stand_out_and_carry_their_artifact() -> None:
    model = api.load(REFERENCE_MODEL)
    root = _tree(api.render_svg(model))
    handoffs = root.findall(f".//{SVG}g[@class='flow flow-handoff']")
    assert len(handoffs) == 15  # the reference model's 15 handoffs
    titles = [h.find(f"{SVG}title").text for h in handoffs]
    assert any(t.startswith("Handoff Customer → Sales") and "Demo request" in t for t in titles)
    labels = root.findall(f".//{SVG}g[@data-flow='request_demo->qualify_lead']")
    assert any("Demo request" in "".join(g.itertext()) for g in labels)


def test_names_are_escaped() -> None:
    model = api.load(REFERENCE_MODEL).model_copy(update={"name": "<script>alert(1)</script>"})
    svg = api.render_svg(model)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    html = api.report(model)
    assert "<script>alert" not in html


def test_overlay_draws_how_often_each_flow_was_walked(checked: CheckResult) -> None:
    model = api.load(REFERENCE_MODEL)
    root = _tree(api.render_svg(model, overlay=checked))
    widths = {}
    for g in root.findall(f".//{SVG}g[@data-flow]"):
        path = g.find(f"{SVG}path")
        if path is not None and path.get("style"):
            widths[g.get("data-flow")] = float(
                re.search(r"stroke-width:([\d.]+)", path.get("style")).group(1)
            )
    counts = dict(checked.flow_counts)
    assert counts["need->request_demo"] == 400  # every case starts with a demo request
    assert (
        widths["need->request_demo"]
        > widths["deal_decision->deal_lost"]
        > widths["churn_risk->rescue_account"]
    )
    unused = root.find(f".//{SVG}g[@data-flow='churn_risk->rescue_account']")
    assert "flow-unused" in unused.get("class")  # the escalation branch is never taken
    skipped = root.find(f".//{SVG}g[@data-node='configure_tenant']")
    assert "node-skipped" in skipped.get("class")
    assert "Update CRM record" in "".join(root.itertext())  # work the model does not know


def test_report_is_one_self_contained_file(checked: CheckResult) -> None:
    model = api.load(REFERENCE_MODEL)
    journey = api.journey(
        model, EXAMPLES / "saas-handoffs.csv", surveys=EXAMPLES / "saas-handoffs-surveys.csv"
    )
    html = api.report(model, check=checked, journey=journey, source="saas-handoffs.yaml")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    for section in (
        "Swimlanes",
        "Findings",
        "Handoff matrix",
        "What the event log shows",
        "Observed handoffs",
        "The customer journey",
        "Happy paths",
        "SIPOC",
    ):
        assert f">{section}" in html
    assert html.count("<svg") >= 3  # swimlanes, funnel, quadrants
    assert "Sales-to-implementation handover notes" in html
    assert f"{checked.summary()['precision']:.1%}" in html
    doc = etree.fromstring(html.encode(), etree.HTMLParser())
    rows = doc.findall(".//table//tr")
    assert len(rows) > 40


def test_report_in_markdown(checked: CheckResult) -> None:
    model = api.load(FLAWED_MODEL)
    md = api.report(model, fmt="md")
    assert md.startswith("# A handoff model with every gap and overlap")
    assert "| # | Severity | Code |" in md
    assert all(f.code in md for f in api.lint(model))
    assert "<svg" not in md


def test_render_and_report_commands(tmp_path: Path) -> None:
    out = tmp_path / "model.svg"
    ok = runner.invoke(app, ["render", str(REFERENCE_MODEL), "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    _tree(out.read_text())
    bpmn = next((SHARED_DATA / "bpmn").rglob("*.bpmn"))
    vertical = runner.invoke(app, ["render", str(bpmn), "--orientation", "vertical"])
    assert vertical.exit_code == 0 and vertical.output.lstrip().startswith("<")
    report = tmp_path / "report.html"
    ok = runner.invoke(
        app,
        [
            "report",
            str(REFERENCE_MODEL),
            "--log",
            str(EXAMPLES / "saas-handoffs.csv"),
            "-q",
            "-o",
            str(report),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "What the event log shows" in report.read_text()
    md = runner.invoke(app, ["report", str(FLAWED_MODEL), "--format", "md"])
    assert md.exit_code == 0 and "## Findings" in md.output


@pytest.mark.parametrize(
    "args, says",
    [
        (["render", "MODEL", "--orientation", "diagonal"], "orientation"),
        (["report", "MODEL", "--format", "docx"], "'--format'"),
        (["report", "MODEL", "--surveys", "x.csv"], "--surveys needs --log"),
        (["report", "FLAWED", "--log", "LOG", "--surveys", "x.csv"], "no journey section"),
        (["render", "missing.yaml"], "missing.yaml"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], says: str) -> None:
    paths = {
        "MODEL": REFERENCE_MODEL,
        "FLAWED": FLAWED_MODEL,
        "LOG": EXAMPLES / "saas-handoffs.csv",
    }
    args = [str(paths[a]) if a in paths else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_render_with_a_log_numbers_lint_and_check_findings_and_says_so(tmp_path) -> None:
    """`render --log` numbers the model's lint findings and the check's (api.diagram_findings,
    the set the demo and the web draw too), and the legend states it."""
    import re

    from typer.testing import CliRunner

    from bpmtool import api
    from bpmtool.cli import app

    root = Path(__file__).resolve().parent.parent
    text = (root / "models" / "saas-handoffs.yaml").read_text()
    model_file = tmp_path / "m.yaml"
    model_file.write_text(text.replace("lanes:\n", "lanes:\n  - {id: legal, name: Legal}\n", 1))
    model = api.load(model_file)
    assert [f.code for f in api.lint(model)] == ["LANE-EMPTY"]
    log = root / "examples" / "saas-handoffs.csv"
    res = CliRunner().invoke(app, ["render", str(model_file), "--log", str(log), "-q"])
    assert res.exit_code == 0, res.output
    check = api.check(model, log)
    numbered = re.findall(r">\d+\. ([A-Z-]+) — ", res.output)
    assert numbered == [f.code for f in api.diagram_findings(model, check)]
    assert sorted(numbered) == sorted(["LANE-EMPTY", *(f.code for f in check.findings)])
    assert (
        f"Numbered: lint + check — the model's 1 lint finding(s) and the log's "
        f"{len(check.findings)} check finding(s)."
    ) in res.output
    plain = CliRunner().invoke(app, ["render", str(model_file)]).output
    assert "Numbered: the model's 1 lint finding(s) (bpmtool lint)." in plain

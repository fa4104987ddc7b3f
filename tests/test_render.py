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


def _diagram_sections(html: str) -> dict[str, str]:
    """A report's swimlane diagrams: title → the HTML under it, up to the next one."""
    swimlanes = html.split(">Swimlanes</h2>", 1)[1].split("<h2>", 1)[0]
    parts = swimlanes.split('<h3 class="diagram-title">')[1:]
    return {part.split("</h3>", 1)[0]: part.split("</h3>", 1)[1] for part in parts}


def test_report_draws_every_diagram_of_a_file_with_several(tmp_path: Path) -> None:
    """MIWG C.4.0 has a diagram per pool: the report draws all four, in the file's order,
    titled by their names, each with its own pool's steps, with the findings numbered as in
    the table and a check's case counts on the diagram that draws the walked steps."""
    model = api.load(SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn")
    log = tmp_path / "it.csv"
    steps = ["Create domain account", "Prepare workstation", "Configure workstation"]
    log.write_text(
        "case,activity,timestamp\n"
        + "".join(
            f"c{c},{a},2024-01-0{c + 1} 0{i}:00\n" for c in range(3) for i, a in enumerate(steps)
        )
    )
    check = api.check(model, log)
    html = api.report(model, check=check)
    sections = _diagram_sections(html)
    assert list(sections) == ["1. Onboarding employee", "2. IT", "3. Payroll", "4. Facilities"]
    assert all(part.count("<svg") == 1 for part in sections.values())
    assert html.count("<svg") == 4
    own = {"2. IT": "Create domain account", "3. Payroll": "Update payroll system"}
    for title, step in own.items():
        assert all((step in part) == (t == title) for t, part in sections.items()), step
    assert "Send candidate Contract" in sections["1. Onboarding employee"]
    findings = api.diagram_findings(model, check)
    table = html.split(">Findings</h2>", 1)[1]
    assert table.count('<span class="num ') == len(findings)
    marked: dict[str, set[int]] = {}
    for title, part in sections.items():
        pairs = re.findall(r'data-code="([^"]+)" data-finding="(\d+)"', part)
        assert all(findings[int(n) - 1].code == code for code, n in pairs)
        marked[title] = {int(n) for _, n in pairs}
    # the payroll step that outputs to nobody is marked only where it is drawn
    payroll = 1 + next(i for i, f in enumerate(findings) if f.code == "OUTPUT-NO-CUSTOMER")
    assert [t for t, numbers in marked.items() if payroll in numbers] == ["3. Payroll"]
    assert "3 cases" in sections["2. IT"] and "3 cases" not in sections["3. Payroll"]


def test_report_names_an_empty_drill_down_and_a_single_diagram_stays_as_it_was() -> None:
    """bpmn.io's B.2.0 has two empty diagrams drilling into collapsed sub-processes: titled
    after the sub-process, said to draw nothing.  A model with one diagram (or none) gets
    its one swimlane drawing, untitled."""
    model = api.load(SHARED_DATA / "bpmn" / "bpmn-io-18-6-1" / "B.2.0-export.bpmn")
    sections = _diagram_sections(api.report(model))
    assert list(sections)[1:] == [
        "2. inside Collapsed Sub-Process 1 Multi-instances",
        "3. inside Collapsed Sub-Process 2",
    ]
    assert "<svg" in sections["1. BPMNDiagram_1"]
    assert all(
        "draws nothing" in part and "<svg" not in part for part in list(sections.values())[1:]
    )
    single = api.report(api.load(FLAWED_MODEL))
    assert _diagram_sections(single) == {} and "draws nothing" not in single
    assert single.split(">Swimlanes</h2>", 1)[1].split("<h2>", 1)[0].count("<svg") == 1


def test_a_journey_s_happy_paths_are_drawn_on_every_diagram(tmp_path: Path) -> None:
    """C.4.0 given a journey whose successful customers walk IT's steps: the report's happy
    paths section draws each of the four diagrams under its title, the paths on IT's."""
    from bpmtool.model import Model

    base = api.load(SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn")
    node = {n.label: n.id for n in base.nodes}
    steps = ["Create domain account", "Prepare workstation", "Configure workstation"]
    data = base.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    done = {"activity": node["Configure workstation"]}
    data["stages"] = [
        {
            "id": "setup",
            "nodes": [node[s] for s in steps],
            "milestones": [{"id": "ready", "reached_when": done}],
        }
    ]
    data["journey"] = {"success": {"milestone": "ready"}, "happy_paths": 1}
    model = Model.model_validate(data)
    log = tmp_path / "it.csv"
    log.write_text(
        "case,activity,timestamp\n"
        + "".join(
            f"c{c},{a},2024-01-0{c + 1} 0{i}:00\n" for c in range(3) for i, a in enumerate(steps)
        )
    )
    html = api.report(model, journey=api.journey(model, log))
    happy = html.split(">Happy paths", 1)[1].split("<h3>", 1)[0]
    parts = happy.split('<h4 class="diagram-title">')[1:]
    titles = [part.split("</h4>", 1)[0] for part in parts]
    assert titles == ["1. Onboarding employee", "2. IT", "3. Payroll", "4. Facilities"]
    assert all(part.count("<svg") == 1 for part in parts)
    walked = [t for t, p in zip(titles, parts, strict=True) if re.search(r"walked [1-9]", p)]
    assert walked == ["2. IT"]


def test_a_markdown_report_names_the_diagrams_the_html_one_draws() -> None:
    model = api.load(SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn")
    md = api.report(model, fmt="md")
    assert (
        "The model's file has 4 diagrams: 1. Onboarding employee; 2. IT; 3. Payroll; "
        "4. Facilities. The HTML report" in md
    )
    assert "<svg" not in md
    single = api.report(api.load(FLAWED_MODEL), fmt="md")
    assert "diagrams:" not in single and "The swimlane diagram is in the HTML report" in single


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

"""What BPMN starts without a sequence flow is reachable: a boundary event of an expanded
sub-process, an event sub-process, a compensation handler, a link catch event.  Lint no
longer calls them unreachable, dead ends or disconnected, and the Petri net runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.io.bpmn import read_bpmn_bytes
from bpmtool.mining.conformance import quiet_pm4py
from bpmtool.mining.petri import to_petri_net
from tests.conftest import SHARED_DATA

_ARTEFACTS = {"UNREACHABLE", "DEAD-END", "DISCONNECTED"}
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<definitions '
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
    '<process id="p">'
)
_TAIL = "</process></definitions>"


def _flows(*pairs: str) -> str:
    return "".join(
        f'<sequenceFlow id="f{i}" sourceRef="{a.split(">")[0]}" targetRef="{a.split(">")[1]}"/>'
        for i, a in enumerate(pairs)
    )


BOUNDARY_ON_SUB = _HEAD + (
    '<startEvent id="s"/><subProcess id="sub" name="Handle">'
    '<startEvent id="ss"/><task id="work" name="Work"/><endEvent id="se"/>'
    + _flows("ss>work", "work>se").replace('id="f', 'id="g')
    + '</subProcess><boundaryEvent id="b" name="Too late" attachedToRef="sub">'
    '<timerEventDefinition/></boundaryEvent><task id="esc" name="Escalate"/>'
    '<endEvent id="e"/><endEvent id="e2"/>' + _flows("s>sub", "sub>e", "b>esc", "esc>e2") + _TAIL
)

EVENT_SUBPROCESS = _HEAD + (
    '<startEvent id="s"/><task id="a" name="Take order"/><endEvent id="e"/>'
    + _flows("s>a", "a>e")
    + '<subProcess id="esp" triggeredByEvent="true" name="Cancellation">'
    '<startEvent id="es" name="Cancel requested"><messageEventDefinition/></startEvent>'
    '<task id="c" name="Cancel order"/><endEvent id="ee"/>'
    + _flows("es>c", "c>ee").replace('id="f', 'id="h')
    + "</subProcess>"
    + _TAIL
)

COMPENSATION = _HEAD + (
    '<startEvent id="s"/><task id="book" name="Book hotel"/><task id="pay" name="Pay"/>'
    '<endEvent id="e"/>'
    + _flows("s>book", "book>pay", "pay>e")
    + '<boundaryEvent id="cb" attachedToRef="book"><compensateEventDefinition/>'
    '</boundaryEvent><task id="undo" name="Cancel hotel" isForCompensation="true"/>'
    '<association id="as" sourceRef="cb" targetRef="undo"/>' + _TAIL
)

LINK = _HEAD + (
    '<startEvent id="s"/><task id="a" name="First half"/>'
    '<intermediateThrowEvent id="lt" name="Go on"><linkEventDefinition name="L"/>'
    "</intermediateThrowEvent>"
    '<intermediateCatchEvent id="lc" name="Go on"><linkEventDefinition name="L"/>'
    '</intermediateCatchEvent><task id="b" name="Second half"/><endEvent id="e"/>'
    + _flows("s>a", "a>lt", "lc>b", "b>e")
    + _TAIL
)

CASES = {
    "boundary-on-sub-process": BOUNDARY_ON_SUB,
    "event-sub-process": EVENT_SUBPROCESS,
    "compensation": COMPENSATION,
    "link": LINK,
}


@pytest.mark.parametrize("name", CASES)
def test_no_import_artefacts_in_lint(name: str) -> None:
    model, warnings = read_bpmn_bytes(CASES[name].encode(), f"{name}.bpmn")
    assert not warnings
    assert not [f for f in api.lint(model) if f.code in _ARTEFACTS]


@pytest.mark.parametrize("name", CASES)
def test_petri_net_runs_every_activity(name: str) -> None:
    """Every activity is a transition, and some run that reaches the final marking does it."""
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    model, _ = read_bpmn_bytes(CASES[name].encode(), f"{name}.bpmn")
    wf = to_petri_net(model)
    assert wf.labels == {n.label for n in model.activities()}
    with quiet_pm4py():
        for label in sorted(wf.labels):
            trace = Trace([Event({"concept:name": label})])
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                parameters={align.Parameters.PARAM_TRACE_COST_FUNCTION: [10**9]},
            )
            assert (label, label) in [tuple(m) for m in a["alignment"]], label


def test_what_triggers_what() -> None:
    model, _ = read_bpmn_bytes(BOUNDARY_ON_SUB.encode(), "b.bpmn")
    assert model.node_by_id["b"].triggered_by == "ss"  # once the sub-process has started
    model, _ = read_bpmn_bytes(EVENT_SUBPROCESS.encode(), "e.bpmn")
    assert model.node_by_id["es"].triggered_by == "s"  # while its parent runs
    assert [f.target for f in model.flows if f.source == "s"] == ["a"]  # not a step of it
    model, _ = read_bpmn_bytes(COMPENSATION.encode(), "c.bpmn")
    assert model.node_by_id["undo"].triggered_by == "cb"
    model, _ = read_bpmn_bytes(LINK.encode(), "l.bpmn")
    assert model.node_by_id["lc"].triggered_by == "lt"


def test_link_throw_goes_on_at_its_catch() -> None:
    """The run through the link is the only way to the end: the throw does not end the case."""
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    model, _ = read_bpmn_bytes(LINK.encode(), "l.bpmn")
    wf = to_petri_net(model)
    log = EventLog(
        [
            Trace([Event({"concept:name": a}) for a in seq])
            for seq in (["First half", "Second half"], ["First half"])
        ]
    )
    with quiet_pm4py():
        whole, cut = token_replay.apply(log, wf.net, wf.initial, wf.final)
    assert whole["trace_is_fit"] and not cut["trace_is_fit"]


def test_no_import_artefacts_across_the_shared_files() -> None:
    """Over every shared BPMN file: no structural error names a node BPMN starts without a
    flow, and the boundary events, event sub-processes, compensation handlers and link
    events of the suite are all reachable (51 structural errors remain, from 205: separate
    pools, boundary events without outgoing flow and the like)."""
    triggered = 0
    for path in sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")):
        model = api.load(path)
        marked = {n.id for n in model.nodes if n.triggered_by}
        triggered += len(marked)
        for finding in api.lint(model):
            if finding.code in {"UNREACHABLE", "DEAD-END"}:
                assert not set(finding.subject) & marked, (path, finding.message)
    assert triggered > 50


def test_events_of_a_flattened_sub_process_stay_out_of_its_flow(tmp_path: Path) -> None:
    """An event sub-process inside an expanded sub-process: flows into the sub-process go to
    its own start, never to the event sub-process's start."""
    xml = _HEAD + (
        '<startEvent id="s"/><subProcess id="sub" name="Order">'
        '<startEvent id="ss"/><task id="w" name="Pack"/><endEvent id="se"/>'
        + _flows("ss>w", "w>se").replace('id="f', 'id="g')
        + '<subProcess id="esp" triggeredByEvent="true"><startEvent id="es"/>'
        '<task id="x" name="Refund"/><endEvent id="ee"/>'
        + _flows("es>x", "x>ee").replace('id="f', 'id="h')
        + "</subProcess></subProcess>"
        '<endEvent id="e"/>' + _flows("s>sub", "sub>e") + _TAIL
    )
    model, _ = read_bpmn_bytes(xml.encode(), "n.bpmn")
    assert sorted(f.target for f in model.flows if f.source == "s") == ["ss"]
    assert sorted(f.source for f in model.flows if f.target == "e") == ["se"]
    assert model.node_by_id["es"].triggered_by == "ss"
    assert not [f for f in api.lint(model) if f.code in _ARTEFACTS]


NON_INTERRUPTING = _HEAD + (
    '<startEvent id="s"/><task id="a" name="Prepare offer"/><task id="b" name="Send offer"/>'
    '<endEvent id="e"/><boundaryEvent id="t" attachedToRef="a" cancelActivity="false">'
    '<timerEventDefinition/></boundaryEvent><task id="r" name="Remind sales"/>'
    '<endEvent id="e2"/>' + _flows("s>a", "a>b", "b>e", "t>r", "r>e2") + _TAIL
)


def test_a_non_interrupting_boundary_event_is_kept_as_such() -> None:
    model, _ = read_bpmn_bytes(NON_INTERRUPTING.encode(), "n.bpmn")
    assert model.node_by_id["t"].interrupting is False
    assert model.node_by_id["t"].attached_to == "a"
    again, _ = read_bpmn_bytes(api.export_bpmn(model), "again.bpmn")
    assert again.node_by_id["t"].interrupting is False


NON_INTERRUPTING_ON_SUB = BOUNDARY_ON_SUB.replace(
    'attachedToRef="sub">', 'attachedToRef="sub" cancelActivity="false">'
)


def test_a_non_interrupting_boundary_event_of_an_expanded_sub_process_is_kept() -> None:
    """Read as non-interrupting (it was read as interrupting), drawn dashed with its double
    ring, and written back with cancelActivity="false" on the sub-process."""
    model, _ = read_bpmn_bytes(NON_INTERRUPTING_ON_SUB.encode(), "n.bpmn")
    event = model.node_by_id["b"]
    assert (event.interrupting, event.triggered_by, event.attached_to) == (False, "ss", None)
    assert read_bpmn_bytes(BOUNDARY_ON_SUB.encode(), "i.bpmn")[0].node_by_id["b"].interrupting
    from lxml import etree

    svg = etree.fromstring(api.render_svg(model, findings=False).encode())
    ring = svg.find(".//{http://www.w3.org/2000/svg}g[@data-node='b']")
    assert ring is not None
    circles = ring.findall("{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 2 and all("non-interrupting" in c.get("class", "") for c in circles)
    written = etree.fromstring(api.export_bpmn(model))
    boundary = written.find(".//{http://www.omg.org/spec/BPMN/20100524/MODEL}boundaryEvent")
    assert boundary is not None
    assert (boundary.get("attachedToRef"), boundary.get("cancelActivity")) == ("sub", "false")
    again, _ = read_bpmn_bytes(api.export_bpmn(model), "again.bpmn")
    assert again.node_by_id["b"].interrupting is False


def _replay(xml: str, traces: list[list[str]]) -> list[tuple[int, int]]:
    """pm4py's token replay of each trace: (missing tokens, remaining tokens)."""
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    wf = to_petri_net(read_bpmn_bytes(xml.encode(), "r.bpmn")[0])
    log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in traces])
    with quiet_pm4py():
        found = token_replay.apply(log, wf.net, wf.initial, wf.final)
    return [(r["missing_tokens"], r["remaining_tokens"]) for r in found]


def _aligned(xml: str, traces: list[list[str]]) -> list[bool]:
    """Whether bpmtool's exact alignment of each trace fits the model."""
    import pandas as pd

    from bpmtool.mining.conformance import conformance, variants
    from tests.test_conformance import EXACT

    wf = to_petri_net(read_bpmn_bytes(xml.encode(), "r.bpmn")[0])
    found = variants(
        pd.DataFrame(
            {
                "case:concept:name": [f"c{i}" for i, t in enumerate(traces) for _ in t],
                "concept:name": [a for t in traces for a in t],
            }
        )
    )
    conformance(wf, found, replay=False, budget=EXACT)
    fitting = {v.labels: v.alignment.fitness == 1.0 for v in found if v.alignment}
    return [fitting[tuple(t)] for t in traces]


def test_conformance_runs_a_non_interrupting_sub_process_event_beside_the_sub_process() -> None:
    """Work (in the sub-process) and Escalate (after its timer) both happen: that fits when
    the timer does not interrupt the sub-process, and not when it does (the escalation
    replaces the work); the escalation alone fits only the interrupting timer."""
    traces = [["Work", "Escalate"], ["Escalate", "Work"], ["Escalate"], ["Work"]]
    assert _aligned(NON_INTERRUPTING_ON_SUB, traces) == [True, True, False, True]
    assert _aligned(BOUNDARY_ON_SUB, traces) == [False, False, True, True]
    # token replay: no token missing for both steps beside each other, one missing when the
    # event interrupts; the plain run replays cleanly either way (the event does not steal
    # the sub-process's token)
    non, interrupting = _replay(NON_INTERRUPTING_ON_SUB, traces), _replay(BOUNDARY_ON_SUB, traces)
    assert [m for m, _ in non] == [0, 0, 0, 0]
    assert [m for m, _ in interrupting] == [1, 1, 0, 0]
    assert non[3] == interrupting[3] == (0, 0)
    assert non[2][1] > 0  # the escalation alone leaves the sub-process unfinished


@pytest.mark.parametrize(
    "path",
    [
        "miwg-reference/B.2.0.bpmn",
        "bpmn-io-18-6-1/B.2.0-export.bpmn",
        "camunda-eclipse-plugin-3-0-0/B.2.0-export.bpmn",
        "sap-signavio-process-manager-19-9-0/B.2.0-export.bpmn",
        "yaoqiang-bpmn-editor-4-0/B.2.0-export.bpmn",
    ],
)
def test_the_suites_non_interrupting_timer_on_an_expanded_sub_process(path: str) -> None:
    """MIWG B.2.0 attaches an interrupting and a non-interrupting timer to "Expanded
    Sub-Process 2": each file keeps the one as interrupting, the other not."""
    from lxml import etree

    source = etree.parse(str(SHARED_DATA / "bpmn" / path)).getroot()
    frames = {
        el.get("id")
        for el in source.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}subProcess")
    }
    expected = {
        " ".join((el.get("name") or "").split()): el.get("cancelActivity") != "false"
        for el in source.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}boundaryEvent")
        if el.get("attachedToRef") in frames
    }
    model = api.load(SHARED_DATA / "bpmn" / path)
    found = {
        " ".join(n.name.split()): n.interrupting
        for n in model.nodes
        if n.task_type == "boundaryEvent" and not n.attached_to
    }
    assert found == expected
    assert False in found.values() and True in found.values()


def _link_file(throw_name: str, catch_name: str, throw_def: str, catch_def: str) -> str:
    return _HEAD + (
        '<startEvent id="s"/><task id="a" name="First half"/>'
        f'<intermediateThrowEvent id="lt" name="{throw_name}">{throw_def}'
        "</intermediateThrowEvent>"
        f'<intermediateCatchEvent id="lc" name="{catch_name}">{catch_def}'
        '</intermediateCatchEvent><task id="b" name="Second half"/><endEvent id="e"/>'
        + _flows("s>a", "a>lt", "lc>b", "b>e")
        + _TAIL
    )


@pytest.mark.parametrize(
    "xml",
    [
        # bpmn.io: unnamed link definitions, the two events named apart
        _link_file(
            "Off page",
            "Back on page",
            '<linkEventDefinition id="L1" name=""/>',
            '<linkEventDefinition id="L2" name=""/>',
        ),
        # the specification's own references between the two definitions
        _link_file(
            "Go",
            "Arrive",
            '<linkEventDefinition id="L1" name="x"><target>L2</target></linkEventDefinition>',
            '<linkEventDefinition id="L2" name="y"><source>L1</source></linkEventDefinition>',
        ),
    ],
    ids=["the-only-pair", "source-and-target"],
)
def test_a_link_pairs_without_matching_names(xml: str) -> None:
    model, _ = read_bpmn_bytes(xml.encode(), "l.bpmn")
    assert model.node_by_id["lc"].triggered_by == "lt"
    assert not [f for f in api.lint(model) if f.code in _ARTEFACTS]


def test_two_unnamed_link_pairs_are_not_guessed() -> None:
    """With two throws and two catches that match nothing, no pairing is invented."""
    one = _link_file("A", "B", '<linkEventDefinition name=""/>', '<linkEventDefinition name=""/>')
    two = one.replace('id="lt"', 'id="lt2"').replace('id="lc"', 'id="lc2"')
    two = two.replace('id="s"', 'id="s2"').replace('id="a"', 'id="a2"').replace('id="b"', 'id="b2"')
    two = two.replace('id="e"', 'id="e2"').replace('id="f', 'id="g').replace('"s>', '"s2>')
    body = two[two.index('<process id="p">') + len('<process id="p">') : two.index("</process>")]
    for old, new in (("s", "s2"), ("a", "a2"), ("lt", "lt2"), ("lc", "lc2"), ("b", "b2")):
        body = body.replace(f'sourceRef="{old}"', f'sourceRef="{new}"')
        body = body.replace(f'targetRef="{old}"', f'targetRef="{new}"')
    body = body.replace('targetRef="e"', 'targetRef="e2"')
    model, _ = read_bpmn_bytes(one.replace("</process>", body + "</process>").encode(), "x.bpmn")
    assert model.node_by_id["lc"].triggered_by is None
    assert model.node_by_id["lc2"].triggered_by is None


def test_every_link_catch_of_the_shared_files_goes_on_from_a_throw() -> None:
    from lxml import etree

    b = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    checked = 0
    for path in sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")):
        root = etree.parse(str(path)).getroot()
        catches = {
            el.get("id")
            for el in root.iter(f"{b}intermediateCatchEvent")
            if el.find(f"{b}linkEventDefinition") is not None
        }
        if not catches:
            continue
        model = api.load(path)
        found = {n.id for n in model.nodes if n.id in catches and n.triggered_by}
        assert found == catches, path
        checked += len(catches)
    assert checked >= 7  # MIWG B.2.0 in seven tools

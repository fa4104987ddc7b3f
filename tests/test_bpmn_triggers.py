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

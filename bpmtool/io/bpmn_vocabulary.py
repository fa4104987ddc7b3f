"""The BPMN 2.0 vocabulary the importer and the exporter share: namespaces, which elements
are tasks, sub-processes, events and gateways, which ones carry no meaning for bpmtool, and
small helpers to read names, documentation and references off an element and to write
elements."""

from __future__ import annotations

import re

from lxml import etree

__all__ = [
    "BPMN_NS",
    "BPMTOOL_NS",
    "EVENTS",
    "EVENT_DEFINITIONS",
    "GATEWAYS",
    "SUBPROCESSES",
    "TASKS",
]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMTOOL_NS = "https://bpmtool.dev/bpmn"
B = f"{{{BPMN_NS}}}"

TASKS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "businessRuleTask",
        "scriptTask",
        "callActivity",
    }
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENTS = {
    "startEvent": "start",
    "endEvent": "end",
    "intermediateCatchEvent": "intermediate",
    "intermediateThrowEvent": "intermediate",
    "boundaryEvent": "intermediate",
    "implicitThrowEvent": "intermediate",
}
GATEWAYS = {
    "exclusiveGateway": "exclusive",
    "parallelGateway": "parallel",
    "inclusiveGateway": "inclusive",
    "eventBasedGateway": "event_based",
    "complexGateway": "complex",
}
#: process children that are diagram notes or definitions we do not need: skipped silently
QUIET = frozenset(
    {
        "documentation",
        "extensionElements",
        "laneSet",
        "textAnnotation",
        "association",
        "group",
        "category",
        "ioSpecification",
        "property",
        "auditing",
        "monitoring",
        "dataInput",
        "dataOutput",
        "inputSet",
        "outputSet",
        "resourceRole",
        "performer",
        "humanPerformer",
        "potentialOwner",
        "correlationSubscription",
        "supports",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "incoming",
        "outgoing",
        "dataInputAssociation",
        "dataOutputAssociation",
        "completionCondition",
    }
)
DEFINITIONS_QUIET = frozenset(
    {
        "process",
        "collaboration",
        "message",
        "signal",
        "error",
        "escalation",
        "itemDefinition",
        "dataStore",
        "category",
        "resource",
        "interface",
        "BPMNDiagram",
        "relationship",
        "extension",
        "import",
        "documentation",
        "extensionElements",
        "eventDefinition",
        "timerEventDefinition",
        "messageEventDefinition",
        "signalEventDefinition",
        "errorEventDefinition",
        "escalationEventDefinition",
        "correlationProperty",
        "endPoint",
        "partnerRole",
        "partnerEntity",
        "globalTask",
        "globalUserTask",
        "globalManualTask",
        "globalScriptTask",
        "globalBusinessRuleTask",
        "textAnnotation",
        "association",
        "group",
    }
)
COLLABORATION_QUIET = frozenset(
    {
        "participant",
        "messageFlow",
        "documentation",
        "extensionElements",
        "textAnnotation",
        "association",
        "group",
        "messageFlowAssociation",
        "correlationKey",
    }
)

UNSAFE_ID = re.compile(r"[\s>]+")
SPACE = re.compile(r"\s+")


def local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def in_bpmn(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith(B)


def name_of(el: etree._Element) -> str:
    return SPACE.sub(" ", el.get("name") or "").strip()


def doc_of(el: etree._Element) -> str:
    texts = [" ".join((d.text or "").split()) for d in el.findall(f"{B}documentation")]
    return "\n".join(t for t in texts if t)


def ref_text(el: etree._Element, child: str) -> list[str]:
    return [(c.text or "").strip() for c in el.findall(f"{B}{child}") if (c.text or "").strip()]


def sub_element(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """A new BPMN element ``tag`` under ``parent``, with the attributes that have a value."""
    return etree.SubElement(parent, f"{B}{tag}", {k: v for k, v in attrs.items() if v})


def add_documentation(el: etree._Element, text: str) -> None:
    """A ``documentation`` child holding ``text``; none for an empty text."""
    if text:
        sub_element(el, "documentation").text = text


def strip_prefix(ref: str) -> str:
    """``tns:Task_1`` → ``Task_1`` (some tools qualify references)."""
    return ref.split(":", 1)[1] if ":" in ref and not ref.startswith("http") else ref


#: the event definitions BPMN has elements for (``<bpmn:{kind}EventDefinition>``), the only
#: kinds the export writes as BPMN; any other is kept in the bpmtool extension
EVENT_DEFINITIONS = frozenset(
    {
        "message",
        "timer",
        "error",
        "signal",
        "escalation",
        "compensate",
        "conditional",
        "link",
        "terminate",
        "cancel",
    }
)

"""The process model: lanes, nodes, flows, artifacts, stages, CTQs and triggers.

This is the one source of truth every other layer reads.  It imports nothing
else of bpmtool's except the error types.  Objects are immutable pydantic
models; cross-references (a node's lane, a flow's ends, an artifact id) are
checked by :func:`reference_problems`, which works on plain data so that the
YAML loader can report structural and reference problems together.

>>> m = Model.model_validate({
...     "id": "tiny", "lanes": [{"id": "a"}, {"id": "b"}],
...     "nodes": [{"id": "s", "type": "start", "lane": "a"}, {"id": "t", "lane": "b"}],
...     "flows": ["s -> t"]})
>>> m.flows[0].source, m.flows[0].target
('s', 't')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bpmtool.durations import Duration, format_duration, parse_duration
from bpmtool.errors import ModelError
from bpmtool.model_checks import normalise_flow, reference_problems
from bpmtool.model_diagram import Bounds, Diagram, Edge, Shape
from bpmtool.model_pools import Annotation, Association, Group, Pool, SubProcess

__all__ = [
    "ACTIVITY",
    "EVENT_TYPES",
    "GATEWAY_TYPES",
    "NODE_TYPES",
    "Annotation",
    "Artifact",
    "Association",
    "BehaviourMeasure",
    "Bounds",
    "Ctq",
    "Diagram",
    "Duration",
    "Edge",
    "EmotionSource",
    "Flow",
    "Group",
    "Journey",
    "JourneySuccess",
    "Lane",
    "Milestone",
    "MilestoneCondition",
    "Model",
    "Node",
    "Pool",
    "Quadrant",
    "Quadrants",
    "Shape",
    "Stage",
    "SubProcess",
    "Trigger",
    "format_duration",
    "json_schema",
    "normalise_flow",
    "parse_duration",
    "reference_problems",
]

ACTIVITY = "activity"
EVENT_TYPES = frozenset({"start", "end", "intermediate"})
GATEWAY_TYPES = frozenset({"exclusive", "parallel", "inclusive", "event_based", "complex"})
NODE_TYPES = (ACTIVITY, "start", "end", "intermediate", *sorted(GATEWAY_TYPES))
NodeType = Literal[
    "activity",
    "start",
    "end",
    "intermediate",
    "exclusive",
    "parallel",
    "inclusive",
    "event_based",
    "complex",
]
#: words analysts use for node types, mapped to ours
_TYPE_ALIASES = {
    "task": "activity",
    "step": "activity",
    "start_event": "start",
    "end_event": "end",
    "intermediate_event": "intermediate",
    "xor": "exclusive",
    "and": "parallel",
    "or": "inclusive",
    "eventbased": "event_based",
}

_ID_PATTERN = r"^[^\s>]+$"
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=_ID_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ---------------------------------------------------------------------------
# the parts of a model


class Lane(_Strict):
    """A role or team that does work; ``external`` marks the customer or a partner."""

    id: Id
    name: str = ""
    external: bool = False
    description: str = ""
    #: the pool the lane belongs to (required when the model has several pools)
    pool: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class Artifact(_Strict):
    """Something a handoff carries or an activity needs or produces."""

    id: Id
    name: str = ""
    description: str = ""
    #: a data store (a database, a system of record) rather than a document passed along
    store: bool = False
    #: a process's own input or output (BPMN ``dataInput``/``dataOutput`` of the process)
    io: Literal["input", "output"] | None = None
    #: the pool whose process holds it (none: the model's only process)
    pool: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class Node(_Strict):
    """An activity, an event or a gateway, owned by one lane."""

    id: Id
    name: str = ""
    type: NodeType = "activity"
    lane: str | None = None
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    description: str = ""
    #: the BPMN element it came from or becomes, e.g. ``userTask``, ``subProcess``
    task_type: str | None = None
    #: for events: ``message``, ``timer``, ``error``, ``signal``, … (BPMN event definitions)
    event_definition: str | None = None
    #: for boundary events: the activity they are attached to
    attached_to: str | None = None
    #: for boundary events: False when the activity goes on after the event (BPMN
    #: ``cancelActivity="false"``), True when the event ends it — also for one on an
    #: expanded sub-process, which has ``triggered_by`` instead of ``attached_to``
    interrupting: bool = True
    #: a node no sequence flow leads to that BPMN starts from another node: the start event
    #: of an event sub-process (from where its parent starts), a compensation handler (from
    #: its compensation boundary event), a boundary event of an expanded sub-process (from
    #: the sub-process's start)
    triggered_by: str | None = None
    #: the pool whose process the node belongs to, for a node in no lane of a model with
    #: several pools (a node in a lane belongs to the lane's pool)
    pool: str | None = None
    #: the expanded sub-process (see :class:`SubProcess`) the node sits in
    parent: str | None = None
    #: an activity done repeatedly: ``standard`` (a loop), or several instances at once
    #: (``parallel``) or one after another (``sequential``)
    loop: Literal["standard", "parallel", "sequential"] | None = None
    #: an activity that undoes another's work (BPMN ``isForCompensation``)
    compensation: bool = False

    @field_validator("type", mode="before")
    @classmethod
    def _type_alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            return _TYPE_ALIASES.get(key, key)
        return value

    @property
    def label(self) -> str:
        """What the node is called on a diagram and in an event log."""
        return self.name or self.id

    @property
    def caption(self) -> str:
        """What a diagram writes on the node: its name; an unnamed event or gateway shows
        nothing (as a modeller draws it); an unnamed activity that came from BPMN (it has a
        ``task_type``) its element type (``userTask`` → ``User task``), otherwise its id."""
        if self.name:
            return self.name
        if not self.is_activity:
            return ""
        if not self.task_type:
            return self.id
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", self.task_type).lower()
        return words[:1].upper() + words[1:]

    @property
    def is_activity(self) -> bool:
        return self.type == ACTIVITY

    @property
    def is_gateway(self) -> bool:
        return self.type in GATEWAY_TYPES

    @property
    def is_event(self) -> bool:
        return self.type in EVENT_TYPES


class Flow(_Strict):
    """A directed flow between two nodes; across lanes it is a handoff."""

    source: Id
    target: Id
    id: str | None = None
    artifact: str | None = None
    condition: str | None = None
    name: str = ""
    #: ``sequence`` inside a process; ``message`` between pools (from BPMN message flows)
    kind: Literal["sequence", "message"] = "sequence"
    #: the default flow of an exclusive or inclusive gateway
    default: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return normalise_flow(data)

    @property
    def key(self) -> str:
        """A stable identifier: the explicit id or ``source->target``."""
        return self.id or f"{self.source}->{self.target}"


class MilestoneCondition(_Strict):
    """When a milestone counts as reached: an activity was done (optionally with a value)."""

    activity: str
    attribute: str | None = None
    equals: str | float | int | bool | None = None


class Milestone(_Strict):
    """A yes/no question about a customer's journey, answered from the log."""

    id: Id
    question: str = ""
    reached_when: MilestoneCondition | None = None
    deadline: Duration | None = None  # time allowed from the start of its stage


class Stage(_Strict):
    """A stage of the customer journey, holding activities and milestones."""

    id: Id
    name: str = ""
    nodes: list[str] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    action: str = ""  # what the success team does for a customer stuck here

    @property
    def label(self) -> str:
        return self.name or self.id


class Ctq(_Strict):
    """A critical-to-quality measure: the time from one activity to another."""

    id: Id
    name: str = ""
    from_: str = Field(alias="from")
    to: str
    max: Duration

    @property
    def label(self) -> str:
        return self.name or self.id


class TriggerWhen(_Strict):
    milestone: str


class TriggerExpect(_Strict):
    activity: str
    within: Duration


class Trigger(_Strict):
    """When a milestone is reached, a follow-up activity is expected within a window."""

    id: str | None = None
    when: TriggerWhen
    expect: TriggerExpect

    @property
    def key(self) -> str:
        return self.id or f"{self.when.milestone}->{self.expect.activity}"


class JourneySuccess(_Strict):
    """What counts as a successful journey: a milestone reached or an activity done."""

    milestone: str | None = None
    activity: str | None = None  # a node id, e.g. the last activity before the end event

    @model_validator(mode="after")
    def _one_of(self) -> JourneySuccess:
        if (self.milestone is None) == (self.activity is None):
            raise ValueError("give exactly one of 'milestone' or 'activity'")
        return self


class BehaviourMeasure(_Strict):
    """One ingredient of the behavioural score, scored 0..1 per case.

    ``events`` counts matching events, ``activities`` counts distinct matching
    activities, ``recency`` scores how recently a matching event happened.
    Events match by node id, raw log label or lane; with none given, every event.
    """

    id: Id
    kind: Literal["events", "activities", "recency"] = "events"
    nodes: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)  # log labels the model does not draw
    lanes: list[str] = Field(default_factory=list)
    weight: float = Field(default=1.0, ge=0)
    #: the count that scores full marks; default: the 90th percentile across cases
    full_at: float | None = Field(default=None, gt=0)
    #: fewer is better (e.g. support contacts)
    lower_is_better: bool = False
    #: for ``recency``: a case silent this long scores 0
    horizon: Duration = timedelta(days=30)


class EmotionSource(_Strict):
    """Where the emotional score comes from: a case attribute or a survey file column."""

    attribute: str | None = None  # a log column, e.g. case:nps
    column: str | None = None  # a survey file column, e.g. nps
    scale: Literal["nps", "csat"] = "nps"
    #: a score at or above this is "happy"; default 7 for NPS (0-10), 4 for CSAT (1-5)
    happy_at: float | None = None
    case_column: str = "case_id"  # the survey file's case id column


class Quadrant(_Strict):
    """A cell of the behaviour x emotion grid and what the success team does there."""

    name: str = ""
    action: str = ""


class Quadrants(_Strict):
    """The 2x2 grid: behaviour (high/low) against emotion (happy/unhappy)."""

    champion: Quadrant = Quadrant(name="Champion")
    loyal_unhappy: Quadrant = Quadrant(name="Loyal but unhappy")
    happy_drifting: Quadrant = Quadrant(name="Happy but drifting")
    at_risk: Quadrant = Quadrant(name="At risk")


class Journey(_Strict):
    """How to read the customer journey from a log: success, scores and quadrants."""

    success: JourneySuccess | None = None
    #: the milestone that marks the purchase; leaving every happy path after it is flagged
    sale: str | None = None
    happy_paths: int = Field(default=5, ge=1, le=5)
    behaviour: list[BehaviourMeasure] = Field(default_factory=list)
    #: a behavioural score (0..100) at or above this is "high"
    behaviour_high_at: float = Field(default=50.0, ge=0, le=100)
    emotion: EmotionSource | None = None
    quadrants: Quadrants = Quadrants()


RuleSetting = Literal["off", "error", "warning", "info"]


class Model(_Strict):
    """A swimlane process model with SIPOC contracts and an optional customer journey."""

    id: Id
    name: str = ""
    description: str = ""
    version: str = ""
    #: BPMN pools (participants); none: one implicit pool holds every lane
    pools: list[Pool] = Field(
        default_factory=list,
        description=(
            "BPMN pools (participants), each its own process: its lanes name it with "
            "'pool'; a black box holds no lanes or nodes and is reached by message flows "
            "(pool_flows). None: one implicit pool holds every lane."
        ),
        examples=[
            [
                {"id": "shop", "name": "Web shop"},
                {"id": "bank", "name": "Bank", "black_box": True, "external": True},
            ]
        ],
    )
    lanes: list[Lane] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    #: message flows with a pool, not a node, at one end (to or from a black box, or to a
    #: pool's border): drawn and exported, part of no process
    pool_flows: list[Flow] = Field(
        default_factory=list,
        description="message flows with a pool (not a node) at one end, e.g. to a black box",
        examples=[[{"source": "charge", "target": "bank", "kind": "message"}]],
    )
    #: expanded sub-processes: frames around the nodes whose ``parent`` they are
    subprocesses: list[SubProcess] = Field(
        default_factory=list,
        description="expanded sub-processes: frames around the nodes whose 'parent' they are",
        examples=[[{"id": "fulfil", "name": "Fulfil order", "lane": "warehouse"}]],
    )
    annotations: list[Annotation] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    associations: list[Association] = Field(default_factory=list)
    #: the author's drawing (from BPMN diagram interchange); none: bpmtool lays it out
    diagram: Diagram | None = None
    #: the file's further diagrams, in the file's order (see :class:`Diagram`)
    other_diagrams: list[Diagram] = Field(
        default_factory=list,
        description=(
            "the BPMN file's other diagrams (another pool's, a drill-down into a collapsed "
            "sub-process), in the file's order; 'render --diagram' draws one of them"
        ),
    )
    stages: list[Stage] = Field(default_factory=list)
    ctqs: list[Ctq] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    #: how to read the customer journey from a log (success, scores, quadrants)
    journey: Journey | None = None
    #: rule preset (``recommended`` or ``all``) and per-rule overrides: ``off`` or a severity
    preset: Literal["recommended", "all"] = "recommended"
    rules: dict[str, RuleSetting] = Field(default_factory=dict)

    @field_validator("rules", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        # YAML 1.1 readers turn a bare `off` into False; accept it as "off".
        if isinstance(value, Mapping):
            return {k: ("off" if v is False else v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Model:
        if info.context and info.context.get("skip_references"):
            return self
        problems = reference_problems(self.model_dump(by_alias=True, exclude_defaults=False))
        if problems:
            raise ModelError(
                problems=problems,
                summary=f"model {self.id!r} has {len(problems)} broken reference(s)",
            )
        return self

    @property
    def label(self) -> str:
        return self.name or self.id

    @cached_property
    def node_by_id(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    @cached_property
    def lane_by_id(self) -> dict[str, Lane]:
        return {lane.id: lane for lane in self.lanes}

    @cached_property
    def artifact_by_id(self) -> dict[str, Artifact]:
        return {a.id: a for a in self.artifacts}

    @cached_property
    def stage_by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    @cached_property
    def milestone_by_id(self) -> dict[str, Milestone]:
        return {m.id: m for s in self.stages for m in s.milestones}

    @cached_property
    def pool_by_id(self) -> dict[str, Pool]:
        return {p.id: p for p in self.pools}

    @cached_property
    def subprocess_by_id(self) -> dict[str, SubProcess]:
        return {s.id: s for s in self.subprocesses}

    @cached_property
    def _only_pool(self) -> str | None:
        working = [p.id for p in self.pools if not p.black_box]
        return working[0] if len(working) == 1 else None

    def pool_of(self, node_id: str) -> str | None:
        """The pool a node's process belongs to: its lane's pool, its own ``pool``, or the
        model's only working pool; None for a model without pools."""
        node = self.node_by_id.get(node_id)
        if node is None:
            return None
        lane = self.lane_by_id.get(node.lane or "")
        return (lane.pool if lane is not None else None) or node.pool or self._only_pool

    def whole_pool(self, lane_id: str) -> bool:
        """True for the lane that stands for a whole pool: a BPMN pool without lanes gets
        one lane of the pool's own id (the party that does the work), drawn and exported as
        the pool alone."""
        lane = self.lane_by_id.get(lane_id)
        return lane is not None and lane.pool == lane.id

    def lane_pool(self, lane_id: str) -> str | None:
        """The pool a lane belongs to (None for a model without pools)."""
        lane = self.lane_by_id.get(lane_id)
        return (lane.pool if lane is not None else None) or self._only_pool

    def activities(self) -> list[Node]:
        return [n for n in self.nodes if n.is_activity]

    def lane_of(self, node_id: str) -> str | None:
        node = self.node_by_id.get(node_id)
        return node.lane if node else None

    def artifact_label(self, artifact_id: str | None) -> str:
        if artifact_id is None:
            return ""
        art = self.artifact_by_id.get(artifact_id)
        return art.label if art else artifact_id


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the model file, with the ``a -> b`` flow shorthands allowed."""
    schema = Model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "bpmtool process model"
    flow_ref = {"$ref": "#/$defs/Flow"}
    attributes = {
        "type": "object",
        "description": "flow attributes (artifact, condition, …)",
        "additionalProperties": True,
    }
    schema["properties"]["flows"]["items"] = {
        "anyOf": [
            flow_ref,
            {
                "type": "string",
                "pattern": r"^\s*\S+\s*->\s*\S+\s*$",
                "description": "shorthand 'source -> target'",
            },
            {
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "patternProperties": {r"^\s*\S+\s*->\s*\S+\s*$": attributes},
                "additionalProperties": False,
                "description": "shorthand 'source -> target: {artifact: …}'",
            },
        ]
    }
    return schema

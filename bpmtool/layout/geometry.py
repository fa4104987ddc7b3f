"""The numbers a swimlane layout produces: boxes, bands, routes, and the layout that holds them.

Everything is in SVG/BPMNDI user units (pixels at 100 %), origin at the top left, y down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Orientation = Literal["horizontal", "vertical"]
Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """An axis-parallel rectangle."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """True when the two boxes share area (touching edges do not count)."""
        return (
            self.x < other.right + margin
            and other.x < self.right + margin
            and self.y < other.bottom + margin
            and other.y < self.bottom + margin
        )

    def contains(self, other: Box, tolerance: float = 0.01) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


@dataclass(frozen=True)
class Label:
    """Text placed in a box: one string per line."""

    lines: tuple[str, ...]
    box: Box
    #: the font size it is written at (a modeller's diagram writes names smaller)
    size: float = 12.0


@dataclass(frozen=True)
class Band:
    """One swimlane: its whole band, and the header strip holding its name.

    ``kind`` is ``lane`` (a team inside the process), ``external`` (a party outside it,
    its own pool in BPMN) or ``none`` (the band of nodes that name no lane).
    """

    id: str
    name: str
    kind: Literal["lane", "external", "none"]
    box: Box
    header: Box
    label: Label


@dataclass(frozen=True)
class NodePlace:
    """Where a node is drawn: its shape, its outside label (events and gateways), its grid cell."""

    id: str
    box: Box
    label: Label | None
    band: str
    column: int
    row: int


@dataclass(frozen=True)
class EdgeRoute:
    """An orthogonal polyline for ``model.flows[index]``, from the source's border to the
    target's border, and where its label (condition or artifact) sits."""

    index: int
    source: str
    target: str
    points: tuple[Point, ...]
    label: Label | None = None

    @property
    def bends(self) -> int:
        return max(len(self.points) - 2, 0)


@dataclass(frozen=True)
class Frame:
    """A box drawn around or for something that is not a node: an expanded sub-process
    (``expanded``: its content inside; else drawn closed, as an activity with a "+"), a
    text annotation or a group; ``label`` is where its name or text is written."""

    id: str
    box: Box
    label: Label | None = None
    expanded: bool = True


@dataclass(frozen=True)
class Link:
    """A line that is not a sequence flow: an association (``association``), a data
    association (``data``: ``source`` is the node or data object it leaves) or a message
    flow with a pool at one end (``message``: ``index`` into ``model.pool_flows``)."""

    kind: Literal["association", "data", "message"]
    source: str
    target: str
    points: tuple[Point, ...]
    index: int = -1
    label: Label | None = None
    #: for associations: which ends carry an arrow (``none``, ``one``, ``both``)
    direction: str = "none"


@dataclass
class Layout:
    """The swimlane picture as geometry: what ``render/svg`` draws and BPMNDI records."""

    orientation: Orientation
    width: float
    height: float
    bands: list[Band] = field(default_factory=list)
    #: the internal pool (key ``""``) around the team lanes; one pool per external band
    pools: dict[str, Box] = field(default_factory=dict)
    pool_header: Box | None = None
    nodes: dict[str, NodePlace] = field(default_factory=dict)
    edges: list[EdgeRoute] = field(default_factory=list)
    #: data objects for BPMNDI, in a strip after the last band
    data: dict[str, Box] = field(default_factory=dict)
    #: a data object's further drawings (a data object referenced in several places)
    data_copies: list[tuple[str, Box]] = field(default_factory=list)
    #: expanded (or drawn-closed) sub-processes, by sub-process id
    frames: dict[str, Frame] = field(default_factory=dict)
    #: text annotations and groups, by id
    notes: dict[str, Frame] = field(default_factory=dict)
    #: associations, data associations and message flows to or from a pool
    links: list[Link] = field(default_factory=list)
    #: data associations not drawn: (node, data object, why): "pool" (the node is in another
    #: pool than the data object) or "route" (no clean route; see layout/swimlane_reach)
    undrawn: list[tuple[str, str, str]] = field(default_factory=list)
    #: where each pool's name is written (the strip along its left or top edge)
    pool_titles: dict[str, Label] = field(default_factory=dict)

    @property
    def band_by_id(self) -> dict[str, Band]:
        return {b.id: b for b in self.bands}

"""The author's drawing of a model (BPMN diagram interchange, "DI"): where each element
was placed, how each flow was routed and where the labels sit.

It is kept as the file gave it, so a model imported from a modeller is drawn and exported as
its author drew it; :mod:`bpmtool.layout.from_di` turns it into a layout.

>>> d = Diagram(shapes=[Shape(element="a", x=10, y=20, width=100, height=80)])
>>> d.shape_of("a").width
100.0
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Bounds", "Diagram", "Edge", "Shape"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Bounds(_Strict):
    """A rectangle in diagram units (pixels at 100 %, y down)."""

    x: float
    y: float
    width: float = Field(ge=0)
    height: float = Field(ge=0)


class Shape(Bounds):
    """The drawn box of one element: a node, lane, pool, artifact, sub-process frame,
    annotation or group (``element`` is its model id).  An element may have several shapes
    (a data object referenced twice)."""

    element: str
    #: where the element's name is written, when the author placed it
    label: Bounds | None = None
    #: for a sub-process or call activity: drawn open with its content (True) or closed
    expanded: bool | None = None
    #: for a pool or lane: its title runs along the left (True) or the top (False)
    horizontal: bool | None = None
    #: for an exclusive gateway: whether the "X" marker is drawn
    marker: bool | None = None


class Edge(_Strict):
    """The drawn route of one connection: a flow (``element`` is its key), an association
    (its id) or a data association (``element`` is the node, ``artifact`` the data object
    it reads, ``direction`` ``in``, or writes, ``out``)."""

    element: str
    points: list[tuple[float, float]] = Field(min_length=2)
    label: Bounds | None = None
    artifact: str | None = None
    direction: Literal["in", "out"] | None = None


class Diagram(_Strict):
    """The author's layout: shapes and edges in diagram coordinates.

    A BPMN file may hold several diagrams (one per pool, or one drilling into a collapsed
    sub-process): the model keeps its main one as ``diagram`` and the others as
    ``other_diagrams``, each with its ``id``, ``name`` and what it ``shows``.
    """

    #: the diagram's id in the BPMN file (``BPMNDiagram/@id``), kept for the round trip
    id: str | None = None
    #: the diagram's name (``BPMNDiagram/@name``), by which ``--diagram`` can choose it
    name: str = ""
    #: what the diagram is drawn for, when not the whole collaboration: a pool's id (its
    #: process), an expanded sub-process's id or a node's (a collapsed sub-process or a
    #: call activity whose content it shows); none: every pool
    shows: str | None = None
    shapes: list[Shape] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The diagram's name, or its id, or ``""``."""
        return self.name or self.id or ""

    @cached_property
    def shapes_by_element(self) -> dict[str, list[Shape]]:
        out: dict[str, list[Shape]] = {}
        for shape in self.shapes:
            out.setdefault(shape.element, []).append(shape)
        return out

    def shape_of(self, element: str) -> Shape | None:
        """The (first) shape of an element, or None when it is not drawn."""
        found = self.shapes_by_element.get(element)
        return found[0] if found else None

    @cached_property
    def edges_by_element(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {}
        for edge in self.edges:
            out.setdefault(edge.element, []).append(edge)
        return out

    def edge_of(self, element: str, artifact: str | None = None) -> Edge | None:
        """The route of a flow or association (or of a node's data association)."""
        for edge in self.edges_by_element.get(element, []):
            if edge.artifact == artifact:
                return edge
        return None

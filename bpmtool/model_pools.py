"""The parts of a model that say how BPMN organises it: pools, expanded sub-processes and
the notes an author adds to a diagram (text annotations, groups, associations).

A model without pools is one implicit pool holding every lane.  With pools, each pool is a
BPMN participant: it holds one process (its lanes and nodes), or nothing at all when it is a
*black box* (a party whose work is not modelled, reached only by message flows).  Separate
pools are separate processes: rules judge each on its own.

>>> Pool(id="bank", name="Bank", black_box=True).label
'Bank'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Annotation", "Association", "Group", "Pool", "SubProcess"]

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s>]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Pool(_Strict):
    """A pool (BPMN participant): one process and its lanes, or a black box."""

    id: Id
    name: str = ""
    description: str = ""
    #: a party whose process is not modelled: it holds no lanes and no nodes
    black_box: bool = False
    #: a party outside the organisation (the customer, a partner)
    external: bool = False
    #: the id of the BPMN ``process`` the pool holds (kept for a faithful round trip);
    #: none: the export names it after the pool
    process: str | None = None
    #: False for a process the BPMN file draws without a pool around it (a ``process``
    #: no ``participant`` refers to)
    participant: bool = True
    #: the BPMN process's ``isExecutable``, when the file said
    executable: bool | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class SubProcess(_Strict):
    """An expanded sub-process: a frame whose content (the nodes whose ``parent`` it is)
    runs when a flow reaches it.  Its flows in and out are the model's flows to its start
    and from its end nodes; the frame itself is kept for drawing and export."""

    id: Id
    name: str = ""
    description: str = ""
    #: ``subProcess``, ``transaction`` or ``adHocSubProcess``
    task_type: str = "subProcess"
    #: an event sub-process (started by an event while its parent runs, not by a flow)
    event: bool = False
    #: the sub-process it sits in, if any
    parent: str | None = None
    lane: str | None = None
    pool: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class Annotation(_Strict):
    """A text annotation: a note on the diagram, linked to elements by associations."""

    id: Id
    text: str = ""


class Group(_Strict):
    """A group: a dashed frame around elements of a diagram (it changes no flow)."""

    id: Id
    name: str = ""


class Association(_Strict):
    """A dotted line from an annotation or group to another element (a node, a flow's key,
    an artifact, another annotation), or a compensation association."""

    id: Id
    source: str
    target: str
    direction: Literal["none", "one", "both"] = "none"

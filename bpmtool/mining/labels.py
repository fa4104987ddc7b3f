"""The one way a log's activity label is matched to a model node, for check and journey alike.

A label matches a node when it equals the node's name, its id or one of its
``aliases``, ignoring case and runs of spaces (``"Kickoff  meeting"`` and
``"kickoff meeting"`` are the same label); where it names an activity and also an event or
a gateway, it names the activity.  A label that would match two different activities (or,
naming no activity, two other nodes) is *ambiguous*: it is never settled by the order of the
nodes; a log that contains one is refused with an error naming the label and the nodes.

>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "t", "lanes": [{"id": "a"}], "nodes": [
...     {"id": "kickoff", "name": "Kickoff meeting", "lane": "a", "aliases": ["KO"]}]})
>>> LabelMatcher.of(m).match(["kickoff  MEETING", "ko", "Kickoff", "Lunch"])
{'kickoff  MEETING': 'kickoff', 'ko': 'kickoff', 'Kickoff': 'kickoff', 'Lunch': None}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bpmtool.errors import EventLogError, Problem
from bpmtool.model import Model

__all__ = ["LabelMatcher", "label_key"]


def label_key(text: object) -> str:
    """The form two labels are compared in: case-folded, spaces collapsed, trimmed."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


@dataclass(frozen=True)
class LabelMatcher:
    """Label key → the node ids it names (more than one: ambiguous)."""

    nodes_of: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, model: Model) -> LabelMatcher:
        found: dict[str, list[str]] = {}
        for node in model.nodes:
            for name in (node.label, node.id, *node.aliases):
                ids = found.setdefault(label_key(name), [])
                if node.id not in ids:
                    ids.append(node.id)
        # a log records activities: where a label names an activity and also an event or a
        # gateway (pm4py writes a task "end" next to an end event named "end"), the activity
        activities = {n.id for n in model.nodes if n.is_activity}
        for key, ids in found.items():
            doers = [i for i in ids if i in activities]
            if len(ids) > 1 and doers:
                found[key] = doers
        return cls({k: tuple(v) for k, v in found.items()})

    def node(self, label: object) -> str | None:
        """The node a label names, ``None`` for none; raises for an ambiguous label."""
        return self.match([label])[str(label)]

    def match(
        self, labels: Iterable[object], *, filename: str | None = None
    ) -> dict[str, str | None]:
        """Each label → its node id (``None`` when it names no node).

        Raises :class:`~bpmtool.errors.EventLogError` listing every label among
        ``labels`` that names more than one node."""
        out: dict[str, str | None] = {}
        problems = []
        for label in labels:
            ids = self.nodes_of.get(label_key(label), ())
            if len(ids) > 1:
                problems.append(
                    Problem(
                        message=f"the activity {str(label)!r} matches {len(ids)} model nodes "
                        f"({', '.join(ids)}) by name, id or alias",
                        file=filename,
                        key=str(label),
                        expected="each log label to name one node: rename one of them or give "
                        "it a distinct alias",
                    )
                )
                continue
            out[str(label)] = ids[0] if ids else None
        if problems:
            raise EventLogError(
                problems=problems,
                summary=f"{len(problems)} activity label(s) of the log are ambiguous in the model",
            )
        return out

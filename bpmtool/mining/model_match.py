"""How well a model's activities match a log's: which model to check a log against.

Labels are matched by the one label matcher of check and journey
(:class:`~bpmtool.mining.labels.LabelMatcher`: name, id or alias, ignoring case and
spacing).  Two shares count: the log's events whose activity the model knows, and the
model's activities the log shows.  A model that knows every event but has many steps the
log never shows fits less well than one that has just the log's steps, so models are
ranked by the harmonic mean of the two.

>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "t", "lanes": [{"id": "a"}], "nodes": [
...     {"id": "x", "name": "Call", "lane": "a"}, {"id": "y", "name": "Visit", "lane": "a"}]})
>>> match = model_match(m, {"call": 8, "Lunch": 2})
>>> (match.events_matched, match.events, match.activities_seen, match.activities)
(8, 10, 1, 2)
>>> round(match.score, 3)
0.615
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bpmtool.errors import EventLogError
from bpmtool.mining.labels import LabelMatcher
from bpmtool.model import Model

__all__ = ["ModelMatch", "model_match"]


@dataclass(frozen=True)
class ModelMatch:
    """How one model matches one log's activity labels."""

    events: int
    events_matched: int
    labels: int
    labels_matched: int
    activities: int
    activities_seen: int

    @property
    def event_share(self) -> float:
        return self.events_matched / self.events if self.events else 0.0

    @property
    def activity_share(self) -> float:
        return self.activities_seen / self.activities if self.activities else 0.0

    @property
    def score(self) -> float:
        """The harmonic mean of the two shares (0 when either is 0)."""
        a, b = self.event_share, self.activity_share
        return 2 * a * b / (a + b) if a and b else 0.0

    def text(self) -> str:
        """One line for a page, e.g. ``99.9% of the log's events, 21 of 22 activities``."""
        share = math.floor(self.event_share * 1000) / 10  # never "100%" while one is unknown
        return (
            f"{share:.1f}% of the log's events, "
            f"{self.activities_seen} of {self.activities} activities"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "events": self.events,
            "events_matched": self.events_matched,
            "labels": self.labels,
            "labels_matched": self.labels_matched,
            "activities": self.activities,
            "activities_seen": self.activities_seen,
            "event_share": round(self.event_share, 4),
            "activity_share": round(self.activity_share, 4),
            "score": round(self.score, 4),
            "text": self.text(),
        }


def model_match(model: Model, activity_counts: Mapping[str, int]) -> ModelMatch:
    """How ``model`` matches a log given as its activity labels and their event counts.

    A label that names two nodes of the model (which a check would refuse) counts as
    unmatched here."""
    matcher = LabelMatcher.of(model)
    activities = {n.id for n in model.nodes if n.is_activity}
    matched_events = matched_labels = 0
    seen: set[str] = set()
    for label, count in activity_counts.items():
        try:
            node = matcher.node(label)
        except EventLogError:
            node = None
        if node is None:
            continue
        matched_labels += 1
        matched_events += int(count)
        if node in activities:
            seen.add(node)
    return ModelMatch(
        events=sum(int(c) for c in activity_counts.values()),
        events_matched=matched_events,
        labels=len(activity_counts),
        labels_matched=matched_labels,
        activities=len(activities),
        activities_seen=len(seen),
    )

"""How full bpmtool's own swimlane layout is: the share of each lane's length its work covers.

A lane's length (from its header to its end) is cut into *column pitches*: each column of
the layout with the gaps on either side of it halved (the first and last pitch reach the
lane's ends).  A lane's **fill** is the share of its length lying in the pitches of the
columns that hold at least one of its nodes; its **share** is what its fill would be if
every column were equally wide (its columns over all columns).

A lane is **mostly empty** when its fill is under three quarters of ``min(share, 1/2)``:
a lane with work in at least half of the columns covers at least 37.5 % of its length,
and a lane with less work covers at least three quarters of what its columns would on
an evenly spaced grid, so no stretch of other lanes' columns is widened to make it
emptier than its work.  A lane with one step in a 19-column process is 1/19 full by
its nature; the rule measures the layout, not the process.

>>> from bpmtool.model import Model
>>> from bpmtool.layout import layout_model
>>> m = Model.model_validate({"id": "m", "lanes": [{"id": "a"}, {"id": "b"}],
...     "nodes": [{"id": "x", "lane": "a"}, {"id": "y", "lane": "a"}, {"id": "z", "lane": "b"}],
...     "flows": ["x -> y", "y -> z"]})
>>> fills = lane_fill(layout_model(m))
>>> (fills["a"].columns, fills["a"].of, fills["b"].columns)  # z stands right under y
(2, 2, 1)
>>> any(mostly_empty(f) for f in fills.values())
False
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from bpmtool.layout.geometry import Layout

__all__ = ["LaneFill", "lane_fill", "mostly_empty"]


@dataclass(frozen=True)
class LaneFill:
    """One lane's numbers: its columns, the drawing's columns, its fill and its share."""

    lane: str
    columns: int
    of: int
    fill: float

    @property
    def share(self) -> float:
        return self.columns / self.of if self.of else 0.0


def lane_fill(lay: Layout) -> dict[str, LaneFill]:
    """Each band's fill (bands without nodes: 0) in a layout of bpmtool's own."""
    horizontal = lay.orientation == "horizontal"
    extent: dict[int, tuple[float, float]] = {}
    used: dict[str, set[int]] = defaultdict(set)
    for place in lay.nodes.values():
        b = place.box
        lo, hi = (b.x, b.right) if horizontal else (b.y, b.bottom)
        if place.label is not None:
            lb = place.label.box
            lo = min(lo, lb.x if horizontal else lb.y)
            hi = max(hi, lb.right if horizontal else lb.bottom)
        old = extent.get(place.column)
        extent[place.column] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
        used[place.band].add(place.column)
    out: dict[str, LaneFill] = {}
    columns = sorted(extent)
    for band in lay.bands:
        box, head = band.box, band.header
        start = (head.right if horizontal else head.bottom) if head is not None else box.x
        end = box.right if horizontal else box.bottom
        if not columns or end <= start:
            out[band.id] = LaneFill(band.id, 0, len(columns), 0.0)
            continue
        bounds = [start]
        bounds += [(extent[a][1] + extent[b][0]) / 2 for a, b in pairwise(columns)]
        bounds.append(end)
        covered = sum(
            bounds[i + 1] - bounds[i] for i, c in enumerate(columns) if c in used[band.id]
        )
        out[band.id] = LaneFill(
            band.id, len(used[band.id]), len(columns), round(covered / (end - start), 4)
        )
    return out


def mostly_empty(fill: LaneFill) -> bool:
    """True when the lane is mostly empty: its fill under 3/4 of ``min(share, 1/2)``."""
    return fill.fill < min(fill.share, 0.5) * 0.75

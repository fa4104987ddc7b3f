"""The swimlane layout's working numbers, shared by its phases: the sizes it uses and what
each phase hands to the next (the grid, the room, the positions along and across)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bpmtool.layout.geometry import Box, Orientation
from bpmtool.layout.routing import Plan
from bpmtool.model import Node

__all__ = [
    "BAND_MIN",
    "BOUNDARY",
    "CHANNEL_PAD",
    "EDGE_FONT",
    "EDGE_LABEL_WIDTH",
    "GAP_FREE",
    "LABEL_WIDTH",
    "LANE_HEADER",
    "POOL_GAP",
    "POOL_HEADER",
    "ROW_PAD",
    "TRACK",
    "TRACK_START",
    "Across",
    "Along",
    "Ax",
    "Grid",
    "Room",
]

POOL_HEADER, LANE_HEADER = 30.0, 34.0
GAP_FREE, TRACK, TRACK_START = 20.0, 10.0, 14.0
ROW_PAD, CHANNEL_PAD = 16.0, 10.0
POOL_GAP = 24.0
BAND_MIN = {"horizontal": 136.0, "vertical": 176.0}
LABEL_WIDTH, EDGE_LABEL_WIDTH, EDGE_FONT = 90.0, 80.0, 11.0
BOUNDARY = 30.0


@dataclass
class Ax:
    """A node's shape and outside label in along/across units."""

    sa: float
    sc: float
    la: float = 0.0  # label extent along (centred on the node)
    lc: float = 0.0  # label extent across (after the shape)
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grid:
    """Phase 1: which nodes are placed (boundary events ride on their host), the bands,
    each placed node's column and row (in its band and overall), and the edge plan."""

    orientation: Orientation
    attached: dict[str, str]  # boundary event → host
    placed: list[Node]
    band_of: dict[str, str]
    bands: list[tuple[str, str, str]]  # (id, name, kind) in drawing order
    pool_of: dict[str, str]  # band → the key of its pool (bpmtool.layout.pools)
    column: dict[str, int]
    row: dict[str, int]  # row inside the band
    rows_in: dict[str, int]  # rows per band
    first_row: dict[str, int]  # the band's first overall row
    global_row: dict[str, int]
    rows: int
    columns: int
    plan: Plan

    @property
    def horizontal(self) -> bool:
        return self.orientation == "horizontal"

    def host(self, node_id: str) -> str:
        return self.attached.get(node_id, node_id)

    def box(self, a: float, c: float, sa: float, sc: float) -> Box:
        """A box given along/across, in screen coordinates (rounded to 0.01)."""
        return (
            Box(round(a, 2), round(c, 2), round(sa, 2), round(sc, 2))
            if self.horizontal
            else Box(round(c, 2), round(a, 2), round(sc, 2), round(sa, 2))
        )


@dataclass(frozen=True)
class Room:
    """Phase 3: how much room each column, row and gap needs, and the edge labels' text."""

    col_size: list[float]
    up: list[float]  # above each row's port
    down: list[float]  # below it (shape and outside label)
    edge_lines: dict[int, tuple[str, ...]]
    gap_room: dict[int, float]  # room claimed by edge labels in the gap before a column


@dataclass(frozen=True)
class Along:
    """Phase 4: positions along the flow: the headers, then gap -1, column 0, gap 0, …"""

    header: float
    gap_start: dict[int, float]
    col_centre: list[float]
    total: float


@dataclass(frozen=True)
class Across:
    """Phase 5: positions across the lanes: bands, the rows in them, each row's port (where
    its shapes' centres sit) and the channel underneath it."""

    band_box: dict[str, tuple[float, float]]  # band → (start, size)
    port: list[float]
    channel: list[float]
    total: float
    #: where each row's data strip starts (bpmtool.layout.swimlane_data)
    strip: list[float] = field(default_factory=list)

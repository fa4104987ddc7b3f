"""Orthogonal edge routes on the swimlane grid, planned before any coordinate is known.

Nodes sit in cells (column × row).  Between columns run *gaps*; under the nodes of every row
runs a *channel*.  No node ever stands in a gap or a channel, so a route made only of

* a run along its source's or target's own row through cells that are empty,
* vertical segments inside gaps, and
* horizontal segments inside channels

never crosses a node; nor does a handoff that runs straight up or down its column to a
node in another lane, as long as no node stands in the column between them.
Each segment in a gap or a channel gets its own *track* (interval
colouring), so parallel edges never lie on top of each other.  A forward flow to the next
column bends twice at most; a loop back goes along the channel under the lower of its two
rows and comes up into its target, four bends at most.

Coordinates are symbolic here (``("gap", g, track)``, ``("channel", row, track)``, a node
port); :mod:`bpmtool.layout.swimlane` resolves them once the sizes of gaps and channels are
known.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["Plan", "Route", "plan_routes"]

# symbolic coordinates: along the flow (A) and across the lanes (C)
#   A: ("end", node) | ("start", node) | ("centre", node) | ("gap", g, track)
#      | ("offcentre", node, offset, widest offset)
#   C: ("port", node) | ("bottom", node) | ("top", node) | ("channel", row, track)
#      | ("attach", node) | ("inport", node, offset, widest offset)
Coord = tuple[object, ...]


@dataclass
class Route:
    index: int
    source: str
    target: str
    points: list[tuple[Coord, Coord]]
    #: where the label would like to sit: the gap before the target's column
    label_gap: int | None = None


@dataclass
class Plan:
    routes: list[Route] = field(default_factory=list)
    #: number of tracks used in each gap (g = -1 … columns-1) and each row's channel
    gap_tracks: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    channel_tracks: dict[int, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class _Segment:
    kind: str  # "gap" or "channel"
    where: int
    low: float
    high: float
    route: int
    slot: int  # the segment runs from points[slot] to points[slot + 1]
    #: for gap segments: the across positions where a horizontal joins, and on which side
    ends: list[tuple[float, str]] = field(default_factory=list)
    track: int = 0


def _seg(
    kind: str,
    where: int,
    p: float,
    q: float,
    route: int,
    slot: int,
    ends: list[tuple[float, str]] | None = None,
) -> _Segment:
    return _Segment(kind, where, min(p, q), max(p, q), route, slot, ends or [])


def plan_routes(
    flows: list[tuple[int, str, str]],
    column: dict[str, int],
    row: dict[str, int],
    attached: dict[str, str],
    labelled: frozenset[str] = frozenset(),
) -> Plan:
    """Routes for ``flows`` (index, source, target); ``row`` is the global row of each node;
    ``attached`` maps a boundary event to its host (its route starts on the host's border);
    a loop never leaves or enters a node in ``labelled`` (a name written under it) by its
    bottom, but through the gap beside it."""
    occupied: set[tuple[int, int]] = set()
    for n, c in column.items():
        occupied.add((c, row[n]))

    def free(r: int, c1: int, c2: int) -> bool:
        """No node, and no other flow's run, in row ``r`` between columns c1 and c2."""
        return all((c, r) not in occupied for c in range(c1, c2 + 1))

    def take(r: int, c1: int, c2: int) -> None:
        occupied.update((c, r) for c in range(c1, c2 + 1))

    plan = Plan()
    segments: list[_Segment] = []
    for index, source, target in flows:
        host = attached.get(source, source)
        sc, tc = column[host], column[target]
        sr, tr = row[host], row[target]
        port_s: Coord = ("attach", source) if source in attached else ("port", source)
        exit_a: Coord = ("end", source)
        points: list[tuple[Coord, Coord]] = [(exit_a, port_s)]
        route = Route(index, source, target, points)
        k = len(plan.routes)
        s_pos = sr + (0.7 if source in attached else 0.5)
        if source == target:
            points.clear()
            points += [
                (("centre", source), ("bottom", source)),
                (("centre", source), ("channel", sr, None)),
                (("gap", sc, None), ("channel", sr, None)),
                (("gap", sc, None), ("port", source)),
                (("end", source), ("port", source)),
            ]
            segments.append(_Segment("channel", sr, sc, sc + 0.5, k, 1))
            segments.append(_Segment("gap", sc, sr + 0.5, sr + 0.9, k, 2, [(sr + 0.5, "L")]))
        elif (
            tc == sc
            and sr != tr
            and source not in attached
            and all((sc, r) not in occupied for r in range(min(sr, tr) + 1, max(sr, tr)))
        ):  # a handoff straight down (or up) to the next lane, in the column
            down = tr > sr
            points[:] = [
                (("centre", source), ("bottom" if down else "top", source)),
                (("centre", source), ("top" if down else "bottom", target)),
            ]
        elif tc > sc:
            route.label_gap = tc - 1
            if sr == tr and source not in attached and free(sr, sc + 1, tc - 1):
                points.append((("start", target), ("port", target)))
                take(sr, sc + 1, tc - 1)
            elif tc == sc + 1 or (source not in attached and free(sr, sc + 1, tc - 1)):
                take(sr, sc + 1, tc - 1)
                g = tc - 1
                points += [
                    (("gap", g, None), port_s),
                    (("gap", g, None), ("port", target)),
                    (("start", target), ("port", target)),
                ]
                segments.append(
                    _seg("gap", g, s_pos, tr + 0.5, k, 1, ends=[(s_pos, "L"), (tr + 0.5, "R")])
                )
            elif free(tr, sc + 1, tc - 1):
                take(tr, sc + 1, tc - 1)
                points += [
                    (("gap", sc, None), port_s),
                    (("gap", sc, None), ("port", target)),
                    (("start", target), ("port", target)),
                ]
                segments.append(
                    _seg("gap", sc, s_pos, tr + 0.5, k, 1, ends=[(s_pos, "L"), (tr + 0.5, "R")])
                )
            else:
                ch = min(sr, tr)
                points += [
                    (("gap", sc, None), port_s),
                    (("gap", sc, None), ("channel", ch, None)),
                    (("gap", tc - 1, None), ("channel", ch, None)),
                    (("gap", tc - 1, None), ("port", target)),
                    (("start", target), ("port", target)),
                ]
                segments += [
                    _seg("gap", sc, s_pos, ch + 0.9, k, 1, ends=[(s_pos, "L")]),
                    _Segment("channel", ch, sc + 0.5, tc - 0.5, k, 2),
                    _seg("gap", tc - 1, ch + 0.9, tr + 0.5, k, 3, ends=[(tr + 0.5, "R")]),
                ]
        else:  # a loop back (or a flow within one column)
            low = max(sr, tr)
            if sr == low and source not in attached and source not in labelled:
                points[0] = (("centre", source), ("bottom", source))
                start_a = float(sc)
            else:
                points.append((("gap", sc, None), port_s))
                segments.append(_seg("gap", sc, s_pos, low + 0.9, k, 1, ends=[(s_pos, "L")]))
                start_a = sc + 0.5
            first_a: Coord = points[-1][0]
            points.append((first_a, ("channel", low, None)))
            if tr == low and target not in labelled:
                points += [
                    (("centre", target), ("channel", low, None)),
                    (("centre", target), ("bottom", target)),
                ]
                segments.append(_seg("channel", low, start_a, float(tc), k, len(points) - 3))
            else:
                route.label_gap = tc - 1
                points += [
                    (("gap", tc - 1, None), ("channel", low, None)),
                    (("gap", tc - 1, None), ("port", target)),
                    (("start", target), ("port", target)),
                ]
                segments += [
                    _seg("channel", low, start_a, tc - 0.5, k, len(points) - 4),
                    _seg(
                        "gap",
                        tc - 1,
                        tr + 0.5,
                        low + 0.9,
                        k,
                        len(points) - 3,
                        ends=[(tr + 0.5, "R")],
                    ),
                ]
        plan.routes.append(route)
    _assign_tracks(segments, plan)
    _spread_ports(plan, row)
    return plan


def _spread_ports(plan: Plan, row: dict[str, int]) -> None:
    """Flows that come into a node from its start side each get a port of their own, so two
    flows into one node never end on one line: a straight run along the row keeps the
    middle, the others take ports above and below it in the order of their sources' rows."""
    straight: dict[str, bool] = defaultdict(bool)
    bending: dict[str, list[Route]] = defaultdict(list)
    for route in plan.routes:
        t = route.target
        if len(route.points) < 2 or route.points[-1] != (("start", t), ("port", t)):
            continue
        if route.points[-2][1] == ("port", t):
            bending[t].append(route)
        else:
            straight[t] = True
    for t, routes in bending.items():
        count = len(routes) + straight[t]
        if count < 2:
            continue
        offsets, widest = _spread(count, straight[t])
        routes.sort(key=lambda r: (row.get(r.source, 0), r.index))
        for route, offset in zip(routes, offsets, strict=False):
            port: Coord = ("inport", t, offset, widest)
            route.points[-2] = (route.points[-2][0], port)
            route.points[-1] = (route.points[-1][0], port)
    # loops back come up into the node's bottom: each at a spot of its own there too
    up_straight: dict[str, bool] = defaultdict(bool)
    looping: dict[str, list[Route]] = defaultdict(list)
    for route in plan.routes:
        t = route.target
        if len(route.points) < 2 or route.points[-1][1] != ("bottom", t):
            continue
        if route.points[-2][1][0] == "channel" and route.points[-2][0] == ("centre", t):
            looping[t].append(route)
        else:
            up_straight[t] = True
    for t, routes in looping.items():
        count = len(routes) + up_straight[t]
        if count < 2:
            continue
        offsets, widest = _spread(count, up_straight[t])
        routes.sort(key=lambda r: r.index)
        for route, offset in zip(routes, offsets, strict=False):
            spot: Coord = ("offcentre", t, offset, widest)
            route.points[-2] = (spot, route.points[-2][1])
            route.points[-1] = (spot, route.points[-1][1])


def _assign_tracks(segments: list[_Segment], plan: Plan) -> None:
    """Give every gap and channel segment a track; then write the tracks into the routes.

    Interval colouring, with one rule more in gaps: where a flow leaves a row to the left of
    the gap and another enters the same row to the right, the leaving one takes the track
    further left, or their horizontal stubs would lie on top of each other.
    """
    groups: dict[tuple[str, int], list[_Segment]] = defaultdict(list)
    for seg in segments:
        groups[(seg.kind, seg.where)].append(seg)
    for (kind, where), members in sorted(groups.items()):
        members.sort(key=lambda s: (s.low, s.high, s.route))
        before: dict[int, set[int]] = defaultdict(set)
        lefts: dict[float, list[int]] = defaultdict(list)
        rights: dict[float, list[int]] = defaultdict(list)
        for i, seg in enumerate(members):
            for pos, side in seg.ends:
                (lefts if side == "L" else rights)[pos].append(i)
        for pos, left in lefts.items():
            for j in rights.get(pos, []):
                before[j].update(i for i in left if i != j)
        tracks: list[list[tuple[float, float]]] = []
        assigned: dict[int, int] = {}
        for i in _constraint_order(len(members), before):
            seg = members[i]
            t = 1 + max((assigned[b] for b in before[i] if b in assigned), default=-1)
            while t < len(tracks) and any(lo <= seg.high and seg.low <= hi for lo, hi in tracks[t]):
                t += 1
            if t == len(tracks):
                tracks.append([])
            while len(tracks) <= t:
                tracks.append([])
            tracks[t].append((seg.low, seg.high))
            seg.track = assigned[i] = t
        counts = plan.gap_tracks if kind == "gap" else plan.channel_tracks
        counts[where] = len(tracks)
    for seg in segments:
        route = plan.routes[seg.route]
        for i in (seg.slot, seg.slot + 1):
            a, c = route.points[i]
            if seg.kind == "gap" and a[0] == "gap":
                route.points[i] = (("gap", a[1], seg.track), c)
            elif seg.kind == "channel" and c[0] == "channel":
                route.points[i] = (a, ("channel", c[1], seg.track))


def _constraint_order(n: int, before: dict[int, set[int]]) -> list[int]:
    """0 … n-1 with every ``before`` constraint honoured where the constraints allow it
    (Kahn's algorithm; a cycle is broken at its lowest index)."""
    waiting = {i: set(before.get(i, ())) for i in range(n)}
    done: list[int] = []
    placed: set[int] = set()
    while len(done) < n:
        ready = [i for i in range(n) if i not in placed and not (waiting[i] - placed)]
        pick = ready[0] if ready else min(i for i in range(n) if i not in placed)
        done.append(pick)
        placed.add(pick)
    return done


def _spread(count: int, straight: bool) -> tuple[list[float], float]:
    """Offsets from a side's middle (in slots) for ``count`` lines ending on it, and the
    widest: symmetric around the middle, which stays free for the one line coming
    ``straight`` in (it keeps the middle, so the others take the spots beside it)."""
    slots = count + (1 if straight and count % 2 == 0 else 0)
    offsets = [j - (slots - 1) / 2 for j in range(slots)]
    if straight:
        offsets.remove(0.0)
    return offsets, max(abs(o) for o in offsets)

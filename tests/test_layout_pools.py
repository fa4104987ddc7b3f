"""bpmtool's own layout (``--relayout``) of a model with pools: one block of bands per pool
with its lanes, black boxes as empty pools, message flows between the pools."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.io.bpmn import read_bpmn
from bpmtool.layout import layout_model
from bpmtool.model import Model
from tests.conftest import REFERENCE_MODEL, SHARED_DATA, corpus_files

FILES = corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")))


def _pooled() -> Model:
    return Model.model_validate(
        {
            "id": "order",
            "pools": [
                {"id": "shop", "name": "Shop"},
                {"id": "bank", "name": "Bank", "black_box": True},
                {"id": "carrier", "name": "Carrier"},
            ],
            "lanes": [
                {"id": "sales", "name": "Sales", "pool": "shop"},
                {"id": "store", "name": "Warehouse", "pool": "shop"},
                {"id": "carrier", "name": "Carrier", "pool": "carrier"},
            ],
            "nodes": [
                {"id": "s", "type": "start", "lane": "sales"},
                {"id": "take", "name": "Take order", "lane": "sales"},
                {"id": "pack", "name": "Pack", "lane": "store"},
                {"id": "ship", "name": "Ship", "lane": "carrier"},
                {"id": "e", "type": "end", "lane": "carrier"},
            ],
            "flows": [
                "s -> take",
                "take -> pack",
                {"source": "pack", "target": "ship", "kind": "message"},
                "ship -> e",
            ],
            "pool_flows": [{"source": "take", "target": "bank", "kind": "message"}],
        }
    )


@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
def test_each_pool_is_a_block_of_its_lanes(orientation: str) -> None:
    model = _pooled()
    lay = layout_model(model, orientation)  # type: ignore[arg-type]
    assert set(lay.pools) == {"shop", "bank", "carrier"}
    assert lay.pool_header is None  # no invented pool around everything
    bands = lay.band_by_id
    for lane in ("sales", "store"):
        assert lay.pools["shop"].contains(bands[lane].box)
    # a pool without lanes and a black box are one band each, the pool itself
    assert bands["carrier"].box.y == lay.pools["carrier"].y or orientation == "vertical"
    assert "bank" in bands and not any(n.band == "bank" for n in lay.nodes.values())
    boxes = list(lay.pools.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)  # pools apart (a gap between them)
    # pool titles: the pool with lanes has its name in its strip
    assert lay.pool_titles["shop"].lines == ("Shop",)
    assert "bank" not in lay.pool_titles  # its band says it
    # every node inside its pool
    for node, pool in (("take", "shop"), ("pack", "shop"), ("ship", "carrier")):
        assert lay.pools[pool].contains(lay.nodes[node].box)
    # the message flow to the black box reaches its border
    (link,) = lay.links
    assert (link.kind, link.source, link.target) == ("message", "take", "bank")
    end = link.points[-1]
    bank = lay.pools["bank"]
    on_border = (
        end[1] in (bank.y, bank.bottom)
        if orientation == "horizontal"
        else end[0] in (bank.x, bank.right)
    )
    assert on_border and bank.x <= end[0] <= bank.right and bank.y <= end[1] <= bank.bottom
    # the message flow between two pools is routed like any flow
    assert any(e.source == "pack" and e.target == "ship" for e in lay.edges)


def test_a_model_without_pools_keeps_one_pool_around_its_team_lanes() -> None:
    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    assert lay.pool_header is not None and "" in lay.pools
    internal = [b for b in lay.bands if b.kind == "lane"]
    assert all(lay.pools[""].contains(b.box) for b in internal)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_relayout_keeps_the_files_pools(path: Path) -> None:
    model, _ = read_bpmn(path)
    if not model.pools:
        return
    lay = api.layout(model, relayout=True)
    bands = lay.band_by_id
    for pool in model.pools:
        lanes = [lane.id for lane in model.lanes if model.lane_pool(lane.id) == pool.id]
        if pool.black_box or lanes:
            assert pool.id in lay.pools, pool.id
        for lane in lanes:
            assert lay.pools[pool.id].contains(bands[lane].box), (pool.id, lane)
    for node in model.nodes:
        place = lay.nodes.get(node.id)
        pool = model.pool_of(node.id)
        if place is not None and node.lane and pool in lay.pools:
            assert lay.pools[pool].contains(place.box), node.id
    boxes = list(lay.pools.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert len([k for k in lay.links if k.kind == "message"]) == sum(
        1 for f in model.pool_flows if f.source in lay.nodes or f.target in lay.nodes
    )

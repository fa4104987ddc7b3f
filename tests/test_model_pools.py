"""Pools in the model: a collaboration of processes, black boxes, lanes that belong to a pool,
and the rules that judge each pool's process on its own."""

from __future__ import annotations

import pytest

from bpmtool.errors import ModelError
from bpmtool.io.yaml_model import dump_model, loads_model
from bpmtool.model import json_schema
from bpmtool.rules import run_rules

TWO_POOLS = """
id: order
pools:
  - {id: shop, name: Shop}
  - {id: bank, name: Bank}
  - {id: courier, name: Courier, black_box: true, external: true}
lanes:
  - {id: sales, pool: shop}
  - {id: stock, pool: shop}
  - {id: clerk, pool: bank}
nodes:
  - {id: s, type: start, lane: sales}
  - {id: take, name: Take order, lane: sales}
  - {id: pick, name: Pick goods, lane: stock}
  - {id: e, type: end, lane: stock}
  - {id: s2, type: start, lane: clerk}
  - {id: pay, name: Take payment, lane: clerk}
  - {id: e2, type: end, lane: clerk}
flows:
  - s -> take
  - take -> pick
  - pick -> e
  - s2 -> pay
  - pay -> e2
  - take -> s2: {kind: message}
pool_flows:
  - pick -> courier: {kind: message, name: parcel}
"""


def test_pools_round_trip_through_yaml_and_name_each_nodes_pool() -> None:
    model = loads_model(TWO_POOLS)
    assert [p.id for p in model.pools] == ["shop", "bank", "courier"]
    assert model.pool_of("pick") == "shop" and model.pool_of("pay") == "bank"
    assert model.pool_by_id["courier"].black_box
    again = loads_model(dump_model(model))
    assert again == model


def test_separate_pools_are_no_disconnected_fragments_but_a_gap_inside_one_is() -> None:
    model = loads_model(TWO_POOLS)
    assert [f for f in run_rules(model) if f.code == "DISCONNECTED"] == []
    broken = loads_model(TWO_POOLS.replace("  - pay -> e2\n", ""))
    found = [f for f in run_rules(broken) if f.code == "DISCONNECTED"]
    assert [f.subject for f in found] == [("e2",)]


def test_a_lane_must_name_its_pool_when_there_are_several_and_black_boxes_hold_nothing() -> None:
    text = TWO_POOLS.replace("{id: clerk, pool: bank}", "{id: clerk, pool: courier}").replace(
        "{id: stock, pool: shop}", "{id: stock}"
    )
    with pytest.raises(ModelError) as caught:
        loads_model(text, "two.yaml")
    message = str(caught.value)
    assert "lane 'stock' names no pool" in message
    assert "pool 'courier' is a black box" in message


def test_the_schema_describes_pools_and_the_diagram() -> None:
    schema = json_schema()
    assert {"pools", "pool_flows", "subprocesses", "diagram"} <= set(schema["properties"])
    assert "black_box" in schema["$defs"]["Pool"]["properties"]
    assert "waypoints" not in schema["$defs"]["Edge"]["properties"]
    assert "points" in schema["$defs"]["Edge"]["properties"]


def test_the_documented_pool_example_loads_lays_out_and_round_trips_through_bpmn() -> None:
    """The YAML example of docs/bpmn.md is a valid model: two pools (one a black box), a
    sub-process, a note; bpmtool's layout draws both pools, BPMN gives the model back."""
    import re
    from pathlib import Path

    from bpmtool import api
    from bpmtool.io.bpmn import read_bpmn_bytes
    from bpmtool.io.bpmn_extensions import differences
    from bpmtool.model import Pool

    doc = (Path(__file__).parent.parent / "docs" / "bpmn.md").read_text(encoding="utf-8")
    section = doc.split("## Pools, sub-processes and the diagram in the YAML format", 1)[1]
    text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    model = loads_model(text, "web-order.yaml")
    assert [p.id for p in model.pools] == ["shop", "bank"]
    assert {model.pool_of(n.id) for n in model.nodes} == {"shop"}
    lay = api.layout(model)
    assert {"shop", "bank"} <= set(lay.pools)
    assert [link.target for link in lay.links if link.kind == "message"] == ["bank"]
    again, _ = read_bpmn_bytes(api.export_bpmn(model), "web-order.bpmn")
    assert differences(model, again) == []
    # the schema's examples are valid pools
    for pool in json_schema()["properties"]["pools"]["examples"][0]:
        Pool.model_validate(pool)

"""As-is discovery of a partitioned log, partition by partition: the facts of each partition
merged on the client give the same model (its YAML, JSON and map byte for byte), the same
numbers, handoffs, findings and notes as the whole log — without the client ever holding
the events — here, and on a real LocalCluster of processes through the command line."""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cloudpickle
import pandas as pd
import pytest
from distributed.diagnostics.plugin import WorkerPlugin
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli.app import app
from bpmtool.distributed.partitions import partition_of
from bpmtool.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "saas-handoffs.csv"
CASE, GROUP = "case:concept:name", "org:group"
runner = CliRunner()

# the worker plugin below travels to the workers by value (this module is not on their path)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return api.read_log(LOG)


def _everything(found: api.Discovery) -> tuple[str, str, str, str]:
    """What a user gets: the JSON (model, numbers, handoffs, findings, SIPOC, notes, what a
    filter kept), the model as YAML and as JSON, and the map with its numbers."""
    return (
        json.dumps(found.to_dict(), indent=1, ensure_ascii=False),
        api.dump_model(found.model),
        json.dumps(found.model.model_dump(by_alias=True, exclude_defaults=True, mode="json")),
        api.render_svg(found.model, discovery=found),
    )


OPTIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "all paths": {"activities": "100%", "paths": "100%"},
    "sliders": {"activities": "60%", "paths": "50%"},
    "lane filter": {"log_filter": api.LogFilter(lanes=("support",))},
    "variant filter": {"log_filter": api.LogFilter(variants=(1, 2, 5))},
    "trimmed window": {
        "log_filter": api.LogFilter(since=datetime(2025, 3, 1), window="trim"),
        "paths": "90%",
    },
    "attribute filter": {
        "log_filter": api.LogFilter(
            where=(api.AttributeTest("org:resource", ("ivo.support",), True),)
        )
    },
}


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_partition_by_partition_equals_the_whole_log(
    frame: pd.DataFrame, tmp_path: Path, partitions: int
) -> None:
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=partitions)
    for name, options in OPTIONS.items():
        whole = api.discover(frame, **options)
        pieces = api.discover(parts, **options)
        assert _everything(pieces) == _everything(whole), name
        if "log_filter" in options:
            assert pieces.filtered is not None and pieces.filtered.cases_after < whole.cases + 1
    # the numbers are the log's, not approximations: Kickoff meeting by two teams
    found = api.discover(parts, activities="100%", paths="100%")
    kickoff = next(a for a in found.activities if a.label == "Kickoff meeting")
    assert dict(kickoff.lanes) == {"impl": 330, "sales": 11}
    assert "SHARED-ACTIVITY" in {f.code for f in found.findings}


def test_merged_counts_and_flow_facts_equal_the_whole(frame: pd.DataFrame) -> None:
    """The merges themselves, field by field: counts add up, every time between two
    consecutive events is kept (so the medians are exact)."""
    import numpy as np

    from bpmtool.discovery.log_facts import gather_counts, merge_counts
    from bpmtool.mining.flow_numbers import flow_facts, merge_flow_facts
    from bpmtool.mining.mapping import map_log

    part = np.asarray(partition_of(pd.Index(frame[CASE].astype(str)), 5))
    pieces = [frame[part == p].reset_index(drop=True) for p in range(5)]
    counts = merge_counts([gather_counts(piece, None, "x") for piece in pieces])
    whole = gather_counts(frame, None, "x")
    assert counts == whole and counts.events == len(frame) and counts.cases == 400
    model = api.discover(frame).model
    flows = merge_flow_facts([flow_facts(map_log(model, piece).df) for piece in pieces])
    one = flow_facts(map_log(model, frame).df)
    assert flows.walks == one.walks and flows.cases == one.cases == 400
    assert flows.node_events == one.node_events and flows.node_cases == one.node_cases
    assert flows.steps.keys() == one.steps.keys()
    for key, times in one.steps.items():
        assert np.array_equal(np.sort(flows.steps[key]), np.sort(times)), key
    assert sum(len(t) for t in one.steps.values()) > len(frame) - 400 - 100


def _generated_log(path: Path, cases: int = 1500, seed: int = 5) -> None:
    """A noisy process of four teams: a choice, a parallel block whose team varies, a
    rework loop, skipped and inserted steps, events at the same instant, and events
    without a team."""
    rng = random.Random(seed)
    rows = []
    t0 = datetime(2025, 1, 1)
    for i in range(cases):
        t = t0 + timedelta(minutes=37 * i)
        steps = [("Receive order", "Front")]
        steps.append(("Check credit", "Risk") if rng.random() < 0.7 else ("Fast track", "Front"))
        block = [("Pick goods", "Warehouse"), ("Print invoice", rng.choice(["Front", "Risk"]))]
        rng.shuffle(block)
        steps += block
        while rng.random() < 0.2:
            steps += [("Fix order", "Front"), ("Pick goods", "Warehouse")]
        if rng.random() < 0.1:
            steps.insert(rng.randrange(1, len(steps)), ("Call customer", "Front"))
        if rng.random() < 0.05:
            steps.pop(rng.randrange(1, len(steps)))
        steps.append(("Ship", "Warehouse"))
        for activity, team in steps:
            t += timedelta(hours=rng.choice([0, 1, 2, 5, 26]) + rng.random())
            group = "" if rng.random() < 0.03 else team
            when = t.strftime("%d/%m/%Y %H:%M:%S")  # day first: the reader notes it
            rows.append((f"o{i:05d}", activity, when, f"{team.lower()}-{i % 3}", group))
    columns = ["case_id", "activity", "timestamp", "resource", "team"]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("generated") / "orders.csv"
    _generated_log(path)
    return api.read_log(path)


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_a_generated_log_in_pieces_equals_the_whole(
    generated: pd.DataFrame, tmp_path: Path, partitions: int
) -> None:
    parts = tmp_path / "parts"
    api.write_partitioned_log(generated, parts, partitions=partitions)
    lanes = tmp_path / "lanes.csv"
    lanes.write_text(
        "resource,lane\n"
        + "".join(
            f"{t}-{i},{'Office' if t != 'warehouse' else 'Floor'}\n"
            for t in ("front", "risk", "warehouse")
            for i in range(3)
        )
    )
    for options in (
        {},
        {"activities": "70%", "paths": "60%"},
        {"lanes_from": lanes, "log_filter": api.LogFilter(lanes=("Floor",), variants=(2, 3))},
        {"log_filter": api.LogFilter(since=datetime(2025, 1, 20), until=datetime(2025, 1, 30))},
    ):
        whole = api.discover(generated, **options)
        assert _everything(api.discover(parts, **options)) == _everything(whole), options
    found = api.discover(generated)
    assert found.notes and found.notes == api.discover(parts).notes  # the reader's notes
    assert found.cases == 1500 and found.variants > 20
    assert any(h.count > 100 for h in found.handoffs)


def test_partitions_without_lanes_take_the_lanes_of_the_log(
    generated: pd.DataFrame, tmp_path: Path
) -> None:
    """Some partitions have no team at all: the whole log takes its lanes from that column,
    so their events are lane-less there too (not one lane of their own)."""
    df = generated.copy()
    part = partition_of(pd.Index(df[CASE].astype(str)), 4)
    groups = df[GROUP].astype(object)
    groups[pd.Series(part, index=df.index) >= 2] = None
    df[GROUP] = groups.astype("category")
    parts = tmp_path / "parts"
    api.write_partitioned_log(df, parts, partitions=4)
    whole = api.discover(df)
    assert whole.lane_source == "org:group"
    assert _everything(api.discover(parts)) == _everything(whole)


def test_discovery_of_partitions_never_joins_the_events(
    frame: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bpmtool.distributed.frames as frames

    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=3)
    expected = _everything(api.discover(frame))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the partitions were joined")

    monkeypatch.setattr(frames, "join", refuse)
    monkeypatch.setattr(frames, "read_partitioned", refuse)
    steps: list[tuple[int, int | None]] = []
    found = api.discover(parts, progress=lambda done, total: steps.append((done, total)))
    assert _everything(found) == expected
    assert steps[-1] == (6, 6)  # two passes over three partitions


def test_partitions_at_an_fsspec_address(frame: pd.DataFrame, tmp_path: Path) -> None:
    import fsspec

    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=3)
    fs = fsspec.filesystem("memory")
    for f in parts.iterdir():
        fs.pipe_file(f"/bpmtool-discover/log.parts/{f.name}", f.read_bytes())
    try:
        found = api.discover("memory://bpmtool-discover/log.parts")
    finally:
        fs.rm("/bpmtool-discover", recursive=True)
    assert _everything(found) == _everything(api.discover(frame))


def test_bad_input_in_pieces_is_named(frame: pd.DataFrame, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=3)
    nobody = api.LogFilter(where=(api.AttributeTest(GROUP, ("nobody",)),))
    with pytest.raises(InputError, match="keeps none of the log's 400 cases"):
        api.discover(parts, log_filter=nobody)
    result = runner.invoke(app, ["discover", str(parts), "-q", "--where", "Region=EMEA"])
    assert result.exit_code == 2 and "no attribute 'Region'" in result.output
    assert "Traceback" not in result.output
    plain = tmp_path / "plain"
    api.write_partitioned_log(frame.drop(columns=["org:resource"]), plain, partitions=2)
    lanes = tmp_path / "lanes.csv"
    lanes.write_text("resource,lane\nana,Sales\n")
    with pytest.raises(InputError, match="needs an org:resource column") as err:
        api.discover(plain, lanes_from=lanes)
    assert "part-0000" in str(err.value)  # the partition that lacks it


class KillOnce(WorkerPlugin):
    """Kills its worker's process when the first task starts, once in the whole cluster."""

    name = "kill-once-discover"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish == "executing" and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)


def test_on_a_local_cluster_through_the_command_line(frame: pd.DataFrame, tmp_path: Path) -> None:
    """``bpmtool discover PARTS --workers 2``: two worker processes, the same JSON and model
    file as the single process on the CSV; a worker killed mid-run changes nothing."""
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=4)
    single = runner.invoke(
        app, ["discover", str(LOG), "-q", "-f", "json", "-o", str(tmp_path / "one.yaml")]
    )
    assert single.exit_code == 0, single.output
    spread = runner.invoke(
        app,
        [
            "discover",
            str(parts),
            "-q",
            "-f",
            "json",
            "--workers",
            "2",
            "-o",
            str(tmp_path / "two.yaml"),
        ],
    )
    assert spread.exit_code == 0, spread.output
    assert spread.stdout == single.stdout
    assert (tmp_path / "two.yaml").read_bytes() == (tmp_path / "one.yaml").read_bytes()
    marker = tmp_path / "killed"
    with api.cluster(workers=2, memory_limit="1GB") as own:
        assert own is not None
        own.client.register_plugin(KillOnce(str(marker)))
        found = api.discover(parts, cluster=own)
        assert marker.exists()  # a worker did die
    assert json.dumps(found.to_dict(), indent=2, ensure_ascii=False) + "\n" == single.stdout

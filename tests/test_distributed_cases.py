"""The cases behind a check of a partitioned log: the case index is read partition by
partition (each partition reduced to its case rows where it is read, merged on the client)
and a case's timeline from the one partition that holds it — equal to the single-process
check's index: the case table, every selection (findings, variants, handoffs, flows), the
deviations and the timelines, with and without a filter, here and on a LocalCluster.  The
flow numbers of an overlay likewise, from each partition's flow facts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bpmtool import api
from bpmtool.api.drawing import flow_numbers
from bpmtool.distributed.case_index import PartitionedCases
from bpmtool.errors import InputError
from bpmtool.model import Model

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
CASE, GROUP = "case:concept:name", "org:group"


@pytest.fixture(scope="module")
def model() -> Model:
    return api.load(MODEL)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return api.read_log(LOG)


@pytest.fixture(scope="module")
def parts(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cases") / "parts"
    api.write_partitioned_log(frame, out, partitions=3)
    return out


def _same_index(a: api.CaseIndex, b: api.CaseIndex, cases: list[str]) -> None:
    """Two case indexes hold the same: table, selections, deviations, timelines."""
    pd.testing.assert_frame_equal(a.table, b.table)
    assert sorted(a.selections) == sorted(b.selections)
    for key, codes in b.selections.items():
        assert np.array_equal(a.selections[key], codes), key
    assert a.deviations == b.deviations
    for key in [*b.selections, "variant:1", "variant:3"]:
        pa, na = a.case_rows(key, limit=20)
        pb, nb = b.case_rows(key, limit=20)
        assert na == nb and pa.equals(pb), key
    for case in cases:
        ra, ea, da = a.timeline(case)
        rb, eb, db = b.timeline(case)
        assert ra == rb and da == db, case
        # (the categories of a column are those of the events read, its values the same)
        pd.testing.assert_frame_equal(ea.astype(object), eb.astype(object))
        assert len(ea) == ra["events"]


def _some_cases(index: api.CaseIndex) -> list[str]:
    """Cases of different kinds: the first and last, and the first of every finding."""
    names = index.table["case"].tolist()
    picked = {names[0], names[-1]}
    for key, codes in index.selections.items():
        if key.startswith("finding:") and len(codes):
            picked.add(names[int(codes[0])])
    return sorted(picked)[:12]


@pytest.mark.parametrize(
    "keep",
    [
        None,
        api.LogFilter(since=datetime(2025, 2, 1), until=datetime(2025, 5, 1), window="trim"),
        api.LogFilter(variants=(1, 2, 4), lanes=("sales",)),
    ],
    ids=["all", "trim", "variants and lane"],
)
def test_case_index_of_partitions_equals_the_whole(
    model: Model, frame: pd.DataFrame, parts: Path, keep: api.LogFilter | None
) -> None:
    whole = api.check(model, frame, log_filter=keep, precision=False)
    pieces = api.check(model, parts, log_filter=keep, precision=False)
    assert pieces.mapping.df is None
    a = api.case_index(model, pieces)
    b = api.case_index(model, whole)
    assert isinstance(a, PartitionedCases) and len(a.events) == 0  # no events held
    assert any(k.startswith("handoff:") for k in b.selections)
    assert any(k.startswith("flow:") for k in b.selections)
    _same_index(a, b, _some_cases(b))
    # the overlay's numbers on flows and boxes, and the drawing with them
    numbers = flow_numbers(model, whole)
    assert flow_numbers(model, pieces) == numbers
    assert sum(numbers.flow_cases) > 0 and any(numbers.flow_median_ns)
    assert api.render_svg(model, overlay=pieces) == api.render_svg(model, overlay=whole)


def test_timeline_takes_lanes_from_its_partitions_source(
    model: Model, frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Partitions without org:group values: their cases' events are lane-less in the
    timeline too, as in the joined log, even when read one case at a time."""
    from bpmtool.distributed.partitions import partition_of

    df = frame.copy()
    part = np.asarray(partition_of(pd.Index(df[CASE].astype(str)), 4))[
        df[CASE].astype("category").cat.codes.to_numpy()
    ]
    groups = df[GROUP].astype(object)
    groups[part >= 2] = None
    df[GROUP] = groups.astype("category")
    parts = tmp_path / "parts"
    api.write_partitioned_log(df, parts, partitions=4)
    b = api.case_index(model, api.check(model, df, precision=False))
    a = api.case_index(model, api.check(model, parts, precision=False))
    lane_less = df.loc[part >= 2, CASE].astype(str).iloc[0]
    _same_index(a, b, [lane_less, *_some_cases(b)[:3]])


def test_changed_partitions_are_refused(model: Model, frame: pd.DataFrame, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=2)
    result = api.check(model, parts, precision=False)
    api.write_partitioned_log(frame[frame[CASE] != "C000001"], parts, partitions=2)
    with pytest.raises(InputError, match="other cases than when it was checked"):
        api.case_index(model, result)


def test_case_index_on_a_local_cluster(model: Model, frame: pd.DataFrame, parts: Path) -> None:
    """The case rows and a timeline read on a real LocalCluster of two processes."""
    keep = api.LogFilter(since=datetime(2025, 2, 1))
    b = api.case_index(model, api.check(model, frame, log_filter=keep, precision=False))
    with api.cluster(workers=2, memory_limit="1GB") as cluster:
        assert cluster.client.cluster.processes
        result = api.check(model, parts, log_filter=keep, precision=False, cluster=cluster)
        a = api.case_index(model, result, cluster=cluster)
        _same_index(a, b, _some_cases(b)[:4])
        whole = api.check(model, frame, log_filter=keep, precision=False)
        assert flow_numbers(model, result, cluster) == flow_numbers(model, whole)


def test_cli_cases_of_partitions(model: Model, frame: pd.DataFrame, parts: Path, tmp_path: Path):
    from typer.testing import CliRunner

    from bpmtool.cli import app

    runner = CliRunner()
    csv = tmp_path / "log.csv"
    frame.to_csv(csv, index=False)
    for args in (
        ["--finding", "SKIPPED-ACTIVITY", "-f", "csv"],
        ["--handoff", "sales>impl", "-f", "json", "--from", "2025-03"],
        ["--of-variant", "2", "--workers", "2"],
    ):
        a = runner.invoke(app, ["cases", str(MODEL), str(parts), *args, "-q"])
        b = runner.invoke(app, ["cases", str(MODEL), str(csv), *args, "-q"])
        assert a.exit_code == b.exit_code == 0, a.output
        assert a.stdout == b.stdout and len(a.stdout.splitlines()) > 3
    a = runner.invoke(app, ["case", str(MODEL), str(parts), "C000007", "-q"])
    b = runner.invoke(app, ["case", str(MODEL), str(csv), "C000007", "-q"])
    assert a.exit_code == b.exit_code == 0, a.output
    assert a.stdout == b.stdout


def test_case_index_of_partitions_at_an_fsspec_address(
    model: Model, frame: pd.DataFrame, parts: Path
) -> None:
    """The partitions read again through fsspec (here its in-memory file system): rows and
    timelines from the address, as from the folder."""
    import fsspec

    fs = fsspec.filesystem("memory")
    for f in parts.iterdir():
        fs.pipe_file(f"/bpmtool-cases/log.parts/{f.name}", f.read_bytes())
    try:
        result = api.check(model, "memory://bpmtool-cases/log.parts", precision=False)
        a = api.case_index(model, result)
        b = api.case_index(model, api.check(model, frame, precision=False))
        _same_index(a, b, _some_cases(b)[:3])
    finally:
        fs.rm("/bpmtool-cases", recursive=True)

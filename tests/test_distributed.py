"""The check and the journey on a Dask cluster: partitioned Parquet, a real LocalCluster of
processes, a worker killed mid-run, an unreachable scheduler — always the same JSON as the
single process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest
from distributed.diagnostics.plugin import WorkerPlugin
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli.app import app
from bpmtool.distributed.partitions import find_partitions, partition_of

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"

# the worker plugin below travels to the workers by value (this module is not on their path)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def model() -> object:
    return api.load(MODEL)


@pytest.fixture(scope="module")
def single(model: object) -> dict:
    return api.check(model, LOG).to_dict()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parts") / "log"
    api.write_partitioned_log(api.read_log(LOG), out, partitions=4)
    return out


@pytest.fixture(scope="module")
def cluster():
    """A real LocalCluster: two worker processes with a small memory limit."""
    with api.cluster(workers=2, memory_limit="1GB") as running:
        yield running


def test_partitions_hold_whole_cases_and_read_back_as_the_same_frame(parts: Path) -> None:
    files = find_partitions(parts)
    assert [Path(f).name for f in files] == [f"part-{i:05d}.parquet" for i in range(4)]
    seen: dict[str, int] = {}
    for i, f in enumerate(files):
        for case in pd.read_parquet(f)["case:concept:name"].unique():
            assert seen.setdefault(str(case), i) == i  # no case in two files
    original = api.read_log(LOG)
    assert len(seen) == original["case:concept:name"].nunique()
    pd.testing.assert_frame_equal(api.read_log(parts), original)
    pd.testing.assert_frame_equal(api.read_log(str(parts / "part-*.parquet")), original)


def test_partition_of_a_case_is_stable() -> None:
    names = pd.Index(["C-1", "C-2", "C-3", "C-1"])
    first = list(partition_of(names, 7))  # type: ignore[call-overload]
    assert first == list(partition_of(names, 7))  # type: ignore[call-overload]
    assert first[0] == first[3] and all(0 <= p < 7 for p in first)


def test_partitioned_log_without_cluster_gives_the_same_check(
    model: object, single: dict, parts: Path
) -> None:
    assert api.check(model, parts).to_dict() == single  # type: ignore[arg-type]


def test_check_and_journey_on_a_local_cluster_equal_single_process(
    model: object, single: dict, parts: Path, cluster: object
) -> None:
    assert api.check(model, parts, cluster=cluster).to_dict() == single  # type: ignore[arg-type]
    alone = api.journey(model, LOG).to_dict()  # type: ignore[arg-type]
    assert api.journey(model, parts, cluster=cluster).to_dict() == alone  # type: ignore[arg-type]


def test_a_csv_log_with_a_cluster_aligns_on_the_workers(
    model: object, single: dict, cluster: object
) -> None:
    steps: list[tuple[int, int | None]] = []
    result = api.check(
        model,
        LOG,
        cluster=cluster,  # type: ignore[arg-type]
        progress=lambda done, total: steps.append((done, total)),
    )
    assert result.to_dict() == single
    assert steps and steps[-1][0] == steps[-1][1] == len(steps)  # batches done on workers


class KillOnce(WorkerPlugin):
    """Kills its worker's process when the first task starts, once in the whole cluster
    (the marker file says it happened)."""

    name = "kill-once"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish == "executing" and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)


def test_a_worker_killed_mid_run_is_replaced_and_the_result_is_the_same(
    model: object, single: dict, parts: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    with api.cluster(workers=2, memory_limit="1GB") as own:
        assert own is not None
        own.client.register_plugin(KillOnce(str(marker)))
        result = api.check(model, parts, cluster=own)  # type: ignore[arg-type]
        assert marker.exists()  # a worker did die
        assert result.to_dict() == single


def test_an_unreachable_scheduler_is_a_clear_error(parts: Path) -> None:
    # a port where nothing listens: refused at once, reported after the connect timeout
    out = CliRunner().invoke(
        app, ["check", str(MODEL), str(parts), "-q", "--scheduler", "tcp://127.0.0.1:9"]
    )
    assert out.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in out.output
    assert "Traceback" not in out.output


def test_scheduler_from_the_environment_and_both_ways_refused(parts: Path) -> None:
    env = {"BPMTOOL_SCHEDULER": "tcp://127.0.0.1:9"}
    out = CliRunner().invoke(app, ["journey", str(MODEL), str(parts), "-q"], env=env)
    assert out.exit_code == 2 and "tcp://127.0.0.1:9" in out.output
    out = CliRunner().invoke(
        app,
        [
            "check",
            str(MODEL),
            str(parts),
            "-q",
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert out.exit_code == 2 and "both a scheduler" in out.output


def test_log_to_parquet_writes_partitions_and_refuses_a_foreign_folder(tmp_path: Path) -> None:
    out = tmp_path / "parts"
    result = CliRunner().invoke(
        app, ["log", str(LOG), "--to-parquet", str(out), "--partitions", "3", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "written to 3 Parquet file(s)" in result.output
    pd.testing.assert_frame_equal(api.read_log(out), api.read_log(LOG))
    again = CliRunner().invoke(app, ["log", str(LOG), "--to-parquet", str(out), "-q"])
    assert again.exit_code == 0  # a partitioned folder is replaced as a whole
    assert len(find_partitions(out)) == 1
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    refused = CliRunner().invoke(app, ["log", str(LOG), "--to-parquet", str(foreign), "-q"])
    assert refused.exit_code == 2 and "not a partitioned log" in refused.output
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_a_folder_without_parquet_is_a_clear_error(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["check", str(MODEL), str(tmp_path), "-q"])
    assert out.exit_code == 2 and "no Parquet files found" in out.output


@pytest.mark.slow
def test_a_million_events_on_a_cluster_give_the_same_json(tmp_path: Path) -> None:
    """The generator's million-event log: single process vs partitioned on two workers,
    through the command line, byte for byte; and its journey (the same JSON)."""
    log = tmp_path / "big.csv"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "generate_log.py"),
            "--cases",
            "55000",
            "--seed",
            "3",
            "-o",
            str(log),
        ],
        check=True,
    )
    bpmtool = [sys.executable, "-m", "bpmtool"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    alone = subprocess.run(
        [*bpmtool, "check", str(MODEL), str(log), "-q", "-f", "json"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    subprocess.run(
        [*bpmtool, "log", str(log), "--to-parquet", str(tmp_path / "parts"), "-q"],
        check=True,
        env=env,
    )
    spread = subprocess.run(
        [
            *bpmtool,
            "check",
            str(MODEL),
            str(tmp_path / "parts"),
            "-q",
            "-f",
            "json",
            "--workers",
            "2",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    assert json.loads(alone)["summary"]["events"] > 1_000_000
    assert spread == alone
    # the journey of the same log: partition by partition on the two workers, the same JSON
    journeys = [
        json.loads(
            subprocess.run(
                [*bpmtool, "journey", str(MODEL), str(source), "-q", "-f", "json", *extra],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            ).stdout
        )
        for source, extra in ((log, []), (tmp_path / "parts", ["--workers", "2"]))
    ]
    for journey in journeys:
        journey.pop("notes")
    assert journeys[0]["events"] > 1_000_000
    assert journeys[1] == journeys[0]


def test_journey_through_the_cli_on_a_local_cluster_equals_the_single_run(
    parts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bpmtool journey … --workers 2`` of the partitioned log: each partition reduced to
    its journey facts on a worker process, never joined on the client (joining is made
    impossible here), and the JSON, the per-case CSV and the work list are the single run's;
    ``--compare`` too, each partition read once for both windows."""
    surveys = ROOT / "examples" / "saas-handoffs-surveys.csv"
    runs = {}
    for name, log, extra in (("alone", LOG, []), ("spread", parts, ["--workers", "2"])):
        out = tmp_path / name
        out.mkdir()
        if name == "spread":
            import bpmtool.distributed.frames as frames

            def refuse(*args: object, **kwargs: object) -> None:
                raise AssertionError("the partitions were joined on the client")

            monkeypatch.setattr(frames, "read_partitioned", refuse)
        for what, options in (
            ("journey.json", ["-f", "json", "--cases", str(out / "cases.csv")]),
            ("work.csv", ["-f", "csv"]),
            ("compare.json", ["-f", "json", "--compare", "quarter"]),
        ):
            result = CliRunner().invoke(
                app,
                [
                    "journey",
                    str(MODEL),
                    str(log),
                    "-q",
                    "--surveys",
                    str(surveys),
                    *options,
                    *extra,
                    "-o",
                    str(out / what),
                ],
            )
            assert result.exit_code == 0, result.output
        runs[name] = {f.name: f.read_text() for f in out.iterdir()}
    assert set(runs["alone"]) == {"journey.json", "cases.csv", "work.csv", "compare.json"}
    alone, spread = (json.loads(runs[n].pop("journey.json")) for n in ("alone", "spread"))
    assert alone.pop("notes") is not None and spread.pop("notes") is not None
    assert spread == alone and alone["exceptions"]["cases"] > 0
    assert runs["spread"] == runs["alone"]


def test_a_journey_survives_a_killed_worker(model: object, parts: Path, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    alone = api.journey(model, LOG).to_dict()  # type: ignore[arg-type]
    with api.cluster(workers=2, memory_limit="1GB") as own:
        assert own is not None
        own.client.register_plugin(KillOnce(str(marker)))
        result = api.journey(model, parts, cluster=own)  # type: ignore[arg-type]
        assert marker.exists()
    assert result.to_dict() == alone

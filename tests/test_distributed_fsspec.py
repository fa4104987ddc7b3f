"""Partitioned logs at fsspec addresses (``file://``, ``memory://``, ``s3://`` …): read on
the workers or in this process, the same check as the local folder; unknown or unusable
addresses are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli.app import app
from bpmtool.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fsspec") / "log.parts"
    api.stream_log_to_parquet(LOG, out, partitions=3)
    return out


@pytest.fixture(scope="module")
def single() -> dict:
    return api.check(api.load(MODEL), LOG).to_dict()


def test_a_file_url_and_its_glob_check_as_the_folder(parts: Path, single: dict) -> None:
    model = api.load(MODEL)
    url = f"file://{parts}"
    assert api.check(model, url).to_dict() == single
    assert api.check(model, f"{url}/part-*.parquet").to_dict() == single


def test_a_memory_file_system_is_read_through_fsspec(parts: Path, single: dict) -> None:
    fs = fsspec.filesystem("memory")
    for f in parts.iterdir():
        fs.pipe_file(f"/bpmtool-test/log.parts/{f.name}", f.read_bytes())
    try:
        frame = api.read_log("memory://bpmtool-test/log.parts")
        assert len(frame) == len(api.read_log(LOG))
        assert api.log_notes(frame) == api.log_notes(api.read_log(parts))
        assert api.check(api.load(MODEL), "memory://bpmtool-test/log.parts").to_dict() == single
    finally:
        fs.rm("/bpmtool-test", recursive=True)


def test_a_damaged_remote_partition_is_named_by_its_address(tmp_path: Path) -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe_file("/bpmtool-bad/log.parts/part-00000.parquet", b"PAR1 not really parquet")
    try:
        with pytest.raises(InputError) as raised:
            api.read_log("memory://bpmtool-bad/log.parts")
        text = str(raised.value)
        assert "memory://" in text and "bpmtool-bad/log.parts/part-00000.parquet" in text
        assert "bpmtool-partition-" not in text  # not the local copy's name
    finally:
        fs.rm("/bpmtool-bad", recursive=True)


def test_the_cli_checks_a_url_on_a_local_cluster(parts: Path, single: dict) -> None:
    result = CliRunner().invoke(
        app,
        ["check", str(MODEL), f"file://{parts}", "-f", "json", "--workers", "2", "-q"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(single))


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("nosuchfs://bucket/log.parts", "not an address bpmtool can read"),
        ("memory://bpmtool-empty/none", "no Parquet files found"),
    ],
)
def test_unusable_addresses_exit_2_with_a_message(address: str, says: str) -> None:
    result = CliRunner().invoke(app, ["check", str(MODEL), address, "-q"])
    assert result.exit_code == 2, result.output
    assert says in result.output and address.split("/")[2] in result.output
    assert "Traceback" not in result.output


def test_discover_reads_a_partitioned_log_on_a_local_cluster(parts: Path) -> None:
    runner = CliRunner()
    alone = runner.invoke(app, ["discover", str(LOG), "-f", "json", "-q"])
    assert alone.exit_code == 0, alone.output
    spread = runner.invoke(
        app, ["discover", f"file://{parts}", "-f", "json", "--workers", "2", "-q"]
    )
    assert spread.exit_code == 0, spread.output
    assert json.loads(spread.stdout) == json.loads(alone.stdout)

"""``bpmtool render --log`` and ``bpmtool report --log`` of a partitioned log: the check,
the journey and the flow numbers drawn over the swimlanes run partition by partition, and
the SVG, the HTML and the Markdown report are byte for byte those of the single file —
without the client ever joining the events (``read_partitioned`` is made unavailable)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bpmtool.distributed.frames as frames
from bpmtool import api
from bpmtool.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
SURVEYS = ROOT / "examples" / "saas-handoffs-surveys.csv"

runner = CliRunner()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example log in 3 partitions."""
    parts = tmp_path_factory.mktemp("example") / "parts"
    api.write_partitioned_log(api.read_log(LOG), parts, partitions=3)
    return parts


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A generated log of 900 cases, 15 % still open (another seed than the example's):
    the CSV, its 3 partitions and its surveys."""
    folder = tmp_path_factory.mktemp("generated")
    log, surveys, parts = folder / "log.csv", folder / "surveys.csv", folder / "parts"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "generate_log.py"),
            *("--cases", "900", "--seed", "23", "--open-share", "0.15", "-o", str(log)),
        ],
        check=True,
    )
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "generate_surveys.py"),
            str(log),
            "-o",
            str(surveys),
        ],
        check=True,
    )
    api.write_partitioned_log(api.read_log(log), parts, partitions=3)
    return log, parts, surveys


@pytest.fixture
def never_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joining the partitions on the client is not possible in this test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the partitions were joined on the client")

    monkeypatch.setattr(frames, "read_partitioned", refuse)


def _run(args: list[str], out: Path) -> bytes:
    """The command's output file (it exits 0)."""
    result = runner.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out.read_bytes()


def _outputs(log: Path, surveys: Path, folder: Path, extra: list[str]) -> dict[str, bytes]:
    """The SVG of ``render --log`` and the HTML and Markdown of ``report --log`` of ``log``."""
    folder.mkdir()
    drawn = ["render", str(MODEL), "--log", str(log), "-q", *extra]
    outputs = {"svg": _run(drawn, folder / "log.svg")}
    for fmt in ("html", "md"):
        report = ["report", str(MODEL), "--log", str(log), "--surveys", str(surveys), "-q"]
        outputs[fmt] = _run([*report, "-f", fmt, *extra], folder / f"report.{fmt}")
    return outputs


def _assert_drawn_from_the_log(outputs: dict[str, bytes]) -> None:
    """What only the check and the journey put there: so an equality is not one of two
    reports that drew no log."""
    html, md = outputs["html"].decode(), outputs["md"].decode()
    for text in (html, md):
        assert "What the event log shows" in text and "The customer journey" in text
    assert "Fitness:" in md
    assert " cases · " in outputs["svg"].decode()  # a flow's cases and median time


# a filter of cases (a variant, a lane) and a trim of events by time
FILTERS = [[], ["--variant", "1", "--variant", "2"], ["--from", "2025-03-01", "--window", "trim"]]


@pytest.mark.parametrize("extra", FILTERS, ids=["whole", "variants", "trimmed"])
def test_the_example_in_partitions_renders_and_reports_the_same(
    example: Path, tmp_path: Path, never_joined: None, extra: list[str]
) -> None:
    single = _outputs(LOG, SURVEYS, tmp_path / "single", extra)
    parted = _outputs(example, SURVEYS, tmp_path / "parted", extra)
    _assert_drawn_from_the_log(single)
    # the example's 400 cases, all of them drawn only without a filter
    assert (b">400 cases<" in single["svg"]) is not bool(extra)
    assert parted == single


def test_a_generated_log_in_partitions_renders_and_reports_the_same(
    generated: tuple[Path, Path, Path], tmp_path: Path, never_joined: None
) -> None:
    log, parts, surveys = generated
    single = _outputs(log, surveys, tmp_path / "single", [])
    parted = _outputs(parts, surveys, tmp_path / "parted", [])
    _assert_drawn_from_the_log(single)
    assert parted == single


def test_the_flow_numbers_follow_the_partitions(example: Path, never_joined: None) -> None:
    """``read_progress`` of the drawing and of the report is called once per partition,
    and the numbers drawn are those of the single-process check."""
    model = api.load(MODEL)
    whole = api.check(model, api.read_log(LOG))
    parted = api.check(model, str(example))
    seen: list[tuple[int, int | None]] = []
    svg = api.render_svg(
        model, overlay=parted, read_progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert svg == api.render_svg(model, overlay=whole)
    seen.clear()
    html = api.report(
        model, check=parted, read_progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (3, 3)
    assert html == api.report(model, check=whole)


def test_a_bad_partition_is_named_not_a_traceback(example: Path, tmp_path: Path) -> None:
    """A partition that is not Parquet: exit 2 naming it."""
    broken = tmp_path / "broken"
    broken.mkdir()
    for part in sorted(example.glob("*.parquet")):
        (broken / part.name).write_bytes(part.read_bytes())
    bad = broken / sorted(example.glob("*.parquet"))[1].name
    bad.write_text("not parquet\n")
    for command in (["render", str(MODEL)], ["report", str(MODEL), "-f", "md"]):
        result = runner.invoke(app, [*command, "--log", str(broken), "-q"])
        assert result.exit_code == 2, result.output
        assert bad.name in result.output
        assert "Traceback" not in result.output


def test_on_a_local_cluster_through_the_command_line(example: Path, tmp_path: Path) -> None:
    """``render --log PARTS --workers 2`` and ``report --log PARTS --workers 2``: two worker
    processes, the same SVG and HTML report as the single file."""
    model = str(MODEL)
    one = _run(["render", model, "--log", str(LOG), "-q"], tmp_path / "one.svg")
    two = _run(
        ["render", model, "--log", str(example), "-q", "--workers", "2"], tmp_path / "two.svg"
    )
    assert two == one
    report = ["report", model, "--surveys", str(SURVEYS), "-q"]
    one = _run([*report, "--log", str(LOG)], tmp_path / "one.html")
    two = _run([*report, "--log", str(example), "--workers", "2"], tmp_path / "two.html")
    assert two == one


def test_without_a_log_no_scheduler_is_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Drawing the model alone never connects to ``$BPMTOOL_SCHEDULER``; with a log an
    unreachable scheduler is a clear error (exit 2)."""
    monkeypatch.setenv("BPMTOOL_SCHEDULER", "tcp://127.0.0.1:9")
    assert _run(["render", str(MODEL)], tmp_path / "model.svg").startswith(b"<svg")
    assert b"<html" in _run(["report", str(MODEL)], tmp_path / "model.html").lower()
    failed = runner.invoke(app, ["render", str(MODEL), "--log", str(LOG), "-q"])
    assert failed.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in failed.output

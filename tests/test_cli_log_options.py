"""One set of log options for every command that reads a log, one meaning for --cases,
lint over several files and folders, --version, and `bpmtool init`."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bpmtool import __version__, api
from bpmtool.cli import app
from bpmtool.cli.init import STARTER_MODEL
from bpmtool.findings import Severity
from bpmtool.io.yaml_model import loads_model
from tests.conftest import EXAMPLES, FLAWED_MODEL, REFERENCE_MODEL, ROOT

LOG_OPTIONS = [
    "--case",
    "--activity",
    "--timestamp",
    "--resource",
    "--lane",
    "--lanes-from",
    "--encoding",
    "--date-format",
]
LOG_COMMANDS = ["check", "journey", "log", "render", "report"]
MODEL = str(REFERENCE_MODEL)
RENAMED = {
    "case_id": "dossier",
    "activity": "what",
    "timestamp": "stamp",
    "resource": "actor",
    "lane": "unit",
}
runner = CliRunner()


def _options(command: str) -> dict[str, tuple[str | None, bool]]:
    group = typer.main.get_command(app)
    cmd = group.commands[command]  # type: ignore[attr-defined]
    return {
        name: (p.help, p.hidden) for p in cmd.params for name in p.opts if name.startswith("--")
    }


def test_every_command_that_reads_a_log_takes_the_same_options() -> None:
    first = _options(LOG_COMMANDS[0])
    for command in LOG_COMMANDS:
        options = _options(command)
        for name in LOG_OPTIONS:
            assert name in options, f"{command} lacks {name}"
            assert options[name] == first[name], f"{command} {name} differs"
    assert _options("journey")["--case-column"][1] is True  # a hidden, deprecated alias


@pytest.fixture(scope="module")
def odd_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example log with none of the usual column names, in Windows-1252."""
    rows = list(csv.DictReader((EXAMPLES / "saas-handoffs.csv").open(encoding="utf-8")))
    path = tmp_path_factory.mktemp("odd") / "odd.csv"
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.DictWriter(fh, [RENAMED.get(k, k) for k in rows[0]])
        writer.writeheader()
        for row in rows:
            writer.writerow({RENAMED.get(k, k): v for k, v in row.items()})
    return path


def _named(log: Path) -> list[str]:
    return [
        str(log),
        "--case",
        "dossier",
        "--activity",
        "what",
        "--timestamp",
        "stamp",
        "--resource",
        "actor",
        "--lane",
        "unit",
        "--encoding",
        "cp1252",
        "-q",
    ]


def test_the_options_name_the_columns_for_every_command(odd_log: Path, tmp_path: Path) -> None:
    plain = runner.invoke(app, ["log", str(odd_log), "-f", "json"])
    assert plain.exit_code == 2 and "--case" in plain.output  # not found by usual names
    log = runner.invoke(app, ["log", *_named(odd_log), "-f", "json"])
    assert log.exit_code == 0, log.output
    summary = json.loads(log.stdout)["summary"]
    check = runner.invoke(
        app,
        [
            "check",
            MODEL,
            *_named(odd_log),
            "-f",
            "json",
            "--method",
            "replay",
            "--cases",
            str(tmp_path / "check.csv"),
        ],
    )
    assert check.exit_code == 0, check.output
    result = json.loads(check.stdout)
    assert result["summary"]["cases"] == summary["cases"] == 400
    assert result["summary"]["lane_source"] == "org:group"  # --lane unit was used
    journey = runner.invoke(
        app,
        [
            "journey",
            MODEL,
            *_named(odd_log),
            "-f",
            "json",
            "--cases",
            str(tmp_path / "journey.csv"),
        ],
    )
    assert journey.exit_code == 0, journey.output
    assert json.loads(journey.stdout)["cases"] == 400
    svg = runner.invoke(app, ["render", MODEL, "--log", *_named(odd_log)])
    assert svg.exit_code == 0 and "Overlay of 400 case(s)" in svg.stdout, svg.output[-500:]
    report = runner.invoke(app, ["report", MODEL, "--log", *_named(odd_log), "-f", "md"])
    assert report.exit_code == 0, report.output
    # --cases means one thing everywhere: one CSV row per case, next to the usual output
    for name in ("check.csv", "journey.csv"):
        with (tmp_path / name).open(encoding="utf-8") as fh:
            assert sum(1 for _ in csv.DictReader(fh)) == 400


def test_lanes_from_is_used_by_render_and_report(tmp_path: Path) -> None:
    lanes = tmp_path / "lanes.csv"
    lanes.write_text("resource,lane\nnobody,sales\n")
    for args in (["render", MODEL], ["report", MODEL, "-f", "md"]):
        result = runner.invoke(
            app,
            [
                *args,
                "--log",
                str(EXAMPLES / "saas-handoffs.csv"),
                "--lanes-from",
                str(tmp_path / "missing.csv"),
                "-q",
            ],
        )
        assert result.exit_code == 2 and "missing.csv" in result.output, result.output


def test_log_maps_resources_to_lanes_with_a_model(tmp_path: Path) -> None:
    lanes = tmp_path / "lanes.csv"
    lanes.write_text("resource,lane\nana.sales,sales\n")
    result = runner.invoke(
        app,
        [
            "log",
            str(EXAMPLES / "saas-handoffs.csv"),
            "-q",
            "--model",
            MODEL,
            "--lanes-from",
            str(lanes),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lanes from resource map" in result.stdout
    assert "resources the lane map does not name: ben.sales" in result.stdout


def test_date_format_reaches_the_reader_for_every_command(tmp_path: Path) -> None:
    """Day-first dates that fit both orders are refused unless --date-format says which."""
    rows = list(csv.DictReader((EXAMPLES / "saas-handoffs.csv").open(encoding="utf-8")))
    path = tmp_path / "dayfirst.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        for row in rows:
            y, m, d = row["timestamp"][:10].split("-")
            if int(d) <= 12:
                writer.writerow({**row, "timestamp": f"{d}/{m}/{y} {row['timestamp'][11:16]}"})
    for args in (
        ["log", str(path)],
        ["check", MODEL, str(path)],
        ["journey", MODEL, str(path)],
        ["render", MODEL, "--log", str(path)],
        ["report", MODEL, "--log", str(path)],
    ):
        refused = runner.invoke(app, [*args, "-q"])
        assert refused.exit_code == 2, (args, refused.output)
        read = runner.invoke(app, [*args, "-q", "--date-format", "%d/%m/%Y %H:%M"])
        assert read.exit_code == 0, (args, read.output)


def test_journey_keeps_its_old_column_options_as_deprecated_aliases(odd_log: Path) -> None:
    result = runner.invoke(
        app,
        [
            "journey",
            MODEL,
            str(odd_log),
            "--encoding",
            "cp1252",
            "--case-column",
            "dossier",
            "--activity-column",
            "what",
            "--timestamp-column",
            "stamp",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "--case-column is deprecated; use --case" in result.output


@pytest.mark.parametrize(
    "args, says",
    [
        (
            ["journey", MODEL, str(EXAMPLES / "saas-handoffs.csv"), "--now", "yesterday"],
            "--now: 'yesterday' is not a time",
        ),
        (["check", MODEL, str(EXAMPLES / "saas-handoffs.csv"), "--method", "fast"], "'--method'"),
        (["render", MODEL, "--orientation", "diagonal"], "'--orientation'"),
        (["report", MODEL, "-f", "docx"], "'--format'"),
        (["log", str(EXAMPLES / "saas-handoffs.csv"), "-f", "yaml"], "'--format'"),
        (
            ["log", str(EXAMPLES / "saas-handoffs.csv"), "--encoding", "nonsense"],
            "--encoding: unknown text encoding 'nonsense'",
        ),
        (
            ["check", MODEL, str(EXAMPLES / "saas-handoffs.csv"), "--encoding", "klingon"],
            "--encoding: unknown text encoding 'klingon'",
        ),
        (["sipoc", MODEL, "-f", "pdf"], "--format: unknown format 'pdf'"),
        (
            ["log", str(EXAMPLES / "saas-handoffs.csv"), "--lanes-from", "lanes.csv"],
            "--lanes-from needs --model",
        ),
        (["graph", MODEL, "-f", "svg"], "--format: unknown format 'svg'"),
    ],
)
def test_bad_option_values_exit_2_naming_the_option(args: list[str], says: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "internal error" not in result.output


def test_an_unknown_encoding_from_python_is_an_input_error() -> None:
    from bpmtool.errors import InputError

    with pytest.raises(InputError, match="unknown text encoding 'nonsense'"):
        api.read_log(EXAMPLES / "saas-handoffs.csv", encoding="nonsense")


def test_fail_on_defaults_differ_and_the_help_says_why() -> None:
    assert "default is never (unlike lint's error)" in " ".join(
        (_options("check")["--fail-on"][0] or "").split()
    )


def test_lint_takes_several_files_and_folders_and_exits_with_the_worst(tmp_path: Path) -> None:
    clean = runner.invoke(app, ["lint", MODEL])
    assert clean.exit_code == 0
    both = runner.invoke(app, ["lint", MODEL, str(FLAWED_MODEL)])
    assert both.exit_code == 1
    assert "2 models linted" in both.stdout and "no findings" in both.stdout
    folder = tmp_path / "models"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text(REFERENCE_MODEL.read_text())
    (folder / "sub" / "b.yml").write_text(STARTER_MODEL)
    (folder / "notes.txt").write_text("not a model")
    many = runner.invoke(app, ["lint", str(folder), "-f", "json"])
    assert many.exit_code == 0, many.output
    docs = json.loads(many.stdout)
    assert [Path(d["model"]["file"]).name for d in docs] == ["a.yaml", "b.yml"]
    assert all(d["schema"] == "bpmtool.lint/1" for d in docs)
    (folder / "broken.json").write_text('{"id": "x", "nodes": 3}')
    worst = runner.invoke(app, ["lint", str(folder), str(FLAWED_MODEL)])
    assert worst.exit_code == 2  # one model cannot be read: the worst wins
    assert "broken.json" in worst.output and "4 models linted, 1 could not be read" in worst.output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, ["lint", str(empty)])
    assert nothing.exit_code == 2 and "no model files here" in nothing.output


def test_version_has_one_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bpmtool.__version__"}
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"bpmtool {__version__}\n"


def test_init_writes_a_starter_model_that_lints_clean(tmp_path: Path) -> None:
    target = tmp_path / "model.yaml"
    first = runner.invoke(app, ["init", str(target)])
    assert first.exit_code == 0, first.output
    findings = api.lint(api.load(target))
    assert all(f.severity == Severity.INFO for f in findings), findings
    assert runner.invoke(app, ["lint", str(target)]).exit_code == 0
    target.write_text("mine")
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "--force" in again.output
    assert target.read_text() == "mine"  # refused: nothing touched
    forced = runner.invoke(app, ["init", str(target), "--force"])
    assert forced.exit_code == 0 and target.read_text() == STARTER_MODEL
    into = runner.invoke(app, ["init", str(tmp_path)])  # a folder: model.yaml inside
    assert into.exit_code == 2  # that model.yaml exists already
    assert list(tmp_path.glob(".*tmp")) == []  # no temporary file left behind


def test_every_yaml_snippet_in_the_readme_is_a_valid_model() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert blocks
    for block in blocks:
        model = loads_model(block, "README.md")
        assert not [f for f in api.lint(model) if f.severity != Severity.INFO]

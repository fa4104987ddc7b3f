"""``bpmtool convert IN OUT``: between YAML, JSON and BPMN 2.0, chosen by the extensions."""

from __future__ import annotations

from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli.app import app, input_errors_exit


@app.command()
def convert(
    source: Path = typer.Argument(
        ..., help="A model: .yaml, .yml, .json or .bpmn", show_default=False
    ),
    target: Path = typer.Argument(
        ..., help="Where to write: .yaml, .yml, .json or .bpmn", show_default=False
    ),
    relayout: bool = typer.Option(
        False,
        "--relayout",
        help="Lay the BPMN diagram out anew instead of keeping the source's own layout.",
    ),
    diagram: str | None = typer.Option(
        None,
        "--diagram",
        help="Which of a BPMN file's diagrams becomes the main one (written first): its "
        "number (from 1) or its name. Every diagram is kept (with --relayout, the chosen "
        "one is laid out anew by bpmtool).",
    ),
) -> None:
    """Convert a model between YAML, JSON and BPMN 2.0 (with a laid-out diagram)."""
    with input_errors_exit():
        warnings = api.convert(source, target, relayout=relayout, diagram=diagram)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"wrote {target}", err=True)

"""`bpmtool init`: write a small starter model that lints clean, to edit into your own."""

from __future__ import annotations

from pathlib import Path

import typer

from bpmtool.cli.app import EXIT_BAD_INPUT, app, input_errors_exit

__all__ = ["STARTER_MODEL"]

#: two teams and the customer, one handoff each way that says what it carries
STARTER_MODEL = """\
# A bpmtool process model: lanes (teams), nodes (steps), flows (who hands what to whom).
# Check it with `bpmtool lint model.yaml`; draw it with `bpmtool render model.yaml -o model.svg`.
# Every key is described in the README ("The model format"); `bpmtool schema` gives the JSON
# Schema for editor autocompletion.
id: my-process
name: My process

lanes:                          # the teams or roles that do the work
  - {id: sales, name: Sales}
  - {id: delivery, name: Delivery}
  - {id: customer, name: Customer, external: true}

artifacts:                      # what a step needs or produces, and what a handoff carries
  - {id: order, name: Signed order}
  - {id: handover, name: Handover notes}
  - {id: result, name: Delivered result}

nodes:                          # start and end events, activities, gateways
  - {id: start, type: start, lane: sales, name: Customer asks}
  - {id: close, name: Close the deal, lane: sales, outputs: [order, handover]}
  - {id: deliver, name: Deliver, lane: delivery, inputs: [order, handover], outputs: [result]}
  - {id: accept, name: Accept the result, lane: customer, inputs: [result]}
  - {id: end, type: end, lane: customer, name: Done}

flows:                          # across lanes a flow is a handoff: say what it carries
  - start -> close
  - close -> deliver: {artifact: handover}
  - deliver -> accept: {artifact: result}
  - accept -> end
"""


@app.command()
def init(
    path: Path = typer.Argument(
        Path("model.yaml"), help="Where to write the model (a folder: model.yaml inside it)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a minimal starter model (two teams, the customer, two handoffs) to edit."""
    from bpmtool import api

    if path.is_dir():
        path = path / "model.yaml"
    if path.suffix.lower() not in (".yaml", ".yml"):
        typer.echo(f"error: {path}: the starter model is YAML; name it .yaml or .yml", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if path.exists() and not force:
        typer.echo(
            f"error: {path} exists; choose another name or add --force to overwrite it", err=True
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    with input_errors_exit():
        api.write_file(path, STARTER_MODEL)
    typer.echo(f"wrote {path}: edit its lanes, nodes and flows, then run `bpmtool lint {path}`")

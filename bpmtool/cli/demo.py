"""`bpmtool demo`: the main job on the bundled example, with every output written to a folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from bpmtool._bundled import FLAWED_MODEL, REFERENCE_MODEL
from bpmtool.cli.app import EXIT_BAD_INPUT, app, input_errors_exit

__all__: list[str] = []


def _step(title: str, action: Callable[[], str]) -> None:
    typer.echo(f"  {title:<34} {action()}")


@app.command()
def demo(
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the outputs."),
) -> None:
    """Run bpmtool on the bundled reference model (and its example log) and write every output."""
    from bpmtool.cli import demo_steps

    model_path, flawed_path = REFERENCE_MODEL, FLAWED_MODEL
    if not model_path.exists():
        typer.echo(
            f"error: the bundled models are not here ({model_path}); reinstall "
            "bpmtool (pip install .) or run the demo from a checkout",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"bpmtool demo — writing to {out}/")
    with input_errors_exit():
        for title, action in demo_steps.steps(model_path, flawed_path, out):
            _step(title, action)
    typer.echo(
        f"done. Open {out / 'report.html'} in a browser for the whole picture."
        if (out / "report.html").exists()
        else "done."
    )

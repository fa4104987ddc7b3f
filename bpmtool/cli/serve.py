"""`bpmtool serve`: the web app over a workspace folder (see ``docs/web.md``)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from bpmtool.cli.app import EXIT_BAD_INPUT, app, input_errors_exit

__all__: list[str] = []


@app.command()
def serve(
    workspace: Path = typer.Option(Path("workspace"), "--workspace", "-w",
                                   help="The folder holding models/, logs/ and runs/ "
                                        "(created and seeded with the reference model)."),
    host: str = typer.Option("127.0.0.1", "--host",
                             help="Address to listen on; 0.0.0.0 shares it on the network "
                                  "(set a --token then)."),
    port: int = typer.Option(8000, "--port", "-p", help="Port to listen on."),
    token: str | None = typer.Option(None, "--token", envvar="BPMTOOL_TOKEN",
                                     help="Access token every page and API call needs "
                                          "(also from BPMTOOL_TOKEN)."),
    workers: int = typer.Option(1, "--check-workers",
                                help="Background processes that run checks."),
) -> None:
    """Serve the web app: models, SIPOC, swimlanes, findings and log checks in a browser."""
    import uvicorn

    from bpmtool.web.config import Settings
    from bpmtool.web.main import create_app

    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        typer.echo(f"warning: serving on {host} without --token: anyone who can reach this "
                   "machine can read and change the workspace", err=True)
    with input_errors_exit():
        try:
            settings = Settings(workspace=workspace, token=token or None, check_workers=workers,
                                warm_workers=True)
            application = create_app(settings)
        except (OSError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    os.environ.pop("BPMTOOL_TOKEN", None)  # the worker processes need not see it
    typer.echo(f"bpmtool: serving {settings.workspace.resolve()} on http://{host}:{port}/",
               err=True)
    uvicorn.run(application, host=host, port=port, log_level="warning")

"""`bpmtool serve`: the web app over a workspace folder (see ``docs/web.md``)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from bpmtool.cli.app import EXIT_BAD_INPUT, app, input_errors_exit
from bpmtool.errors import InputError

__all__: list[str] = []


@app.command()
def serve(
    workspace: Path = typer.Option(
        Path("workspace"),
        "--workspace",
        "-w",
        help="The folder holding models/, logs/ and runs/ "
        "(created and seeded with the reference model).",
    ),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on; 0.0.0.0 shares it on the network (set a --token then).",
    ),
    port: int = typer.Option(
        8000, "--port", "-p", help="Port to listen on (1 to 65535; 0 picks a free one)."
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="BPMTOOL_TOKEN",
        help="Access token every page and API call needs (also from BPMTOOL_TOKEN).",
    ),
    users: Path | None = typer.Option(
        None,
        "--users",
        envvar="BPMTOOL_USERS",
        help="A users file (YAML: name, role viewer|editor, token or token_sha256 per "
        "person) instead of --token; see docs/web.md.",
    ),
    workers: int = typer.Option(
        1, "--check-workers", min=1, max=16, help="Background processes that run checks (1 to 16)."
    ),
    allowed_hosts: list[str] = typer.Option(
        [],
        "--allowed-host",
        help="Another host name the server answers to (repeatable; * for any): the name "
        "in the browser's address bar when it is not the --host address.",
    ),
) -> None:
    """Serve the web app: models, SIPOC, swimlanes, findings and log checks in a browser."""
    from bpmtool.web import serving
    from bpmtool.web.assets import BUILD_HINT, built_assets
    from bpmtool.web.config import Settings
    from bpmtool.web.main import create_app
    from bpmtool.web.security import LOOPBACK, default_allowed_hosts

    if users is not None and token:
        typer.echo("error: give --users or --token, not both", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    if host not in LOOPBACK and not token and users is None:
        typer.echo(
            f"warning: serving on {host} without --token or --users: anyone who can reach this "
            "machine can read and change the workspace",
            err=True,
        )
    try:  # the port first: nothing is created or announced when it is taken
        sock = serving.bind(host, port)
    except serving.BindError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with input_errors_exit():
        try:
            settings = Settings(
                workspace=workspace,
                token=token or None,
                users_file=users,
                check_workers=workers,
                warm_workers=True,
                allowed_hosts=default_allowed_hosts(host) + allowed_hosts,
            )
            application = create_app(settings)
        except InputError:  # a bad users file: located, exit 2
            sock.close()
            raise
        except (OSError, ValueError) as exc:
            sock.close()
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    os.environ.pop("BPMTOOL_TOKEN", None)
    os.environ.pop("BPMTOOL_USERS", None)  # the worker processes need not see it
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"bpmtool: serving {settings.workspace.resolve()} on http://{shown}:{bound}/", err=True
    )
    if built_assets() is None:
        typer.echo(
            "note: the diagram editor's scripts are not built, so it is off (everything else "
            f"works, the YAML editor as a plain text box): {BUILD_HINT}",
            err=True,
        )
    stopped = serving.run(serving.config(application), sock)
    if stopped is not None:
        typer.echo("bpmtool: stopped", err=True)

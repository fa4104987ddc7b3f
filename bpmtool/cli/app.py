"""The ``bpmtool`` Typer application and what every command shares.

Each command module (``bpmtool/cli/<topic>.py``) adds its commands to :data:`app`;
:func:`main` turns a :class:`~bpmtool.errors.InputError` into located messages on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from bpmtool.errors import BpmtoolError, InputError

app = typer.Typer(
    name="bpmtool",
    help="Find the gaps and overlaps in the handoffs of a business process.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from bpmtool import __version__

        typer.echo(f"bpmtool {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print bpmtool's version and exit.",
    ),
) -> None:
    """Find the gaps and overlaps in the handoffs of a business process."""


#: exit codes: 0 fine, 1 findings at or above --fail-on, 2 bad input
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


def use_colour(stream: object = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def style(text: str, colour: str | None = None, bold: bool = False, *, enabled: bool) -> str:
    if not enabled:
        return text
    return typer.style(text, fg=colour, bold=bold)


def report_input_error(err: InputError) -> None:
    """Write an input error's located problems to stderr."""
    typer.echo(f"error: {err.summary}", err=True)
    for problem in err.problems:
        if str(problem) != err.summary:
            typer.echo(f"  {problem}", err=True)


@contextmanager
def input_errors_exit() -> Iterator[None]:
    """Inside a command: a bad input ends with its messages and exit code 2."""
    try:
        yield
    except InputError as err:
        report_input_error(err)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except BpmtoolError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def write_output(text: str | bytes, out: Path | None) -> None:
    """Print to stdout, or write atomically to ``out``."""
    if out is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            typer.echo(text, nl=not text.endswith("\n"))
        return
    from bpmtool import api

    with input_errors_exit():
        api.write_file(out, text)

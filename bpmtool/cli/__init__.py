"""The ``bpmtool`` command line: a thin face over :mod:`bpmtool.api`.

Command modules register themselves on :data:`bpmtool.cli.app.app` when imported here.
"""

from __future__ import annotations

import sys

# importing the command modules registers their commands
from bpmtool.cli import (  # noqa: F401
    cases,
    check,
    convert,
    demo,
    discover,
    init,
    journey,
    log,
    model_commands,
    render,
    serve,
)
from bpmtool.cli.app import EXIT_BAD_INPUT, app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``bpmtool`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except SystemExit:
        raise
    except Exception as exc:  # last line of defence: no traceback for users
        sys.stderr.write(
            f"error: internal error: {type(exc).__name__}: {exc}\n"
            "please report this with the command you ran\n"
        )
        sys.exit(EXIT_BAD_INPUT + 1)

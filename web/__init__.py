"""The bpmtool web app: a team's shared workspace over :mod:`bpmtool.api`.

A thin face: pages and a JSON API that call the same functions as the CLI and own no
analysis.  Build it with :func:`web.main.create_app`; ``bpmtool serve`` runs it.
"""

__all__: list[str] = []

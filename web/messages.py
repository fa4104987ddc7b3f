"""Messages for people using the web app: the analysis's words, without command-line
options they cannot type and without the server's folders.

The readers and checks below the API speak to the command line (``use --date-format``,
``/srv/workspace/logs/x.csv``); every message the web app shows — an error page, a 4xx
JSON body, a failed run — goes through :func:`for_web` first, which names the place on
the page instead and keeps only the file's name.

>>> for_web("e.g. --date-format '%d/%m/%Y'", "/srv/ws")
"e.g. the log's date format (on the log's page) '%d/%m/%Y'"
>>> for_web("/srv/ws/logs/crm.csv:3: bad", "/srv/ws")
'crm.csv:3: bad'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["for_web", "problems_for_web"]

#: CLI option → what the web app calls the same thing
_OPTIONS = {
    "named with --timestamp COLUMN": "chosen as the time on the log's page",
    "with --timestamp": "on the log's page",
    "a valid --encoding": "a known text encoding",
    "--date-format": "the log's date format (on the log's page)",
    "--encoding": "the text encoding",
    "--timestamp COLUMN": "the time column (on the log's page)",
    "--timestamp": "the time column (on the log's page)",
    "--case": "the case column (on the log's page)",
    "--activity": "the activity column (on the log's page)",
    "--resource": "the resource column (on the log's page)",
    "--lane": "the lane column (on the log's page)",
    "--lanes-from": "a resource-to-lane table",
    "--open-after": "the open-case rule",
    "--open-cases": "the list of open cases",
    "check --align-budget 10m": "more time for the alignments",
    "--align-budget": "the time for the alignments",
    "--surveys": "the log's survey answers",
    "--cases": "a case list",
}
_OPTION = re.compile("|".join(re.escape(k) for k in sorted(_OPTIONS, key=len, reverse=True)))


def for_web(text: str, root: object) -> str:
    """``text`` with CLI options named as the pages name them and workspace paths cut to
    the file's name."""
    if not text:
        return text
    base = str(root).rstrip("/")
    if base:
        text = re.sub(re.escape(base) + r"/(?:[^/\s:'\"]+/)*", "", text)
    return _OPTION.sub(lambda m: _OPTIONS[m.group(0)], text)


def problems_for_web(problems: list[dict[str, Any]], root: object) -> list[dict[str, Any]]:
    """Each problem's text fields through :func:`for_web`."""
    out = []
    for p in problems:
        q = dict(p)
        for key in ("file", "message", "expected"):
            if isinstance(q.get(key), str):
                q[key] = for_web(q[key], root)
        out.append(q)
    return out

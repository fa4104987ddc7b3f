"""The save journal of a model: who saved which version, when, and why.

Every save, upload, restore, rename or delete of a model writes one small JSON record,
``.bpmtool/saves/<model>/<stamp>-<version>.json``, atomically; the versions' contents
live in ``.bpmtool/history/<model>/`` (the replaced ones) and the model file (the
current one).  Records are never rewritten, so two servers on one workspace cannot lose
each other's.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bpmtool.api import write_file as write_atomic

__all__ = ["ACTIONS", "SaveRecord", "TextDiff", "diff_texts", "read_records", "write_record"]

#: what a record can say happened
ACTIONS = ("created", "saved", "uploaded", "restored", "renamed", "deleted")
_STAMP = "%Y%m%dT%H%M%S%fZ"
#: longest message kept (a commit message, not an essay)
MAX_MESSAGE = 500


@dataclass(frozen=True)
class SaveRecord:
    """One change of a model: the version it produced (the content after it)."""

    stamp: str
    version: str
    author: str
    message: str
    action: str

    @property
    def saved(self) -> datetime:
        return datetime.strptime(self.stamp, _STAMP).replace(tzinfo=UTC)

    def to_dict(self) -> dict[str, str]:
        return {
            "saved": self.saved.isoformat(timespec="seconds"),
            "version": self.version,
            "author": self.author,
            "message": self.message,
            "action": self.action,
        }


def write_record(
    folder: Path, version: str, *, author: str, message: str, action: str
) -> SaveRecord:
    """Add a record to a model's journal folder and return it."""
    assert action in ACTIONS, action
    stamp = datetime.now(UTC).strftime(_STAMP)
    record = SaveRecord(stamp, version, author, " ".join(message.split())[:MAX_MESSAGE], action)
    body = {"version": version, "author": author, "message": record.message, "action": action}
    write_atomic(folder / f"{stamp}-{version}.json", json.dumps(body) + "\n")
    return record


def read_records(folder: Path) -> list[SaveRecord]:
    """A journal's records, newest first (unreadable ones are skipped)."""
    out: list[SaveRecord] = []
    if not folder.is_dir():
        return out
    for path in folder.glob("*.json"):
        stamp = path.name.split("-", 1)[0]
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            doc = json.loads(path.read_text(encoding="utf-8"))
            datetime.strptime(stamp, _STAMP)
            out.append(
                SaveRecord(
                    stamp,
                    str(doc["version"]),
                    str(doc.get("author") or "unknown"),
                    str(doc.get("message") or ""),
                    str(doc.get("action") or "saved"),
                )
            )
    return sorted(out, key=lambda r: r.stamp, reverse=True)


@dataclass(frozen=True)
class TextDiff:
    """Two versions of a text, line by line, for the diff page."""

    #: (kind, old line number, new line number, text); kind is ``same``, ``del``, ``add``
    #: or ``skip`` (unchanged lines left out; the text says how many)
    rows: list[tuple[str, int | None, int | None, str]]
    added: int
    removed: int


def diff_texts(old: str, new: str, *, context: int = 3) -> TextDiff:
    """The changed lines of ``new`` against ``old`` with ``context`` lines around each change.

    >>> d = diff_texts("a\\nb\\nc\\n", "a\\nB\\nc\\n")
    >>> (d.added, d.removed), [r[0] for r in d.rows]
    ((1, 1), ['same', 'del', 'add', 'same'])
    """
    a, b = old.splitlines(), new.splitlines()
    rows: list[tuple[str, int | None, int | None, str]] = []
    added = removed = 0
    groups = difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context)
    last_a = 0
    for group in groups:
        first = group[0]
        if first[1] > last_a:
            rows.append(("skip", None, None, f"{first[1] - last_a} unchanged line(s)"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", i + 1, j1 + i - i1 + 1, a[i]) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                rows += [("del", i + 1, None, a[i]) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                rows += [("add", None, j + 1, b[j]) for j in range(j1, j2)]
                added += j2 - j1
        last_a = group[-1][2]
    if rows and last_a < len(a):
        rows.append(("skip", None, None, f"{len(a) - last_a} unchanged line(s)"))
    return TextDiff(rows, added, removed)

"""The one exception hierarchy of bpmtool.

Every error caused by a user's input is an :class:`InputError` that carries a
list of :class:`Problem` s, each pointing into the source (file, line, column,
the key or element at fault).  The faces (CLI, web) print those problems and
exit with code 2 or answer with a 4xx; they never show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

__all__ = [
    "BpmnImportError",
    "BpmtoolError",
    "EventLogError",
    "InputError",
    "ModelError",
    "Problem",
]


@dataclass(frozen=True)
class Problem:
    """One located problem in an input file."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None  # the key path or element id at fault, e.g. "nodes[3].lane"
    expected: str | None = None

    def location(self) -> str:
        """``file:line:column`` as far as it is known (empty when nothing is)."""
        if self.file is None and self.line is None:
            return ""
        parts = [self.file or "(text)"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        key = f"[{self.key}] " if self.key else ""
        expected = f" (expected {self.expected})" if self.expected else ""
        return (
            f"{where}: {key}{self.message}{expected}" if where else f"{key}{self.message}{expected}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "key": self.key,
            "message": self.message,
            "expected": self.expected,
        }


class BpmtoolError(Exception):
    """Base class of every error bpmtool raises on purpose."""


@dataclass
class InputError(BpmtoolError):
    """A user's input is unusable; ``problems`` says where and why."""

    problems: list[Problem] = field(default_factory=list)
    summary: str = "the input is not valid"
    #: problems found but not listed (a file with a million errors lists the first ones)
    omitted: int = 0

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        lines = [self.summary]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(cls, message: str, **where: object) -> Self:
        """An error with exactly one problem."""
        problem = Problem(message=message, **where)  # type: ignore[arg-type]
        return cls(problems=[problem], summary=str(problem))


class ModelError(InputError):
    """A process model (YAML/JSON) is malformed or inconsistent."""


class BpmnImportError(InputError):
    """A BPMN 2.0 file cannot be read."""


class EventLogError(InputError):
    """An event log cannot be read or mapped."""

"""The event-log schema: pm4py's standard column names, the roles a source column can play,
and how other names map to them.

It sits below both :mod:`bpmtool.io` (the readers) and :mod:`bpmtool.mining` (the analysis),
so neither imports the other for a column name, and the role → column map exists once.

>>> ROLE_COLUMNS["lane"], ROLE_OF[CASE]
('org:group', 'case')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

__all__ = [
    "ACTIVITY",
    "CASE",
    "COLUMN_ROLES",
    "GROUP",
    "LIFECYCLE",
    "RESOURCE",
    "ROLE_COLUMNS",
    "ROLE_OF",
    "START",
    "TIMESTAMP",
    "ColumnMap",
    "detect_columns",
]

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
RESOURCE = "org:resource"
GROUP = "org:group"
LIFECYCLE = "lifecycle:transition"
START = "start_timestamp"


@dataclass(frozen=True)
class ColumnMap:
    """Which source column holds what; ``None`` means: find it by its usual names."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None
    lane: str | None = None
    start_timestamp: str | None = None
    lifecycle: str | None = None

    @classmethod
    def of(
        cls, value: ColumnMap | Mapping[str, str] | None, filename: str | None = None
    ) -> ColumnMap:
        """The map from roles to column names; an unknown role is an input error."""
        if value is None:
            return cls()
        if isinstance(value, ColumnMap):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            from bpmtool.errors import EventLogError

            raise EventLogError.single(
                f"unknown column role(s) {', '.join(sorted(map(str, unknown)))}",
                file=filename,
                key="columns",
                expected="roles among " + ", ".join(sorted(known)),
            )
        return cls(**{k: v for k, v in value.items() if v})


#: role → (standard name, usual names in exports of CRM, ticket and project tools)
_CANDIDATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "case": (
        CASE,
        (
            "case:concept:name",
            "case_id",
            "caseid",
            "case",
            "case id",
            "case_concept_name",
            "trace_id",
            "traceid",
            "trace",
            "process_instance",
            "instance_id",
            "ticket_id",
            "ticket",
            "order_id",
            "customer_id",
            "account_id",
        ),
    ),
    "activity": (
        ACTIVITY,
        (
            "concept:name",
            "activity",
            "activity_name",
            "activityname",
            "activity name",
            "event",
            "event_name",
            "task",
            "task_name",
            "step",
            "action",
        ),
    ),
    "timestamp": (
        TIMESTAMP,
        (
            "time:timestamp",
            "timestamp",
            "complete timestamp",
            "complete_timestamp",
            "completetimestamp",
            "end_timestamp",
            "end timestamp",
            "end_time",
            "endtime",
            "completed_at",
            "time",
            "datetime",
            "date",
            "event_time",
            "created_at",
        ),
    ),
    "start_timestamp": (
        START,
        (
            "start_timestamp",
            "start timestamp",
            "starttimestamp",
            "start_time",
            "starttime",
            "started_at",
        ),
    ),
    "resource": (
        RESOURCE,
        (
            "org:resource",
            "resource",
            "user",
            "user_id",
            "performer",
            "agent",
            "assignee",
            "owner",
            "employee",
        ),
    ),
    "lane": (
        GROUP,
        ("org:group", "group", "lane", "team", "department", "org:role", "role", "queue"),
    ),
    "lifecycle": (LIFECYCLE, ("lifecycle:transition", "lifecycle", "transition", "event_type")),
}


#: role → the standard column it becomes
ROLE_COLUMNS: dict[str, str] = {role: standard for role, (standard, _) in _CANDIDATES.items()}
#: standard column → its role
ROLE_OF: dict[str, str] = {standard: role for role, standard in ROLE_COLUMNS.items()}
#: the roles a user maps by hand (the web's column form), with what each means
COLUMN_ROLES: dict[str, str] = {
    "case": "Case id — one customer, deal or ticket",
    "activity": "Activity — what was done",
    "timestamp": "Timestamp — when it was done",
    "resource": "Resource — who did it (optional)",
    "lane": "Lane — the team that did it (optional)",
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9:]+", "", name.casefold())


def detect_columns(available: Iterable[str], given: ColumnMap) -> dict[str, str]:
    """Map source column → standard name, for the roles given or found by their usual names.

    Raises ``KeyError`` naming a role whose explicitly given column does not exist.
    """
    names = list(available)
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(_norm(name), name)
    out: dict[str, str] = {}
    for role, (standard, usual) in _CANDIDATES.items():
        explicit = getattr(given, role)
        if explicit:
            if explicit not in names:
                raise KeyError(role)
            out[explicit] = standard
            continue
        for candidate in usual:
            source = by_norm.get(_norm(candidate))
            if source is not None and source not in out:
                out[source] = standard
                break
    return out


def usual_names(role: str) -> tuple[str, ...]:
    """The names tried for a role (for error messages)."""
    return _CANDIDATES[role][1]

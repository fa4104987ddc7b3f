"""Durations as analysts write them: ``5d``, ``36h``, ``1w2d``, ``90m`` or ISO 8601 ``P5D``.

>>> parse_duration("1w2d")
datetime.timedelta(days=9)
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

__all__ = ["MAX_DURATION", "Duration", "days_label", "format_duration", "parse_duration"]


_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
#: the longest duration accepted: 100 years (times in logs are 64-bit nanoseconds, which
#: end at about 292 years, and no handoff is measured in centuries)
MAX_DURATION = timedelta(days=36_500)
_DURATION_RE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*([wdhms])\s*)+$", re.IGNORECASE)
_DURATION_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])", re.IGNORECASE)
_ISO_RE = re.compile(
    r"^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def days_label(days: float | None) -> str | None:
    """A span of days as every face shows it, to a hundredth of a day: the one format of
    waits, CTQ times and problem costs, so a number printed twice reads the same twice.

    >>> days_label(5.4832), days_label(0.5), days_label(None)
    ('5.48d', '0.50d', None)
    """
    return None if days is None else f"{days:.2f}d"


def parse_duration(value: object) -> timedelta:
    """Read a duration such as ``5d``, ``1w2d``, ``36h``, ``90m`` or ISO ``P5D``.

    >>> parse_duration("1w2d")
    datetime.timedelta(days=9)
    >>> parse_duration("PT36H")
    datetime.timedelta(days=1, seconds=43200)
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("a duration such as 5d, 36h, 1w2d or P5D")
    if isinstance(value, (int, float)):
        raise ValueError("a duration with a unit, e.g. 5d or 36h (a bare number has no unit)")
    text = value.strip()
    iso = _ISO_RE.match(text.upper())
    if iso and text.upper() not in ("P", "PT"):
        w, d, h, m, s = (float(g) if g else 0.0 for g in iso.groups())
        seconds = w * 604800 + d * 86400 + h * 3600 + m * 60 + s
    elif _DURATION_RE.match(text):
        seconds = sum(
            float(n) * _UNIT_SECONDS[u.lower()] for n, u in _DURATION_PART_RE.findall(text)
        )
    else:
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(
            f"{shown!r} is not a duration; use a number and a unit w, d, h, m or s (e.g. 5d, 36h)"
        )
    if not seconds <= MAX_DURATION.total_seconds():  # also inf and nan
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise ValueError(
            f"{shown!r} is longer than the longest duration accepted, 36500d (100 years)"
        )
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Write a duration in the short form :func:`parse_duration` reads.

    >>> format_duration(timedelta(days=1, hours=12))
    '1d12h'
    """
    total = round(value.total_seconds())
    if total == 0:
        return "0s"
    parts = []
    for unit in ("d", "h", "m", "s"):
        n, total = divmod(total, _UNIT_SECONDS[unit])
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json-unless-none"),
]

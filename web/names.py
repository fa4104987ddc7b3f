"""Safe file names for everything a user names or uploads: no paths, no surprises.

>>> clean_name("../../etc/passwd.yaml", MODEL_SUFFIXES)
'passwd.yaml'
>>> clean_name("C:\\\\Users\\\\me\\\\Ünïcode model (v2).BPMN", MODEL_SUFFIXES)
'Unicode-model-v2.bpmn'
>>> clean_name("log.xes.gz", LOG_SUFFIXES)
'log.xes.gz'
"""

from __future__ import annotations

import re
import unicodedata

from bpmtool.api import LOG_SUFFIXES as _API_LOG_SUFFIXES
from bpmtool.api import MODEL_SUFFIXES as _API_MODEL_SUFFIXES
from bpmtool.errors import InputError

__all__ = [
    "LOG_SUFFIXES",
    "MAX_STEM",
    "MODEL_SUFFIXES",
    "NotFound",
    "clean_name",
    "is_clean",
    "split_suffix",
]


class NotFound(LookupError):
    """No such model, log, run or history entry."""


#: longest first, so ``.xes.gz`` wins over ``.gz``
MODEL_SUFFIXES: tuple[str, ...] = tuple(sorted(_API_MODEL_SUFFIXES, key=len, reverse=True))
LOG_SUFFIXES: tuple[str, ...] = tuple(sorted(_API_LOG_SUFFIXES, key=len, reverse=True))

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_STEM = 80


def split_suffix(name: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
    """``(stem, suffix)`` when ``name`` ends in one of ``suffixes`` (case-insensitive)."""
    lower = name.lower()
    for suffix in suffixes:
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return None


def clean_name(raw: str, suffixes: tuple[str, ...]) -> str:
    """A file name safe to create in a workspace folder, keeping a known suffix.

    Directories are dropped, letters lose their accents, anything but letters, digits,
    ``-`` and ``_`` becomes ``-``; raises :class:`InputError` for an unknown suffix.
    """
    base = raw.replace("\\", "/").rsplit("/", 1)[-1].strip()
    parts = split_suffix(base, suffixes)
    if parts is None:
        raise InputError.single(
            f"{base or raw!r} does not end in a known extension",
            key="filename",
            expected="a file ending in " + ", ".join(sorted(suffixes)),
        )
    stem, suffix = parts
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_stem).strip("-_")[:MAX_STEM].strip("-_")
    return (stem or "upload") + suffix.lower()


def is_clean(name: str, suffixes: tuple[str, ...]) -> bool:
    """True when ``name`` is exactly what :func:`clean_name` would make of it."""
    try:
        return clean_name(name, suffixes) == name
    except InputError:
        return False

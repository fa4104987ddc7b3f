"""The browser bundles (the bpmn-js modeler, the YAML editor) built from ``web/package.json``
into ``static/build/`` by ``make web-assets``; they are never committed.

:func:`built_assets` tells the pages whether the bundles are there (and which build, to put in
their URLs); without them the diagram editor explains how to build them and everything else
works as before (the YAML editor falls back to its plain text box).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BUILD_DIR", "BUILD_HINT", "Assets", "built_assets"]

BUILD_DIR = Path(__file__).parent / "static" / "build"

#: what an administrator does when the bundles are missing
BUILD_HINT = (
    "run `make web-assets` in bpmtool's source folder (it uses npm when the machine has it, "
    "else installs Node.js from PyPI), then reload"
)


@dataclass(frozen=True)
class Assets:
    """One build of the bundles: its id (for cache-busting URLs) and package versions."""

    build: str
    packages: dict[str, str]

    def url(self, file: str) -> str:
        return f"/static/build/{file}?v={self.build}"


_cache: dict[tuple[int, int], Assets] = {}


def built_assets(folder: Path = BUILD_DIR) -> Assets | None:
    """The bundles' build, or ``None`` when they have not been built (or only partly)."""
    manifest = folder / "manifest.json"
    try:
        st = manifest.stat()
    except OSError:
        return None
    key = (st.st_ino, st.st_mtime_ns)
    if key in _cache:
        return _cache[key]
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = doc.get("files") or []
    if not all((folder / name).is_file() for name in ("modeler.js", "modeler.css", *files)):
        return None
    assets = Assets(str(doc.get("build", "")), dict(doc.get("packages") or {}))
    _cache.clear()
    _cache[key] = assets
    return assets

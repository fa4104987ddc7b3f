"""Resource → lane maps in: ``resource,lane`` rows (CSV) or a ``{resource: lane}`` mapping (YAML).

Whatever is wrong with the file is reported at its line: YAML that does not parse, keys or
values that are lists or mappings (also through aliases), tags, control characters, CSV rows
with one column or a field over the CSV reader's limit.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from bpmtool.errors import EventLogError

__all__ = ["MAX_LANE_MAP_BYTES", "read_lane_pairs"]

#: lane maps larger than this are refused before parsing (100,000 resources take ~3 MB)
MAX_LANE_MAP_BYTES = 10 * 1024 * 1024
_PLAIN = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_lane_pairs(path: Path) -> list[tuple[int, str, str]]:
    """``(line, resource, lane)`` for every entry of the map at ``path``."""
    filename = str(path)
    try:
        if path.stat().st_size > MAX_LANE_MAP_BYTES:
            raise EventLogError.single(
                f"the lane map is larger than {MAX_LANE_MAP_BYTES // (1 << 20)} MB",
                file=filename,
                expected="one line per resource",
            )
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EventLogError.single(
            f"cannot read the lane map: {exc}", file=filename, expected="a UTF-8 text file"
        ) from None
    bad = _CONTROL.search(text)
    if bad:
        raise EventLogError.single(
            f"control character {bad.group()!r} in the lane map; it looks like binary data",
            file=filename,
            line=text.count("\n", 0, bad.start()) + 1,
            expected="a UTF-8 text file",
        )
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_pairs(text, filename)
    return _csv_pairs(text, filename)


def _yaml_pairs(text: str, filename: str) -> list[tuple[int, str, str]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise EventLogError.single(
            f"not valid YAML: {what}",
            file=filename,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            expected="a mapping of resource: lane",
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise EventLogError.single(
            f"not valid YAML: {exc}", file=filename, expected="a mapping of resource: lane"
        ) from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.tag != "tag:yaml.org,2002:map":
        raise EventLogError.single(
            "the lane map must be a mapping resource: lane",
            file=filename,
            line=root.start_mark.line + 1,
            expected="lines such as 'alice: sales'",
        )
    pairs = []
    for key, value in root.value:
        for node, role in ((key, "resource"), (value, "lane")):
            if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN:
                what = (
                    "a list or mapping"
                    if not isinstance(node, yaml.ScalarNode)
                    else f"tagged {node.tag.replace('tag:yaml.org,2002:', '!!')[:40]}"
                )
                raise EventLogError.single(
                    f"the {role} is {what}",
                    file=filename,
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                    expected=f"a {role} name as plain text",
                )
        pairs.append((key.start_mark.line + 1, str(key.value).strip(), str(value.value).strip()))
    return pairs


def _csv_pairs(text: str, filename: str) -> list[tuple[int, str, str]]:
    pairs = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            if not row or (
                line == 1 and [c.strip().lower() for c in row[:2]] == ["resource", "lane"]
            ):
                continue
            if len(row) < 2:
                raise EventLogError.single(
                    "expected two columns: resource,lane",
                    file=filename,
                    line=line,
                    expected="lines such as 'alice,sales'",
                )
            pairs.append((line, row[0].strip(), row[1].strip()))
    except csv.Error as exc:
        raise EventLogError.single(
            f"not a readable CSV line: {exc}",
            file=filename,
            line=max(reader.line_num, 1),
            expected=f"fields of at most {csv.field_size_limit():,} characters",
        ) from None
    return pairs

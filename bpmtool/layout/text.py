"""Text sizes without a font engine: width estimates for a sans-serif face, and word wrapping.

The estimates follow the advance widths of Helvetica/Arial (in ems) closely enough that a
wrapped label stays inside the box reserved for it in any common sans-serif font.
"""

from __future__ import annotations

import re

from bpmtool.layout.geometry import Box, Label

FONT_SIZE = 12.0
LINE_HEIGHT = 14.0

_NARROW = set("iljtfrI.,;:!'|()[] ")
_WIDE = set("mwMW@%")


def _em(ch: str) -> float:
    if ch in _NARROW:
        return 0.3
    if ch in _WIDE:
        return 0.86
    if ch.isupper():
        return 0.66
    return 0.56 if ch.isdigit() else 0.54


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in pixels at ``size``."""
    em = 0.0
    for ch in text:
        em += _em(ch)
    return em * size


def wrap(
    text: str,
    max_width: float,
    max_lines: int = 3,
    size: float = FONT_SIZE,
    first_width: float | None = None,
) -> list[str]:
    """Words of ``text`` in lines no wider than ``max_width`` (the first no wider than
    ``first_width`` when given); the last line kept ends in "…" when the text does not fit
    in ``max_lines``.  A word longer than a line is cut.

    Linear in the length of ``text``: a long word is cut in one pass, and wrapping stops
    once the lines that will be shown are known."""
    # a hyphen is a place to break too: "Sales-to-implementation" → "Sales-to-" "implementation"
    words = [w for part in text.split() for w in re.findall(r"[^-]+-+|[^-]+|-+", part)]
    glue = [False] + [a.endswith("-") for a in words[:-1]]
    if not words:
        return []
    lines: list[str] = []
    current = ""

    def limit() -> float:
        return first_width if first_width is not None and not lines else max_width

    for word, joined in zip(words, glue, strict=True):
        if len(lines) > max_lines:
            break  # what follows is cut off by the "…" anyway
        candidate = (current + word if joined else f"{current} {word}") if current else word
        if text_width(candidate, size) <= limit():
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while len(lines) <= max_lines and len(current) > 1:
            fits = _fitting(current, limit(), size)
            if fits == len(current):
                break
            cut = max(fits, 1)  # a character wider than the line still takes a line
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size) > max_width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _fitting(word: str, max_width: float, size: float) -> int:
    """How many leading characters of ``word`` fit in ``max_width``: widths only grow with
    the prefix, so one pass from the left finds it (in time of the part that fits)."""
    em = 0.0
    for count, ch in enumerate(word):
        em += _em(ch)
        if em * size > max_width:
            return count
    return len(word)


def block_size(lines: list[str] | tuple[str, ...], size: float = FONT_SIZE) -> tuple[float, float]:
    """Width and height of a block of lines."""
    if not lines:
        return 0.0, 0.0
    return (
        max(text_width(line, size) for line in lines),
        len(lines) * LINE_HEIGHT * size / FONT_SIZE,
    )


def data_caption(name: str, box: Box) -> Label:
    """Where a data object's (or store's) name is written: under its shape, centred, at
    11 px, wrapped to the shape's width plus 60 px (at least 90), three lines at most."""
    lines = tuple(wrap(name, max(box.width + 60, 90), 3, 11)) if name else ()
    w, h = block_size(lines, 11)
    return Label(lines, Box(box.cx - w / 2, box.bottom + 3, w, h), 11.0)

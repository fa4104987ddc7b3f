"""Inline-SVG charts of a journey analysis: the stage funnel and the behaviour × emotion grid.

Pure drawing from the data of :meth:`~bpmtool.mining.journey_result.JourneyResult.to_dict`
(and the per-case scores for the scatter): no JavaScript, no external files, the
same bytes for the same input, so a report or the web app can embed them as is.

>>> svg = funnel_svg({"cases": 10, "funnel": [
...     {"stage": "build", "name": "Build", "reached": 8, "conversion": 0.8}]})
>>> svg.startswith("<svg") and "Build" in svg and "80%" in svg
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpmtool.mining.journey_result import JourneyResult

__all__ = ["funnel_svg", "journey_charts", "quadrant_svg"]

_FONT = 'font-family="Helvetica, Arial, sans-serif"'
_BAR = "#3b6ea5"
_QUADRANT_COLOURS = {
    "champion": "#2e7d32",
    "loyal_unhappy": "#ef6c00",
    "happy_drifting": "#1565c0",
    "at_risk": "#c62828",
}
_SCALES = {"nps": (0.0, 10.0), "csat": (1.0, 5.0)}


def _num(value: float) -> str:
    """Coordinates with one decimal, so output is stable across platforms."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def funnel_svg(data: Mapping[str, Any], *, width: int = 640) -> str:
    """A horizontal funnel: all cases, then each stage with its count and conversion."""
    steps = [("All cases", int(data.get("cases", 0)), None)]
    steps += [
        (str(s["name"] or s["stage"]), int(s["reached"]), s.get("conversion"))
        for s in data.get("funnel", [])
    ]
    top = max((n for _, n, _ in steps), default=0) or 1
    label_w, bar_h, gap, pad = 150, 26, 10, 12
    height = pad * 2 + len(steps) * (bar_h + gap)
    bar_max = width - label_w - 120
    body = [f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    for i, (name, count, conversion) in enumerate(steps):
        y = pad + i * (bar_h + gap)
        w = bar_max * count / top
        x = label_w + (bar_max - w) / 2
        body.append(
            f'<text x="{label_w - 8}" y="{_num(y + bar_h * 0.68)}" text-anchor="end" '
            f'font-size="13" {_FONT}>{escape(name)}</text>'
        )
        body.append(
            f'<rect x="{_num(x)}" y="{y}" width="{_num(max(w, 1.0))}" height="{bar_h}" '
            f'rx="3" fill="{_BAR}" fill-opacity="{_num(1 - 0.12 * min(i, 5))}"/>'
        )
        note = f"{count}" + ("" if conversion is None else f" · {conversion:.0%}")
        body.append(
            f'<text x="{label_w + bar_max + 8}" y="{_num(y + bar_h * 0.68)}" '
            f'font-size="12" {_FONT}>{escape(note)}</text>'
        )
    return _svg(width, height, "Stage funnel", body)


def quadrant_svg(
    data: Mapping[str, Any],
    points: Iterable[tuple[float, float]],
    *,
    width: int = 520,
    height: int = 420,
) -> str:
    """The behaviour × emotion grid with each customer as a dot.

    ``data`` is the ``sentiment`` part of the journey JSON; ``points`` are
    (behaviour 0–100, emotion answer) pairs.  Customers with the same emotion
    answer and nearly the same behaviour (2-point bins) share one dot whose
    area grows with their number, so the drawing stays small for any log size.
    """
    low, high = _SCALES.get(str(data.get("scale") or "nps"), (0.0, 10.0))
    left, right, top, bottom = 56, 16, 28, 48
    pw, ph = width - left - right, height - top - bottom

    def px(b: float) -> float:
        return left + pw * min(max(b, 0.0), 100.0) / 100

    def py(e: float) -> float:
        return top + ph * (1 - (min(max(e, low), high) - low) / (high - low))

    split_x = px(float(data.get("behaviour_high_at") or 50))
    happy_at = data.get("happy_at")
    split_y = py(float(happy_at) if happy_at is not None else (low + high) / 2)
    names = {q["key"]: (q["name"], q["cases"]) for q in data.get("quadrants", [])}
    body = [f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    cells = {
        "champion": (split_x, top, left + pw, split_y),
        "loyal_unhappy": (split_x, split_y, left + pw, top + ph),
        "happy_drifting": (left, top, split_x, split_y),
        "at_risk": (left, split_y, split_x, top + ph),
    }
    for key, (x0, y0, x1, y1) in cells.items():
        body.append(
            f'<rect x="{_num(x0)}" y="{_num(y0)}" width="{_num(x1 - x0)}" '
            f'height="{_num(y1 - y0)}" fill="{_QUADRANT_COLOURS[key]}" '
            'fill-opacity="0.07"/>'
        )
        name, count = names.get(key, (key.replace("_", " "), 0))
        anchor_x = x1 - 6 if key in ("champion", "loyal_unhappy") else x0 + 6
        anchor = "end" if key in ("champion", "loyal_unhappy") else "start"
        text_y = y0 + 16 if key in ("champion", "happy_drifting") else y1 - 8
        body.append(
            f'<text x="{_num(anchor_x)}" y="{_num(text_y)}" text-anchor="{anchor}" '
            f'font-size="12" font-weight="bold" fill="{_QUADRANT_COLOURS[key]}" '
            f"{_FONT}>{escape(f'{name} ({count})')}</text>"
        )
    bins = Counter(
        (int(min(max(b, 0.0), 100.0) // 2), round(float(e), 1))
        for b, e in points
        if b == b and e == e
    )
    largest = max(bins.values(), default=1)
    for (b_bin, e), n in sorted(bins.items()):
        b = b_bin * 2 + 1
        key = _quadrant(b, e, float(data.get("behaviour_high_at") or 50), data.get("happy_at"))
        r = 2.5 + 6.5 * (n / largest) ** 0.5
        body.append(
            f'<circle cx="{_num(px(b))}" cy="{_num(py(e))}" r="{_num(r)}" '
            f'fill="{_QUADRANT_COLOURS[key]}" fill-opacity="0.55">'
            f"<title>{n} customer(s): behaviour {b_bin * 2}-{b_bin * 2 + 2}, "
            f"emotion {e:g}</title></circle>"
        )
    body.append(
        f'<line x1="{_num(split_x)}" y1="{top}" x2="{_num(split_x)}" y2="{top + ph}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    body.append(
        f'<line x1="{left}" y1="{_num(split_y)}" x2="{left + pw}" y2="{_num(split_y)}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    body.append(
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>'
    )
    body += _axes(left, top, pw, ph, low, high, str(data.get("scale") or "nps"))
    return _svg(width, height, "Behaviour and emotion", body)


def _quadrant(b: float, e: float, high_at: float, happy_at: object) -> str:
    happy = happy_at is not None and e >= float(happy_at)  # type: ignore[arg-type]
    if b >= high_at:
        return "champion" if happy else "loyal_unhappy"
    return "happy_drifting" if happy else "at_risk"


def _axes(left: int, top: int, pw: int, ph: int, low: float, high: float, scale: str) -> list[str]:
    out = []
    for tick in range(0, 101, 25):
        x = left + pw * tick / 100
        out.append(
            f'<text x="{_num(x)}" y="{top + ph + 16}" text-anchor="middle" '
            f'font-size="11" {_FONT}>{tick}</text>'
        )
    steps = int(high - low)
    for i in range(steps + 1):
        value = low + i
        y = top + ph * (1 - i / steps)
        out.append(
            f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end" font-size="11" '
            f"{_FONT}>{value:g}</text>"
        )
    out.append(
        f'<text x="{left + pw / 2:g}" y="{top + ph + 36}" text-anchor="middle" '
        f'font-size="12" {_FONT}>behaviour score (usage, activities, recency)</text>'
    )
    out.append(
        f'<text x="14" y="{top + ph / 2:g}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 14 {top + ph / 2:g})" {_FONT}>'
        f"{escape(scale.upper())}</text>"
    )
    return out


def journey_charts(result: JourneyResult) -> dict[str, str]:
    """Both charts of a journey result, by name (``funnel``, ``quadrants``)."""
    data = result.to_dict(limit=0)
    scores = result.cases[["behaviour", "emotion"]].dropna()
    points: Sequence[tuple[float, float]] = list(
        zip(scores["behaviour"].astype(float), scores["emotion"].astype(float), strict=True)
    )
    return {"funnel": funnel_svg(data), "quadrants": quadrant_svg(data["sentiment"], points)}

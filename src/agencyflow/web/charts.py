"""Charts drawn on the server as SVG geometry (no script, no inline style: CSP-safe).

:func:`target_bars` lays out one target's periods as horizontal bars (value, minimum mark,
stretch mark); :func:`timeline` lays out a cycle's steps on a month axis with today's line.
Templates turn the shapes into ``<rect>``/``<line>``/``<text>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

WIDTH = 640
LABEL = 110
ROW = 26


@dataclass(frozen=True)
class Bar:
    """One period of a target: bar width and the marks' x positions."""

    y: int
    label: str
    value: float
    width: float
    min_x: float
    stretch_x: float | None
    status: str


def target_bars(results: list[Any]) -> tuple[list[Bar], int, float]:
    """Bars of one target's period results; (bars, height, scale maximum)."""
    top = max([1.0, *(max(r.value, r.min, r.stretch or 0) for r in results)])
    span = WIDTH - LABEL - 40
    bars = [Bar(y=10 + i * ROW, label=r.period, value=r.value, width=span * r.value / top,
                min_x=LABEL + span * r.min / top,
                stretch_x=LABEL + span * r.stretch / top if r.stretch else None,
                status=r.status.value)
            for i, r in enumerate(results)]
    return bars, 20 + len(bars) * ROW, top


@dataclass(frozen=True)
class Span:
    """One step and period on the month axis."""

    y: int
    label: str
    x: float
    width: float
    due_x: float | None
    done: bool
    href: str
    title: str


def _x(day: date, start: date, end: date) -> float:
    span = WIDTH - LABEL - 10
    total = max((end - start).days, 1)
    return LABEL + span * min(max((day - start).days, 0), total) / total


def timeline(lines: list[Any], start: date, end: date, today: date, lang: str
             ) -> dict[str, Any]:
    """Spans per line, month ticks and today's x, for a cycle running ``start``..``end``."""
    spans = []
    for i, line in enumerate(lines):
        opened = line.opened_on or start
        due = line.last_due
        x0 = _x(opened, start, end)
        x1 = _x(due, start, end) if due else x0 + 4
        title = (line.title_en or line.title_vi) if lang == "en" else line.title_vi
        spans.append(Span(y=24 + i * 20, label=f"{line.step_id} {line.period}", x=x0,
                          width=max(x1 - x0, 3), due_x=x1 if due else None,
                          done=line.done == line.assignments,
                          href=f"/assignments/{line.first_id}", title=title))
    months = []
    day = date(start.year, start.month, 1)
    while day <= end:
        months.append({"x": _x(max(day, start), start, end), "label": f"{day.month:02d}"})
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    height = 34 + len(spans) * 20
    today_x = _x(today, start, end) if start <= today <= end else None
    return {"spans": spans, "months": months, "today_x": today_x, "height": height,
            "width": WIDTH, "label_w": LABEL}

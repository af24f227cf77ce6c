"""The report's chart: stacked bars of the four statuses per lead agency, and the targets
against their minimum. Drawn with matplotlib on the Agg backend (no display), as PNG bytes.

At national scale a plan has thousands of agencies: the bars show the :data:`MAX_BARS` agencies
with the most assignments and one bar for all the others.
"""

from __future__ import annotations

import io
from collections import Counter

from agencyflow.services.reports.data import ReportData
from agencyflow.services.reports.text import tr

#: Agencies drawn one bar each; the rest are summed into one bar.
MAX_BARS = 12
COLOURS = {"done_on_time": "#2e7d32", "done_late": "#f9a825", "within": "#1565c0",
           "overdue": "#c62828"}
LABELS = {"done_on_time": "Done on time", "done_late": "Done late", "within": "In progress",
          "overdue": "Overdue"}


def _bars(data: ReportData) -> tuple[list[str], dict[str, list[int]]]:
    rows = sorted(data.by_agency, key=lambda g: (-g.figures.total, g.code))
    shown, rest = rows[:MAX_BARS], rows[MAX_BARS:]
    names = [g.code for g in shown]
    shown_four = [g.figures.four() for g in shown]
    series = {k: [four[k] for four in shown_four] for k in COLOURS}
    if rest:
        names.append(tr(data.lang, "Other agencies"))
        totals = Counter[str]()
        for g in rest:
            totals.update(g.figures.four())
        for k in COLOURS:
            series[k].append(totals[k])
    return names, series


def png(data: ReportData, *, dpi: int = 110) -> bytes:
    """The chart as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    names, series = _bars(data)
    with_targets = bool(data.targets)
    fig = Figure(figsize=(9, 3.8 if not with_targets else 6.2), dpi=dpi)
    fig.set_layout_engine("constrained")
    axes = fig.subplots(2 if with_targets else 1, 1, squeeze=False)[:, 0]
    ax = axes[0]
    left = [0] * len(names)
    for key, colour in COLOURS.items():
        ax.barh(names, series[key], left=left, color=colour, label=tr(data.lang, LABELS[key]))
        left = [a + b for a, b in zip(left, series[key], strict=True)]
    ax.invert_yaxis()
    ax.set_title(tr(data.lang, "Status of the assignments by lead agency"), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.tick_params(labelsize=8)
    if with_targets:
        ax2 = axes[1]
        labels = [f"{t.target_id} ({t.period})" for t in data.targets]
        xs = range(len(labels))
        ax2.bar([x - 0.2 for x in xs], [t.value for t in data.targets], width=0.4,
                color="#1565c0", label=tr(data.lang, "Value"))
        ax2.bar([x + 0.2 for x in xs], [t.min for t in data.targets], width=0.4,
                color="#9e9e9e", label=tr(data.lang, "Minimum"))
        ax2.set_xticks(list(xs), labels, fontsize=8)
        ax2.set_xlim(-0.8, max(len(labels), 4) - 0.2)
        ax2.set_title(tr(data.lang, "Targets against their minimum"), fontsize=10)
        ax2.legend(fontsize=8)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()

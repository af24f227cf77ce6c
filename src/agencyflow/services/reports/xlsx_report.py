"""The report as an Excel workbook: the same figures as the Word report, every row in full.

Sheets: the summary (with the letterhead lines), per lead agency, per commune, the overdue
assignments, the extensions granted, the targets. Counts are numbers, dates real Excel dates.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from agencyflow.domain.status import BoardStatus as S
from agencyflow.services.reports.context import Letterhead
from agencyflow.services.reports.data import GroupRow, ReportData
from agencyflow.services.reports.text import tr
from agencyflow.services.reports.xlsx_util import colour, finish, header, put

#: The summary lines: (label, key); ``total`` rows are the figures' attributes or statuses.
SUMMARY = (("Total assignments", "total"), ("Completed", "done"), ("on time", S.DONE_ON_TIME),
           ("late", S.DONE_LATE), ("Not completed", "not_done"),
           ("within the deadline", "within"), ("overdue", S.OVERDUE),
           ("not yet open", S.WAITING), ("Cancelled", S.CANCELLED))


def _value(data: ReportData, key: object) -> int:
    f = data.figures
    if isinstance(key, S):
        return f.n(key)
    return int(getattr(f, str(key)))


def write(data: ReportData, head: Letterhead) -> bytes:
    """The .xlsx bytes of the report."""
    lang = data.lang
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = tr(lang, "Summary")
    put(ws, 1, 1, head.issuer.upper()).font = Font(bold=True)
    put(ws, 2, 1, f"{tr(lang, 'REPORT')}: {tr(lang, 'Results of implementing the assigned tasks')}"
        f" {data.period.label(lang)}").font = Font(bold=True)
    put(ws, 3, 1, f"{tr(lang, 'Plan')}: {data.plan_title}")
    put(ws, 4, 1, tr(lang, "Figures as of {date}.", date=data.today.strftime("%d/%m/%Y")))
    header(ws, [tr(lang, "Figure"), tr(lang, "Count"), tr(lang, "%")], [48, 12, 12], row=6)
    for i, (label, key) in enumerate(SUMMARY, start=7):
        n = _value(data, key)
        put(ws, i, 1, tr(lang, label) if label[0].isupper() else f"  — {tr(lang, label)}")
        put(ws, i, 2, n)
        if key not in ("total", S.CANCELLED):
            put(ws, i, 3, data.figures.rate(n))
    finish(ws, 3, 6 + len(SUMMARY), header_row=6)
    _groups(wb.create_sheet(tr(lang, "By agency")), data.by_agency, tr(lang, "Agency"), lang)
    _groups(wb.create_sheet(tr(lang, "By commune")), data.by_commune, tr(lang, "Commune"), lang)
    _overdue(wb.create_sheet(tr(lang, "Overdue assignments")), data)
    _extensions(wb.create_sheet(tr(lang, "Extensions")), data)
    _targets(wb.create_sheet(tr(lang, "Targets")), data)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GROUP_STATUSES = (S.DONE_ON_TIME, S.DONE_LATE, S.IN_PROGRESS, S.DUE_SOON, S.OVERDUE, S.WAITING,
                  S.CANCELLED)


def _groups(ws, rows: list[GroupRow], first: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    from agencyflow.domain.status import LABELS

    titles = ["Code", first, tr(lang, "Total"),
              *(LABELS[s][lang if lang == "en" else "vi"] for s in GROUP_STATUSES)]
    header(ws, titles, [14, 44, 10, *([14] * len(GROUP_STATUSES))])
    for i, g in enumerate(rows, start=2):
        put(ws, i, 1, g.code)
        put(ws, i, 2, g.name)
        put(ws, i, 3, g.figures.total)
        for j, s in enumerate(GROUP_STATUSES, start=4):
            put(ws, i, j, g.figures.n(s))
    finish(ws, len(titles), len(rows) + 1)


def _overdue(ws, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    lang = data.lang
    titles = ["#", tr(lang, "Assignment"), tr(lang, "Lead"), tr(lang, "Commune"), tr(lang, "Due"),
              tr(lang, "Working days late")]
    header(ws, titles, [8, 60, 40, 30, 12, 14])
    for i, o in enumerate(data.overdue, start=2):
        for j, v in enumerate((o.id, o.title, o.lead_name,
                               data.name(o.commune) if o.commune else "", o.due, o.days_late),
                              start=1):
            put(ws, i, j, v)
        colour(ws.cell(row=i, column=6), S.OVERDUE.value)
    finish(ws, len(titles), len(data.overdue) + 1)


def _extensions(ws, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    lang = data.lang
    titles = ["#", tr(lang, "Assignment"), tr(lang, "Lead"), tr(lang, "Original due"),
              tr(lang, "New due"), tr(lang, "Reason")]
    header(ws, titles, [8, 60, 40, 12, 12, 50])
    for i, e in enumerate(data.extensions, start=2):
        for j, v in enumerate((e.assignment_id, e.title, e.lead_name, e.old_due, e.new_due,
                               e.reason), start=1):
            put(ws, i, j, v)
    finish(ws, len(titles), len(data.extensions) + 1)


def _targets(ws, data: ReportData) -> None:  # type: ignore[no-untyped-def]
    lang = data.lang
    titles = [tr(lang, "Target"), tr(lang, "Assignment"), tr(lang, "Period"), tr(lang, "Value"),
              tr(lang, "Minimum"), tr(lang, "Status")]
    header(ws, titles, [10, 60, 12, 10, 10, 16])
    for i, t in enumerate(data.targets, start=2):
        for j, v in enumerate((t.target_id, t.title.get(lang), t.period, t.value, t.min,
                               tr(lang, t.status.value)), start=1):
            put(ws, i, j, v)
    finish(ws, len(titles), len(data.targets) + 1)

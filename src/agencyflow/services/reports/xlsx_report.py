"""The report as an Excel workbook: the same figures as the Word report, every row in full.

Sheets: the summary (with the letterhead lines), per lead agency, per commune, the overdue
assignments, the extensions granted, the targets. Counts are numbers, dates real Excel dates.
"""

from __future__ import annotations

from agencyflow.domain.status import BoardStatus as S
from agencyflow.services.reports.context import Letterhead
from agencyflow.services.reports.data import GroupRow, ReportData
from agencyflow.services.reports.text import tr
from agencyflow.services.reports.xlsx_util import Book

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
    """The .xlsx bytes of the report (streamed sheets: every row, little memory)."""
    with Book() as wb:
        _sheets(wb, data, head)
        return wb.bytes()


def _sheets(wb: Book, data: ReportData, head: Letterhead) -> None:
    lang = data.lang
    summary = wb.sheet(tr(lang, "Summary"), [tr(lang, "Figure"), tr(lang, "Count"),
                                             tr(lang, "%")], [48, 12, 12], header_row=6)
    summary.preamble([
        [summary.cell(head.issuer.upper(), bold=True)],
        [summary.cell(f"{tr(lang, 'REPORT')}: "
                      f"{tr(lang, 'Results of implementing the assigned tasks')} "
                      f"{data.period.label(lang)}", bold=True)],
        [f"{tr(lang, 'Plan')}: {data.plan_title}"],
        [tr(lang, "Figures as of {date}.", date=data.today.strftime("%d/%m/%Y"))], []])
    for label, key in SUMMARY:
        n = _value(data, key)
        text = tr(lang, label) if label[0].isupper() else f"  — {tr(lang, label)}"
        rate = None if key in ("total", S.CANCELLED) else data.figures.rate(n)
        summary.append([text, n, rate])
    _groups(wb, tr(lang, "By agency"), data.by_agency, tr(lang, "Agency"), lang)
    _groups(wb, tr(lang, "By commune"), data.by_commune, tr(lang, "Commune"), lang)
    late = wb.sheet(tr(lang, "Overdue assignments"),
                    ["#", tr(lang, "Assignment"), tr(lang, "Lead"), tr(lang, "Commune"),
                     tr(lang, "Due"), tr(lang, "Working days late")], [8, 60, 40, 30, 12, 14])
    for o in data.overdue:
        late.append([o.id, o.title, o.lead_name, data.name(o.commune) if o.commune else "",
                     o.due, late.cell(o.days_late, S.OVERDUE.value)])
    ext = wb.sheet(tr(lang, "Extensions"),
                   ["#", tr(lang, "Assignment"), tr(lang, "Lead"), tr(lang, "Original due"),
                    tr(lang, "New due"), tr(lang, "Reason")], [8, 60, 40, 12, 12, 50])
    for e in data.extensions:
        ext.append([e.assignment_id, e.title, e.lead_name, e.old_due, e.new_due, e.reason])
    goals = wb.sheet(tr(lang, "Targets"),
                     [tr(lang, "Target"), tr(lang, "Assignment"), tr(lang, "Period"),
                      tr(lang, "Value"), tr(lang, "Minimum"), tr(lang, "Status")],
                     [10, 60, 12, 10, 10, 16])
    for t in data.targets:
        goals.append([t.target_id, t.title.get(lang), t.period, t.value, t.min,
                      tr(lang, t.status.value)])


GROUP_STATUSES = (S.DONE_ON_TIME, S.DONE_LATE, S.IN_PROGRESS, S.DUE_SOON, S.OVERDUE, S.WAITING,
                  S.CANCELLED)


def _groups(wb: Book, title: str, rows: list[GroupRow], first: str, lang: str) -> None:
    from agencyflow.domain.status import LABELS

    titles = ["Code", first, tr(lang, "Total"),
              *(LABELS[s][lang if lang == "en" else "vi"] for s in GROUP_STATUSES)]
    sheet = wb.sheet(title, titles, [14, 44, 10, *([14] * len(GROUP_STATUSES))])
    for g in rows:
        sheet.append([g.code, g.name, g.figures.total, *(g.figures.n(s) for s in GROUP_STATUSES)])

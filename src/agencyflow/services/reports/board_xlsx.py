"""``agencyflow export board --format xlsx``: the board as an Excel workbook.

The rows and counts are the board service's (:mod:`agencyflow.services.board.listing`), as of the
day
asked. Sheet one has every assignment (Vietnamese headers, frozen header row, autofilter, real
dates shown dd/mm/yyyy, the status cell coloured); sheet two the counts per lead agency × status.
Text is stored as text, so a title starting with ``=`` is never a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from agencyflow.domain.status import LABELS, BoardStatus
from agencyflow.services.reports.text import tr
from agencyflow.services.reports.xlsx_util import Book

COLUMNS = (("ID", 8), ("Step", 10), ("Period", 9), ("Lead", 14), ("Lead agency", 36),
           ("Commune", 14), ("Cooperating", 24), ("Assignment", 60), ("Due", 12),
           ("Original due", 12), ("Completed on", 13), ("Status", 26))


def write(rows: Sequence[Mapping[str, Any]], counts: Mapping[str, Mapping[str, int]],
          names: Mapping[str, str], *, today: date, lang: str = "vi") -> bytes:
    """The workbook's bytes: board rows (``services.board.rows``) and their counts."""
    with Book() as wb:
        _sheets(wb, rows, counts, names, today, lang)
        return wb.bytes()


def _sheets(wb: Book, rows: Sequence[Mapping[str, Any]], counts: Mapping[str, Mapping[str, int]],
            names: Mapping[str, str], today: date, lang: str) -> None:
    sheet = wb.sheet(tr(lang, "Board"), [tr(lang, c) for c, _ in COLUMNS],
                     [w for _, w in COLUMNS])
    label = {s.value: LABELS[s]["en" if lang == "en" else "vi"] for s in BoardStatus}
    for r in rows:
        status = r["board_status"]
        title = (r["title_en"] or r["title_vi"]) if lang == "en" else r["title_vi"]
        original = r["due_original"] if r["due_original"] != r["due_current"] else None
        sheet.append([r["id"], r["step_id"], r["period"], r["lead_code"],
                      names.get(r["lead_code"], r["lead_code"]), r["member"] or None,
                      r["cooperating"] or None, title, r["due_current"], original,
                      r["completed_on"], sheet.cell(label[status], status)])
    order = [s.value for s in BoardStatus]
    summary = wb.sheet(tr(lang, "Summary"),
                       [tr(lang, "Lead"), tr(lang, "Lead agency"), *(label[s] for s in order),
                        tr(lang, "Total")], [14, 40, *([14] * len(order)), 10])
    for code in sorted(counts):
        c = counts[code]
        summary.append([code, names.get(code, code), *(c.get(s, 0) for s in order),
                        sum(c.values())])
    summary.append([tr(lang, "Total"), tr(lang, "Figures as of {date}.",
                                            date=today.strftime("%d/%m/%Y")),
                    *(sum(c.get(s, 0) for c in counts.values()) for s in order),
                    sum(sum(c.values()) for c in counts.values())])

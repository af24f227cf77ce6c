"""A report's data as the plain values its templates show (dates dd/mm/yyyy, numbers written the
Vietnamese way: ``1.234`` and ``85,3%``). The Word, HTML and Markdown writers all render this one
context, so they say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agencyflow.domain.status import BoardStatus as S
from agencyflow.services.reports.data import Figures, GroupRow, ReportData
from agencyflow.services.reports.text import tr

#: Rows the documents list in full; the Excel report always has every row.
MAX_DOC_ROWS = 300


@dataclass(frozen=True)
class Letterhead:
    """What Decree 30/2020 puts around the body: issuing body, place, number symbol, signer."""

    superior: str | None
    issuer: str
    place: str
    symbol: str
    signer_title: str
    signer: str
    recipients: list[str]


def vndate(d: date | None) -> str:
    """``15/03/2027``; None → empty."""
    return "" if d is None else d.strftime("%d/%m/%Y")


def number(n: float, lang: str = "vi") -> str:
    """``1.234`` / ``1,234`` (one decimal kept when there is one: ``1.234,5``)."""
    text = f"{n:,.1f}" if not float(n).is_integer() else f"{int(n):,}"
    if lang == "en":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float, lang: str = "vi") -> str:
    """``85,3%``."""
    text = f"{value:.1f}%"
    return text if lang == "en" else text.replace(".", ",")


_BODY = ("ỦY BAN NHÂN DÂN ", "UBND ", "DISTRICT PEOPLE'S COMMITTEE ")


def _lines(name: str) -> list[str]:
    """An issuing body on two lines the way letterheads write it: ``ỦY BAN NHÂN DÂN`` /
    ``HUYỆN KIM THÀNH``."""
    for body in _BODY:
        if name.startswith(body) and len(name) > len(body):
            return [body.strip(), name[len(body):].strip()]
    return [name]


def _group(g: GroupRow, lang: str) -> dict[str, Any]:
    f = g.figures
    return {"code": g.code, "name": g.name, **_counts(f, lang)}


def _counts(f: Figures, lang: str) -> dict[str, Any]:
    four = f.four()
    return {"total": number(f.total, lang), "done_on_time": number(four["done_on_time"], lang),
            "done_late": number(four["done_late"], lang), "within": number(four["within"], lang),
            "overdue": number(four["overdue"], lang),
            "waiting": number(f.n(S.WAITING), lang),
            "done_rate": percent(f.rate(f.done), lang)}


def build(data: ReportData, head: Letterhead) -> dict[str, Any]:
    """The template context of ``data`` under ``head``."""
    lang = data.lang
    f = data.figures

    def cut(items: list[Any]) -> tuple[list[Any], str | None]:
        more = len(items) - MAX_DOC_ROWS
        note = tr(lang, "and {n} more (see the Excel report)", n=number(more, lang))
        return items[:MAX_DOC_ROWS], (note if more > 0 else None)

    agencies, agencies_more = cut(data.by_agency)
    overdue, overdue_more = cut(data.overdue)
    communes, communes_more = cut(data.by_commune)
    extensions, extensions_more = cut(data.extensions)
    scope = (tr(lang, "all the assignments of the cycle") if data.period.whole_cycle() else
             f"{tr(lang, 'the assignments due in')} {data.period.label(lang)}")
    return {
        "t": lambda msgid, **kw: tr(lang, msgid, **kw),
        "lang": lang,
        "head": head,
        "superior": [head.superior.upper()] if head.superior else [],
        "issuer": _lines(head.issuer.upper()),
        "place": head.place,
        "today": data.today,
        "day": f"{data.today.day:02d}", "month": f"{data.today.month:02d}",
        "year": data.today.year,
        "date_line": (f"{head.place}, ngày {data.today.day:02d} tháng {data.today.month:02d} "
                      f"năm {data.today.year}" if lang != "en" else
                      f"{head.place}, {data.today:%d %B %Y}"),
        "number_line": f"{tr(lang, 'No.')}:        /{head.symbol}",
        "title": tr(lang, "REPORT"),
        "subtitle": (f"{tr(lang, 'Results of implementing the assigned tasks')} "
                     f"{data.period.label(lang)}"),
        "plan_title": data.plan_title,
        "document": data.spec.document.number or "",
        "period": data.period.label(lang),
        "scope": scope,
        "agency": (f"{data.agency} — {data.name(data.agency)}" if data.agency else None),
        "as_of": tr(lang, "Figures as of {date}.", date=vndate(data.today)),
        "f": {
            "total": number(f.total, lang), "done": number(f.done, lang),
            "done_on_time": number(f.n(S.DONE_ON_TIME), lang),
            "done_late": number(f.n(S.DONE_LATE), lang),
            "not_done": number(f.not_done, lang), "within": number(f.within, lang),
            "due_soon": number(f.n(S.DUE_SOON), lang), "overdue": number(f.n(S.OVERDUE), lang),
            "waiting": number(f.n(S.WAITING), lang), "cancelled": number(f.n(S.CANCELLED), lang),
            "done_rate": percent(f.rate(f.done), lang),
            "done_on_time_rate": percent(f.rate(f.n(S.DONE_ON_TIME)), lang),
            "done_late_rate": percent(f.rate(f.n(S.DONE_LATE)), lang),
            "not_done_rate": percent(f.rate(f.not_done), lang),
            "within_rate": percent(f.rate(f.within), lang),
            "overdue_rate": percent(f.rate(f.n(S.OVERDUE)), lang),
            "waiting_rate": percent(f.rate(f.n(S.WAITING)), lang),
        },
        "agencies": [_group(g, lang) for g in agencies],
        "agencies_more": agencies_more,
        "agency_total": _counts(f, lang),
        "communes": [_group(g, lang) for g in communes],
        "communes_more": communes_more,
        "overdue": [{"id": o.id, "title": o.title, "lead": o.lead_name,
                     "commune": data.name(o.commune) if o.commune else "",
                     "due": vndate(o.due), "days_late": number(o.days_late, lang)}
                    for o in overdue],
        "overdue_more": overdue_more,
        "extensions": [{"id": e.assignment_id, "title": e.title, "lead": e.lead_name,
                        "old_due": vndate(e.old_due), "new_due": vndate(e.new_due),
                        "reason": e.reason} for e in extensions],
        "extensions_more": extensions_more,
        "targets": [{"id": t.target_id, "title": t.title.get(lang), "period": t.period,
                     "value": number(t.value, lang), "min": number(t.min, lang),
                     "status": tr(lang, t.status.value)} for t in data.targets],
        "recipients": head.recipients,
        "signer_title": head.signer_title.split("\n"),
        "signer": head.signer,
    }

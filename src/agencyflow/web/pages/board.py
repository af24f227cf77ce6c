"""The board: filters (plan, cycle, agency, commune, status, "as of" day), the counts per agency
× official status (a page of agencies and the totals), and the assignments one keyset page at a
time. The "as of" day shows what was known then (the CLI's rule, services.board.page.known_at).

What the page reads besides its rows — the cycles menu, the cycle shown, the agency and member
menus, the counts table (rendered) — changes only with an audit event, so it comes from the
app's :class:`~agencyflow.services.board.BoardCache` at the audit head read once per request:
a page view costs that probe, the "as known at" probe and the rows' index seeks."""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.domain.calendar import local_date
from agencyflow.domain.status import BoardStatus
from agencyflow.i18n import current_language
from agencyflow.services import board, plans
from agencyflow.services.board import group_members as members
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, ctx, lang, user
from agencyflow.web.pages.common import cursor_of, day_of, newest_cycle
from agencyflow.web.render import fragment, page

router = APIRouter()

#: The official order of the statuses (the counts table's columns).
ORDER = [s.value for s in BoardStatus]


class CycleChoice(NamedTuple):
    """One entry of the cycle menu."""

    id: int
    plan_key: str
    year: int


@router.get("/board")
def board_page_view(request: Request, plan: str | None = None, year: int | None = None,
                    agency: str | None = None, commune: str | None = None,
                    status: str | None = None, asof: str | None = None,
                    after: str | None = None, cycle: str | None = None,
                    agencies_after: str | None = None, session: Session = DB_SESSION,
                    current: Current = Depends(user)) -> Response:
    """The board of one cycle (default: the newest) as it stood on ``asof`` (default: today)."""
    web = ctx(request)
    now = web.now()
    today = day_of(asof, local_date(now))
    if cycle and "|" in cycle:  # the cycle menu: "plan|year"
        plan, _, chosen = cycle.partition("|")
        year = int(chosen) if chosen.isdigit() else None
    head = web.cache.head(session)

    def memo(key: tuple[Any, ...], compute: Any) -> Any:
        return web.cache.memo(session, key, compute, head=head)

    shown = memo(("cycle", plan or None, year), lambda: newest_cycle(session, plan or None, year))
    values = {"plan": plan or "", "year": str(year or ""), "agency": agency or "",
              "commune": commune or "", "status": status or "", "asof": asof or ""}
    cycles = memo(("cycles",), lambda: [CycleChoice(c.id or 0, c.plan_key, c.year)
                                        for c in plans.list_cycles(session)])
    if shown is None:
        return page(request, "board.html", current, cycle=None, cycles=cycles, values=values,
                    today=today, rows=[], counts_table="", agencies=[], communes=[],
                    member_label=None, next_cursor=None)
    flt = board.resolve_filter(session, shown, agency=agency or None,
                               commune=commune or None, status=status or None)
    known = board.known_at(today, now)
    found = board.rows_page(session, flt, today=today, calendar=web.calendar,
                            after=cursor_of(after), known_at=known)
    key = shown.plan_key
    filter_query = urlencode({k: v for k, v in values.items() if v})

    def counts_table() -> Any:
        tally = web.cache.tally(session, flt, today=today, calendar=web.calendar,
                                known_at=known, after_agency=agencies_after or None)
        names = memo(("names", key), lambda: board.agency_names(session, key))
        return fragment(request, "_counts.html", tally=tally, names=names, today=today,
                        order=ORDER, filter_query=filter_query)

    moment = web.cache.moment(session, known)
    counts = memo(("counts-table", lang(request), flt, today, moment, agencies_after or None,
                   filter_query), counts_table)
    group, communes = memo(("members", shown.id), lambda: _members(session, shown.id or 0))
    return page(request, "board.html", current, cycle=shown, cycles=cycles, values=values,
                today=today, rows=found.rows, counts_table=counts,
                agencies=memo(("agencies", key), lambda: board.agencies(session, key)),
                communes=communes, member_label=group.label(current_language()),
                filter_query=filter_query,
                next_cursor=found.next.encode() if found.next else None)


def _members(session: Session, cycle_id: int) -> tuple[Any, list[tuple[str, str]] | None]:
    """The plan's own name for its fan-out members, and their menu (None: a text field)."""
    group = members(session, cycle_id)
    return group, board.menu(group.options)

"""The board: filters (plan, cycle, agency, commune, status, "as of" day), the counts per agency
× official status (a page of agencies and the totals), and the assignments one keyset page at a
time. The "as of" day shows what was known then (the CLI's rule, services.board.page.known_at)."""

from __future__ import annotations

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
from agencyflow.web.context import DB_SESSION, ctx, user
from agencyflow.web.pages.common import cursor_of, day_of, newest_cycle
from agencyflow.web.render import page

router = APIRouter()


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
    shown = newest_cycle(session, plan or None, year)
    values = {"plan": plan or "", "year": str(year or ""), "agency": agency or "",
              "commune": commune or "", "status": status or "", "asof": asof or ""}
    cycles = plans.list_cycles(session)
    if shown is None:
        return page(request, "board.html", current, cycle=None, cycles=cycles, values=values,
                    today=today, rows=[], tally=None, names={}, agencies=[], communes=[],
                    member_label=None, next_cursor=None)
    flt = board.resolve_filter(session, shown, agency=agency or None,
                               commune=commune or None, status=status or None)
    known = board.known_at(today, now)
    found = board.rows_page(session, flt, today=today, calendar=web.calendar,
                            after=cursor_of(after), known_at=known)
    tally = web.cache.tally(session, flt, today=today, calendar=web.calendar, known_at=known,
                            after_agency=agencies_after or None)
    key = shown.plan_key
    names = web.cache.memo(session, ("names", key), lambda: board.agency_names(session, key))
    group = members(session, shown.id or 0)  # the plan's own name for its fan-out members
    filter_query = urlencode({k: v for k, v in values.items() if v})
    return page(request, "board.html", current, cycle=shown, cycles=cycles, values=values,
                today=today, rows=found.rows, tally=tally, names=names,
                agencies=web.cache.memo(session, ("agencies", key),
                                        lambda: board.agencies(session, key)),
                communes=board.menu(group.options),
                member_label=group.label(current_language()),
                order=[s.value for s in BoardStatus], filter_query=filter_query,
                next_cursor=found.next.encode() if found.next else None)

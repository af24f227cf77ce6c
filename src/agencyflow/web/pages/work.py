"""An officer's work: what their agency leads or cooperates on and has not finished, overdue and
due soon first (the board's rule, :func:`agencyflow.services.board.page.my_work`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.domain.calendar import local_date
from agencyflow.services import board
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, ctx, user
from agencyflow.web.pages.common import cursor_of, newest_cycle
from agencyflow.web.render import page

router = APIRouter()


@router.get("/work")
def my_work(request: Request, after: str | None = None, session: Session = DB_SESSION,
            current: Current = Depends(user)) -> Response:
    """The viewer's agency's unfinished assignments in the newest cycle."""
    web = ctx(request)
    today = local_date(web.now())
    agency = current.actor.agency_code
    cycle = newest_cycle(session)
    rows: list[dict[str, object]] = []
    next_cursor = None
    if agency and cycle is not None:
        found = board.my_work(session, agency, today=today, calendar=web.calendar,
                              cycle_id=cycle.id, after=cursor_of(after),
                              late_against=cycle.late_against)
        rows, next_cursor = found.rows, found.next
    names = board.agency_names(session, cycle.plan_key) if cycle else {}
    return page(request, "work.html", current, rows=rows, cycle=cycle, today=today,
                agency=agency, names=names,
                next_cursor=next_cursor.encode() if next_cursor else None)

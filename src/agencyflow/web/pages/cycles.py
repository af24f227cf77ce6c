"""Cycles: the list, and starting the cycle of a year (coordinator)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.domain.calendar import parse_date
from agencyflow.domain.permissions import Action, require
from agencyflow.errors import CalendarError, CycleExists, ValidationError
from agencyflow.i18n import _
from agencyflow.services import cycles, plans
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, csrf, ctx, user
from agencyflow.web.render import page

router = APIRouter()


def _page(request: Request, session: Session, current: Current, *, status: int = 200,
          error: str = "", values: dict[str, str] | None = None, done: str = "") -> Response:
    return page(request, "cycles.html", current, status=status,
                cycles=plans.list_cycles(session), plans=plans.list_versions(session),
                error=error, values=values or {}, done=done)


@router.get("/cycles")
def list_cycles(request: Request, done: str = "", session: Session = DB_SESSION,
                current: Current = Depends(user)) -> Response:
    """Every cycle, and (for a coordinator) the form that starts one."""
    require(current.actor, Action.CYCLE_START, target="cycles")
    return _page(request, session, current, done=done)


@router.post("/cycles")
def start_cycle(request: Request, session: Session = DB_SESSION,
                current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """Start the cycle of a year from the plan's newest version."""
    require(current.actor, Action.CYCLE_START, target="cycles")
    web = ctx(request)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    try:
        year_text = values.get("year", "").strip()
        if not year_text.isdigit():
            raise ValidationError(_("give the year of the cycle, e.g. 2027"))
        first = values.get("start", "").strip()
        version = plans.latest(session, values.get("plan", ""))
        result = cycles.start(session, version=version, year=int(year_text), now=web.now(),
                             actor=current.actor, calendar=web.calendar,
                             start_date=parse_date(first) if first else None)
    except (ValidationError, CalendarError, CycleExists) as exc:
        session.rollback()
        return _page(request, session, current, status=422, error=str(exc), values=values)
    return RedirectResponse(f"/cycles?done={result.cycle.id}", status_code=303)

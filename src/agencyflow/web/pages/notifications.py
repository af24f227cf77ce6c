"""The outbox (coordinator): failed and dead notifications with their last error, and retry."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.services import people
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, csrf, ctx, user
from agencyflow.web.render import page

router = APIRouter()


@router.get("/notifications")
def outbox_page(request: Request, status: str = "dead", done: str = "",
                session: Session = DB_SESSION, current: Current = Depends(user)) -> Response:
    """Notifications of one status (default: dead), newest first, with the counts."""
    rows, counts = people.notifications(session, current.actor, status or None)
    return page(request, "notifications.html", current, rows=rows, counts=counts,
                shown=status, done=done)


@router.post("/notifications/retry")
def retry(request: Request, session: Session = DB_SESSION, current: Current = Depends(user),
          form: FormData = Depends(csrf)) -> Response:
    """Queue the chosen (or every dead) notification again."""
    ids = [int(v) for v in form.getlist("id") if isinstance(v, str) and v.isdigit()]
    all_dead = form.get("all_dead") == "1"
    queued = people.retry_notifications(session, current.actor, now=ctx(request).now(),
                                        ids=ids or None, all_dead=all_dead)
    return RedirectResponse(f"/notifications?done={len(queued)}", status_code=303)

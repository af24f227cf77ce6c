"""Extension requests waiting for a decision: all of them for those who decide (coordinator,
leader), the requests of their own agency for an officer."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.domain.permissions import Action, Role, allowed
from agencyflow.services import assignments
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, user
from agencyflow.web.render import page

router = APIRouter()


@router.get("/extensions")
def pending(request: Request, session: Session = DB_SESSION,
            current: Current = Depends(user)) -> Response:
    """The pending requests, oldest first; each links to its assignment's decision form."""
    own = current.actor.agency_code if current.actor.role is Role.OFFICER else None
    rows = assignments.pending_extensions(session, current.actor, agency=own)
    return page(request, "extensions.html", current, rows=rows,
                decides=allowed(current.actor, Action.DECIDE))

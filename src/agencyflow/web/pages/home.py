"""The start page (each role's first page) and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from agencyflow.domain.permissions import Role
from agencyflow.services import database
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, user

router = APIRouter()


@router.get("/")
def home(current: Current = Depends(user)) -> Response:
    """An officer starts with their work; everyone else with the board."""
    where = "/work" if current.actor.role is Role.OFFICER else "/board"
    return RedirectResponse(where, status_code=303)


@router.get("/healthz")
def health(request: Request, session: Session = DB_SESSION) -> Response:
    """200 when the app can read its database (for load balancers and monitors)."""
    database.ping(session)
    return JSONResponse({"status": "ok"})

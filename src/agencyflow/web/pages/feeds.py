"""Calendar feeds (coordinator: every agency; officer: its own): the list, creating a feed (its
address shown once, on the answer page only) and revoking one — and the feed itself,
``/feeds/<token>.ics``, which a calendar application fetches without logging in (the token is
good for that feed only). The rules are :mod:`agencyflow.services.reports.feeds`'."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.errors import NotFound, TransitionError, ValidationError
from agencyflow.services import reports
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, csrf, ctx, lang, user
from agencyflow.web.render import page

router = APIRouter()


@router.get("/feeds")
def listing(request: Request, done: str = "", session: Session = DB_SESSION,
            current: Current = Depends(user)) -> Response:
    """The feeds the viewer manages, and the form to create one."""
    return _page(request, session, current, done=done)


@router.post("/feeds")
def create(request: Request, session: Session = DB_SESSION, current: Current = Depends(user),
           form: FormData = Depends(csrf)) -> Response:
    """Create a feed; the answer page shows its address, once."""
    agency = str(form.get("agency") or "").strip()
    try:
        new = reports.create(session, agency=agency, actor=current.actor, now=ctx(request).now())
    except (NotFound, ValidationError) as exc:
        session.rollback()
        return _page(request, session, current, status=422, error=str(exc))
    session.commit()
    address = reports.url_of(new.secret, ctx(request).settings.base_url or str(request.base_url))
    return _page(request, session, current, address=address, created=new.feed.agency_code)


@router.post("/feeds/{feed_id}/revoke")
def revoke(request: Request, feed_id: int, session: Session = DB_SESSION,
           current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """Revoke a feed: its address stops working."""
    try:
        reports.revoke(session, feed_id, actor=current.actor, now=ctx(request).now(),
                       reason=str(form.get("reason") or "") or None)
    except TransitionError as exc:
        session.rollback()
        return _page(request, session, current, status=409, error=str(exc))
    return RedirectResponse(f"/feeds?done=revoked:{feed_id}", status_code=303)


@router.get("/feeds/{token}.ics")
def feed(request: Request, token: str, session: Session = DB_SESSION) -> Response:
    """The agency's calendar (401 for an unknown or revoked token)."""
    web = ctx(request)
    content = reports.calendar_of(session, token, now=web.now(), calendar=web.calendar,
                                  base_url=web.settings.base_url, lang=lang(request))
    return Response(content, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})


def _page(request: Request, session: Session, current: Current, *, status: int = 200,
          error: str = "", done: str = "", address: str = "", created: str = "") -> Response:
    rows = reports.listing(session, actor=current.actor)
    return page(request, "feeds.html", current, status=status, feeds=rows, error=error,
                done=done, address=address, created=created,
                agencies=reports.agencies_for(session, current.actor, lang(request)))

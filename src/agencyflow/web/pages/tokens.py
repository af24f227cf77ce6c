"""My API tokens (anyone logged in): the viewer's own tokens, create one (its secret shown once,
on the answer page only) and revoke one. The coordinator still manages everyone's on the users
page; the rule (owner or user manager) is the services' (users.create_token, revoke_token)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.errors import ValidationError
from agencyflow.services import people
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, csrf, ctx, user
from agencyflow.web.render import page

router = APIRouter()


def _page(request: Request, session: Session, current: Current, *, status: int = 200,
          error: str = "", secret: str = "", done: str = "") -> Response:
    mine = people.list_tokens(session, current.actor.username)
    return page(request, "tokens.html", current, status=status, tokens=mine, error=error,
                secret=secret, done=done)


@router.get("/tokens")
def my_tokens(request: Request, done: str = "", session: Session = DB_SESSION,
              current: Current = Depends(user)) -> Response:
    """The viewer's API tokens (never their secrets)."""
    return _page(request, session, current, done=done)


@router.post("/tokens")
def create(request: Request, session: Session = DB_SESSION, current: Current = Depends(user),
           form: FormData = Depends(csrf)) -> Response:
    """A new token of the viewer's, its secret shown on this answer only."""
    try:
        new = people.create_token(session, current.actor.username, now=ctx(request).now(),
                                  actor=current.actor, name=str(form.get("name") or "").strip())
    except ValidationError as exc:
        session.rollback()
        return _page(request, session, current, status=422, error=str(exc))
    session.commit()
    return _page(request, session, current, secret=new.secret, done=f"token:{new.token.id}")


@router.post("/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, session: Session = DB_SESSION,
           current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """Revoke a token for good (one's own; a coordinator any), then back to the page it was
    revoked from."""
    people.revoke_token(session, token_id, now=ctx(request).now(), actor=current.actor,
                        reason=str(form.get("reason") or "") or None)
    back = "/users" if form.get("back") == "/users" else "/tokens"
    return RedirectResponse(f"{back}?done=revoked:{token_id}", status_code=303)

"""Users and API tokens (coordinator): add a user with a password, set a password, disable a
user; create a token for anyone (its secret shown once, on the answer page only). Revoking is
the tokens page's route (:mod:`agencyflow.web.pages.tokens`), from here or from "my tokens"."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from agencyflow.domain.permissions import Action, require
from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.services import people
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web.context import DB_SESSION, csrf, ctx, user
from agencyflow.web.render import page

router = APIRouter()


def _page(request: Request, session: Session, current: Current, *, status: int = 200,
          error: str = "", done: str = "", secret: str = "",
          values: dict[str, str] | None = None) -> Response:
    require(current.actor, Action.USER_MANAGE, target="users")
    return page(request, "users.html", current, status=status, users=people.list_users(session),
                tokens=people.tokens(session, current.actor), roles=people.USER_ROLES,
                error=error, done=done, secret=secret, values=values or {})


@router.get("/users")
def list_users(request: Request, done: str = "", session: Session = DB_SESSION,
               current: Current = Depends(user)) -> Response:
    """Users with their role and agency, and the tokens."""
    return _page(request, session, current, done=done)


def _text(form: FormData) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


@router.post("/users")
def add_user(request: Request, session: Session = DB_SESSION,
             current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """Add a user (and give them a password when one is typed)."""
    values = _text(form)
    now = ctx(request).now()
    try:
        added = people.add_user(session, username=values.get("username", "").strip(),
                                role=values.get("role", ""), now=now, actor=current.actor,
                                agency_code=values.get("agency", "").strip() or None,
                                full_name=values.get("full_name", "").strip(),
                                email=values.get("email", "").strip() or None)
        if values.get("password"):
            people.set_password(session, added.username, values["password"], now=now,
                                actor=current.actor)
    except ValidationError as exc:
        session.rollback()
        values.pop("password", None)
        return _page(request, session, current, status=422, error=str(exc), values=values)
    return RedirectResponse(f"/users?done=added:{added.username}", status_code=303)


@router.post("/users/{username}/{what}")
def change_user(request: Request, username: str, what: str, session: Session = DB_SESSION,
                current: Current = Depends(user), form: FormData = Depends(csrf)) -> Response:
    """``passwd`` (a new password), ``disable``, or ``token`` (create one)."""
    values = _text(form)
    now = ctx(request).now()
    try:
        if what == "passwd":
            people.set_password(session, username, values.get("password", ""), now=now,
                                actor=current.actor)
        elif what == "disable":
            people.disable_user(session, username, now=now, actor=current.actor,
                                reason=values.get("reason") or None)
        elif what == "token":
            new = people.create_token(session, username, now=now, actor=current.actor,
                                      name=values.get("name", "").strip())
            session.commit()
            return _page(request, session, current, secret=new.secret,
                         done=f"token:{new.token.id}")
        else:
            raise NotFound(_("no such change {what!r}").format(what=what))
    except ValidationError as exc:
        session.rollback()
        return _page(request, session, current, status=422, error=str(exc))
    return RedirectResponse(f"/users?done={what}:{username}", status_code=303)

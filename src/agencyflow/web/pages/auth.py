"""Login, logout and the language switch.

The login form is protected by a double-submit token (a random cookie repeated in the form), so
that another site cannot log a browser in under its own account; once logged in, every form
carries the session's CSRF token. A failed login answers 401 and a throttled one 429, each with
a message; the rules are in :mod:`agencyflow.services.people.sessions`.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from agencyflow.services import people
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web import i18n
from agencyflow.web.context import (
    DB_SESSION,
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    csrf,
    ctx,
    form_of,
    user,
    viewer,
)
from agencyflow.web.formats import ddmmyyyy_hhmm
from agencyflow.web.render import page
from agencyflow.web.security import safe_next

router = APIRouter()


def _login_page(request: Request, *, status: int = 200, message: str = "",
                username: str = "", next_path: str = "/") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = page(request, "login.html", None, status=status, message=message,
                    username=username, next_path=safe_next(next_path), login_token=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=ctx(request).settings.web_cookie_secure, path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/",
               current: Current | None = Depends(viewer)) -> Response:
    """The login form (a logged-in viewer goes straight on)."""
    if current is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=next)


@router.post("/login")
async def login(request: Request, session: Session = DB_SESSION) -> Response:
    """Check the password; success opens a session and goes on to ``next``."""
    form = await form_of(request)
    username = str(form.get("username") or "")
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    token = str(form.get("login_token") or "")
    if not cookie or not hmac.compare_digest(cookie, token):
        return _login_page(request, status=403, message="expired", username=username,
                           next_path=next_path)
    web = ctx(request)
    address = request.client.host if request.client else "unknown"
    result = people.login(session, username=username, password=password, address=address,
                          now=web.now())
    if not result.ok:
        session.commit()  # the failed attempt and its audit event are kept
        if result.throttled_until is not None:
            until = ddmmyyyy_hhmm(result.throttled_until)
            return _login_page(request, status=429, message=f"throttled:{until}",
                               username=username, next_path=next_path)
        return _login_page(request, status=401, message="wrong", username=username,
                           next_path=next_path)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, result.cookie or "", httponly=True, samesite="lax",
                        secure=web.settings.web_cookie_secure, path="/",
                        max_age=int(web.policy.absolute.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: Session = DB_SESSION, current: Current = Depends(user),
           _form: object = Depends(csrf)) -> Response:
    """End the session (its cookie stops working everywhere) and go to the login page."""
    people.logout(session, current, now=ctx(request).now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Remember the viewer's language (a preference cookie) and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", path="/",
                            max_age=365 * 24 * 3600,
                            secure=ctx(request).settings.web_cookie_secure)
    return response

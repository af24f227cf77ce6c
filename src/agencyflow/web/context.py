"""What every page request needs: the app's adapters, a transaction, the viewer, the language.

:class:`WebContext` is built once by :func:`agencyflow.web.app.create_app` and kept on
``app.state.web``. Routes get their pieces through FastAPI dependencies: :func:`db` (one
transaction per request, committed when the route returns), :func:`viewer` (the logged-in user
or None), :func:`user` (the logged-in user, or a redirect to the login page) and :func:`csrf`
(the POST's form, once its CSRF token has been checked against the session's).
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jinja2
from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from starlette.datastructures import FormData

from agencyflow.config import Settings
from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.permissions import Action, allowed
from agencyflow.errors import ValidationError
from agencyflow.services.board import BoardCache
from agencyflow.services.database import Engine, Session, session_scope
from agencyflow.services.people import Current, SessionPolicy, resolve, touch
from agencyflow.web import i18n
from agencyflow.web.i18n import LANG_COOKIE

#: Name of the session cookie (its value is the random session id).
SESSION_COOKIE = "af_session"
#: Name of the cookie that protects the login form itself (double submit).
LOGIN_CSRF_COOKIE = "af_login"


@dataclass
class WebContext:
    """The adapters of the app, built once from the settings."""

    settings: Settings
    engine: Engine
    calendar: WorkingCalendar
    policy: SessionPolicy
    templates: dict[str, jinja2.Environment]
    #: The board's counts and menus, computed once per state of the database.
    cache: BoardCache = field(default_factory=BoardCache)

    def now(self) -> datetime:
        """The real clock: what the web records always carries it."""
        return datetime.now(UTC)


class LoginRequired(Exception):
    """Raised by :func:`user` when nobody is logged in: the app redirects to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailed(Exception):
    """A state-changing request without the session's CSRF token: refused with 403."""


def ctx(request: Request) -> WebContext:
    """The app's :class:`WebContext`."""
    return request.app.state.web  # type: ignore[no-any-return]


@asynccontextmanager
async def transaction(engine: Engine) -> AsyncIterator[Session]:
    """:func:`~agencyflow.db.session_scope` for a request's dependency: the session is made on
    the event loop (it connects on its first query, in the route's thread) and only the commit
    or rollback runs in a worker thread — one thread hop fewer per request than a plain
    generator dependency, which FastAPI enters in a thread of its own."""
    scope = session_scope(engine)
    session = scope.__enter__()
    # As FastAPI's own contextmanager_in_threadpool: the exit has a limiter of its own, so that
    # it never waits for one of the default pool's threads, which may all be waiting for a
    # database connection that only this exit gives back.
    exit_limiter = CapacityLimiter(1)
    try:
        yield session
    except Exception as exc:
        if not await to_thread.run_sync(scope.__exit__, type(exc), exc, exc.__traceback__,
                                        limiter=exit_limiter):
            raise
    else:
        await to_thread.run_sync(scope.__exit__, None, None, None, limiter=exit_limiter)


async def db(request: Request) -> AsyncIterator[Session]:
    """One transaction for the request: committed when the route returns, rolled back on error."""
    async with transaction(ctx(request).engine) as session:
        yield session


#: The request's transaction as a route parameter's default. Function scope: committed before
#: the answer is sent (the default request scope would commit after it, so that a redirect
#: could reach the browser before its change is saved, and a failed commit look like success).
DB_SESSION: Any = Depends(db, scope="function")


def viewer(request: Request) -> Current | None:
    """The logged-in user behind the session cookie, or None.

    Read in a short transaction of its own, and the last-seen time (when due) written in
    another: the route's transaction starts after both, so it never holds a write lock for a
    page's reads nor finds its snapshot outdated by the refresh."""
    if hasattr(request.state, "viewer"):
        cached: Current | None = request.state.viewer
        return cached
    web = ctx(request)
    now = web.now()
    with session_scope(web.engine) as own:
        found = resolve(own, request.cookies.get(SESSION_COOKIE), now=now, policy=web.policy)
    if found is not None and found.stale:  # at most once a minute
        with session_scope(web.engine) as own:
            touch(own, found.session_id, now=now)
    request.state.viewer = found
    return found


async def user(request: Request, current: Current | None = Depends(viewer)) -> Current:
    """The logged-in user; nobody logged in → the login page (then back here)."""
    if current is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return current


async def csrf(request: Request, current: Current = Depends(user)) -> FormData:
    """The form of a POST, after checking its ``csrf`` field against the session's token."""
    form = await form_of(request)
    token = form.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(token, current.csrf):
        raise CsrfFailed()
    return form


#: Files one form may carry; a body larger than that many evidence files (plus 2 MiB of fields)
#: is refused before it is read.
MAX_FILES = 20


async def form_of(request: Request) -> FormData:
    """The request's form (multipart uploads spooled to disk), parsed once."""
    cached = getattr(request.state, "form", None)
    if cached is None:
        limit = ctx(request).settings.evidence_max_bytes * MAX_FILES + 2 * 1024 * 1024
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise ValidationError(f"the form is larger than {limit} bytes: send fewer or "
                                  "smaller files")
        cached = await request.form(max_files=MAX_FILES, max_fields=2000)
        request.state.form = cached
    return cached


def lang(request: Request) -> str:
    """The viewer's language: the switch's cookie, else the site's ``AGENCYFLOW_LANGUAGE``."""
    return i18n.pick(request.cookies.get(LANG_COOKIE), ctx(request).settings.language)


def template_globals(request: Request, current: Current | None) -> dict[str, Any]:
    """What every template may use: the viewer, the language, the request's path."""
    def can(action: str) -> bool:
        return current is not None and allowed(current.actor, Action(action))

    return {"viewer": current, "lang": lang(request), "path": request.url.path,
            "query": request.url.query, "can": can,
            "csrf_token": current.csrf if current is not None else ""}

"""Dependencies of the API routes: the request's session, its actor, its language.

- :func:`read_session` / :func:`write_session`: one transaction per request, committed when the
  route returns, rolled back on any error. On SQLite a writing request takes the write lock first
  (``BEGIN IMMEDIATE``), so that two writers queue instead of one failing half-way.
- :func:`current_actor`: ``Authorization: Bearer <token>`` only (never a cookie: no CSRF). A
  missing, unknown or revoked token, or one whose user is disabled, is a 401. The permission
  table is the services' own; routes check nothing themselves.
- :func:`language`: ``Accept-Language`` (``vi`` by default, ``en`` when preferred).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from agencyflow import i18n
from agencyflow.domain.permissions import Actor
from agencyflow.errors import AuthenticationError
from agencyflow.i18n import _
from agencyflow.services import people
from agencyflow.services.database import Session, session_scope
from agencyflow.web.api.context import ApiContext
from agencyflow.web.context import transaction

_bearer = HTTPBearer(auto_error=False, description="An API token (`agencyflow user token "
                     "create`), as `Authorization: Bearer af_…`.")


async def context(request: Request) -> ApiContext:
    """The app's :class:`ApiContext`."""
    ctx: ApiContext = request.app.state.api
    return ctx


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthenticationError(_("send an API token as `Authorization: Bearer <token>` "
                                    "(create one with `agencyflow user token create`)"))
    return credentials.credentials


def current_actor(ctx: Annotated[ApiContext, Depends(context)],
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                  ) -> Actor:
    """The user of the bearer token (401 otherwise); its ``last_used_at`` is refreshed at most
    once a minute, in a transaction of its own, so that reading requests write nothing."""
    token = _token(credentials)
    now = ctx.now()
    with session_scope(ctx.engine) as session:
        actor, row = people.token_actor(session, token)
    if people.needs_touch(row, now):
        with session_scope(ctx.engine) as session:
            people.touch_token(session, row.id or 0, now)
    return actor


async def read_session(ctx: Annotated[ApiContext, Depends(context)],
                       _actor: Annotated[Actor, Depends(current_actor)]
                       ) -> AsyncIterator[Session]:
    """A session for a reading request (after the caller is authenticated)."""
    async with transaction(ctx.engine) as session:
        yield session


def write_session(ctx: Annotated[ApiContext, Depends(context)],
                  _actor: Annotated[Actor, Depends(current_actor)]) -> Iterator[Session]:
    """A session for a writing request, after the caller is authenticated (SQLite: the write
    lock is taken first)."""
    with session_scope(ctx.engine) as session:
        if ctx.engine.dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


async def language(request: Request) -> str:
    """``vi`` unless ``Accept-Language`` prefers English."""
    return preferred_language(request.headers.get("accept-language"))


def preferred_language(header: str | None) -> str:
    """The first of vi/en in an ``Accept-Language`` header by quality; ``vi`` by default."""
    best, best_q = "vi", -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in ("vi", "en"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:
            best, best_q = base, q
    return best


class RequestLanguage:
    """ASGI middleware: each request runs in the language its ``Accept-Language`` prefers
    (:func:`agencyflow.i18n.set_language`), so what the services say comes back in it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"accept-language", b"")
        with i18n.language(preferred_language(header.decode("latin-1"))):
            await self.app(scope, receive, send)


Reader = Annotated[Session, Depends(read_session)]
Writer = Annotated[Session, Depends(write_session)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
Context = Annotated[ApiContext, Depends(context)]
Language = Annotated[str, Depends(language)]

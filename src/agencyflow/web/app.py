"""The application factory: ``create_app(settings)`` wires the pages (and the API) to one
database, calendar and template set; nothing is built at import time.

``factory()`` is what uvicorn calls (``agencyflow web`` runs it in factory mode): it reads the
settings from the environment. Errors never show a stack trace or SQL: the ``AgencyflowError``
tree becomes a page with its message and status, anything else a plain "internal error" page
(logged in full on the server).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from agencyflow.config import Settings, get_settings
from agencyflow.errors import (
    AgencyflowError,
    AuthenticationError,
    ConflictError,
    NotFound,
    PermissionDenied,
    TransitionError,
    ValidationError,
)
from agencyflow.services import delivery
from agencyflow.services.people import SessionPolicy
from agencyflow.web import render
from agencyflow.web.context import CsrfFailed, LoginRequired, WebContext
from agencyflow.web.i18n import RequestLanguage
from agencyflow.web.inputs import refuse_nul
from agencyflow.web.security import SecurityHeaders
from agencyflow.web.serving import tune_gc

log = logging.getLogger("agencyflow.web")

#: HTTP status of each expected error (anything else of the tree: 400).
STATUS: tuple[tuple[type[AgencyflowError], int], ...] = (
    (NotFound, 404), (PermissionDenied, 403), (AuthenticationError, 401),
    (ConflictError, 409), (TransitionError, 409), (ValidationError, 422),
)


def create_app(settings: Settings) -> FastAPI:
    """The web app on the database, calendar and language of ``settings``."""
    web = WebContext(
        settings=settings,
        engine=delivery.engine(settings),
        calendar=delivery.calendar(settings),
        policy=SessionPolicy(idle=timedelta(minutes=settings.web_session_idle_minutes),
                             absolute=timedelta(hours=settings.web_session_max_hours)),
        templates=render.environments(),
    )
    app = FastAPI(title="agencyflow", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(refuse_nul)])
    app.state.web = web
    app.add_middleware(RequestLanguage, default=settings.language)
    app.add_middleware(SecurityHeaders, hsts=settings.web_cookie_secure)
    # The API first: its requests (the busiest) then match one prefix instead of being tried
    # against every page route first; no page lives under its prefixes.
    _mount_api(app, settings)
    app.mount("/static", StaticFiles(packages=[("agencyflow.web", "static")]), name="static")
    _handlers(app)
    from agencyflow.web.pages import routers

    for router in routers():
        app.include_router(router)
    return app


def _mount_api(app: FastAPI, settings: Settings) -> None:
    """The REST API under ``/api/v1`` and its docs page under ``/api/docs``."""
    from agencyflow.web.api import API_PREFIX, DOCS_PREFIX, create_api, create_docs

    app.mount(API_PREFIX, create_api(settings))
    app.mount(DOCS_PREFIX, create_docs())


def factory() -> FastAPI:
    """The app of the environment's settings (uvicorn ``--factory`` entry point)."""
    app = create_app(get_settings())
    tune_gc()
    return app


def status_of(exc: AgencyflowError) -> int:
    """The HTTP status of an expected error."""
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return _error_page(request, 403, "csrf")

    @app.exception_handler(AgencyflowError)
    async def _expected(request: Request, exc: AgencyflowError) -> Response:
        return _error_page(request, status_of(exc), "error", message=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = "not_found" if exc.status_code == 404 else "http"
        return _error_page(request, exc.status_code, kind)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error_page(request, 500, "internal")


def _error_page(request: Request, status: int, kind: str, message: str = "") -> Response:
    """The error page (the viewer is not looked up again: the transaction may be broken)."""
    try:
        viewer: Any = getattr(request.state, "viewer", None) or None
        return render.page(request, "error.html", viewer, status=status, kind=kind,
                           message=message, code=status)
    except Exception:  # noqa: BLE001 - the error page itself must never leak anything
        log.exception("error page failed")
        return HTMLResponse("<!doctype html><title>Error</title><p>Error.</p>", status_code=status)

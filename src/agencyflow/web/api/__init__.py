"""The REST API under ``/api/v1``: :func:`create_api` builds it for some settings.

``agencyflow.web.app.create_app`` mounts it at ``/api/v1`` (its OpenAPI document is then
``/api/v1/openapi.json``) and the docs page of :func:`create_docs` at ``/api/docs``. Nothing is
built at import time. Authentication is by API token only (``Authorization: Bearer …``); every
error is an RFC 9457 problem (:mod:`agencyflow.web.api.problems`); moves honour ``If-Match`` and
``Idempotency-Key`` (:mod:`agencyflow.web.api.moves`). Routes hold no rules: they call the same
service functions as the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from agencyflow.config import Settings

__all__ = ["API_PREFIX", "DOCS_PREFIX", "create_api", "create_docs", "create_standalone",
           "standalone_from_environment"]

#: Where the API and its docs page are mounted.
API_PREFIX, DOCS_PREFIX = "/api/v1", "/api/docs"

_DESCRIPTION = """The API of agencyflow: plans, cycles, assignments and their moves, extensions,
targets, notifications, the audit trail, users and tokens — everything the CLI does.

* **Authentication**: `Authorization: Bearer <token>` with an API token (`agencyflow user token
  create USER`); the permissions are the CLI's.
* **Errors**: RFC 9457 `application/problem+json`, every field problem listed in `errors`.
* **Concurrency**: an assignment's `ETag` is its version; send it back as `If-Match` on a move
  (412 if someone changed it meanwhile).
* **Retries**: a move sent with `Idempotency-Key` is done once; a retry gets the same answer.
* **Language**: `Accept-Language: en` for English; Vietnamese by default.
"""


def create_api(settings: Settings) -> FastAPI:
    """The API application for ``settings`` (opens the database; the embedded one is
    created or upgraded)."""
    from fastapi import Depends, FastAPI

    from agencyflow.web.api import problems
    from agencyflow.web.api.context import ApiContext
    from agencyflow.web.api.deps import RequestLanguage
    from agencyflow.web.api.routes import assignments, audit, extensions, people, plans, reads
    from agencyflow.web.inputs import refuse_nul

    app = FastAPI(title="agencyflow API", version="1", description=_DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  servers=[{"url": API_PREFIX}], dependencies=[Depends(refuse_nul)])
    app.state.api = ApiContext.from_settings(settings)
    app.add_middleware(RequestLanguage)
    problems.install(app)
    for module in (plans, assignments, extensions, reads, audit, people):
        app.include_router(module.router)
    return app


def create_docs() -> FastAPI:
    """The docs page (Swagger UI, assets served locally), to mount at :data:`DOCS_PREFIX`."""
    from agencyflow.web.api.docs import create_docs as build

    return build(DOCS_PREFIX, f"{API_PREFIX}/openapi.json")


def create_standalone(settings: Settings) -> FastAPI:
    """The API and its docs page alone, mounted where the web app mounts them (for running the
    API without the HTML app, and for its tests)."""
    from fastapi import FastAPI

    from agencyflow.web.api import problems

    root = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    problems.install(root)  # a path that no mount takes is a problem too
    root.mount(API_PREFIX, create_api(settings))
    root.mount(DOCS_PREFIX, create_docs())
    return root


def standalone_from_environment() -> FastAPI:
    """:func:`create_standalone` for the settings of the environment (``AGENCYFLOW_*``), for
    ``uvicorn --factory agencyflow.web.api:standalone_from_environment``."""
    from agencyflow.config import get_settings
    from agencyflow.web.serving import tune_gc

    app = create_standalone(get_settings())
    tune_gc()
    return app

"""Errors as RFC 9457 problem details (``application/problem+json``), for every error.

One table (:data:`STATUS`) maps the :class:`~agencyflow.errors.AgencyflowError` tree to HTTP
statuses; request validation (FastAPI's), unknown routes and methods, and anything unexpected go
through the same shape. ``errors`` lists every field problem at once (the outputs of a step, the
problems of a plan file, each invalid request field). A response never carries a stack trace or
SQL: an unexpected error is logged and answered with a 500 that says only that.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.exceptions import HTTPException

from agencyflow import errors
from agencyflow.services.database import IntegrityError, OperationalError
from agencyflow.web.api.deps import preferred_language
from agencyflow.web.api.schemas import Schema
from agencyflow.web.api.texts import text

log = logging.getLogger("agencyflow.api")

MEDIA_TYPE = "application/problem+json"


class PreconditionFailed(errors.ConflictError):
    """``If-Match`` named another version than the stored one (HTTP 412)."""


class BadPrecondition(errors.ValidationError):
    """``If-Match`` is not an ETag this API gives out."""


#: Error class → (HTTP status, slug of the problem type). Looked up along the class's MRO.
STATUS: dict[type[errors.AgencyflowError], tuple[int, str]] = {
    PreconditionFailed: (412, "precondition-failed"),
    errors.AuthenticationError: (401, "unauthenticated"),
    errors.PermissionDenied: (403, "forbidden"),
    errors.NotFound: (404, "not-found"),
    errors.CycleExists: (409, "cycle-exists"),
    errors.TransitionError: (409, "transition-refused"),
    errors.ConflictError: (409, "conflict"),
    errors.PlanError: (422, "invalid-plan"),
    errors.ValidationError: (422, "invalid-input"),
    errors.CalendarError: (422, "invalid-date"),
    errors.AuditError: (409, "audit-broken"),
    errors.ConfigError: (503, "misconfigured"),
    errors.TemplateError: (500, "template-error"),
    errors.DeliveryError: (502, "delivery-failed"),
    errors.AgencyflowError: (400, "refused"),
}

#: HTTP status → slug, for errors that are not ours (routing, preconditions, validation).
HTTP_SLUGS = {400: "bad-request", 401: "unauthenticated", 404: "no-such-route",
              405: "method-not-allowed", 406: "not-acceptable", 412: "precondition-failed",
              413: "too-large", 415: "unsupported-media-type", 422: "invalid-request",
              428: "precondition-required", 500: "internal-error", 503: "unavailable"}


class FieldProblem(Schema):
    """One problem with one field of the request."""

    field: str = Field(description="Where: a request field (`body.reason`), an output "
                       "(`output products, item 2, field score`) or a plan file position.")
    detail: str


class Problem(Schema):
    """An RFC 9457 problem detail."""

    model_config = {"json_schema_extra": {"examples": [{
        "type": "urn:agencyflow:problem:invalid-input", "title": "Dữ liệu không hợp lệ",
        "status": 422, "detail": "invalid outputs:\n  output budget: expected a number",
        "instance": "/api/v1/assignments/12/complete",
        "errors": [{"field": "output budget", "detail": "expected a number"}]}]}}

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem, in the request's "
                       "language.")
    status: int
    detail: str = Field(description="What went wrong with this request.")
    instance: str = Field(description="The path of the request.")
    errors: list[FieldProblem] = Field(default_factory=list)


def problem_response(request: Request, status: int, slug: str, detail: str,
                     problems: list[FieldProblem] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response in the request's language."""
    lang = preferred_language(request.headers.get("accept-language"))
    body = Problem(type=f"urn:agencyflow:problem:{slug}", title=text(f"problem.{slug}", lang),
                   status=status, detail=detail, instance=request.url.path,
                   errors=problems or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=MEDIA_TYPE,
                        headers=headers)


def classify(exc: errors.AgencyflowError) -> tuple[int, str]:
    """The (status, slug) of an error of ours."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return STATUS[errors.AgencyflowError]


def field_problems(exc: errors.AgencyflowError) -> list[FieldProblem]:
    """Every field problem an error carries (plan problems, output problems)."""
    if isinstance(exc, errors.PlanError):
        return [FieldProblem(field=f"{p.file}:{p.line}:{p.column}: {p.field}", detail=p.message)
                for p in exc.problems]
    if isinstance(exc, errors.ValidationError):
        out = []
        for line in exc.problems:
            where, sep, what = line.partition(": ")
            out.append(FieldProblem(field=where, detail=what) if sep
                       else FieldProblem(field="", detail=line))
        return out
    return []


async def _ours(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.AgencyflowError)
    status, slug = classify(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="agencyflow"'} if status == 401 else None
    return problem_response(request, status, slug, str(exc), field_problems(exc), headers)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [FieldProblem(field=".".join(str(p) for p in err.get("loc", ())),
                             detail=str(err.get("msg", "")))
                for err in exc.errors()]
    detail = "; ".join(f"{p.field}: {p.detail}" for p in problems) or "invalid request"
    return problem_response(request, 422, "invalid-request", detail, problems)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    slug = HTTP_SLUGS.get(exc.status_code, "http-error")
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return problem_response(request, exc.status_code, slug, detail,
                            headers=dict(exc.headers or {}))


async def _database(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable for %s: %s", request.url.path, exc)
    return problem_response(request, 503, "unavailable", text("detail.busy", _lang(request)),
                            headers={"Retry-After": "1"})


async def _conflict(request: Request, exc: Exception) -> JSONResponse:
    """Two requests wrote the same row at once (PostgreSQL lets both start; the second one's
    unique key fails at commit): nothing of the second was saved, and it may be sent again."""
    log.warning("write conflict on %s: %s", request.url.path, exc)
    return problem_response(request, 409, "conflict", text("detail.conflict", _lang(request)))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "internal-error",
                            text("detail.internal", _lang(request)))


def _lang(request: Request) -> str:
    return preferred_language(request.headers.get("accept-language"))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""
    app.add_exception_handler(errors.AgencyflowError, _ours)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(IntegrityError, _conflict)
    app.add_exception_handler(Exception, _unexpected)


def _content() -> dict[str, Any]:
    return {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


#: The error responses every route documents (``responses=`` of the routers).
COMMON: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "model": Problem, "content": _content()}
    for status, description in [
        (400, "Refused"), (401, "No valid API token"), (403, "The role does not allow it"),
        (404, "Not found"), (409, "Refused in the current state, or changed meanwhile"),
        (412, "If-Match names another version"), (413, "Too large"),
        (415, "Unsupported media type"),
        (422, "Invalid input: every problem is listed"), (500, "Unexpected error"),
        (503, "Database busy or unavailable")]}

"""``/assignments``: the board's list (keyset pages), one assignment, and every move on it.

Each move is ``POST /assignments/{id}/{move}``; it answers the assignment (``ETag`` = its
version), honours ``If-Match`` (412 when the version moved on) and ``Idempotency-Key``.
``progress``, ``complete``, ``submit`` and ``contribute`` also take evidence files as
``multipart/form-data`` (a ``data`` part with the JSON body, ``files`` parts).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic_core import to_json

from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.domain.status import BoardStatus
from agencyflow.services import assignments, board
from agencyflow.services.database import Assignment
from agencyflow.web.api import moves
from agencyflow.web.api.deps import Context, CurrentActor, Language, Reader, Writer
from agencyflow.web.api.moves import Answer, MoveInput
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import (
    ApproveIn,
    AssignmentDetail,
    AssignmentPage,
    AssignmentPublic,
    AssignmentRow,
    ContributeIn,
    ContributionPublic,
    ExtensionIn,
    ExtensionPublic,
    HandInIn,
    ProgressIn,
    ReasonIn,
    ReassignIn,
    Schema,
    StartIn,
)

router = APIRouter(prefix="/assignments", tags=["assignments"], responses=COMMON)

AssignmentId = Annotated[int, Path(ge=1, le=2**62, description="The assignment's id.")]
IfMatch = {"name": "If-Match", "in": "header", "required": False,
           "description": "The ETag (version) you acted on; 412 if it changed.",
           "schema": {"type": "string", "examples": ['"3"']}}
IdemKey = {"name": "Idempotency-Key", "in": "header", "required": False,
           "description": "A key of yours: a retry with it is answered, not acted on twice.",
           "schema": {"type": "string", "maxLength": 200}}
_ETAG_HEADER = {"ETag": {"description": "The assignment's version.",
                         "schema": {"type": "string"}}}


def _day(now: date | None) -> date:
    return now or local_date(datetime.now(TIMEZONE))


def _as_of(now: date | None) -> datetime:
    """The moment a read "as of" the day ``now`` shows what was known at (the board's rule:
    09:00 that day, the real clock for today)."""
    real = datetime.now(TIMEZONE)
    return board.known_at(now or local_date(real), real)


@router.get("", response_model=AssignmentPage, summary="List assignments (the board)")
def list_assignments(
    session: Reader, ctx: Context,
    cycle: Annotated[int | None, Query(ge=1, le=2**62, description="Cycle id.")] = None,
    plan: Annotated[str | None, Query(max_length=100, description="Plan key.")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    agency: Annotated[str | None, Query(max_length=64, description="Leads or cooperates.")]
    = None,
    commune: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[BoardStatus | None, Query(description="Official status on the day.")]
    = None,
    now: Annotated[date | None, Query(description="The day to see the board as of.")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the "
                                        "previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=board.KEYSET_MAX_LIMIT)] = board.KEYSET_DEFAULT_LIMIT,
) -> Response:
    """One cycle's assignments in due-date order with their official status on ``now``
    (default today); a cycle is named by id, or by plan and year (default: the newest)."""
    found = (board.cycle_by_id(session, cycle) if cycle is not None
             else board.cycle_for(session, plan, year))
    flt = board.BoardFilter(cycle_id=found.id, agency=agency, commune=commune,
                            status=status.value if status else None,
                            late_against=found.late_against)
    after = board.KeysetCursor.decode(cursor) if cursor else None
    today = _day(now)
    page = board.keyset_page(session, flt, today=today, calendar=ctx.calendar, after=after,
                             limit=limit, known_at=_as_of(now))
    body = {"items": [{k: row[k] for k in _ROW_KEYS} for row in page.rows],
            "next_cursor": page.next.encode() if page.next else None, "today": today,
            "cycle_id": found.id}
    # Written directly: the rows come from the board's SQL with exactly AssignmentRow's fields
    # (a test checks the answer against the model), and validating 100 rows again would cost
    # more than the query.
    return Response(to_json(body), media_type="application/json")


_ROW_KEYS = tuple(AssignmentRow.model_fields)


class CountsPublic(Schema):
    """The board's counts: assignments per lead agency and official status on ``today``."""

    model_config = {"json_schema_extra": {"examples": [{
        "cycle_id": 1, "today": "2027-03-15",
        "counts": {"KTHT": {"in_progress": 3, "overdue": 1}, "NN": {"done_on_time": 2}}}]}}
    cycle_id: int
    today: date
    counts: dict[str, dict[str, int]]


@router.get("/counts", response_model=CountsPublic, summary="Counts per agency and status")
def count_assignments(
    session: Reader, ctx: Context,
    cycle: Annotated[int | None, Query(ge=1, le=2**62, description="Cycle id.")] = None,
    plan: Annotated[str | None, Query(max_length=100)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    agency: Annotated[str | None, Query(max_length=64)] = None,
    commune: Annotated[str | None, Query(max_length=64)] = None,
    now: Annotated[date | None, Query(description="The day to count as of.")] = None,
) -> CountsPublic:
    """What the CLI board prints under its table: one GROUP BY over the cycle."""
    found = (board.cycle_by_id(session, cycle) if cycle is not None
             else board.cycle_for(session, plan, year))
    flt = board.BoardFilter(cycle_id=found.id, agency=agency, commune=commune,
                            late_against=found.late_against)
    today = _day(now)
    return CountsPublic(cycle_id=found.id, today=today,
                        counts=board.counts(session, flt, today=today, calendar=ctx.calendar,
                                            known_at=_as_of(now)))


@router.get("/{assignment_id}", response_model=AssignmentDetail,
            responses={200: {"headers": _ETAG_HEADER}}, summary="One assignment")
def get_assignment(assignment_id: AssignmentId, session: Reader, ctx: Context,
                   actor: CurrentActor, response: Response,
                   now: Annotated[date | None, Query(description="As of this day.")] = None
                   ) -> AssignmentDetail:
    """Step, agencies, dates, official status on ``now``, history, extensions, contributions
    and evidence. The ``ETag`` is the version to send back as ``If-Match``."""
    data = assignments.show(session, assignment_id, actor, now=_as_of(now),
                            calendar=ctx.calendar)
    response.headers["ETag"] = moves.etag(data["assignment"]["version"])
    return AssignmentDetail.model_validate(data)


def _public(a: Assignment) -> dict[str, Any]:
    return AssignmentPublic.model_validate(a.model_dump()).model_dump(mode="json")


def _moved(a: Assignment, status: int = 200) -> Answer:
    return Answer(status, _public(a), a.version)


def _json(model: type[Schema], example: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"schema": schema, **({"example": example} if example else {})}


def _with_files(model: type[Schema]) -> dict[str, Any]:
    """OpenAPI of a body given as JSON or as multipart with evidence files."""
    return {"parameters": [IfMatch, IdemKey], "requestBody": {"required": False, "content": {
        "application/json": _json(model),
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "data": {"type": "string", "description": f"The JSON body ({model.__name__})."},
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "maxItems": moves.MAX_FILES}}}}}}}


def _upload(model: type[Schema]) -> Callable[..., AsyncIterator[MoveInput]]:
    async def parse(request: Request, ctx: Context, _actor: CurrentActor
                    ) -> AsyncIterator[MoveInput]:
        try:
            yield await moves.parse_body(request, model, ctx.settings.evidence_max_bytes)
        finally:
            moves.cleanup(request)
    return parse


def _evidence(ctx: Any, given: MoveInput) -> dict[str, Any]:
    return {"files": given.files, "evidence_dir": ctx.settings.resolved_evidence_dir(),
            "max_bytes": ctx.settings.evidence_max_bytes}


_MOVE: dict[str, Any] = {"responses": {200: {"headers": _ETAG_HEADER}},
                         "response_model": AssignmentPublic}
_HEADERS = {"parameters": [IfMatch, IdemKey]}


@router.post("/{assignment_id}/start", summary="Start (open → in progress)",
             openapi_extra=_HEADERS, **_MOVE)
def start(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
          actor: CurrentActor, lang: Language, body: StartIn | None = None) -> Response:
    """The lead agency starts working on an open assignment."""
    expected = moves.if_match(request, lang)
    given = MoveInput(body or StartIn())
    return moves.perform(request, ctx, session, actor, route="start",
                         params={"id": assignment_id}, given=given, expected=expected,
                         lang=lang, act=lambda: _moved(assignments.start(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             expected_version=expected)))


@router.post("/{assignment_id}/progress", summary="Report progress",
             openapi_extra=_with_files(ProgressIn), **_MOVE)
def progress(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
             actor: CurrentActor, lang: Language,
             given: Annotated[MoveInput, Depends(_upload(ProgressIn))]) -> Response:
    """A note, partial figures and evidence; an open assignment moves to in progress."""
    expected = moves.if_match(request, lang)
    body = given.body
    assert isinstance(body, ProgressIn)
    return moves.perform(request, ctx, session, actor, route="progress",
                         params={"id": assignment_id}, given=given, expected=expected,
                         lang=lang, act=lambda: _moved(assignments.progress(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             note=body.note, figures=body.figures, links=body.links,
                             expected_version=expected, **_evidence(ctx, given))))


def _hand_in(which: str, assignment_id: int, request: Request, session: Any, ctx: Any,
             actor: Any, lang: str, given: MoveInput) -> Response:
    expected = moves.if_match(request, lang)
    body = given.body
    assert isinstance(body, HandInIn)
    kwargs = {"lang": ctx.settings.language} if which == "complete" else {}
    use_case = assignments.complete if which == "complete" else assignments.submit
    return moves.perform(request, ctx, session, actor, route=which,
                         params={"id": assignment_id}, given=given, expected=expected,
                         lang=lang, act=lambda: _moved(use_case(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             calendar=ctx.calendar, outputs=body.outputs, note=body.note,
                             links=body.links, expected_version=expected,
                             **_evidence(ctx, given), **kwargs)))


@router.post("/{assignment_id}/complete", summary="Complete (steps without review)",
             openapi_extra=_with_files(HandInIn), **_MOVE)
def complete(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
             actor: CurrentActor, lang: Language,
             given: Annotated[MoveInput, Depends(_upload(HandInIn))]) -> Response:
    """The step's outputs (every problem listed at once), evidence; dependents open."""
    return _hand_in("complete", assignment_id, request, session, ctx, actor, lang, given)


@router.post("/{assignment_id}/submit", summary="Submit for review (steps with review)",
             openapi_extra=_with_files(HandInIn), **_MOVE)
def submit(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
           actor: CurrentActor, lang: Language,
           given: Annotated[MoveInput, Depends(_upload(HandInIn))]) -> Response:
    """Hand a reviewed step in with its outputs and evidence."""
    return _hand_in("submit", assignment_id, request, session, ctx, actor, lang, given)


@router.post("/{assignment_id}/approve", summary="Approve a submission (coordinator)",
             openapi_extra=_HEADERS, **_MOVE)
def approve(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
            actor: CurrentActor, lang: Language, body: ApproveIn | None = None) -> Response:
    """submitted → done; dependents open."""
    expected = moves.if_match(request, lang)
    given = MoveInput(body or ApproveIn())
    reason = (body or ApproveIn()).reason
    return moves.perform(request, ctx, session, actor, route="approve",
                         params={"id": assignment_id}, given=given, expected=expected,
                         lang=lang, act=lambda: _moved(assignments.approve(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             calendar=ctx.calendar, reason=reason, expected_version=expected,
                             lang=ctx.settings.language)))


@router.post("/{assignment_id}/reject", summary="Send a submission back (coordinator)",
             openapi_extra=_HEADERS, **_MOVE)
def reject(assignment_id: AssignmentId, body: ReasonIn, request: Request, session: Writer,
           ctx: Context, actor: CurrentActor, lang: Language) -> Response:
    """submitted → in progress, with the reason."""
    expected = moves.if_match(request, lang)
    return moves.perform(request, ctx, session, actor, route="reject",
                         params={"id": assignment_id}, given=MoveInput(body), expected=expected,
                         lang=lang, act=lambda: _moved(assignments.reject(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             reason=body.reason, expected_version=expected)))


@router.post("/{assignment_id}/cancel", summary="Cancel (coordinator)",
             openapi_extra=_HEADERS, **_MOVE)
def cancel(assignment_id: AssignmentId, body: ReasonIn, request: Request, session: Writer,
           ctx: Context, actor: CurrentActor, lang: Language) -> Response:
    """Withdraw an unfinished assignment, with the reason."""
    expected = moves.if_match(request, lang)
    return moves.perform(request, ctx, session, actor, route="cancel",
                         params={"id": assignment_id}, given=MoveInput(body), expected=expected,
                         lang=lang, act=lambda: _moved(assignments.cancel(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             calendar=ctx.calendar, reason=body.reason,
                             expected_version=expected)))


@router.post("/{assignment_id}/reassign", summary="Hand to another agency (coordinator)",
             openapi_extra=_HEADERS, **_MOVE)
def reassign(assignment_id: AssignmentId, body: ReassignIn, request: Request, session: Writer,
             ctx: Context, actor: CurrentActor, lang: Language) -> Response:
    """Another agency of the plan leads it from now on; unsent notices follow."""
    expected = moves.if_match(request, lang)
    return moves.perform(request, ctx, session, actor, route="reassign",
                         params={"id": assignment_id}, given=MoveInput(body), expected=expected,
                         lang=lang, act=lambda: _moved(assignments.reassign(
                             session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
                             new_lead=body.to, reason=body.reason, expected_version=expected)))


@router.post("/{assignment_id}/contribute", status_code=201, response_model=ContributionPublic,
             summary="Add a cooperating agency's contribution",
             openapi_extra=_with_files(ContributeIn))
def contribute(assignment_id: AssignmentId, request: Request, session: Writer, ctx: Context,
               actor: CurrentActor, lang: Language,
               given: Annotated[MoveInput, Depends(_upload(ContributeIn))]) -> Response:
    """A comment, figures and evidence; the assignment's version does not change."""
    body = given.body
    assert isinstance(body, ContributeIn)

    def act() -> Answer:
        row = assignments.contribute(
            session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
            comment=body.comment, figures=body.figures or None, links=body.links,
            agency_code=body.agency, **_evidence(ctx, given))
        return Answer(201, ContributionPublic.model_validate(row.model_dump())
                      .model_dump(mode="json"), None)

    return moves.perform(request, ctx, session, actor, route="contribute",
                         params={"id": assignment_id}, given=given, expected=None, lang=lang,
                         act=act)


@router.post("/{assignment_id}/extensions", status_code=201, response_model=ExtensionPublic,
             responses={201: {"headers": _ETAG_HEADER}}, openapi_extra=_HEADERS,
             summary="Request an extension (lead agency)")
def request_extension(assignment_id: AssignmentId, body: ExtensionIn, request: Request,
                      session: Writer, ctx: Context, actor: CurrentActor, lang: Language
                      ) -> Response:
    """Ask for a later due date, with a reason; one pending request at a time."""
    expected = moves.if_match(request, lang)

    def act() -> Answer:
        ext = assignments.request_extension(
            session, assignment_id=assignment_id, actor=actor, now=ctx.now(),
            new_due=body.new_due, reason=body.reason, expected_version=expected)
        version = assignments.load(session, assignment_id).version
        return Answer(201, ExtensionPublic.model_validate(ext.model_dump())
                      .model_dump(mode="json"), version)

    return moves.perform(request, ctx, session, actor, route="extensions",
                         params={"id": assignment_id}, given=MoveInput(body), expected=expected,
                         lang=lang, act=act)

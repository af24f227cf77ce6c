"""``/extensions``: extension requests waiting for a decision, and the decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from agencyflow.domain.permissions import Action, require
from agencyflow.services import assignments
from agencyflow.web.api import moves
from agencyflow.web.api.deps import Context, CurrentActor, Language, Reader, Writer
from agencyflow.web.api.moves import Answer, MoveInput
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import DecisionIn, ExtensionPublic

#: The largest id a row of these tables can have (INTEGER columns on PostgreSQL: a larger
#: number would fail there instead of finding nothing).
ROW_ID_MAX = 2**31 - 1

router = APIRouter(prefix="/extensions", tags=["extensions"], responses=COMMON)

ExtensionStatus = Literal["pending", "approved", "refused", "withdrawn"]


@router.get("", response_model=list[ExtensionPublic], summary="List extension requests")
def list_extensions(
    session: Reader, actor: CurrentActor,
    status: Annotated[ExtensionStatus | None, Query()] = None,
    assignment: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ExtensionPublic]:
    """Oldest first; ``status=pending`` lists those waiting for a decision."""
    require(actor, Action.READ, target="extension requests")
    rows = assignments.list_requests(session, status=status, assignment_id=assignment,
                                     limit=limit)
    return [ExtensionPublic.model_validate(r.model_dump()) for r in rows]


@router.post("/{extension_id}/decision", response_model=ExtensionPublic,
             openapi_extra={"parameters": [
                 {"name": "If-Match", "in": "header", "required": False, "schema":
                  {"type": "string"}, "description": "The assignment's ETag you decided on."},
                 {"name": "Idempotency-Key", "in": "header", "required": False, "schema":
                  {"type": "string", "maxLength": 200}}]},
             responses={200: {"headers": {"ETag": {"schema": {"type": "string"}}}}},
             summary="Approve or refuse an extension (coordinator or leader)")
def decide(extension_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], body: DecisionIn,
           request: Request, session: Writer, ctx: Context, actor: CurrentActor,
           lang: Language) -> Response:
    """Approval moves the due date (the original is kept); refusal needs a reason."""
    expected = moves.if_match(request, lang)

    def act() -> Answer:
        ext = assignments.decide_extension(
            session, extension_id=extension_id, actor=actor, now=ctx.now(),
            approve=body.approve, reason=body.reason, expected_version=expected,
            lang=ctx.settings.language)
        version = assignments.load(session, ext.assignment_id).version
        return Answer(200, ExtensionPublic.model_validate(ext.model_dump())
                      .model_dump(mode="json"), version)

    return moves.perform(request, ctx, session, actor, route="decision",
                         params={"id": extension_id}, given=MoveInput(body), expected=expected,
                         lang=lang, act=act)

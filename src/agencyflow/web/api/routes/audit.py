"""``/audit``: the tamper-evident trail — events, verification and export (audit readers:
coordinators, leaders, inspectors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from agencyflow.domain.permissions import Action, require
from agencyflow.errors import AuditError
from agencyflow.services import audit
from agencyflow.web import downloads
from agencyflow.web.api.deps import Context, CurrentActor, Reader
from agencyflow.web.api.problems import COMMON
from agencyflow.web.api.schemas import Schema

router = APIRouter(prefix="/audit", tags=["audit"], responses=COMMON)


class AuditEventPublic(Schema):
    """One event of the chain, every field and both hashes."""

    id: int
    seq: int
    at: str = Field(description="The UTC time exactly as it was hashed.")
    actor: str
    action: str
    target_type: str
    target_id: str
    before: Any
    after: Any
    reason: str | None
    prev_hash: str
    hash: str


class VerifyPublic(Schema):
    """The result of recomputing the chain."""

    model_config = {"json_schema_extra": {"examples": [{
        "intact": True, "events": 1204, "head_seq": 1204, "head_hash": "5be1…",
        "problem": None}]}}
    intact: bool
    events: int | None = Field(description="Events checked (None when broken).")
    head_seq: int
    head_hash: str
    problem: str | None = Field(description="The first broken event, when not intact.")


def _authorise(actor: Any) -> None:
    require(actor, Action.AUDIT_READ, target="the audit trail")


@router.get("/events", response_model=list[AuditEventPublic], summary="Audit events")
def events(session: Reader, actor: CurrentActor,
           assignment: Annotated[int | None, Query(ge=1, le=2**62)] = None,
           by: Annotated[str | None, Query(max_length=100, description="Only by this user.")]
           = None,
           limit: Annotated[int, Query(ge=1, le=10_000)] = 100) -> list[AuditEventPublic]:
    """The latest ``limit`` events, oldest first (of one assignment, or by one user)."""
    _authorise(actor)
    found = audit.log(session, assignment_id=assignment, actor=by, limit=limit)
    return [AuditEventPublic.model_validate(audit.exported(e.model_dump())) for e in found]


@router.post("/verify", response_model=VerifyPublic, summary="Verify the chain")
def verify(session: Reader, actor: CurrentActor) -> VerifyPublic:
    """Recompute every hash; ``intact`` is false naming the first edited, deleted, inserted
    or moved event. Note ``head_hash`` somewhere outside the database."""
    _authorise(actor)
    seq, head = audit.head(session)
    try:
        count = audit.verify(session)
    except AuditError as exc:
        return VerifyPublic(intact=False, events=None, head_seq=seq, head_hash=head,
                            problem=str(exc))
    return VerifyPublic(intact=True, events=count, head_seq=seq, head_hash=head, problem=None)


class ExportChecked(Schema):
    """The result of checking an export offline."""

    intact: bool
    events: int | None
    problem: str | None


@router.post("/verify-export", response_model=ExportChecked, summary="Check a jsonl export",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/plain": {"schema": {"type": "string", "description":
                                           "The jsonl text of an export (any media type)."}}}}})
async def verify_export(request: Request, actor: CurrentActor) -> ExportChecked:
    """Recompute the chain of an export (``audit/export?format=jsonl``) without the database,
    as ``agencyflow audit verify --file`` does; compare its last hash with the head you noted."""
    _authorise(actor)
    lines = (await request.body()).decode("utf-8", errors="replace").splitlines()
    try:
        count = audit.verify_export(lines, source="upload")
    except AuditError as exc:
        return ExportChecked(intact=False, events=None, problem=str(exc))
    return ExportChecked(intact=True, events=count, problem=None)


@router.get("/export", summary="Export every event (jsonl or csv)",
            response_class=Response, responses={200: {
                "content": {"application/x-ndjson": {"schema": {"type": "string"}},
                            "text/csv": {"schema": {"type": "string"}}},
                "headers": {"X-Audit-Head": {"schema": {"type": "string"},
                                             "description": "seq and sha256 of the head"}}}})
def export(ctx: Context, actor: CurrentActor,
           format: Annotated[Literal["jsonl", "csv"], Query()] = "jsonl",  # noqa: A002
           ) -> Response:
    """Every field and hash, re-verifiable offline (`agencyflow audit verify --file`),
    streamed from one snapshot as it is read."""
    _authorise(actor)
    stamp = datetime.now().strftime("%Y%m%d")
    return downloads.audit_export(ctx.engine, actor, format, f"audit-{stamp}.{format}")

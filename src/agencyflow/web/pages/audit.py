"""The audit trail (inspector, leader, coordinator): events with filters, verification of the
whole chain, and the export (jsonl or csv) to re-verify elsewhere."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from agencyflow.errors import AuditError
from agencyflow.services import people
from agencyflow.services.database import Session
from agencyflow.services.people import Current
from agencyflow.web import downloads
from agencyflow.web.context import DB_SESSION, ctx, user
from agencyflow.web.pages.common import day_of
from agencyflow.web.render import page

router = APIRouter()


@router.get("/audit")
def events(request: Request, who: str = "", action: str = "", target_type: str = "",
           target_id: str = "", since: str = "", until: str = "", before: int | None = None,
           session: Session = DB_SESSION, current: Current = Depends(user)) -> Response:
    """The newest events (filtered: actor, action, target, days from ``since`` to ``until``),
    one page at a time."""
    rows = people.audit_events(session, current.actor, who=who or None, action=action or None,
                               target_type=target_type or None, target_id=target_id or None,
                               since=day_of(since, None), until=day_of(until, None),
                               before_seq=before)
    values = {"who": who, "action": action, "target_type": target_type, "target_id": target_id,
              "since": since, "until": until}
    more = (urlencode({**{k: v for k, v in values.items() if v}, "before": rows[-1].seq})
            if len(rows) == people.AUDIT_PAGE else None)
    return page(request, "audit.html", current, rows=rows, values=values, more=more,
                verified=None, broken=None)


@router.get("/audit/verify")
def verify(request: Request, session: Session = DB_SESSION,
           current: Current = Depends(user)) -> Response:
    """Recompute the whole chain; say how many events are intact and the head to note down,
    or the first broken event."""
    try:
        count, head = people.audit_verify(session, current.actor)
    except AuditError as exc:
        return page(request, "audit.html", current, status=409, rows=[], values={}, more=None,
                    verified=None, broken=str(exc))
    return page(request, "audit.html", current, rows=[], values={}, more=None,
                verified={"count": count, "seq": head[0], "hash": head[1]}, broken=None)


@router.get("/audit/export")
def export(request: Request, format: str = "jsonl",
           current: Current = Depends(user)) -> Response:
    """The whole trail as a download (every field, hashes included), streamed from one
    snapshot: never the whole trail in memory or on disk."""
    fmt = "csv" if format == "csv" else "jsonl"
    return downloads.audit_export(ctx(request).engine, current.actor, fmt, f"audit.{fmt}")

"""Reading extension requests: those waiting for a decision, or any by status and assignment."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.models import ExtensionRequest

#: Every status of an extension request.
STATUSES = ("pending", "approved", "refused", "withdrawn")


def list_requests(session: Session, *, status: str | None = None,
                  assignment_id: int | None = None, limit: int = 100) -> list[ExtensionRequest]:
    """Extension requests, oldest first, optionally only those with ``status`` or of one
    assignment (``limit`` at most)."""
    stmt = select(ExtensionRequest).order_by(col(ExtensionRequest.id)).limit(limit)
    if status is not None:
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (one of: {', '.join(STATUSES)})")
        stmt = stmt.where(col(ExtensionRequest.status) == status)
    if assignment_id is not None:
        stmt = stmt.where(col(ExtensionRequest.assignment_id) == assignment_id)
    return list(session.execute(stmt).scalars())


def get(session: Session, extension_id: int) -> ExtensionRequest:
    """One extension request, or NotFound."""
    row = session.get(ExtensionRequest, extension_id)
    if row is None:
        raise NotFound(_("extension request {id} does not exist").format(id=extension_id))
    return row

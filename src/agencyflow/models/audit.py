"""The append-only audit trail: a SHA-256 hash chain over canonical JSON.

``audit_event`` rows are never updated or deleted (database triggers refuse it). ``audit_head`` has
one row holding the last sequence number and hash; locking it serialises appends so that the chain
stays linear when several processes write at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from agencyflow.models.types import JSONText, UTCDateTime


class AuditEvent(SQLModel, table=True):
    """One recorded change: who did what to which target, before and after, and why."""

    __tablename__ = "audit_event"
    #: What was recorded about a kind of target after a moment, by the time it claims and by the
    #: time it was recorded (see services.board.asof).
    __table_args__ = (Index("ix_audit_event_target_at", "target_type", "at"),
                      Index("ix_audit_event_target_recorded", "target_type", "recorded_at"))

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=100, index=True)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=32)
    target_id: str = Field(max_length=100, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONText)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONText)
    reason: str | None = None
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    #: The real clock when the event was appended (``at`` is the business time it claims).
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Why ``at`` differs from ``recorded_at``: None, ``simulated`` or ``late``.
    claim: str | None = Field(default=None, max_length=16)
    #: Why a late entry was recorded late.
    claim_reason: str | None = None


class AuditHead(SQLModel, table=True):
    """The chain head: last sequence number and hash (a single row, id 1)."""

    __tablename__ = "audit_head"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = 0
    hash: str = Field(default="0" * 64, max_length=64)
    #: The last event's recorded time (recorded times never go backwards).
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

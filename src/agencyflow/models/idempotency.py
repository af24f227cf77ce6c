"""Stored answers to API requests sent with an ``Idempotency-Key`` header.

A client that retries a move (a time-out, a dropped connection) sends the same key again; the
stored answer is returned instead of acting twice. A key belongs to one actor: two users can use
the same key without seeing each other's answers. ``fingerprint`` is a SHA-256 over what the
request asked for (the route, the path parameters and the canonical body), so that the same key
with a different request is refused rather than answered with the wrong response.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from agencyflow.models.types import UTCDateTime, utcnow


class IdempotentRequest(SQLModel, table=True):
    """One request made with an Idempotency-Key, and the answer it got."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_idempotent_actor_key"),)

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=100)
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int = 0
    etag: str | None = Field(default=None, max_length=100)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

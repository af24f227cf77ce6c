"""Calendar feeds: a read-only URL per agency that a calendar application subscribes to (see
:mod:`agencyflow.services.reports.feeds`).

The URL carries a random token; the row stores only its SHA-256, like an API token, so a copy
of the database gives nobody a usable feed. A token is good for that one feed only (it names no
user and grants nothing else) and stops working when revoked.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from agencyflow.models.types import UTCDateTime, utcnow


class CalendarFeed(SQLModel, table=True):
    """The subscribable calendar of one agency in one plan."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    plan_key: str = Field(max_length=100)
    agency_code: str = Field(max_length=64, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

"""Browser sessions and login attempts of the web app (see
:mod:`agencyflow.services.people.sessions`).

A browser holds only a random session id in a cookie; the row stores its SHA-256 (a copy of the
database gives nobody a usable session), the user, the CSRF token of the session, when it started
and was last seen (idle and absolute expiry) and when it ended (logout). Every login attempt, good
or bad, is a :class:`LoginAttempt` row: the throttle counts the recent failures per username and
per address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from agencyflow.models.types import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    """One logged-in browser: only the hash of its cookie is stored."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    address: str = Field(default="", max_length=64)


class LoginAttempt(SQLModel, table=True):
    """A login attempt (successful or not), for throttling per username and per address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100)
    address: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ok: bool = False

"""Users, their roles and API tokens (stored only as a hash)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from agencyflow.models.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A person acting in agencyflow: belongs to one agency and has one role."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    full_name: str = ""
    agency_code: str | None = Field(default=None, max_length=64)
    role: str = Field(max_length=16)
    active: bool = True
    email: str | None = None
    #: Argon2 hash of the web password (None: the user cannot log in to the web app).
    password_hash: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """An API token: only its SHA-256 is kept; shown once when created."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = ""
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

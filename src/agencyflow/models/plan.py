"""Stored plans, their agencies, and cycles.

A plan file is stored as a :class:`PlanVersion` keyed by (key, content hash): loading a changed file
creates a new version and never rewrites an existing one. A :class:`Cycle` records the plan key,
version and hash it was started from, so history stays as it was when a plan is amended.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from agencyflow.models.types import JSONText, UTCDateTime, utcnow


class PlanVersion(SQLModel, table=True):
    """One version of a plan: its source text, hash and titles."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_plan_version_key_version"),
        UniqueConstraint("key", "content_hash", name="uq_plan_version_key_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, index=True)
    version: int
    content_hash: str = Field(max_length=64)
    title_vi: str
    title_en: str | None = None
    source: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    #: The validated spec as JSON: later processes rebuild it without parsing YAML (~6× faster
    #: on a national plan). The text stays the source of truth; both share ``content_hash``.
    spec_json: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Agency(SQLModel, table=True):
    """An agency of a plan (office, commune, council or leader), upserted when a plan loads."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("plan_key", "code", name="uq_agency_plan_code"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_key: str = Field(max_length=100)
    code: str = Field(max_length=64, index=True)
    name_vi: str
    name_en: str | None = None
    kind: str = Field(max_length=16)
    parent_code: str | None = Field(default=None, max_length=64)
    tags: list[str] = Field(default_factory=list, sa_type=JSONText)
    digest: bool = False


class Cycle(SQLModel, table=True):
    """One run of a plan over a year: the plan version it came from and its period."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("plan_key", "year", name="uq_cycle_plan_year"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_version_id: int = Field(foreign_key="plan_version.id")
    plan_key: str = Field(max_length=100)
    plan_version: int
    plan_hash: str = Field(max_length=64)
    year: int
    start_date: date
    end_date: date
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_by: str = Field(max_length=100)
    assignment_count: int = 0
    late_against: str = Field(default="current", max_length=16)


Index("ix_cycle_plan_key", Cycle.__table__.c.plan_key)  # type: ignore[attr-defined]

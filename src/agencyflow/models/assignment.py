"""Assignments and what happens to them: extensions, contributions, evidence.

An assignment is one step of a plan handed to one lead agency for one period of a cycle (a commune
step fans out into one assignment per commune). Its ``status`` is a
:class:`~agencyflow.domain.lifecycle.Status`; ``version`` is bumped by every change so that two
people acting at once cannot both win (optimistic concurrency).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from agencyflow.models.types import JSONText, UTCDateTime, utcnow


class AssignmentBase(SQLModel):
    """Fields of an assignment that the plan decides when the cycle starts."""

    cycle_id: int = Field(foreign_key="cycle.id")
    plan_key: str = Field(max_length=100)
    year: int
    step_id: str = Field(max_length=100)
    period: str = Field(max_length=16)
    member: str = Field(default="", max_length=64)
    lead_code: str = Field(max_length=64)
    cooperating: list[str] = Field(default_factory=list, sa_type=JSONText)
    clauses: list[str] = Field(default_factory=list, sa_type=JSONText)
    title_vi: str
    title_en: str | None = None
    review: bool = False
    due_original: date | None = None
    due_current: date | None = None
    opened_on: date | None = None
    status: str = Field(max_length=16)


class Assignment(AssignmentBase, table=True):
    """A stored assignment (see the module docstring)."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("cycle_id", "step_id", "period", "member", name="uq_assignment_slot"),
        Index("ix_assignment_status_due", "status", "due_current"),
        Index("ix_assignment_cycle_lead", "cycle_id", "lead_code"),
        Index("ix_assignment_cycle_due", "cycle_id", "due_current", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version: int = 1
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_on: date | None = None
    completed_by: str | None = Field(default=None, max_length=100)
    outputs: dict[str, Any] | None = Field(default=None, sa_type=JSONText)
    note: str | None = None
    next_notice_on: date | None = None
    last_swept_on: date | None = None
    # Why the reminder sweep could not handle this row (e.g. a due date outside the working-day
    # calendar), and since when; None when all is well. A flagged row is not swept again until
    # its dates or lead change (services.reminders.hooks clears the flag).
    attention: str | None = None
    attention_on: date | None = None
    #: The real clock of the last change made through a use case (None: as the cycle made it).
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The coordinator who recorded the last change later, as a late entry (None: it was not).
    recorded_late_by: str | None = Field(default=None, max_length=100)


class ExtensionRequest(SQLModel, table=True):
    """A request by the lead agency to move the due date, and its decision."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    requested_by: str = Field(max_length=100)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    old_due: date
    new_due: date
    reason: str
    status: str = Field(default="pending", max_length=16)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = None


class Contribution(SQLModel, table=True):
    """What a cooperating agency adds to the lead's assignment: a comment, figures, evidence."""

    __tablename__ = "contribution"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    agency_code: str = Field(max_length=64)
    author: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    comment: str | None = None
    figures: dict[str, Any] | None = Field(default=None, sa_type=JSONText)


class Evidence(SQLModel, table=True):
    """A file (content-addressed by SHA-256) or a link attached to an assignment."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id")
    sha256: str | None = Field(default=None, max_length=64)
    filename: str | None = None
    size: int | None = None
    #: The media type a download is served with, decided from the name when the file is stored.
    content_type: str | None = Field(default=None, max_length=100)
    link: str | None = None
    added_by: str = Field(max_length=100)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

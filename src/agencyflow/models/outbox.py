"""The notification outbox and the delivery record of each channel.

A sweep writes one :class:`Notification` per (assignment, kind, window) — the unique ``key`` makes a
rerun, a crash or two sweeps at once harmless. A sweep notice keeps its own facts in columns
(``level``, ``days_left``) and no ``context``: the dispatcher reads the assignment when it renders
it. Event notices (completed, extension decided) and digests store their whole ``context``.

The dispatcher claims pending rows with a lease, delivers them and records each channel in
:class:`Delivery` (attempts, last error). Statuses:

=============  ==================================================================
pending        waiting to be sent (``next_attempt_at`` says from when)
sent           every channel delivered
failed         some channel failed; it will be retried after a backoff
dead           failed ``max_attempts`` times; listed, and can be retried by hand
superseded     no longer relevant (assignment done, extended, reassigned) before it was sent
digested       folded into a digest message (``digest_id`` points at it)
=============  ==================================================================
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from agencyflow.models.types import JSONText, UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """A message to one recipient agency about one assignment (or a digest of several)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        UniqueConstraint("key", name="uq_notification_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id")
    kind: str = Field(max_length=32)
    window: str = Field(max_length=64)
    scheduled_on: date | None = None
    recipient_code: str = Field(max_length=64)
    tag: str = Field(max_length=100)
    level: int = 0
    days_left: int | None = None
    lang: str = Field(default="vi", max_length=8)
    digest: bool = False
    digest_id: int | None = Field(default=None, foreign_key="notification.id")
    context: dict[str, Any] | None = Field(default=None, sa_type=JSONText)
    subject: str | None = None
    body: str | None = None
    html: str | None = None
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = None
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """One attempt to deliver a notification on one channel, kept for ever (the attempt history).

    :class:`Delivery` keeps the latest state of a channel; this keeps every attempt with its
    error, so that a failure later found to have been a delivery after all (an MQTT broker that
    received the message after the client gave up waiting) leaves its trace. ``channel`` is None
    for an attempt that failed before any channel was tried (rendering, no channel for the tag).
    ``at`` is the real clock; ``worker`` the dispatcher that made the attempt.
    """

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel: str | None = Field(default=None, max_length=300)
    ok: bool
    error: str | None = None
    worker: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """The delivery state of one notification on one channel (masked apprise URL)."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("notification_id", "channel", name="uq_delivery_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel: str = Field(max_length=300)
    status: str = Field(max_length=16)
    attempts: int = 0
    last_error: str | None = None
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

"""Recorded time: the real clock of every write, and the claim a write's business time makes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:30:00

``audit_event.recorded_at`` is the real clock when the event was appended (never a claimed time;
the chain is ordered by it and by sequence), ``claim`` says why the business time ``at`` differs
from it (``simulated`` or ``late``) and ``claim_reason`` why a late entry was recorded late. The
three are hashed when present; events written before this revision have none and keep their
hashes. ``audit_head.recorded_at`` is the last event's time, so that recorded times never go
backwards. ``assignment.recorded_at`` is the real time of its last change and
``recorded_late_by`` the coordinator who recorded that change later (the board shows it).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import agencyflow.models.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("recorded_at", agencyflow.models.types.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=16),
                                   nullable=True))
        batch.add_column(sa.Column("claim_reason", sqlmodel.sql.sqltypes.AutoString(),
                                   nullable=True))
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("recorded_at", agencyflow.models.types.UTCDateTime(),
                                   nullable=True))
    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("recorded_at", agencyflow.models.types.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("recorded_late_by",
                                   sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("recorded_late_by")
        batch.drop_column("recorded_at")
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("recorded_at")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("claim_reason")
        batch.drop_column("claim")
        batch.drop_column("recorded_at")

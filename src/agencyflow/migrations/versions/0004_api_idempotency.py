"""API: idempotent_request (Idempotency-Key answers) and the index of the keyset list

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:15:00

``idempotent_request`` keeps, per actor and key, the answer a move got, so that a retried request
is answered without acting twice. ``ix_assignment_cycle_due`` serves the API's and the board's
keyset pages: one cycle's assignments in due-date order, continued after (due date, id).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import agencyflow.models.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotent_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("etag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", agencyflow.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("actor", "key", name="uq_idempotent_actor_key"),
    )
    op.create_index("ix_assignment_cycle_due", "assignment", ["cycle_id", "due_current", "id"])


def downgrade() -> None:
    op.drop_index("ix_assignment_cycle_due", table_name="assignment")
    op.drop_table("idempotent_request")

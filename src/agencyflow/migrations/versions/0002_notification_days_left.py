"""notification.days_left: sweeps store a notice's own facts, not a render context

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:30:00

A sweep now writes its notices set-based (``INSERT … SELECT`` from the assignment table) and
stores only what is particular to the notice: kind, window, day, recipient, level and the working
days left. The assignment part of the render context is read when the notice is dispatched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("days_left", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("days_left")

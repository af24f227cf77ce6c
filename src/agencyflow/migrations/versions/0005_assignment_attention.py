"""assignment.attention / attention_on: a row the reminder sweep could not handle, and why

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:30:00

One assignment whose dates the sweep cannot compute (a due date of 9999-12-31 stored before dates
were bounded) used to stop every sweep of the database. The sweep now records the problem on the
row, stops sweeping it, and goes on with every other row; ``board`` and ``notifications`` list
the rows that need attention.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignment", sa.Column("attention", sqlmodel.sql.sqltypes.AutoString(),
                                          nullable=True))
    op.add_column("assignment", sa.Column("attention_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("attention_on")
        batch.drop_column("attention")

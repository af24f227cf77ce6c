"""Drop assignment.ix_assignment_next_notice: every clock move paid for an index nothing reads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 05:20:00

A sweep reads the open cycles' assignments window by window of ids and tests
``next_notice_on`` on each row; the index on that column served only the "is anything due?"
probe before a sweep, which a scan answers in milliseconds (about 30 ms for 200,000
assignments). Yet every notice a sweep writes moves its assignment's ``next_notice_on``, so the
index had to be updated once per notice: about a tenth of a national first sweep on SQLite, and
on PostgreSQL it made every clock move a non-HOT update.
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_assignment_next_notice", table_name="assignment")


def downgrade() -> None:
    op.create_index("ix_assignment_next_notice", "assignment", ["next_notice_on"])

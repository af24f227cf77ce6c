"""Index audit_event (target_type, at): what was recorded about assignments after a moment

Revision ID: 0010
Revises: 0009_delivery_attempts
Create Date: 2026-12-01 20:40:00

The state of assignments known at a moment is the current rows with the changes recorded after
that moment undone (:mod:`agencyflow.services.board.asof`). Whether there are any such changes is
asked by every ``board``, ``assignment show`` and ``targets`` with ``--now``: with this index it
is one probe, and the changes themselves are one range scan, whatever the length of the trail.
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009_delivery_attempts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_target_at", "audit_event", ["target_type", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_target_at", table_name="audit_event")

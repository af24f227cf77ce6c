"""Index audit_event (target_type, recorded_at): what became known about assignments after a moment

Revision ID: 0013_coldstart_recorded_index
Revises: 0012_reports_feed
Create Date: 2026-12-02 02:00:00

An audit event becomes known when it is recorded (``recorded_at``, the real clock), not at the
business time it claims (``at``; a coordinator's late entry claims a past one): the state known
at a moment undoes the changes recorded after it (:mod:`agencyflow.services.board.asof`). With
this index, beside ``(target_type, at)`` for simulated events, that is one range scan.
"""

from __future__ import annotations

from alembic import op

revision = '0013_coldstart_recorded_index'
down_revision = '0012_reports_feed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_target_recorded", "audit_event",
                    ["target_type", "recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_target_recorded", table_name="audit_event")

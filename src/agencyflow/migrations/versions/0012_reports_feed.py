"""Calendar feeds: one subscribable, revocable calendar URL per agency

Revision ID: 0012_reports_feed
Revises: 0011_plans_products
Create Date: 2026-12-02 02:00:00

``calendar_feed`` keeps the SHA-256 of each feed's token (never the token), the plan and agency
whose calendar it serves, who created it and when, and when it was revoked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agencyflow.models.types import UTCDateTime

revision = '0012_reports_feed'
down_revision = '0011_plans_products'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_key", sa.String(length=100), nullable=False),
        sa.Column("agency_code", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_calendar_feed_agency_code", "calendar_feed", ["agency_code"])


def downgrade() -> None:
    op.drop_index("ix_calendar_feed_agency_code", table_name="calendar_feed")
    op.drop_table("calendar_feed")

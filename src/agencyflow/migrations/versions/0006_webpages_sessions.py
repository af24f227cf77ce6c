"""Web app: users' password hashes, browser sessions and login attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:10:00

``app_user.password_hash`` holds the Argon2 hash of a user's web password (NULL: no web login).
``web_session`` keeps one row per logged-in browser (only the SHA-256 of its cookie) and
``login_attempt`` every login attempt, which the throttle counts per username and per address.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agencyflow.models.types import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"])
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"])


def downgrade() -> None:
    op.drop_table("login_attempt")
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_table("web_session")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_hash")


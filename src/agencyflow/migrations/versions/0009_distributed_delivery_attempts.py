"""delivery_attempt: every attempt of every channel, with its error (the attempt history)

Revision ID: 0009_delivery_attempts
Revises: 0008
Create Date: 2026-12-01 20:30:00

``delivery`` keeps the latest state of each channel of a notification; a retry overwrote the
error of the attempt before it. An MQTT publish reported as failed that had in fact reached the
broker was then retried and delivered twice with no trace of the first error. This table keeps
one row per attempt, written as soon as the attempt's result is known.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import agencyflow.models.types

revision = '0009_delivery_attempts'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'delivery_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('at', agencyflow.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempt_notification_id'),
                              ['notification_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempt_notification_id'))
    op.drop_table('delivery_attempt')

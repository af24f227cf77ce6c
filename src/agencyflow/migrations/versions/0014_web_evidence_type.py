"""evidence.content_type: the media type an evidence file is served with, decided when stored

Revision ID: 0014_web_evidence_type
Revises: 0013_coldstart_recorded_index
Create Date: 2026-12-02 02:50:00

A download is an attachment of the type recorded when the file was stored (from its name; the
content is never sniffed and the uploader's claimed type is not trusted). Rows stored before
this column get the type of their name when they are served.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_web_evidence_type"
down_revision = "0013_coldstart_recorded_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("content_type", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("content_type")
